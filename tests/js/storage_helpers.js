// JS side of the storage browser tests: custom adapters and ways to break storage for real.
export function syncAdapter() {
  const map = new Map();
  return {
    map,
    get(k) { return map.has(k) ? map.get(k) : null; },
    set(k, v) { map.set(k, v); },
    remove(k) { map.delete(k); },
  };
}

export function asyncAdapter() {
  const map = new Map();
  const tick = () => new Promise((r) => setTimeout(r, 1));
  return {
    map,
    async get(k) { await tick(); return map.has(k) ? map.get(k) : null; },
    async set(k, v) { await tick(); map.set(k, v); },
    async remove(k) { await tick(); map.delete(k); },
  };
}

export function failingAdapter() {
  return {
    get() { throw new Error("read exploded"); },
    set() { return Promise.reject("set rejected with a string"); },
    remove() { throw { weird: true }; },
  };
}

const saved = {};
// Makes `window.localStorage` throw on access, as it does when the user blocks site data.
export function blockLocalStorage() {
  saved.desc = Object.getOwnPropertyDescriptor(window, "localStorage");
  Object.defineProperty(window, "localStorage", {
    configurable: true,
    get() { throw new DOMException("The operation is insecure.", "SecurityError"); },
  });
}
export function unblockLocalStorage() {
  if (saved.desc) Object.defineProperty(window, "localStorage", saved.desc);
  else delete window.localStorage;
}

export function documentCookie() { return document.cookie; }

// The attributes of a cookie as the browser stored them (CookieStore API), or null.
export async function storedCookie(name) {
  if (!globalThis.cookieStore) return null;
  const c = await cookieStore.get(name);
  return c ? JSON.stringify({ name: c.name, value: c.value, path: c.path, secure: c.secure, sameSite: c.sameSite, session: c.expires === null }) : "missing";
}
