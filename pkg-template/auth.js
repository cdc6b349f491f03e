// The auth entry (`wasm-session-manager/auth`: pkg/auth.js, auth.node.mjs, auth.cjs): the API of the
// main entry (index.js) without the encrypted metadata classes, over a wasm built without them (no
// ECDSA signing, keccak or metadata flow in it). Its StorageManager is the session-key statics a
// login needs, so that the original's quick start works with only the import path changed.
import { SessionKeys, named, fail } from "./api.js";

export * from "./exports.js";

/**
 * `StorageManager.generateRandomSessionKey()` and `StorageManager.getPublicKey(sessionId)`, as in the
 * main entry; constructing one throws a `TypeError` (code `NOT_IN_ENTRY`): the encrypted metadata API
 * is in `wasm-session-manager`.
 */
export class StorageManager {
  constructor() {
    fail(TypeError, "NOT_IN_ENTRY", "StorageManager's metadata API is not in wasm-session-manager/auth: import it from wasm-session-manager");
  }
  static generateRandomSessionKey() {
    return SessionKeys.generateRandomSessionKey();
  }
  static getPublicKey(sessionId) {
    return SessionKeys.getPublicKey(sessionId);
  }
}
named(StorageManager, "StorageManager");
