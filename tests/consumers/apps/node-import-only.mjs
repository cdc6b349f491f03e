// Importing has no side effect: nothing thrown, nothing left running, the constants the original
// 5.6.0 exports with its values. Prints what it saw.
const sdk = await import("wasm-session-manager");
// Strings through the wasm and back: ASCII or not, short or long, a NUL, a lone non-ASCII character.
const texts = ["", "a", "x".repeat(64), "y".repeat(65), "héllo", "z".repeat(63) + "é", "✓ 🚀 ok", "q".repeat(300) + "ü",
  "w".repeat(63), "ñ", "nul\u0000byte", "\u007f\u0001"];
const memory = new sdk.MemoryStorage();
const roundTrips = [];
for (const [i, text] of texts.entries()) {
  await memory.set(`k${i}`, text);
  roundTrips.push((await memory.get(`k${i}`)) === text);
}
console.log(
  JSON.stringify({
    names: Object.keys(sdk).sort(),
    STORAGE_KEYS: sdk.STORAGE_KEYS,
    STORAGE_METHOD: sdk.STORAGE_METHOD,
    SESSION_SERVER_API_URL: sdk.SESSION_SERVER_API_URL,
    padded: sdk.padHexString("0xABC"),
    long: sdk.padHexString("0x" + "1".repeat(70)),
    storageAvailable: sdk.storageAvailable("localStorage"),
    roundTrips,
  }),
);
