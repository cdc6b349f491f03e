// Node ESM: `import` of the package (the "node" + "import" condition), MemoryStorage, session-server.
import * as sdk from "wasm-session-manager";
import { flow } from "./flow.js";

const memory = new sdk.MemoryStorage();
const storage = { sessionId: memory, accessToken: memory, refreshToken: memory, idToken: memory };
console.log(JSON.stringify(await flow(sdk, process.env.BASE_URL, storage)));
