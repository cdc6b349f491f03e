// The metadata classes of the main entry (StorageManager and the original's classes over it), kept
// out of api.js so that the auth entry, whose wasm has no StorageManager, does not carry them.
import { wrap, named, padHexString } from "./api.js";
// The class by name, not through a namespace object: a namespace would keep every export of the
// glue in the bundle (its unused `initSync` among them).
import { StorageManager as RawStorageManager } from "./wasm_session_manager.js";

/** The original's base class of StorageManager: the session id and a JSON request helper. */
export class BaseStorageManager {
  get sessionId() {
    return this._sessionId;
  }
  checkSessionParams() {
    if (!this.sessionId) throw new Error("Session id is required");
    this._sessionId = "0x" + padHexString(this._sessionId);
  }
  /** `method` GET | POST | PUT | PATCH `url` with JSON `data`: the JSON (or text) answer; rejects with the Response when not 2xx. */
  request({ method = "GET", url, data = {}, headers = {} }) {
    if (!/^(GET|POST|PUT|PATCH)$/.test(method)) throw new Error("Invalid method type");
    const get = method == "GET";
    return fetch(url, {
      method,
      mode: "cors",
      headers: get ? headers : { "Content-Type": "application/json; charset=utf-8", ...headers },
      body: get ? undefined : JSON.stringify(data),
    }).then((res) => {
      if (!res.ok) throw res;
      return /application\/json/.test(res.headers.get("content-type")) ? res.json() : res.text();
    });
  }
}

export const StorageManager = /* @__PURE__ */ wrap(RawStorageManager, "StorageManager", BaseStorageManager);

/**
 * The original's server handler (encrypted, signed metadata on a session server), over StorageManager:
 * the same requests and encryption. `request` is kept for compatibility; the SDK's own fetch is used.
 */
export class ServerHandler {
  constructor(sessionServerBaseUrl, request) {
    this.sessionServerBaseUrl = sessionServerBaseUrl;
    this.request = request;
  }
  async storeData(sessionId, data, o = {}) {
    const sm = this.$sm(sessionId, o);
    const op = o.operation;
    await (op == "update" ? sm.updateSession(data, o.headers) : op == "invalidate" ? sm.invalidateSession(o.headers) : sm.createSession(data, o.headers));
  }
  retrieveData(sessionId, o = {}) {
    return this.$sm(sessionId, o).authorizeSession(o);
  }
  $sm(sessionId, o) {
    return new StorageManager({ sessionServerBaseUrl: this.sessionServerBaseUrl, sessionId, sessionNamespace: o.namespace, sessionTime: o.timeout, allowedOrigin: o.allowedOrigin });
  }
  clearStorage() {}
  clearOrphanedData() {}
  getStorageKey(sessionId) {
    return StorageManager.getPublicKey(sessionId);
  }
}

named(BaseStorageManager, "BaseStorageManager");
named(ServerHandler, "ServerHandler");
