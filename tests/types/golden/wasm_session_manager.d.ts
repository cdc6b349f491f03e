/* tslint:disable */
/* eslint-disable */

/** Any object with these three methods can hold a session slot. Sync or async return values both work. */
export interface IStorageAdapter {
    get(key: string): Promise<string | null> | string | null;
    set(key: string, value: string): Promise<void> | void;
    remove(key: string): Promise<void> | void;
}

/** Options of `CookieStorage`; defaults `{ path: "/", domain: "", sameSite: "Strict", secure: true, maxAge: 2592000 }`. */
export interface CookieOptions {
    path?: string;
    domain?: string;
    sameSite?: "Strict" | "Lax" | "None";
    secure?: boolean;
    /** Seconds; 0 makes a session cookie. */
    maxAge?: number;
}



/** Options of `new StorageManager(...)`: the original's, plus `scheme`. */
export interface StorageManagerOptions {
    /** The session server; requests go to `${sessionServerBaseUrl}/v2/store/{set,get,update}`. */
    sessionServerBaseUrl: string;
    /** Namespace on the server and in the local cache key. */
    sessionNamespace?: string;
    /** Lifetime of a created session, in seconds (default 86400). */
    sessionTime?: number;
    /** The session id: a secp256k1 secret key in hex, `0x` optional (see `generateRandomSessionKey`). */
    sessionId?: string;
    /** Who may read the session: an origin, "*" (the default) for any, true for the origin that creates it, false for no check. */
    allowedOrigin?: string | boolean;
    /** Keep a copy in localStorage, encrypted to the session key (the original keeps it in plaintext). */
    useLocalStorage?: boolean;
    /** "ecies" (default: what the original sends) or "aes-gcm" (this SDK's AES-256-GCM envelope, read only by this SDK). */
    scheme?: "ecies" | "aes-gcm";
}

/** The argument of `authorizeSession`. */
export interface AuthorizeSessionOptions {
    headers?: RequestInit["headers"];
}

export interface StorageManager {
    /**
     * The session data: from the local cache when it holds a valid entry, else from the server.
     * Rejects with `AuthError` `NO_SESSION_ID` without a session id, `HttpError` when the server
     * refuses (e.g. 403 for another origin), `AuthError` `SESSION_EXPIRED` when it has no data,
     * and `CryptoError` `DECRYPT_FAILED` when the data does not decrypt.
     *
     * @example
     * ```ts
     * const data = await manager.authorizeSession<{ userId: string }>();
     * ```
     */
    authorizeSession<T = any>(options?: AuthorizeSessionOptions): Promise<T>;
}



/** Options of one `HttpClient` request (the original's `HttpClientRequestOptions`). */
export interface HttpClientRequestOptions {
    /** Attach the session's access token (after any refresh in flight), refresh once on 401 and retry once. Default false. */
    authenticated?: boolean;
    /** Extra request headers; on authenticated requests a caller `Authorization` header is replaced. */
    headers?: Record<string, string> | Headers | [string, string][];
    /** Abort the request after this many ms; default `apiClientConfig.timeout`, else 60000. Applies to every method. */
    timeout?: number;
    /** Send the `x-api-key` header (`setAPIKey`, default "torus-default"). */
    useAPIKey?: boolean;
}

/** Same as `HttpClientRequestOptions`. */
export type RequestOptions = HttpClientRequestOptions;

/**
 * JSON requests for an app's API, authenticated through an `AuthSessionManager`: authenticated
 * requests wait for any refresh in flight, concurrent 401s share one refresh, and each request is
 * retried once with the new token and the same body.
 *
 * Resolves to the parsed JSON body when the answer's content type says JSON, else to its text.
 * Rejects with `HttpError` (`HTTP_ERROR` with `status`, `statusText`, `url`, parsed `body`; `NETWORK`;
 * `TIMEOUT`), or `AuthError` `SESSION_EXPIRED` when the session could not be refreshed.
 *
 * @example
 * ```ts
 * const api = new HttpClient(session);
 * const me = await api.get<{ sub: string }>("https://api.example.com/v1/me", { authenticated: true });
 * await api.post("https://api.example.com/v1/items", { name: "a" }, { authenticated: true, timeout: 5000 });
 * ```
 */
export class HttpClient {
    free(): void;
    [Symbol.dispose](): void;
    /** A client sharing `session`'s tokens and refreshes. */
    constructor(session: AuthSessionManager);
    /** `GET url`. */
    get<T = unknown>(url: string | URL, options?: HttpClientRequestOptions): Promise<T>;
    /** `POST url` with `JSON.stringify(data)` as the body (default `{}`). */
    post<T = unknown>(url: string | URL, data?: unknown, options?: HttpClientRequestOptions): Promise<T>;
    /** `PUT url` with `JSON.stringify(data)` as the body (default `{}`). */
    put<T = unknown>(url: string | URL, data?: unknown, options?: HttpClientRequestOptions): Promise<T>;
    /** `PATCH url` with `JSON.stringify(data)` as the body (default `{}`). */
    patch<T = unknown>(url: string | URL, data?: unknown, options?: HttpClientRequestOptions): Promise<T>;
    /** `DELETE url` with `JSON.stringify(data)` as the body (default `{}`). */
    delete<T = unknown>(url: string | URL, data?: unknown, options?: HttpClientRequestOptions): Promise<T>;
    /** Sets the `x-api-key` value sent with `useAPIKey`; `null` or no argument: back to "torus-default". */
    setAPIKey(apiKey?: string | null): void;
    /** The `x-api-key` value sent with `useAPIKey`. */
    getAPIKey(): string;
}



/** Where and how the session server is reached. */
export interface ApiClientConfig {
    baseURL: string;
    /** Default "/v1/auth/session". */
    sessionsEndpoint?: string;
    /** Default "/v1/auth/logout". */
    logoutEndpoint?: string;
    /** Timeout of refresh and logout requests, in ms (the original ignores it; here it aborts the request). */
    timeout?: number;
}

/** Adapters per slot; defaults: localStorage, except the refresh token in a cookie. */
export interface SessionStorageConfig {
    sessionId?: IStorageAdapter;
    accessToken?: IStorageAdapter;
    refreshToken?: IStorageAdapter;
    idToken?: IStorageAdapter;
}

export interface AuthSessionManagerOptions {
    apiClientConfig: ApiClientConfig;
    storage?: SessionStorageConfig;
    /** Default "w3a": keys "w3a:session_id", ... and the Web Lock "w3a:session-refresh". */
    storageKeyPrefix?: string;
    /** Replaces every read of the access token. */
    accessTokenProvider?: () => Promise<string | null | undefined> | string | null | undefined;
    /** Options of the default refresh-token cookie. */
    cookieOptions?: CookieOptions;
    /** Bound on the wait for the cross-tab refresh lock, in ms (default 10000); past it: AuthError LOCK_TIMEOUT. */
    lockWaitMs?: number;
}

/** Tokens to store after a login; snake_case keys are accepted too. */
export interface SessionTokens {
    sessionId?: string;
    accessToken?: string;
    refreshToken?: string;
    idToken?: string;
}

export interface AuthSessionManager {
    /**
     * Refreshes the session and decrypts its data: the data object, or null when there is no session
     * or the server ended it. A transient failure (network, 5xx) rejects with an `AuthError` and keeps
     * the session.
     * @example
     * ```ts
     * const data = await session.authorize<{ email: string }>();
     * ```
     */
    authorize<T = unknown>(): Promise<T | null>;
}

/** What `getState()` gives: the original's two fields, plus whether a refresh is in flight. */
export interface SessionState {
    isAuthenticated: boolean;
    sessionId: string | null;
    isRefreshing: boolean;
}

/** What `ensureRefresh()` resolves to; `session_data` is "" when the tokens were adopted from another tab. */
export interface RefreshResponse {
    access_token: string;
    refresh_token: string;
    session_data: string;
}



/**
 * Keeps a user's session alive: stores the tokens, refreshes them (once per tab and, with Web Locks,
 * once across tabs), decrypts the session data, and logs out.
 *
 * @example
 * ```ts
 * const session = new AuthSessionManager({ apiClientConfig: { baseURL: "https://auth.example.com" } });
 * await session.setTokens({ sessionId, accessToken, refreshToken });
 * const data = await session.authorize(); // the decrypted session data, or null when logged out
 * ```
 */
export class AuthSessionManager {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Removes the four tokens from storage; the manager becomes unauthenticated.
     */
    clearSessionData(): Promise<void>;
    /**
     * Refreshes now, joining a refresh in flight; with `skipIfFresh`, adopts a token another tab
     * already rotated instead of sending a request.
     * Without `skipIfFresh` (the default, as in the original) it always asks the server, because
     * the caller needs `session_data`.
     */
    ensureRefresh(skipIfFresh?: boolean | null): Promise<RefreshResponse>;
    /**
     * The access token (from `accessTokenProvider` when set), or null.
     */
    getAccessToken(): Promise<string | null>;
    /**
     * The id token, or null.
     */
    getIdToken(): Promise<string | null>;
    /**
     * The refresh token, or null.
     */
    getRefreshToken(): Promise<string | null>;
    /**
     * The session id, or null.
     */
    getSessionId(): Promise<string | null>;
    /**
     * `{ isAuthenticated, sessionId, isRefreshing }`, async like the original's.
     */
    getState(): Promise<SessionState>;
    /**
     * Call after a request failed with 401: refreshes unless another caller already did, and gives
     * the access token to retry with.
     */
    handleUnauthorized(failedAccessToken?: string | null): Promise<string | null>;
    /**
     * True after a successful authorize or refresh, false after a clear or logout.
     */
    isAuthenticated(): boolean;
    /**
     * Tells the server, then clears the four slots whatever it answered.
     */
    logout(): Promise<void>;
    /**
     * A manager; throws a `TypeError` (`INVALID_OPTION`) for options it cannot use.
     */
    constructor(options: AuthSessionManagerOptions);
    /**
     * Stores the tokens of a login; empty values are skipped; the session id is validated and normalised.
     */
    setTokens(tokens: SessionTokens): Promise<void>;
}

/**
 * `document.cookie`, with the original's cookie strings.
 *
 * @example
 * ```ts
 * const cookies = new CookieStorage({ sameSite: "Lax", maxAge: 3600 });
 * await cookies.set("w3a:refresh_token", token);
 * ```
 */
export class CookieStorage {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * The value under `key`, or null.
     */
    get(key: string): Promise<string | null>;
    /**
     * A cookie store; throws a `StorageError` (`COOKIE_INSECURE`) for `sameSite: "None"` without `secure`.
     */
    constructor(options: CookieOptions);
    /**
     * Removes `key`.
     */
    remove(key: string): Promise<void>;
    /**
     * Stores `value` under `key`.
     */
    set(key: string, value: string): Promise<void>;
}

/**
 * `window.localStorage`.
 */
export class LocalStorageAdapter {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * The value under `key`, or null.
     */
    get(key: string): Promise<string | null>;
    /**
     * The adapter.
     */
    constructor();
    /**
     * Removes `key`.
     */
    remove(key: string): Promise<void>;
    /**
     * Stores `value` under `key`.
     */
    set(key: string, value: string): Promise<void>;
}

/**
 * In-memory storage, per instance; lost on reload.
 *
 * @example
 * ```ts
 * const storage = new MemoryStorage();
 * await storage.set("k", "v");
 * storage.clear();
 * ```
 */
export class MemoryStorage {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Removes every key.
     */
    clear(): void;
    /**
     * The value under `key`, or null.
     */
    get(key: string): Promise<string | null>;
    /**
     * An empty store.
     */
    constructor();
    /**
     * Removes `key`.
     */
    remove(key: string): Promise<void>;
    /**
     * Stores `value` under `key`.
     */
    set(key: string, value: string): Promise<void>;
}

/**
 * `window.sessionStorage`.
 */
export class SessionStorageAdapter {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * The value under `key`, or null.
     */
    get(key: string): Promise<string | null>;
    /**
     * The adapter.
     */
    constructor();
    /**
     * Removes `key`.
     */
    remove(key: string): Promise<void>;
    /**
     * Stores `value` under `key`.
     */
    set(key: string, value: string): Promise<void>;
}

/**
 * Session data kept encrypted on a session server under a session key (the legacy
 * `StorageManager` of `@toruslabs/session-manager`), optionally cached in localStorage — encrypted,
 * unlike the original.
 *
 * @example
 * ```ts
 * const sessionId = StorageManager.generateRandomSessionKey();
 * const manager = new StorageManager({ sessionServerBaseUrl: "https://session.example", sessionId });
 * await manager.createSession({ userId: "u1" });
 * const data = await manager.authorizeSession<{ userId: string }>();
 * await manager.invalidateSession();
 * ```
 */
export class StorageManager {
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Removes every cache entry of this namespace whose session id starts with `baseKey` (all of
     * them without it), as the original's `clearOrphanedData`. A no-op without `useLocalStorage`.
     */
    clearOrphanedData(baseKey?: string | null): void;
    /**
     * Removes the current session's cache entry (the server copy expires on its own). Throws
     * `AuthError` `NO_SESSION_ID` without a session id, as the original does.
     */
    clearStorage(): void;
    /**
     * Stores `data` (anything `JSON.stringify` accepts) on the server for `sessionTime` seconds,
     * encrypted and signed with the session key; resolves to the session id.
     *
     * @example
     * ```ts
     * const sessionId = await manager.createSession({ userId: "u1" }, { "X-Request-Id": "1" });
     * ```
     */
    createSession(data: unknown, headers?: RequestInit["headers"]): Promise<string>;
    /**
     * A fresh session id: `0x` and 64 hex digits of a random secp256k1 secret key.
     */
    static generateRandomSessionKey(): string;
    /**
     * The public key of a session id (130 hex digits, `04…`, no `0x`): the server's key for the
     * session, and what a login sends to the auth server.
     *
     * @example
     * ```ts
     * const publicKey = StorageManager.getPublicKey(StorageManager.generateRandomSessionKey());
     * ```
     */
    static getPublicKey(sessionId: string): string;
    /**
     * Ends the session: the server copy is overwritten with `{}` for one second, the cache entry is
     * removed and the session id forgotten. Resolves to true.
     */
    invalidateSession(headers?: RequestInit["headers"]): Promise<boolean>;
    /**
     * A manager; throws a `TypeError` (`INVALID_OPTION`, or `INVALID_SESSION_ID` for a session id
     * that is not hex) for options it cannot use.
     */
    constructor(options: StorageManagerOptions);
    /**
     * Sets the session id, as the original's `setSessionId`: validated (hex, `0x` optional) and
     * left-padded to 64 digits.
     */
    setSessionId(sessionId: string): void;
    /**
     * Replaces the session's data on the server (and in the cache); the session keeps its expiry.
     */
    updateSession(data: unknown, headers?: RequestInit["headers"]): Promise<void>;
    /**
     * The `allowedOrigin` sent: the option, or `"*"` when it was falsy (as in the original).
     */
    readonly allowedOrigin: string | boolean;
    /**
     * The localStorage key of the current session's cache entry, or undefined without
     * `useLocalStorage` or a session id.
     */
    readonly localStorageHandlerStorageKey: string | undefined;
    /**
     * The encryption scheme of the data sent.
     */
    readonly scheme: "ecies" | "aes-gcm";
    /**
     * The server's key for the current session (its public key), or undefined without a session id.
     */
    readonly serverHandlerStorageKey: string | undefined;
    /**
     * The session id (`0x` + 64 hex digits), or undefined (never set, or after `invalidateSession`).
     */
    get sessionId(): string | undefined;
    /**
     * Sets the session id; throws a `TypeError` (`INVALID_SESSION_ID`) unless it is hex.
     */
    set sessionId(value: string | null | undefined);
    /**
     * The namespace, or undefined.
     */
    readonly sessionNamespace: string | undefined;
    /**
     * The session server's base URL.
     */
    readonly sessionServerBaseUrl: string;
    /**
     * The lifetime of a created session, in seconds.
     */
    readonly sessionTime: number;
}

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __registerErrorClasses: (a: any) => void;
    readonly __wbg_authsessionmanager_free: (a: number, b: number) => void;
    readonly __wbg_cookiestorage_free: (a: number, b: number) => void;
    readonly __wbg_httpclient_free: (a: number, b: number) => void;
    readonly __wbg_localstorageadapter_free: (a: number, b: number) => void;
    readonly __wbg_memorystorage_free: (a: number, b: number) => void;
    readonly __wbg_sessionstorageadapter_free: (a: number, b: number) => void;
    readonly __wbg_storagemanager_free: (a: number, b: number) => void;
    readonly authsessionmanager_authorize: (a: number) => any;
    readonly authsessionmanager_clearSessionData: (a: number) => any;
    readonly authsessionmanager_ensureRefresh: (a: number, b: number) => any;
    readonly authsessionmanager_getAccessToken: (a: number) => any;
    readonly authsessionmanager_getIdToken: (a: number) => any;
    readonly authsessionmanager_getRefreshToken: (a: number) => any;
    readonly authsessionmanager_getSessionId: (a: number) => any;
    readonly authsessionmanager_getState: (a: number) => any;
    readonly authsessionmanager_handleUnauthorized: (a: number, b: number, c: number) => any;
    readonly authsessionmanager_isAuthenticated: (a: number) => number;
    readonly authsessionmanager_logout: (a: number) => any;
    readonly authsessionmanager_new: (a: number, b: any) => void;
    readonly authsessionmanager_setTokens: (a: number, b: any) => any;
    readonly cookiestorage_get: (a: number, b: number, c: number) => any;
    readonly cookiestorage_new: (a: number, b: number) => void;
    readonly cookiestorage_remove: (a: number, b: number, c: number) => any;
    readonly cookiestorage_set: (a: number, b: number, c: number, d: number, e: number) => any;
    readonly httpclient_delete: (a: number, b: any, c: any, d: any) => any;
    readonly httpclient_get: (a: number, b: any, c: any) => any;
    readonly httpclient_getAPIKey: (a: number, b: number) => void;
    readonly httpclient_new: (a: number) => number;
    readonly httpclient_patch: (a: number, b: any, c: any, d: any) => any;
    readonly httpclient_post: (a: number, b: any, c: any, d: any) => any;
    readonly httpclient_put: (a: number, b: any, c: any, d: any) => any;
    readonly httpclient_setAPIKey: (a: number, b: number, c: number) => void;
    readonly localstorageadapter_get: (a: number, b: number, c: number) => any;
    readonly localstorageadapter_new: () => number;
    readonly localstorageadapter_remove: (a: number, b: number, c: number) => any;
    readonly localstorageadapter_set: (a: number, b: number, c: number, d: number, e: number) => any;
    readonly memorystorage_clear: (a: number) => void;
    readonly memorystorage_get: (a: number, b: number, c: number) => any;
    readonly memorystorage_new: () => number;
    readonly memorystorage_remove: (a: number, b: number, c: number) => any;
    readonly memorystorage_set: (a: number, b: number, c: number, d: number, e: number) => any;
    readonly sessionstorageadapter_get: (a: number, b: number, c: number) => any;
    readonly sessionstorageadapter_new: () => number;
    readonly sessionstorageadapter_remove: (a: number, b: number, c: number) => any;
    readonly sessionstorageadapter_set: (a: number, b: number, c: number, d: number, e: number) => any;
    readonly storagemanager_allowed_origin: (a: number) => any;
    readonly storagemanager_authorizeSession: (a: number, b: number) => any;
    readonly storagemanager_clearOrphanedData: (a: number, b: number, c: number) => void;
    readonly storagemanager_clearStorage: (a: number, b: number) => void;
    readonly storagemanager_createSession: (a: number, b: any, c: number) => any;
    readonly storagemanager_generateRandomSessionKey: (a: number) => void;
    readonly storagemanager_getPublicKey: (a: number, b: number, c: number) => void;
    readonly storagemanager_invalidateSession: (a: number, b: number) => any;
    readonly storagemanager_local_storage_handler_storage_key: (a: number, b: number) => void;
    readonly storagemanager_new: (a: number, b: any) => void;
    readonly storagemanager_scheme: (a: number, b: number) => void;
    readonly storagemanager_server_handler_storage_key: (a: number, b: number) => void;
    readonly storagemanager_session_id: (a: number, b: number) => void;
    readonly storagemanager_session_namespace: (a: number, b: number) => void;
    readonly storagemanager_session_server_base_url: (a: number, b: number) => void;
    readonly storagemanager_session_time: (a: number) => number;
    readonly storagemanager_setSessionId: (a: number, b: number, c: number, d: number) => void;
    readonly storagemanager_set_session_id_accessor: (a: number, b: number, c: number, d: number) => void;
    readonly storagemanager_updateSession: (a: number, b: any, c: number) => any;
    readonly __wasm_bindgen_func_elem_2605: (a: number, b: number, c: number, d: any) => void;
    readonly __wasm_bindgen_func_elem_2613: (a: number, b: number, c: any, d: any) => void;
    readonly __wasm_bindgen_func_elem_2611: (a: number, b: number, c: any) => any;
    readonly __wasm_bindgen_func_elem_588: (a: number, b: number) => void;
    readonly __wbindgen_export: (a: number, b: number) => number;
    readonly __wbindgen_export2: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_export3: (a: number, b: number, c: number) => void;
    readonly __wbindgen_export4: (a: number) => void;
    readonly __wbindgen_export5: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __wbindgen_export6: (a: number, b: number) => void;
    readonly __wbindgen_add_to_stack_pointer: (a: number) => number;
    readonly __wbindgen_export7: (a: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
