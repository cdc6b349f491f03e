// The package's main entry (pkg/index.js, node.mjs, index.cjs): the whole API. The auth entry
// (auth.js) lists the same names but the metadata classes; tests/consumers checks the two lists.
export {
  ready,
  AuthError,
  HttpError,
  StorageError,
  CryptoError,
  STORAGE_KEYS,
  SESSION_SERVER_API_URL,
  STORAGE_METHOD,
  padHexString,
  storageAvailable,
  LocalStorageHandler,
  AuthSessionManager,
  HttpClient,
  LocalStorageAdapter,
  SessionStorageAdapter,
  CookieStorage,
  MemoryStorage,
  SessionKeys,
} from "./api.js";
export { BaseStorageManager, StorageManager, ServerHandler } from "./metadata.js";
