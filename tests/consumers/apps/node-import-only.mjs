// Importing has no side effect: nothing thrown, nothing left running, the constants the original
// 5.6.0 exports with its values. Prints what it saw.
const sdk = await import("wasm-session-manager");
console.log(
  JSON.stringify({
    names: Object.keys(sdk).sort(),
    STORAGE_KEYS: sdk.STORAGE_KEYS,
    STORAGE_METHOD: sdk.STORAGE_METHOD,
    SESSION_SERVER_API_URL: sdk.SESSION_SERVER_API_URL,
    padded: sdk.padHexString("0xABC"),
    long: sdk.padHexString("0x" + "1".repeat(70)),
    storageAvailable: sdk.storageAvailable("localStorage"),
  }),
);
