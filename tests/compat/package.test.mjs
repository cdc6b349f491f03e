// The built package (pkg/node.mjs: the wasm, whose AES is Web Crypto's, src/web/subtle.rs) against the
// original @toruslabs/session-manager 5.6.0 and @toruslabs/metadata-helpers 8.2.0, in Node with a fake
// `fetch`: what compat.test.mjs checks of the native build (RustCrypto AES), checked of what ships.
// Run through ./run.sh after scripts/build-pkg.sh; a missing package fails every test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

import * as eccrypto from "@toruslabs/eccrypto";
import * as mh from "@toruslabs/metadata-helpers";
import { StorageManager as OriginalStorageManager } from "@toruslabs/session-manager";

const here = path.dirname(fileURLToPath(import.meta.url));
const entry = path.resolve(here, "..", "..", "pkg", "node.mjs");
const load = () => {
  assert.ok(existsSync(entry), `${entry} missing: run scripts/build-pkg.sh first`);
  return import(pathToFileURL(entry).href);
};

/** Runs `fn` with a fake fetch answering `reply` (JSON text); gives the one request sent and the result. */
async function withFetch(reply, fn) {
  const calls = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    const request = url instanceof Request ? url : new Request(url, init);
    calls.push({ url: request.url, method: request.method, body: await request.text() });
    return new Response(reply, { status: 200, headers: { "content-type": "application/json" } });
  };
  try {
    const result = await fn();
    assert.equal(calls.length, 1);
    return { ...calls[0], result };
  } finally {
    globalThis.fetch = realFetch;
  }
}

const base = "https://session.example";
const payloads = [{}, { privKey: "ab".repeat(32), userInfo: { name: "é中😀\n\"" } }, "text", { list: [1, null, true], n: 1.5 }];

test("the package's StorageManager and the original's read each other's sessions (ECIES, AES-CBC on Web Crypto)", async () => {
  const sdk = await load();
  for (const [i, payload] of payloads.entries()) {
    const key = eccrypto.generatePrivate();
    const options = { sessionServerBaseUrl: base, sessionId: mh.bytesToHex(key), sessionNamespace: "n" };
    // The package creates; the original and metadata-helpers read it.
    const created = await withFetch('{"message":"ok"}', () => new sdk.StorageManager(options).createSession(payload));
    const data = JSON.parse(created.body).data;
    assert.deepEqual(await mh.decryptData(key, data), payload, `case ${i}`);
    const original = new OriginalStorageManager(options);
    const read = await withFetch(JSON.stringify({ message: data }), () => original.authorizeSession());
    assert.deepEqual(read.result, payload, `case ${i}`);
    // metadata-helpers encrypts (as the original's server flow does); the package reads it.
    const reply = JSON.stringify({ message: await mh.encryptData(key, payload) });
    const ours = await withFetch(reply, () => new sdk.StorageManager(options).authorizeSession());
    assert.deepEqual(ours.result, payload, `case ${i}`);
  }
});

test("the package refuses a tampered ECIES message with a typed CryptoError and reads the untampered one", async () => {
  const sdk = await load();
  const key = eccrypto.generatePrivate();
  const options = { sessionServerBaseUrl: base, sessionId: mh.bytesToHex(key) };
  const message = JSON.parse(await mh.encryptData(key, { secret: 1 }));
  for (const field of ["ciphertext", "mac", "iv"]) {
    const flipped = { ...message, [field]: (message[field][0] === "0" ? "1" : "0") + message[field].slice(1) };
    const reply = JSON.stringify({ message: JSON.stringify(flipped) });
    await assert.rejects(
      withFetch(reply, () => new sdk.StorageManager(options).authorizeSession()),
      (e) => e.name === "CryptoError" && e.code === "DECRYPT_FAILED",
      field,
    );
  }
  const ok = await withFetch(JSON.stringify({ message: JSON.stringify(message) }), () => new sdk.StorageManager(options).authorizeSession());
  assert.deepEqual(ok.result, { secret: 1 });
});

test("the package's AES-GCM scheme (AES-GCM on Web Crypto): reads its own envelopes, refuses a changed byte or another key", async () => {
  const sdk = await load();
  const key = mh.bytesToHex(randomBytes(32));
  const options = { sessionServerBaseUrl: base, sessionId: key, scheme: "aes-gcm" };
  const created = await withFetch('{"message":"ok"}', () => new sdk.StorageManager(options).createSession({ role: "user" }));
  const envelope = JSON.parse(created.body).data;
  assert.match(envelope, /^\{"v":1,"alg":"A256GCM","nonce":"[0-9a-f]{24}","ciphertext":"[0-9a-f]+"\}$/);
  const read = await withFetch(JSON.stringify({ message: envelope }), () => new sdk.StorageManager(options).authorizeSession());
  assert.deepEqual(read.result, { role: "user" });
  const e = JSON.parse(envelope);
  const last = e.ciphertext.length - 1;
  const tampered = JSON.stringify({ ...e, ciphertext: e.ciphertext.slice(0, last) + (e.ciphertext[last] === "0" ? "1" : "0") });
  await assert.rejects(
    withFetch(JSON.stringify({ message: tampered }), () => new sdk.StorageManager(options).authorizeSession()),
    (err) => err.name === "CryptoError" && err.code === "DECRYPT_FAILED",
  );
  const other = { ...options, sessionId: mh.bytesToHex(randomBytes(32)) };
  await assert.rejects(
    withFetch(JSON.stringify({ message: envelope }), () => new sdk.StorageManager(other).authorizeSession()),
    (err) => err.name === "CryptoError" && err.code === "DECRYPT_FAILED",
  );
});

test("without crypto.subtle (an insecure context) decryption is a CryptoError that says so, not a crash", async () => {
  const sdk = await load();
  await sdk.ready();
  const key = eccrypto.generatePrivate();
  const options = { sessionServerBaseUrl: base, sessionId: mh.bytesToHex(key) };
  const reply = JSON.stringify({ message: await mh.encryptData(key, { a: 1 }) });
  const real = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  const webcrypto = globalThis.crypto;
  Object.defineProperty(globalThis, "crypto", { value: { getRandomValues: (a) => webcrypto.getRandomValues(a) }, configurable: true });
  try {
    await assert.rejects(
      withFetch(reply, () => new sdk.StorageManager(options).authorizeSession()),
      (e) => e.name === "CryptoError" && e.code === "DECRYPT_FAILED" && /secure context/.test(e.message),
    );
  } finally {
    Object.defineProperty(globalThis, "crypto", real);
  }
  const ok = await withFetch(reply, () => new sdk.StorageManager(options).authorizeSession());
  assert.deepEqual(ok.result, { a: 1 });
});
