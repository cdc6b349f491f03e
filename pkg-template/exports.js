// The API both entries export from api.js: index.js adds the metadata classes (metadata.js), auth.js
// its StorageManager of the session-key statics.
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
