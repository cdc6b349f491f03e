export * from "./wasm_session_manager";

/** Session flow failures. */
export declare class AuthError extends Error {
  readonly code:
    | "EXPIRED" | "INVALID" | "REFRESH_FAILED" | "NETWORK" | "DECRYPT_FAILED"
    | "NO_SESSION_ID" | "SESSION_EXPIRED" | "LOCK_TIMEOUT";
}
/** HTTP failures. */
export declare class HttpError<T = unknown> extends Error {
  readonly code: "HTTP_ERROR" | "NETWORK" | "TIMEOUT" | "MALFORMED_RESPONSE";
  readonly status?: number;
  readonly statusText?: string;
  readonly url?: string;
  readonly body?: T;
}
/** Storage failures. */
export declare class StorageError extends Error {
  readonly code: "STORAGE_UNAVAILABLE" | "STORAGE_WRITE_FAILED" | "COOKIE_TOO_LARGE" | "COOKIE_INSECURE";
}
/** Decryption and signature failures. */
export declare class CryptoError extends Error {
  readonly code: "DECRYPT_FAILED";
}
/** The storage keys under the default prefix `w3a`. */
export declare const STORAGE_KEYS: {
  readonly SESSION_ID: "w3a:session_id";
  readonly ACCESS_TOKEN: "w3a:access_token";
  readonly REFRESH_TOKEN: "w3a:refresh_token";
  readonly ID_TOKEN: "w3a:id_token";
};
