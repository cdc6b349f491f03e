// JS side of the browser tests that talk to session-server: raw requests, as a test harness would
// make them, independent of the SDK under test.
//
// Every hook call checks its answer: a status other than 200 (a hook the server lacks, one started
// without --test-hooks, a rejected argument) or a body that is not JSON rejects, so a test can never
// go on as if a counter read 0 or an injection were queued when the server did not do it.
async function call(base, method, path, body, headers = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) {}
  return { status: res.status, json, text };
}

export async function login(base, username, publicKey, sessionData) {
  const r = await call(base, "POST", "/v1/auth/login", { username, public_key: publicKey, session_data: sessionData });
  if (r.status !== 200 || !r.json || typeof r.json.access_token !== "string") {
    throw new Error(`login failed: ${r.status} ${r.text}`);
  }
  return r.json;
}

// A hook call (`/test/*`): its JSON answer, or a rejection naming the call and what came back.
async function hook(base, method, path, body) {
  const r = await call(base, method, path, body);
  if (r.status !== 200 || r.json === null || typeof r.json !== "object") {
    throw new Error(`${method} ${path} failed: ${r.status} ${r.text}`);
  }
  return r.json;
}

export async function post(base, path, body) {
  return hook(base, "POST", path, body);
}

export async function rawRefresh(base, refreshToken) {
  return call(base, "POST", "/v1/auth/session", { refresh_token: refreshToken });
}

export async function counters(base) {
  return hook(base, "GET", "/test/counters");
}

export async function resetCounters(base) {
  const r = await hook(base, "POST", "/test/counters/reset", {});
  if (r.ok !== true) throw new Error(`counter reset not acknowledged: ${JSON.stringify(r)}`);
}

// Flips one hex digit of the ECIES mac inside a session_data JSON string.
export function tamperSessionData(sessionData) {
  const p = JSON.parse(sessionData);
  p.mac = (p.mac[0] === "0" ? "1" : "0") + p.mac.slice(1);
  return JSON.stringify(p);
}

export function holdLock(name, ms) {
  return new Promise((granted) => {
    navigator.locks.request(name, () => { granted(); return new Promise((r) => setTimeout(r, ms)); });
  });
}

export function localGet(key) { return localStorage.getItem(key); }
export function localSet(key, value) { localStorage.setItem(key, value); }
export function cookieGet(key) {
  const part = document.cookie.split(";").map((s) => s.trim()).find((s) => s.startsWith(key + "="));
  return part === undefined ? null : decodeURIComponent(part.slice(key.length + 1));
}
