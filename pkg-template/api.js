// The package's API, shared by its entries: index.js (everything: this module and metadata.js) and
// auth.js (this module and a StorageManager of the session-key statics only), each bundled by
// pkg-template/build.mjs with its wasm-bindgen glue and the loader (`#load`) of its platform. The
// internals at the end (`wrap`, `named`, `fail`) are for those two modules; the entries
// re-export only the API (exports.js). Written in ES2020 (no lowering, nothing added to the size).
//
// Importing has no side effect beyond these definitions. The WebAssembly module is instantiated on
// first use: constructing a class starts it, every async method awaits it, and `ready()` lets an app
// pay for it early. The classes JS sees are thin wrappers over the wasm-bindgen classes: their
// methods and accessors are read off the wasm-bindgen prototypes (which the glue defines at import,
// before instantiation), so a method added to a Rust class is forwarded without an edit here. A
// wrapper creates its wasm-bindgen object once the module is ready; before that, async methods wait
// for it and the synchronous ones behave as SYNC says.
import * as glue from "./wasm_session_manager.js";
import { load } from "#load";

// ---- errors -----------------------------------------------------------------------------------

// Names are string literals (not `new.target.name`): minifiers rename classes.
const named = (Class, name) => Object.defineProperty(Class, "name", { value: name });
/** An SDK error class: a real Error with a stable `name` and `code`. */
const errorClass = (name) =>
  named(
    class extends Error {
      constructor(message, code) {
        super(message);
        this.name = name;
        if (code !== undefined) this.code = code;
      }
    },
    name,
  );
/** Session flow failures; `code` in EXPIRED | INVALID | REFRESH_FAILED | NETWORK | DECRYPT_FAILED | NO_SESSION_ID | SESSION_EXPIRED | LOCK_TIMEOUT. */
export const AuthError = /* @__PURE__ */ errorClass("AuthError");
/** HTTP failures: non-2xx (`HTTP_ERROR`, with status, statusText, url, body), `NETWORK`, `TIMEOUT`, `MALFORMED_RESPONSE`. */
export const HttpError = /* @__PURE__ */ errorClass("HttpError");
/** Storage failures: `STORAGE_UNAVAILABLE`, `STORAGE_WRITE_FAILED`, `COOKIE_TOO_LARGE`, `COOKIE_INSECURE`. */
export const StorageError = /* @__PURE__ */ errorClass("StorageError");
/** Decryption and signature failures: `DECRYPT_FAILED`. */
export const CryptoError = /* @__PURE__ */ errorClass("CryptoError");

const fail = (Class, code, message) => {
  const e = new Class(message);
  e.code = code;
  throw e;
};

// ---- instantiation ----------------------------------------------------------------------------

let started; // the instantiation promise (forgotten after a failure, so a later call tries again)
let live; // true once the module is instantiated

/**
 * Instantiates the WebAssembly module, once; resolves when the SDK is usable. Optional: every async
 * method waits for it by itself. `input` overrides where the `.wasm` is read from (a URL, a Response,
 * its bytes or a compiled WebAssembly.Module); the default is the package's own file.
 */
export function ready(input) {
  return (started =
    started ||
    load(glue.default, input).then(
      () => {
        glue.__registerErrorClasses({ AuthError, HttpError, StorageError, CryptoError, TypeError });
        live = 1;
      },
      (e) => {
        started = 0;
        throw e;
      },
    ));
}

// ---- the wrappers -----------------------------------------------------------------------------

const QUEUE = 1; // a void call before ready: run it (in call order) once ready
const keepSessionId = (self, [id]) => {
  if (id != null && !/^(0x)?[0-9a-f]+$/i.test(id)) fail(TypeError, "INVALID_SESSION_ID", "Session id must be a hex string");
  self.$sid = id;
  return QUEUE;
};

// The synchronous methods and accessors ("get x" / "set x") and what they do before ready: QUEUE,
// a function giving the result, or 0: throw an Error with code NOT_READY. Any other method is async
// (before ready: a promise of its result); any other accessor reads NOT_READY and writes QUEUE.
const SYNC = {
  isAuthenticated: () => false,
  onAuthStateChange(self, args) {
    let off;
    let stop;
    if (typeof args[0] != "function") fail(TypeError, "INVALID_OPTION", "invalid option: onAuthStateChange: expected a function");
    ready()
      .then(() => stop || (off = self.$raw().onAuthStateChange(...args)))
      .catch(() => {});
    return () => {
      stop = 1;
      if (typeof off == "function") off();
    };
  },
  dispose: QUEUE,
  free: QUEUE,
  clear: QUEUE,
  setAPIKey: QUEUE,
  clearStorage: QUEUE,
  clearOrphanedData: QUEUE,
  setSessionId: keepSessionId,
  "set sessionId": keepSessionId,
  "get sessionId": (self) => {
    const id = "$sid" in self ? self.$sid : (self.$a[0] || {}).sessionId;
    return id ? "0x" + padHexString(id) : undefined;
  },
  getAPIKey: 0,
  getPublicKey: 0,
  generateRandomSessionKey,
};

// `key`: the method name or "get x" / "set x"; `run(raw)`: the call on the wasm-bindgen object.
function preReady(self, key, args, run) {
  let how = SYNC[key];
  if (how === undefined) {
    if (!/^[gs]et /.test(key)) return ready().then(() => run(self && self.$raw()));
    how = key[0] == "s" ? QUEUE : 0;
  }
  const result = how == QUEUE ? how : how ? how(self, args) : fail(Error, "NOT_READY", `${key} needs the WebAssembly module: await ready() first`);
  if (result !== QUEUE) return result;
  ready()
    .then(() => run(self && self.$raw()))
    .catch(() => {});
}

function wrap(Raw, name, Base = Object) {
  class Wrapper extends Base {
    constructor(...args) {
      super();
      this.$a = args;
      if (live) this.$raw(); // option errors throw here once the module is ready
      else ready().then(() => this.$raw()).catch(() => {}); // else at the first call
    }

    /** The wasm-bindgen object: created on first need once the module is ready (wrappers in the arguments unwrapped). */
    $raw() {
      return this.$o || (this.$o = new Raw(...this.$a.map((v) => (v && v.$raw ? v.$raw() : v))));
    }
  }
  const proto = Raw.prototype;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name == "constructor" || name.startsWith("__")) continue;
    const { get, set } = Object.getOwnPropertyDescriptor(proto, name);
    if (get || set) {
      Object.defineProperty(Wrapper.prototype, name, {
        get() {
          return live ? this.$raw()[name] : preReady(this, "get " + name);
        },
        set(v) {
          if (live) this.$raw()[name] = v;
          else preReady(this, "set " + name, [v], (raw) => (raw[name] = v));
        },
      });
    } else {
      Wrapper.prototype[name] = function (...args) {
        const run = (raw) => raw[name](...args);
        // a sync method (or a created object) answers directly; an async one rejects if the object cannot be created
        if (this.$o || (live && name in SYNC)) return run(this.$raw());
        return live ? Promise.resolve(this).then((self) => run(self.$raw())) : preReady(this, name, args, run);
      };
    }
  }
  // getAccessToken(), an app's hot path: while the manager answers from memory (its stamp is not 0),
  // the token is copied out of the wasm once and kept here until the stamp moves.
  const slow = Wrapper.prototype.getAccessToken;
  if (proto.__accessTokenStamp)
    Wrapper.prototype.getAccessToken = function () {
      const o = this.$o;
      const s = o && o.__accessTokenStamp();
      if (s) {
        if (s !== this.$ts) (this.$tk = o.__accessTokenInMemory()), (this.$ts = s);
        if (this.$tk) return Promise.resolve(this.$tk);
      }
      return slow.call(this);
    };
  if (Symbol.dispose) Wrapper.prototype[Symbol.dispose] = Wrapper.prototype.free;
  for (const name of Object.getOwnPropertyNames(Raw)) {
    if (typeof Raw[name] == "function" && !name.startsWith("__")) {
      Wrapper[name] = (...args) => {
        const run = () => Raw[name](...args);
        return live ? run() : preReady(0, name, args, run);
      };
    }
  }
  return named(Wrapper, name);
}

function generateRandomSessionKey() {
  // 32 CSPRNG bytes in [1, n) (n: the secp256k1 group order), as the wasm and the original do
  const bytes = new Uint8Array(32);
  let hex;
  do {
    hex = Array.from(crypto.getRandomValues(bytes), (b) => (b + 256).toString(16).slice(1)).join("");
  } while (/^0+$/.test(hex) || hex >= "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  return "0x" + hex;
}

// ---- what the original exports besides the classes (same values and behaviour) ----------------

/** The storage key suffixes: a slot's key is `${prefix}:${suffix}`, prefix `w3a` by default. */
export const STORAGE_KEYS = {
  SESSION_ID: "session_id",
  ACCESS_TOKEN: "access_token",
  REFRESH_TOKEN: "refresh_token",
  ID_TOKEN: "id_token",
};
export const SESSION_SERVER_API_URL = "https://api.web3auth.io/session-service";
export const STORAGE_METHOD = { LOCAL_STORAGE: "localStorage" };

const remove0x = (hex) => (/^0x/i.test(hex) ? hex.slice(2) : hex);
/** `hex` without `0x`, left-padded with 0 to 64 characters, its leftmost 64 kept. */
export const padHexString = (hex) => remove0x(hex).padStart(64, "0").slice(0, 64);

/** True when `window[type]` can be written (or is full but not empty). */
export function storageAvailable(type) {
  let storage;
  try {
    storage = window[type];
    storage.setItem("__storage_test__", "__storage_test__");
    storage.removeItem("__storage_test__");
    return true;
  } catch (e) {
    // full (codes and names of Chromium, Firefox, Safari) and not empty: available
    const full = e && (e.code === 22 || e.code === 1014 || /^(QuotaExceededError|NS_ERROR_DOM_QUOTA_REACHED)$/.test(e.name));
    return !!(full && storage && storage.length !== 0);
  }
}

/** The original's local cache: JSON values under `${baseStorageKey}${key without 0x}`. */
export class LocalStorageHandler {
  constructor(storage, baseStorageKey) {
    this.storage = storage;
    this.baseStorageKey = baseStorageKey;
  }
  async storeData(key, data) {
    this.storage.setItem(this.getStorageKey(key), JSON.stringify(data));
  }
  async retrieveData(key) {
    const k = this.getStorageKey(key);
    const v = this.storage.getItem(k);
    if (v) {
      try {
        return JSON.parse(v);
      } catch {
        this.storage.removeItem(k);
      }
    }
  }
  clearStorage(key) {
    this.storage.removeItem(this.getStorageKey(key));
  }
  clearOrphanedData(baseKey = "") {
    const { storage } = this;
    const keys = [];
    for (let i = 0; i < storage.length; i++) keys.push(storage.key(i));
    keys.forEach((k) => k && k.startsWith(this.baseStorageKey + baseKey) && storage.removeItem(k));
  }
  getStorageKey(key) {
    return this.baseStorageKey + remove0x(key);
  }
}

// ---- the classes ------------------------------------------------------------------------------

export const AuthSessionManager = /* @__PURE__ */ wrap(glue.AuthSessionManager, "AuthSessionManager");
export const HttpClient = /* @__PURE__ */ wrap(glue.HttpClient, "HttpClient");
export const LocalStorageAdapter = /* @__PURE__ */ wrap(glue.LocalStorageAdapter, "LocalStorageAdapter");
export const SessionStorageAdapter = /* @__PURE__ */ wrap(glue.SessionStorageAdapter, "SessionStorageAdapter");
export const CookieStorage = /* @__PURE__ */ wrap(glue.CookieStorage, "CookieStorage");
export const MemoryStorage = /* @__PURE__ */ wrap(glue.MemoryStorage, "MemoryStorage");
/** The session-key helpers: `generateRandomSessionKey()`, `getPublicKey(sessionId)` (also statics of StorageManager). */
export const SessionKeys = /* @__PURE__ */ wrap(glue.SessionKeys, "SessionKeys");

named(LocalStorageHandler, "LocalStorageHandler");

// ---- for the entries (index.js, auth.js, metadata.js) --------------------------------------------

export { wrap, named, fail };
