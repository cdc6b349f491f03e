// The package's main entry (pkg/index.js, node.mjs, index.cjs): the whole API, that is the shared
// one (exports.js) and the metadata classes.
export * from "./exports.js";
export { BaseStorageManager, StorageManager, ServerHandler } from "./metadata.js";
