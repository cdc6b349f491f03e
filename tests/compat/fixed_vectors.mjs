// Prints the fixed vectors that the native tests hold as constants (tests/crypto_signature.rs,
// tests/crypto_ecies.rs, tests/crypto_aead.rs, tests/metadata_storage_manager.rs), computed with the
// original's libraries (@toruslabs/eccrypto 7.0.0, @toruslabs/metadata-helpers 8.2.0) and node's own
// `crypto`, never with the code under test. Run once: `node tests/compat/fixed_vectors.mjs` (after
// `npm ci` in tests/compat); the output is deterministic, so re-running it must print the same values.
import { createCipheriv, hkdfSync } from "node:crypto";
import * as eccrypto from "@toruslabs/eccrypto";
import * as mh from "@toruslabs/metadata-helpers";

const hex = (b) => Buffer.from(b).toString("hex");
const unhex = (h) => new Uint8Array(Buffer.from(h, "hex"));

// A fixed session key (the session id without 0x) and a second one, for "wrong key" checks.
const KEY_A = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const KEY_B = "0000000000000000000000000000000000000000000000000000000000000001";
const out = {};

out.KEY_A_PUBLIC = hex(eccrypto.getPublic(unhex(KEY_A)));
out.KEY_B_PUBLIC = hex(eccrypto.getPublic(unhex(KEY_B)));

// What ServerHandler of session-manager 5.6 signs: eccrypto.sign(key, keccak256(utf8(data))), hex DER.
const sign = async (key, data) => hex(await eccrypto.sign(unhex(key), mh.keccak256Bytes(mh.utf8ToBytes(data))));
out.KECCAK_HELLO = hex(mh.keccak256Bytes(mh.utf8ToBytes("hello")));
out.SIG_A_EMPTY = await sign(KEY_A, "");
out.SIG_A_HELLO = await sign(KEY_A, "hello");
out.SIG_A_UNICODE = await sign(KEY_A, '{"user":"ü","n":1}');
out.SIG_B_HELLO = await sign(KEY_B, "hello");

// eccrypto.encrypt to KEY_A's public key with a fixed ephemeral key and iv, as metadata-helpers
// writes it (encParamsBufToHex, JSON.stringify).
const ephem = unhex("11".repeat(31) + "22");
const iv = unhex("0102030405060708090a0b0c0d0e0f10");
const enc = await eccrypto.encrypt(eccrypto.getPublic(unhex(KEY_A)), mh.utf8ToBytes('{"privKey":"abc","n":1}'), { ephemPrivateKey: ephem, iv });
out.ECIES_A_FIXED = JSON.stringify(mh.encParamsBufToHex(enc));
out.SIG_A_ECIES_FIXED = await sign(KEY_A, out.ECIES_A_FIXED);

// This SDK's AES-256-GCM envelope (src/core/crypto/aead.rs), from its definition: key =
// HKDF-SHA256(ikm = the 32-byte session key, no salt, info = HKDF_INFO, 32 bytes), nonce 12 bytes,
// ciphertext || 16-byte tag, lowercase hex.
const info = Buffer.from("wasm-session-manager/metadata/aes-256-gcm/v1");
const aeadKey = Buffer.from(hkdfSync("sha256", Buffer.from(KEY_A, "hex"), Buffer.alloc(0), info, 32));
const nonce = Buffer.from("000102030405060708090a0b", "hex");
const cipher = createCipheriv("aes-256-gcm", aeadKey, nonce);
const ct = Buffer.concat([cipher.update('{"x":true}', "utf8"), cipher.final(), cipher.getAuthTag()]);
out.AEAD_A_KEY = aeadKey.toString("hex");
out.AEAD_A_ENVELOPE = JSON.stringify({ v: 1, alg: "A256GCM", nonce: nonce.toString("hex"), ciphertext: ct.toString("hex") });

for (const [k, v] of Object.entries(out)) console.log(`${k} = ${v}`);
