// JS side of the browser tests that talk to session-server: raw requests, as a test harness would
// make them, independent of the SDK under test.
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
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
  return r.json;
}

export async function post(base, path, body) {
  return (await call(base, "POST", path, body)).json;
}

export async function rawRefresh(base, refreshToken) {
  return call(base, "POST", "/v1/auth/session", { refresh_token: refreshToken });
}

export async function counters(base) {
  return (await call(base, "GET", "/test/counters")).json;
}

export async function resetCounters(base) {
  await call(base, "POST", "/test/counters/reset", {});
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
export function cookieGet(key) {
  const part = document.cookie.split(";").map((s) => s.trim()).find((s) => s.startsWith(key + "="));
  return part === undefined ? null : decodeURIComponent(part.slice(key.length + 1));
}
