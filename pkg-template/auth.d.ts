// ---- the auth entry (pkg-template/auth.d.ts) ----

/**
 * The auth entry's StorageManager: the session-key statics a login needs, as in the main entry.
 * Constructing one throws a `TypeError` (code `NOT_IN_ENTRY`): the encrypted metadata API is in
 * `wasm-session-manager`.
 */
export declare class StorageManager {
  private constructor();
  /** A fresh session id: `0x` and 64 hex digits of a random secp256k1 secret key. Works before `ready()`. */
  static generateRandomSessionKey(): string;
  /** The public key of a session id (130 hex digits, `04…`). Needs the module: call after `ready()`. */
  static getPublicKey(sessionId: string): string;
}
