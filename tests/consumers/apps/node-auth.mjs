// Node ESM: the auth entry (`wasm-session-manager/auth`), MemoryStorage, session-server; and what it
// exports next to the main entry.
import * as auth from "wasm-session-manager/auth";
import * as main from "wasm-session-manager";
import { flow } from "./flow.js";

const memory = new auth.MemoryStorage();
const storage = { sessionId: memory, accessToken: memory, refreshToken: memory, idToken: memory };
const result = await flow(auth, process.env.BASE_URL, storage);
let constructed = "no error";
try {
  new auth.StorageManager({ sessionServerBaseUrl: process.env.BASE_URL });
} catch (e) {
  constructed = `${e.name} ${e.code}`;
}
console.log(JSON.stringify({ result, authNames: Object.keys(auth).sort(), mainNames: Object.keys(main).sort(), constructed }));
