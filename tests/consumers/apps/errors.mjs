// The SDK's errors through the package entry, as an app sees them (Node ESM, session-server at
// BASE_URL): for each case, the error's name, code, message and the classes it is an instance of.
import * as sdk from "wasm-session-manager";

const { AuthSessionManager, HttpClient, MemoryStorage, LocalStorageAdapter, StorageManager, AuthError, HttpError, StorageError, CryptoError } = sdk;
const base = process.env.BASE_URL;
const CLASSES = { AuthError, HttpError, StorageError, CryptoError, TypeError, Error };
const results = {};

async function record(name, fn) {
  try {
    await fn();
    results[name] = null;
  } catch (e) {
    results[name] = {
      name: e && e.name,
      code: e && e.code,
      message: e && e.message,
      isError: e instanceof Error,
      instanceOf: Object.entries(CLASSES).filter(([, C]) => e instanceof C).map(([n]) => n),
    };
  }
}
const memory = () => {
  const m = new MemoryStorage();
  return { sessionId: m, accessToken: m, refreshToken: m, idToken: m };
};

// before the module is ready (nothing async has run yet in this process)
const early = new AuthSessionManager({ apiClientConfig: { baseURL: 42 }, storage: memory() });
await record("a sync call that needs the module, before ready", () => StorageManager.getPublicKey("0x01"));
await record("invalid option before ready: first call rejects", () => early.authorize());
await sdk.ready();
await record("invalid option after ready: constructor throws", () => new AuthSessionManager({ apiClientConfig: { baseURL: 42 } }));

const session = new AuthSessionManager({ apiClientConfig: { baseURL: base }, storage: memory() });
await record("invalid session id", () => session.setTokens({ sessionId: "not hex" }));
await record("no apiClientConfig: the original's error", () => new AuthSessionManager({ storage: memory() }).ensureRefresh());
// nothing stored (the session id above was refused): the original's EXPIRED error, no request
await record("refresh with nothing stored", () => session.ensureRefresh());
const refused = new AuthSessionManager({ apiClientConfig: { baseURL: base }, storage: memory(), backoff: false });
await refused.setTokens({ sessionId: StorageManager.generateRandomSessionKey(), refreshToken: "not-a-refresh-token" });
await record("refresh refused by the server", () => refused.ensureRefresh());
const api = new HttpClient(session);
await record("HTTP 404", () => api.get(`${base}/v1/no-such-route`));
await record("network failure", () => api.get("http://127.0.0.1:9/unreachable"));
await record("localStorage missing in Node", () => new LocalStorageAdapter().set("k", "v"));

// metadata written with ECIES, read as an AES-GCM envelope: the payload does not decrypt
const sessionId = StorageManager.generateRandomSessionKey();
const writer = new StorageManager({ sessionServerBaseUrl: base, sessionId, sessionNamespace: "errors" });
await writer.createSession({ hello: "world" });
const reader = new StorageManager({ sessionServerBaseUrl: base, sessionId, sessionNamespace: "errors", scheme: "aes-gcm" });
await record("metadata that does not decrypt", () => reader.authorizeSession());
// no metadata for that key: the original's message
const nobody = new StorageManager({ sessionServerBaseUrl: base, sessionId: StorageManager.generateRandomSessionKey() });
await record("metadata missing", () => nobody.authorizeSession());

console.log(JSON.stringify(results));
// (a refused refresh may leave a backoff timer behind; this script is about the errors only)
process.exit(0);
