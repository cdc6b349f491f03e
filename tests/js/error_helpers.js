// The error classes the npm entry registers (pkg-template/index.js), defined the same way, so that a
// browser test can register them with the wasm export and check `instanceof` as an app would.
class SessionManagerError extends Error {
  constructor(message, code) {
    super(message);
    this.name = new.target.name;
    if (code !== undefined) this.code = code;
  }
}
export class AuthError extends SessionManagerError {}
export class HttpError extends SessionManagerError {}
export class StorageError extends SessionManagerError {}
export class CryptoError extends SessionManagerError {}

const classes = { AuthError, HttpError, StorageError, CryptoError };

// The object given to `__registerErrorClasses` (always the same one).
export function errorClasses() { return classes; }

// `value instanceof <name>`: one of the four classes above, or a global (`Error`, `TypeError`).
export function isInstanceOf(value, name) {
  const cls = classes[name] ?? globalThis[name];
  if (typeof cls !== "function") throw new Error(`no class ${name}`);
  return value instanceof cls;
}
