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
// subscriptions before ready: queued; one unsubscribed before ready never hears anything
const events = [];
const dropped = [];
const off = session.onAuthStateChange((event) => events.push(event));
session.onAuthStateChange((event) => dropped.push(event))();
try {
  session.onAuthStateChange("not a function");
} catch (e) {
  seen.badCallback = `${e.constructor.name} ${e.code}`;
}
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

// a login: the queued subscription hears it
const sessionKey = StorageManager.generateRandomSessionKey();
const res = await fetch(`${process.env.BASE_URL}/v1/auth/login`, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ username: "lazy", public_key: StorageManager.getPublicKey(sessionKey), session_data: { a: 1 } }),
});
const tokens = await res.json();
await session.setTokens({ sessionId: sessionKey, accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
seen.authorized = await session.authorize();
await new Promise((r) => setTimeout(r, 100)); // events are delivered outside every lock
seen.heardSomething = events.length > 0;
seen.droppedHeard = dropped.length;
off();
const before = events.length;
await session.logout();
await new Promise((r) => setTimeout(r, 100));
seen.afterUnsubscribe = events.length - before;
session.dispose();
console.log(JSON.stringify(seen));
