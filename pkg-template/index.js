// Package entry: initialises the WebAssembly module (top-level await), registers the error classes
// thrown by the SDK, and re-exports the classes of @toruslabs/session-manager's API.
import init, { __registerErrorClasses } from "./wasm_session_manager.js";

export * from "./wasm_session_manager.js";

/** Base of the SDK's errors: a real Error with a stable `code`. */
class SessionManagerError extends Error {
  constructor(message, code) {
    super(message);
    this.name = new.target.name;
    if (code !== undefined) this.code = code;
  }
}
/** Session flow failures; `code` in EXPIRED | INVALID | REFRESH_FAILED | NETWORK | DECRYPT_FAILED | NO_SESSION_ID | SESSION_EXPIRED | LOCK_TIMEOUT. */
export class AuthError extends SessionManagerError {}
/** HTTP failures: non-2xx (`HTTP_ERROR`, with status, statusText, url, body), `NETWORK`, `TIMEOUT`, `MALFORMED_RESPONSE`. */
export class HttpError extends SessionManagerError {}
/** Storage failures: `STORAGE_UNAVAILABLE`, `STORAGE_WRITE_FAILED`, `COOKIE_TOO_LARGE`, `COOKIE_INSECURE`. */
export class StorageError extends SessionManagerError {}
/** Decryption and signature failures: `DECRYPT_FAILED`. */
export class CryptoError extends SessionManagerError {}

/** The storage keys under the default prefix `w3a`. */
export const STORAGE_KEYS = Object.freeze({
  SESSION_ID: "w3a:session_id",
  ACCESS_TOKEN: "w3a:access_token",
  REFRESH_TOKEN: "w3a:refresh_token",
  ID_TOKEN: "w3a:id_token",
});

await init();
__registerErrorClasses({ AuthError, HttpError, StorageError, CryptoError });
