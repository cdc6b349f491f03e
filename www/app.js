// The demo app: plain ES modules, no framework, importing the npm package as an app would.
// `window.demo` is a small API for the end-to-end tests (e2e/), so they never depend on pixels.
import { AuthSessionManager, HttpClient, StorageManager, STORAGE_KEYS } from "./pkg/index.js";

const API = location.origin; // session-server serves this page and the API
// The storage keys under the default prefix: STORAGE_KEYS holds the suffixes, as in the original.
const KEY = Object.fromEntries(Object.entries(STORAGE_KEYS).map(([k, v]) => [k, `w3a:${v}`]));
const $ = (id) => document.getElementById(id);

// ---- the SDK objects ---------------------------------------------------------------------------

let session;
let http;

function makeClients() {
  session = new AuthSessionManager({ apiClientConfig: { baseURL: API } });
  http = new HttpClient(session);
}

// ---- what the page shows ------------------------------------------------------------------------

const view = {
  mode: "loading", // loading | in | out | error
  data: null, // decrypted session data
  lastError: null, // { name, code, status, message }
};

function describeError(err) {
  if (err === null || typeof err !== "object") return { name: "Error", code: undefined, message: String(err) };
  return {
    name: err.name || "Error",
    code: err.code,
    status: err.status,
    message: err.message || String(err),
  };
}

function errorText(e) {
  const tag = [e.name, e.code, e.status].filter((v) => v !== undefined && v !== null && v !== "").join(" ");
  return `${tag}: ${e.message}`;
}

function log(kind, text) {
  const li = document.createElement("li");
  li.className = kind;
  const time = document.createElement("time");
  time.textContent = new Date().toLocaleTimeString();
  li.append(time, text);
  $("status").prepend(li);
  while ($("status").children.length > 50) $("status").lastElementChild.remove();
}

function fail(what, err) {
  const e = describeError(err);
  view.lastError = e;
  log("error", `${what} failed — ${errorText(e)}`);
  return e;
}

const short = (s, n = 10) => (s ? `${s.slice(0, n)}…${s.slice(-6)}` : "—");

function jwtExp(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part)).exp;
  } catch {
    return null;
  }
}

let accessToken = null;

async function render() {
  const mode = view.mode;
  $("loading-view").hidden = mode !== "loading";
  $("login-view").hidden = mode !== "out" && mode !== "error";
  $("session-view").hidden = mode !== "in";
  $("retry-box").hidden = mode !== "error";
  const badge = $("badge");
  badge.dataset.state = mode;
  badge.textContent = { loading: "loading…", in: "signed in", out: "signed out", error: "offline" }[mode];
  if (mode !== "in") {
    $("sessions").hidden = true;
    return;
  }
  const state = await session.getState();
  accessToken = await session.getAccessToken();
  $("who").textContent = view.data?.username ?? "?";
  $("st-auth").textContent = String(state.isAuthenticated);
  $("st-refreshing").textContent = String(state.isRefreshing);
  // The session id is the secret key that decrypts the session data: show its public key only.
  $("st-pub").textContent = state.sessionId ? short(StorageManager.getPublicKey(state.sessionId), 12) : "—";
  $("st-token").textContent = short(accessToken, 12);
  $("session-data").textContent = JSON.stringify(view.data, null, 2);
  tick();
}

function tick() {
  const exp = accessToken && jwtExp(accessToken);
  if (!exp) {
    $("st-exp").textContent = "";
    return;
  }
  const left = Math.round(exp - Date.now() / 1000);
  $("st-exp").textContent =
    left > 0 ? `expires in ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : "expired";
}
setInterval(tick, 1000);

function showLoggedOut(reason) {
  view.mode = "out";
  view.data = null;
  accessToken = null;
  if (reason) log("info", reason);
  return render();
}

// ---- the flows ----------------------------------------------------------------------------------

/** Checks the stored session with the server: shows its data, or the login form. */
async function authorize() {
  try {
    // null when nothing is stored or the server ended the session (no request when nothing is stored)
    const data = await session.authorize();
    if (data) {
      view.mode = "in";
      view.data = data;
      log("ok", `Session data decrypted for ${data.username ?? "?"}`);
    } else {
      if (view.mode === "in") log("warn", "The session has ended: log in again");
      view.mode = "out";
      view.data = null;
    }
  } catch (err) {
    // A transient failure (network, 5xx): the SDK keeps the session; the login card offers a retry.
    view.mode = "error";
    fail("Checking the session", err);
  }
  await render();
  return view.data;
}

/** The app's own login API (not part of the SDK): a fresh session key, its public key to the server. */
async function login(username, extra = {}) {
  const sessionKey = StorageManager.generateRandomSessionKey(); // secp256k1 secret, stays in this browser
  const sessionData = {
    username,
    loggedInAt: new Date().toISOString(),
    plan: "demo",
    roles: ["reader"],
    ...extra,
  };
  const res = await fetch(`${API}/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      username,
      public_key: StorageManager.getPublicKey(sessionKey),
      session_data: sessionData,
      label: `demo · ${browserName()}`,
    }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(body.error_description || `login answered ${res.status}`);
    err.name = "LoginError";
    err.code = body.error;
    err.status = res.status;
    throw err;
  }
  await session.setTokens({
    sessionId: sessionKey,
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    idToken: body.id_token,
  });
  log("ok", `Logged in as ${username} (server session ${short(body.session_id, 8)})`);
  return authorize();
}

function browserName() {
  const brands = (navigator.userAgentData?.brands ?? []).map((b) => b.brand).filter((b) => !/not.a.brand/i.test(b));
  return brands.find((b) => b !== "Chromium") ?? brands[0] ?? "browser";
}

/** `n` authenticated GET /v1/me at once (optionally starting at wall-clock time `at`, ms). */
async function callMe(n = 1, { at } = {}) {
  if (at) await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
  const t0 = performance.now();
  const startedAt = performance.timeOrigin + t0; // wall clock, ms (comparable across tabs)
  const results = await Promise.allSettled(
    Array.from({ length: n }, () => http.get(`${API}/v1/me`, { authenticated: true })),
  );
  const ms = Math.round(performance.now() - t0);
  const errors = results.filter((r) => r.status === "rejected").map((r) => describeError(r.reason));
  const ok = results.length - errors.length;
  const users = [...new Set(results.filter((r) => r.status === "fulfilled").map((r) => r.value?.username))];
  if (errors.length) {
    view.lastError = errors[0];
    log("error", `/v1/me ×${n}: ${ok} ok, ${errors.length} failed — ${errorText(errors[0])}`);
    await checkSessionEnded();
  } else {
    log("ok", `/v1/me ×${n}: all ${ok} ok in ${ms} ms (user ${users.join(", ")})`);
  }
  await render();
  return { ok, failed: errors.length, errors, ms, users, startedAt };
}

async function forceRefresh() {
  const res = await session.ensureRefresh(false);
  log("ok", `Refreshed: new access token ${short(res.access_token, 12)}`);
  await render();
  return res;
}

async function listSessions() {
  const res = await http.get(`${API}/v1/auth/sessions`, { authenticated: true });
  renderSessions(res.sessions ?? []);
  log("ok", `${res.sessions?.length ?? 0} session(s) for ${res.user}`);
  return res;
}

function renderSessions(sessions) {
  const body = $("sessions-body");
  body.replaceChildren();
  const when = (ms) => new Date(ms).toLocaleTimeString();
  for (const s of sessions) {
    const tr = document.createElement("tr");
    if (s.current) tr.className = "current";
    const cells = [short(s.id, 8), s.label ?? "", when(s.created_at), when(s.last_used_at)];
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    const td = document.createElement("td");
    if (!s.current) {
      const b = document.createElement("button");
      b.className = "small";
      b.textContent = "Revoke";
      b.addEventListener("click", () => guarded(b, () => revokeOne(s.id)));
      td.append(b);
    }
    tr.append(td);
    body.append(tr);
  }
  $("sessions").hidden = false;
}

async function revokeOne(id) {
  await http.delete(`${API}/v1/auth/sessions/${encodeURIComponent(id)}`, {}, { authenticated: true });
  log("ok", `Revoked session ${short(id, 8)}`);
  return listSessions();
}

async function revokeOthers() {
  const res = await http.post(`${API}/v1/auth/sessions/revoke`, { scope: "others" }, { authenticated: true });
  log("ok", `Revoked ${res.revoked} other session(s)`);
  await listSessions();
  return res;
}

async function logout() {
  try {
    await session.logout(); // tells the server, then clears the four slots whatever it answered
  } finally {
    await showLoggedOut("Logged out");
  }
}

/** After a failure: if the SDK ended the session (a terminal refresh failure clears it), show the login. */
async function checkSessionEnded() {
  if (view.mode === "in" && !(await session.getSessionId())) {
    makeClients();
    await showLoggedOut("The session has ended: log in again");
  }
}

// ---- other tabs ---------------------------------------------------------------------------------
// Tabs share localStorage: a logout elsewhere removes the session id and tokens, a login elsewhere
// writes them, a refresh elsewhere rotates the access token. The `storage` event tells us (it does
// not fire in the tab that made the change).

const WATCHED = new Set([KEY.SESSION_ID, KEY.ACCESS_TOKEN]);
let syncing = Promise.resolve();

async function syncWithOtherTabs() {
  const sid = await session.getSessionId();
  if (!sid && view.mode === "in") {
    makeClients(); // a fresh manager: nothing in memory still says "authenticated"
    await showLoggedOut("Logged out in another tab");
  } else if (sid && view.mode !== "in" && (await session.getAccessToken())) {
    log("info", "Logged in in another tab");
    await authorize();
  } else if (view.mode === "in") {
    await render(); // a rotated token: show it
  }
}

addEventListener("storage", (e) => {
  if (e.storageArea !== localStorage || (e.key !== null && !WATCHED.has(e.key))) return;
  syncing = syncing.then(syncWithOtherTabs).catch((err) => fail("Syncing with another tab", err));
});

// ---- buttons ------------------------------------------------------------------------------------

async function guarded(button, action, what = button.textContent) {
  button.disabled = true;
  try {
    return await action();
  } catch (err) {
    fail(what, err);
    await checkSessionEnded();
  } finally {
    button.disabled = false;
  }
}

$("login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const name = $("username").value.trim();
  if (name) guarded(e.submitter ?? $("login-form").querySelector("button"), () => login(name), "Login");
});
$("btn-retry").addEventListener("click", (e) => guarded(e.currentTarget, authorize, "Checking the session"));
$("btn-me").addEventListener("click", (e) => guarded(e.currentTarget, () => callMe(1)));
$("btn-me10").addEventListener("click", (e) => guarded(e.currentTarget, () => callMe(10)));
$("btn-refresh").addEventListener("click", (e) => guarded(e.currentTarget, forceRefresh));
$("btn-sessions").addEventListener("click", (e) => guarded(e.currentTarget, listSessions));
$("btn-revoke-others").addEventListener("click", (e) => guarded(e.currentTarget, revokeOthers));
$("btn-logout").addEventListener("click", (e) => guarded(e.currentTarget, logout));

// ---- the test API -------------------------------------------------------------------------------

function storageSnapshot() {
  const cookie = document.cookie
    .split(";")
    .map((s) => s.trim())
    .find((s) => s.startsWith(`${KEY.REFRESH_TOKEN}=`));
  return {
    sessionId: localStorage.getItem(KEY.SESSION_ID),
    accessToken: localStorage.getItem(KEY.ACCESS_TOKEN),
    idToken: localStorage.getItem(KEY.ID_TOKEN),
    refreshTokenCookie: cookie === undefined ? null : cookie.slice(KEY.REFRESH_TOKEN.length + 1),
  };
}

window.demo = {
  isReady: false,
  login,
  logout,
  authorize,
  callMe,
  forceRefresh,
  listSessions,
  revokeOthers,
  async state() {
    return {
      mode: view.mode,
      loggedIn: view.mode === "in",
      data: view.data,
      lastError: view.lastError,
      sdk: await session.getState(),
      storage: storageSnapshot(),
      badge: $("badge").textContent,
    };
  },
};

// ---- start --------------------------------------------------------------------------------------

makeClients();
window.demo.ready = authorize().finally(() => {
  window.demo.isReady = true;
});
