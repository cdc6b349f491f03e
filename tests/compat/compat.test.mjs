// Compatibility of the SDK's crypto (src/core/crypto) with the libraries the original
// @toruslabs/session-manager 5.6 uses: @toruslabs/eccrypto 7.0.0 and @toruslabs/metadata-helpers 8.2.0,
// and of the SDK's StorageManager (src/core/metadata) with the original's own StorageManager 5.6.0,
// run in node with a fake `fetch`.
//
// The Rust side runs as one process per batch: examples/crypto_vectors.rs, JSON ops on stdin.
// Run through ./run.sh, which builds the example and sets CRYPTO_VECTORS_BIN.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { fileURLToPath } from "node:url";
import path from "node:path";

import * as eccrypto from "@toruslabs/eccrypto";
import * as mh from "@toruslabs/metadata-helpers";
import { StorageManager as OriginalStorageManager } from "@toruslabs/session-manager";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "..", "..");
const CASES = Number(process.env.COMPAT_CASES || 200);
const LEADING_ZERO_CASES = Number(process.env.COMPAT_LEADING_ZERO_CASES || 12);

/** Runs a batch of ops through the Rust example; returns the values, failing on any Rust error. */
function rust(ops, { allowErrors = false } = {}) {
  const bin = process.env.CRYPTO_VECTORS_BIN;
  const [cmd, args] = bin ? [bin, []] : ["cargo", ["run", "-q", "--example", "crypto_vectors"]];
  const res = spawnSync(cmd, args, {
    cwd: repoRoot,
    input: JSON.stringify(ops),
    maxBuffer: 256 * 1024 * 1024,
    encoding: "utf8",
  });
  assert.equal(res.status, 0, `crypto_vectors failed: ${res.stderr}`);
  const results = JSON.parse(res.stdout);
  assert.equal(results.length, ops.length);
  if (allowErrors) return results;
  return results.map((r, i) => {
    assert.ok(r.ok, `op ${i} (${ops[i].op}) failed in Rust: ${r.error}`);
    return r.value;
  });
}

const hex = (b) => mh.bytesToHex(b);
const unhex = (h) => mh.hexToBytes(h);

/** A random string mixing ASCII, JSON-special characters and multi-byte UTF-8. */
function randomText(maxLen) {
  const alphabet = ["a", "Z", "0", " ", '"', "\\", "\n", "\t", "é", "ß", "中", "文", "😀", "🔐", "\u0000", "\u2028", "{", "}"];
  let s = "";
  const n = randomInt(0, maxLen + 1);
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** A random session payload, like what an app stores (never with a truthy `error` field). */
function randomPayload(i) {
  switch (i % 5) {
    case 0:
      return {};
    case 1:
      return { privKey: hex(randomBytes(32)), userInfo: { email: `${i}@example.com`, name: randomText(20) } };
    case 2:
      return { n: randomInt(1e9), f: Math.random(), ok: true, nil: null, list: [1, "two", { three: 3 }], text: randomText(400) };
    case 3:
      return randomText(50);
    default:
      return { blob: randomText(2000), error: "" };
  }
}

/** A key with leading zero bytes: the session id is shorter than 64 hex digits before padding. */
function smallKey(zeroBytes) {
  const k = randomBytes(32);
  k.fill(0, 0, zeroBytes);
  if (k[zeroBytes] === 0) k[zeroBytes] = 1;
  return new Uint8Array(k);
}

const keys = [];
for (let i = 0; i < CASES; i++) keys.push(i % 50 === 7 ? smallKey(1 + (i % 3)) : eccrypto.generatePrivate());
const payloads = keys.map((_, i) => randomPayload(i));

/** For each of `count` random recipients, an ephemeral key whose ECDH x-coordinate starts with 0x00. */
async function leadingZeroCases(count) {
  const out = [];
  for (let c = 0; c < count; c++) {
    const priv = eccrypto.generatePrivate();
    const pub = eccrypto.getPublic(priv);
    for (;;) {
      const ephem = eccrypto.generatePrivate();
      const x = await eccrypto.derivePadded(ephem, pub);
      if (x[0] === 0) {
        assert.ok((await eccrypto.derive(ephem, pub)).length < 32);
        out.push({ priv, ephem, iv: new Uint8Array(randomBytes(16)) });
        break;
      }
    }
  }
  return out;
}

test("public keys: ours equal eccrypto.getPublic (the `key` of every request)", () => {
  const ours = rust(keys.map((k) => ({ op: "pubkey", key: hex(k) })));
  keys.forEach((k, i) => assert.equal(ours[i], hex(eccrypto.getPublic(k))));
  // A session id given without leading zeros is left-padded, as the original does.
  const short = rust([{ op: "pubkey", key: "0x1" }]);
  assert.equal(short[0], hex(eccrypto.getPublic(unhex("00".repeat(31) + "01"))));
});

test("metadata-helpers encryptData -> our decrypt", async () => {
  const datas = await Promise.all(keys.map((k, i) => mh.encryptData(k, payloads[i])));
  const ours = rust(keys.map((k, i) => ({ op: "decrypt", key: hex(k), data: datas[i] })));
  ours.forEach((plain, i) => assert.equal(plain, JSON.stringify(payloads[i])));
});

test("our encrypt -> metadata-helpers decryptData and eccrypto.decrypt", async () => {
  const plaintexts = payloads.map((p) => JSON.stringify(p));
  const datas = rust(keys.map((k, i) => ({ op: "encrypt", key: hex(k), plaintext: plaintexts[i] })));
  for (let i = 0; i < keys.length; i++) {
    // What the original's StorageManager does with a message from the server.
    assert.deepEqual(await mh.decryptData(keys[i], datas[i]), payloads[i]);
    const raw = await eccrypto.decrypt(keys[i], mh.encParamsHexToBuf(JSON.parse(datas[i])));
    assert.equal(mh.bytesToUtf8(raw), plaintexts[i]);
    // Same JSON shape and field order as metadata-helpers' encParamsBufToHex.
    assert.deepEqual(Object.keys(JSON.parse(datas[i])), ["iv", "ephemPublicKey", "ciphertext", "mac"]);
  }
});

test("deterministic encryption is byte-identical to eccrypto.encrypt with the same ephemeral key and iv", async () => {
  const cases = keys.slice(0, 50).map((k, i) => ({
    k,
    ephem: eccrypto.generatePrivate(),
    iv: new Uint8Array(randomBytes(16)),
    plaintext: JSON.stringify(payloads[i]),
  }));
  const ours = rust(cases.map((c) => ({ op: "encrypt", key: hex(c.k), plaintext: c.plaintext, ephem: hex(c.ephem), iv: hex(c.iv) })));
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    const theirs = await eccrypto.encrypt(eccrypto.getPublic(c.k), mh.utf8ToBytes(c.plaintext), { ephemPrivateKey: c.ephem, iv: c.iv });
    assert.equal(ours[i], JSON.stringify(mh.encParamsBufToHex(theirs)));
  }
});

test("shared secrets with a leading zero byte, both directions and both eccrypto paddings", async () => {
  const cases = await leadingZeroCases(LEADING_ZERO_CASES);
  const texts = cases.map((_, i) => JSON.stringify({ case: i, text: randomText(100) }));
  const plaintext = (i) => texts[i];
  const ops = [];
  const theirs = [];
  for (let i = 0; i < cases.length; i++) {
    const { priv, ephem, iv } = cases[i];
    const pub = eccrypto.getPublic(priv);
    // eccrypto's default: the padded 32-byte X (what metadata-helpers and the original send today).
    const padded = await eccrypto.encrypt(pub, mh.utf8ToBytes(plaintext(i)), { ephemPrivateKey: ephem, iv });
    // padding:false: X with leading zeros stripped (what older eccrypto versions sent).
    const stripped = await eccrypto.encrypt(pub, mh.utf8ToBytes(plaintext(i)), { ephemPrivateKey: ephem, iv, padding: false });
    assert.notEqual(hex(padded.mac), hex(stripped.mac));
    theirs.push({ padded, stripped });
    ops.push({ op: "decrypt", key: hex(priv), data: JSON.stringify(mh.encParamsBufToHex(padded)) });
    ops.push({ op: "decrypt", key: hex(priv), data: JSON.stringify(mh.encParamsBufToHex(stripped)) });
    ops.push({ op: "encrypt", key: hex(priv), plaintext: plaintext(i), ephem: hex(ephem), iv: hex(iv) });
  }
  const out = rust(ops);
  for (let i = 0; i < cases.length; i++) {
    assert.equal(out[3 * i], plaintext(i), "their padded -> ours");
    assert.equal(out[3 * i + 1], plaintext(i), "their stripped -> ours");
    const ourData = out[3 * i + 2];
    assert.equal(ourData, JSON.stringify(mh.encParamsBufToHex(theirs[i].padded)), "ours == theirs (padded)");
    assert.deepEqual(await mh.decryptData(cases[i].priv, ourData), JSON.parse(plaintext(i)), "ours -> theirs");
  }
});

test("tampered ciphertexts are refused by both sides", async () => {
  const k = keys[1];
  const data = JSON.parse(await mh.encryptData(k, payloads[1]));
  const flip = (h, at) => h.slice(0, at) + (h[at] === "0" ? "1" : "0") + h.slice(at + 1);
  const bad = [
    { ...data, mac: flip(data.mac, 5) },
    { ...data, ciphertext: flip(data.ciphertext, 3) },
    { ...data, iv: flip(data.iv, 0) },
  ];
  const out = rust(bad.map((d) => ({ op: "decrypt", key: hex(k), data: JSON.stringify(d) })), { allowErrors: true });
  for (let i = 0; i < bad.length; i++) {
    assert.equal(out[i].ok, false);
    assert.match(out[i].error, /bad MAC/);
    await assert.rejects(mh.decryptData(k, JSON.stringify(bad[i])), /bad MAC/);
  }
});

test("signatures are byte-identical to the original's (eccrypto.sign over keccak256(utf8(data)), hex DER)", async () => {
  const datas = await Promise.all(keys.map((k, i) => mh.encryptData(k, payloads[i])));
  // The `data` of real requests, plus arbitrary strings (empty, unicode, long).
  const items = keys.map((k, i) => ({ k, data: datas[i] }));
  keys.slice(0, 40).forEach((k, i) => items.push({ k, data: i % 4 === 0 ? "" : randomText(300) }));
  const ours = rust(items.map(({ k, data }) => ({ op: "sign", key: hex(k), data })));
  const theirSigs = [];
  for (let i = 0; i < items.length; i++) {
    const { k, data } = items[i];
    // Exactly what ServerHandler.storeData of session-manager 5.6 computes.
    const theirs = mh.bytesToHex(await eccrypto.sign(k, mh.keccak256Bytes(mh.utf8ToBytes(data))));
    assert.equal(ours[i], theirs, `signature ${i}`);
    // And theirs verifies ours (as the session server's JS verifier would).
    assert.equal(await eccrypto.verify(eccrypto.getPublic(k), mh.keccak256Bytes(mh.utf8ToBytes(data)), unhex(ours[i])), null);
    theirSigs.push(theirs);
  }
  // Our verifier accepts theirs.
  const verified = rust(items.map(({ k, data }, i) => ({ op: "verify", pub: hex(eccrypto.getPublic(k)), data, sig: theirSigs[i] })));
  verified.forEach((v) => assert.equal(v, true));
});

// ---------------------------------------------------------------------------------------------
// StorageManager: the original 5.6.0 against ours, request by request.

/** Runs one operation of the original StorageManager with a fake fetch; returns its one request. */
async function originalRequest(options, operation, data, headers, reply = '{"message":"ok"}') {
  const calls = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    calls.push({ url, method: init.method, headers: init.headers, body: init.body });
    return new Response(reply, { status: 200, headers: { "content-type": "application/json" } });
  };
  let result;
  try {
    const sm = new OriginalStorageManager(options);
    if (operation === "create") result = await sm.createSession(data, headers);
    else if (operation === "update") result = await sm.updateSession(data, headers);
    else if (operation === "invalidate") result = await sm.invalidateSession(headers);
    else result = await sm.authorizeSession({ headers });
  } finally {
    globalThis.fetch = realFetch;
  }
  assert.equal(calls.length, 1);
  return { ...calls[0], result };
}

const OPTION_VARIANTS = [
  {},
  { sessionNamespace: "ns-1" },
  { sessionTime: 3600 },
  { sessionTime: 0, sessionNamespace: "" },
  { allowedOrigin: "https://app.example" },
  { allowedOrigin: true, sessionNamespace: "x" },
  { allowedOrigin: false },
  { allowedOrigin: "" },
];

test("StorageManager requests: same method, URL, headers and body as the original 5.6.0", async () => {
  const ops = [];
  const expected = [];
  let n = 0;
  for (const variant of OPTION_VARIANTS) {
    for (const operation of ["create", "update", "invalidate", "authorize"]) {
      const key = keys[n % keys.length];
      const payload = payloads[n % payloads.length];
      n++;
      // A session id without 0x and with upper case, to exercise normalisation on both sides.
      const options = { sessionServerBaseUrl: "https://session.example", sessionId: hex(key).toUpperCase(), ...variant };
      const headers = n % 2 ? { "x-test": String(n) } : {};
      const reply = operation === "authorize" ? JSON.stringify({ message: await mh.encryptData(key, payload) }) : undefined;
      const theirs = await originalRequest(options, operation, payload, headers, reply);
      ops.push({ op: "request", operation, options, data: JSON.stringify(payload), headers, ...(reply ? { reply } : {}) });
      expected.push({ key, payload, theirs, operation, variant });
    }
  }
  const ours = rust(ops);
  for (let i = 0; i < ours.length; i++) {
    const { key, payload, theirs, operation, variant } = expected[i];
    const o = ours[i];
    const label = `${operation} ${JSON.stringify(variant)}`;
    assert.equal(o.method, theirs.method, label);
    assert.equal(o.url, theirs.url, label);
    assert.deepEqual(Object.fromEntries(o.headers), theirs.headers, label);
    assert.deepEqual(o.headers.map(([k]) => k), Object.keys(theirs.headers), label);
    if (operation === "authorize") {
      // No randomness: byte-identical.
      assert.equal(o.body, theirs.body, label);
      assert.equal(o.result, JSON.stringify(payload), label);
      continue;
    }
    const ob = JSON.parse(o.body);
    const tb = JSON.parse(theirs.body);
    // Same fields in the same order with the same values, apart from the random ciphertext and
    // the signature over it; with those substituted, the bodies are byte-identical.
    assert.deepEqual(Object.keys(ob), Object.keys(tb), label);
    assert.equal(o.body, JSON.stringify({ ...tb, data: ob.data, signature: ob.signature }), label);
    // Our data is what the original can read; our signature is what the original would compute.
    const plain = operation === "invalidate" ? {} : payload;
    assert.deepEqual(await mh.decryptData(key, ob.data), plain, label);
    assert.equal(ob.signature, mh.bytesToHex(await eccrypto.sign(key, mh.keccak256Bytes(mh.utf8ToBytes(ob.data)))), label);
    if (operation === "create") assert.equal(o.result, theirs.result, label);
  }
});

test("StorageManager: the original reads what we stored, we read what the original stored", async () => {
  for (let i = 0; i < 20; i++) {
    const key = keys[i];
    const payload = payloads[i];
    const options = { sessionServerBaseUrl: "https://session.example", sessionId: hex(key), sessionNamespace: "n" };
    // Ours creates; the original authorizes with what the server would return.
    const [created] = rust([{ op: "request", operation: "create", options, data: JSON.stringify(payload) }]);
    const theirsRead = await originalRequest(options, "authorize", undefined, {}, JSON.stringify({ message: JSON.parse(created.body).data }));
    assert.deepEqual(theirsRead.result, payload);
    // The original creates; ours authorizes.
    const theirsCreate = await originalRequest(options, "create", payload, {});
    const reply = JSON.stringify({ message: JSON.parse(theirsCreate.body).data });
    const [read] = rust([{ op: "request", operation: "authorize", options, reply }]);
    assert.equal(read.result, JSON.stringify(payload));
  }
});
