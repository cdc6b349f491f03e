// Node CommonJS: `require("wasm-session-manager/auth")` (the "node" + "require" condition of ./auth),
// MemoryStorage, session-server.
const sdk = require("wasm-session-manager/auth");

(async () => {
  const { flow } = await import("./flow.mjs");
  const memory = new sdk.MemoryStorage();
  const storage = { sessionId: memory, accessToken: memory, refreshToken: memory, idToken: memory };
  console.log(JSON.stringify(await flow(sdk, process.env.BASE_URL, storage)));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
