// The start-up contract in Node: nothing instantiated at import; constructors synchronous; the sync
// calls' behaviour before ready (SYNC in pkg-template/api.js); calls made before ready run in order
// once it is. Prints what it saw.
import * as sdk from "wasm-session-manager";

const { AuthSessionManager, HttpClient, MemoryStorage, StorageManager, ready } = sdk;
const seen = {};
const memory = new MemoryStorage();
const storage = { sessionId: memory, accessToken: memory, refreshToken: memory, idToken: memory };
const session = new AuthSessionManager({ apiClientConfig: { baseURL: process.env.BASE_URL }, storage });
const api = new HttpClient(session); // a wrapper given to a wrapper's constructor, before ready
seen.isAuthenticatedBefore = session.isAuthenticated();
const metadata = new StorageManager({ sessionServerBaseUrl: process.env.BASE_URL, sessionId: "abc" });
seen.sessionIdBefore = metadata.sessionId;
metadata.sessionId = "0xdef";
seen.sessionIdAfterSet = metadata.sessionId;
try {
  metadata.sessionId = "not hex";
} catch (e) {
  seen.badSessionId = `${e.constructor.name} ${e.code}`;
}
// before ready, in this order: a write, a read (both wait for the module, and run in call order)
const wrote = memory.set("k", "v");
const read = memory.get("k");
seen.writePromise = wrote instanceof Promise;
await wrote;
seen.readAfterWrite = await read;
await ready();
memory.clear();
seen.readAfterClear = await memory.get("k");
seen.readyTwice = (await ready()) === undefined;
seen.sessionIdAfterReady = metadata.sessionId;
seen.apiKey = api.getAPIKey();
seen.isAuthenticatedAfter = session.isAuthenticated();
seen.getState = await session.getState();
console.log(JSON.stringify(seen));
