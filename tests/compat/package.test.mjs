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
const authEntry = path.resolve(here, "..", "..", "pkg", "auth.node.mjs");
const loadFrom = (file) => {
  assert.ok(existsSync(file), `${file} missing: run scripts/build-pkg.sh first`);
  return import(pathToFileURL(file).href);
};
const load = () => loadFrom(entry);

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

// The auth entry's wasm has its own crypto (src/core/crypto/curve.rs: a fixed-window multiplication
// instead of k256's GLV; src/core/crypto/hash.rs: Web Crypto's SHA-512 and HMAC): what it computes
// must be what eccrypto computes, on random keys.
test("the auth entry: public keys are eccrypto's, and authorize() decrypts what eccrypto encrypted (and ends a tampered session)", async () => {
  const sdk = await loadFrom(authEntry);
  await sdk.ready();
  for (let i = 0; i < 24; i++) {
    const key = i === 0 ? Buffer.from("00".repeat(31) + "01", "hex") : eccrypto.generatePrivate();
    const expected = Buffer.from(eccrypto.getPublic(key)).toString("hex");
    assert.equal(sdk.StorageManager.getPublicKey(mh.bytesToHex(key)), expected, `key ${i}`);
  }
  const session = (sessionId) => {
    const storage = { sessionId: new sdk.MemoryStorage(), accessToken: new sdk.MemoryStorage(), refreshToken: new sdk.MemoryStorage(), idToken: new sdk.MemoryStorage() };
    return new sdk.AuthSessionManager({ apiClientConfig: { baseURL: base }, storage, sync: false });
  };
  for (const [i, payload] of [{ a: 1 }, ...payloads.filter((p) => typeof p === "object")].entries()) {
    const key = eccrypto.generatePrivate();
    const manager = session();
    await manager.setTokens({ sessionId: mh.bytesToHex(key), accessToken: "at", refreshToken: "rt" });
    const sessionData = await mh.encryptData(key, payload);
    const reply = JSON.stringify({ access_token: "at2", refresh_token: "rt2", session_data: sessionData });
    const { result } = await withFetch(reply, () => manager.authorize());
    assert.deepEqual(result, payload, `case ${i}`);
    if (i === 0) {
      const e = JSON.parse(sessionData);
      const tampered = JSON.stringify({ ...e, mac: (e.mac[0] === "0" ? "1" : "0") + e.mac.slice(1) });
      const bad = JSON.stringify({ access_token: "at3", refresh_token: "rt3", session_data: tampered });
      const after = await withFetch(bad, () => manager.authorize());
      assert.equal(after.result, null);
      assert.equal(manager.isAuthenticated(), false);
    }
    manager.dispose();
  }
});

// A message whose MAC verifies but whose AES-CBC padding does not: the last step of the wasm's one
// Web Crypto call (src/web/snippet.rs `ecies_open`) failing, after the MAC check passed.
test("a message with a valid MAC and a bad padding is a CryptoError (main entry) and ends the session (auth entry)", async () => {
  const { createCipheriv, createHash, createHmac } = await import("node:crypto");
  const key = eccrypto.generatePrivate();
  const message = JSON.parse(await mh.encryptData(key, { a: 1 }));
  const ephem = Buffer.from(message.ephemPublicKey, "hex");
  const hash = createHash("sha512").update(Buffer.from(await eccrypto.derive(key, ephem))).digest();
  const iv = Buffer.from(message.iv, "hex");
  const cipher = createCipheriv("aes-256-cbc", hash.subarray(0, 32), iv).setAutoPadding(false);
  const ciphertext = Buffer.concat([cipher.update(Buffer.alloc(16, 0)), cipher.final()]); // last byte 0: no valid padding
  const mac = createHmac("sha256", hash.subarray(32)).update(Buffer.concat([iv, ephem, ciphertext])).digest();
  const bad = JSON.stringify({ ...message, ciphertext: ciphertext.toString("hex"), mac: mac.toString("hex") });

  const sdk = await load();
  const options = { sessionServerBaseUrl: base, sessionId: mh.bytesToHex(key) };
  await assert.rejects(
    withFetch(JSON.stringify({ message: bad }), () => new sdk.StorageManager(options).authorizeSession()),
    (e) => e.name === "CryptoError" && e.code === "DECRYPT_FAILED" && /padding/.test(e.message),
  );

  const auth = await loadFrom(authEntry);
  const storage = { sessionId: new auth.MemoryStorage(), accessToken: new auth.MemoryStorage(), refreshToken: new auth.MemoryStorage(), idToken: new auth.MemoryStorage() };
  const manager = new auth.AuthSessionManager({ apiClientConfig: { baseURL: base }, storage, sync: false });
  await manager.setTokens({ sessionId: mh.bytesToHex(key), accessToken: "at", refreshToken: "rt" });
  const reply = JSON.stringify({ access_token: "at2", refresh_token: "rt2", session_data: bad });
  assert.equal((await withFetch(reply, () => manager.authorize())).result, null);
  assert.equal(manager.isAuthenticated(), false);
  manager.dispose();
});
