// ---- the package entry (pkg-template/index.d.ts) ----

/**
 * Instantiates the WebAssembly module (once) and resolves when the SDK is ready. Optional: every
 * async method waits for it by itself; call it to pay the start-up early, or before the synchronous
 * calls that need the module (`StorageManager.getPublicKey`, `HttpClient.getAPIKey`, StorageManager's
 * property reads other than `sessionId`), which throw an `Error` with code `NOT_READY` before.
 * `input` overrides where the `.wasm` is loaded from (default: the package's own file).
 */
export declare function ready(
  input?: string | URL | Response | BufferSource | WebAssembly.Module | Promise<Response>,
): Promise<void>;

/** Session flow failures. */
export declare class AuthError extends Error {
  readonly code:
    | "EXPIRED" | "INVALID" | "REFRESH_FAILED" | "NETWORK" | "DECRYPT_FAILED"
    | "NO_SESSION_ID" | "SESSION_EXPIRED" | "LOCK_TIMEOUT";
  constructor(message?: string, code?: AuthError["code"]);
}
/** HTTP failures. */
export declare class HttpError<T = unknown> extends Error {
  readonly code: "HTTP_ERROR" | "NETWORK" | "TIMEOUT" | "MALFORMED_RESPONSE";
  readonly status?: number;
  readonly statusText?: string;
  readonly url?: string;
  readonly body?: T;
  constructor(message?: string, code?: HttpError["code"]);
}
/** Storage failures. */
export declare class StorageError extends Error {
  readonly code: "STORAGE_UNAVAILABLE" | "STORAGE_WRITE_FAILED" | "COOKIE_TOO_LARGE" | "COOKIE_INSECURE";
  constructor(message?: string, code?: StorageError["code"]);
}
/** Decryption and signature failures. */
export declare class CryptoError extends Error {
  readonly code: "DECRYPT_FAILED";
  constructor(message?: string, code?: CryptoError["code"]);
}

/** The storage key suffixes (as the original): a slot's key is `${storageKeyPrefix}:${suffix}`, prefix `w3a` by default. */
export declare const STORAGE_KEYS: {
  readonly SESSION_ID: "session_id";
  readonly ACCESS_TOKEN: "access_token";
  readonly REFRESH_TOKEN: "refresh_token";
  readonly ID_TOKEN: "id_token";
};

// ---- the rest of @toruslabs/session-manager 5.6.0's exports, same values ----

/** The original's default session service URL. */
export declare const SESSION_SERVER_API_URL = "https://api.web3auth.io/session-service";
/** The original's local-cache storage name. */
export declare const STORAGE_METHOD: { readonly LOCAL_STORAGE: "localStorage" };
export type StorageMethod = (typeof STORAGE_METHOD)[keyof typeof STORAGE_METHOD];
/** `hexString` without `0x`, left-padded with `0` to 64 characters, its leftmost 64 kept. */
export declare function padHexString(hexString: string): string;
/** True when `window[type]` can be written to (or is full but not empty). */
export declare function storageAvailable(type: StorageMethod | "sessionStorage"): boolean;

export interface ApiRequestParams {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  data?: Record<string, unknown>;
}
export type StorageOperation = "create" | "update" | "invalidate";
export interface StorageHandlerStoreOptions {
  headers?: RequestInit["headers"];
  namespace?: string;
  timeout?: number;
  allowedOrigin?: string | boolean;
  operation?: StorageOperation;
}
export interface StorageHandlerRetrieveOptions {
  headers?: RequestInit["headers"];
  namespace?: string;
}
export interface StorageHandler<T> {
  getStorageKey(key: string): string;
  storeData(key: string, data: Partial<T> | T | Record<string, never>, options?: StorageHandlerStoreOptions): Promise<void>;
  retrieveData(key: string, options?: StorageHandlerRetrieveOptions): Promise<T | undefined>;
  clearStorage(key: string): void | Promise<void>;
  clearOrphanedData(baseKey?: string): void | Promise<void>;
}

/** The original's local cache: JSON values under `${baseStorageKey}${key without 0x}`. */
export declare class LocalStorageHandler<T = unknown> implements StorageHandler<T> {
  constructor(storage: Storage, baseStorageKey: string);
  storeData(key: string, data: Partial<T> | T | Record<string, never>): Promise<void>;
  retrieveData(key: string): Promise<T | undefined>;
  clearStorage(key: string): void;
  clearOrphanedData(baseKey?: string): void;
  getStorageKey(key: string): string;
}
