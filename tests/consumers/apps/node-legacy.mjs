// The original's non-class exports and helper classes, used as the original's users use them
// (Node, session-server at BASE_URL). Prints what it saw.
import { BaseStorageManager, LocalStorageHandler, ServerHandler, StorageManager, ready } from "wasm-session-manager";

const base = process.env.BASE_URL;
const seen = {};
await ready();

// ServerHandler: the metadata store, create then retrieve, its storage key = the public key
const server = new ServerHandler(base, () => Promise.reject(new Error("unused")));
const key = StorageManager.generateRandomSessionKey();
await server.storeData(key, { hello: "legacy" }, { operation: "create", namespace: "legacy", timeout: 60 });
seen.retrieved = await server.retrieveData(key, { namespace: "legacy" });
await server.storeData(key, { hello: "updated" }, { operation: "update", namespace: "legacy" });
seen.updated = await server.retrieveData(key, { namespace: "legacy" });
seen.storageKey = server.getStorageKey(key) === StorageManager.getPublicKey(key);

// LocalStorageHandler over any Storage-like object
const map = new Map();
const storage = {
  get length() { return map.size; },
  key: (i) => [...map.keys()][i] ?? null,
  getItem: (k) => (map.has(k) ? map.get(k) : null),
  setItem: (k, v) => map.set(k, String(v)),
  removeItem: (k) => map.delete(k),
};
const cache = new LocalStorageHandler(storage, "ns:");
await cache.storeData("0xab", { a: 1 });
seen.cacheKey = cache.getStorageKey("0xab");
seen.cached = await cache.retrieveData("ab");
storage.setItem("ns:bad", "{not json");
seen.corrupt = await cache.retrieveData("bad");
seen.corruptRemoved = storage.getItem("ns:bad");
storage.setItem("other:x", "1");
cache.clearOrphanedData();
seen.afterOrphans = [...map.keys()];

// BaseStorageManager: StorageManager is one; request() GET/POST, a non-2xx rejects with the Response
const sm = new StorageManager({ sessionServerBaseUrl: base, sessionId: key });
seen.isBase = sm instanceof BaseStorageManager;
class Probe extends BaseStorageManager {}
const probe = new Probe();
try {
  await probe.request({ url: `${base}/v1/me` });
} catch (e) {
  seen.requestRejects = e instanceof Response ? e.status : String(e);
}
seen.posted = await probe.request({ method: "POST", url: `${base}/v2/store/get`, data: { key: StorageManager.getPublicKey(key), namespace: "legacy" } });
seen.posted = typeof seen.posted.message;
try {
  probe.request({ method: "DELETE", url: base });
} catch (e) {
  seen.badMethod = e.message;
}
probe._sessionId = "abc";
probe.checkSessionParams();
seen.checked = probe.sessionId;
console.log(JSON.stringify(seen));
