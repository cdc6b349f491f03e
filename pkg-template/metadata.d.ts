// ---- the main entry's metadata classes (pkg-template/metadata.d.ts) ----

/** The original's base class of a metadata storage manager: the session id and a JSON request helper. */
export declare abstract class BaseStorageManager {
  protected _sessionId: string | undefined;
  get sessionId(): string | undefined;
  checkSessionParams(): void;
  protected request<T>(params: ApiRequestParams): Promise<T>;
}

/**
 * The original's server handler: encrypted, signed metadata on a session server (the requests and
 * the encryption of StorageManager). `request` is accepted for compatibility; the SDK's own fetch is used.
 */
export declare class ServerHandler<T = unknown> implements StorageHandler<T> {
  constructor(sessionServerBaseUrl: string, request?: (params: ApiRequestParams) => Promise<unknown>);
  storeData(keyHex: string, data: Partial<T> | T | Record<string, never>, options?: StorageHandlerStoreOptions): Promise<void>;
  retrieveData(keyHex: string, options?: StorageHandlerRetrieveOptions): Promise<T | undefined>;
  clearStorage(key?: string): void;
  clearOrphanedData(baseKey?: string): void;
  /** Needs the module: call after `ready()` (or any resolved async call). */
  getStorageKey(keyHex: string): string;
}
