// JS side of the HttpClient browser tests: a recorder of every fetch the page makes. The SDK's
// FetchTransport calls the global `fetch` at call time, so wrapping it here sees each request the
// SDK sends, with the Authorization header and body it really carried, and how it ended.
const log = [];
let installed = false;

function install() {
  if (installed) return;
  installed = true;
  const original = globalThis.fetch;
  globalThis.fetch = function (input, init) {
    const request = input instanceof Request ? input : new Request(input, init);
    const entry = {
      url: request.url,
      method: request.method,
      authorization: request.headers.get("authorization"),
      headers: Object.fromEntries(request.headers),
      body: null,
      start: performance.now(),
      end: null,
      status: null,
      error: null,
    };
    log.push(entry);
    const body = request.method === "GET" || request.method === "HEAD"
      ? Promise.resolve(null)
      : request.clone().text();
    entry.bodyRead = body.then((t) => { entry.body = t; }, () => {});
    const result = original.call(this, input, init);
    entry.done = result.then(
      (res) => { entry.status = res.status; entry.end = performance.now(); },
      (err) => { entry.error = String((err && err.name) || err); entry.end = performance.now(); },
    );
    return result;
  };
}

// Starts (or restarts) recording: forgets every earlier entry.
export function recordFetches() {
  install();
  log.length = 0;
}

// The recorded requests whose URL contains `fragment`, once each has ended and its body was read:
// `[{ url, method, authorization, headers, body, start, end, status, error }]`, in the order they were sent.
export async function fetchLog(fragment) {
  const entries = log.filter((e) => e.url.includes(fragment));
  await Promise.all(entries.map((e) => Promise.all([e.done, e.bodyRead])));
  return entries.map(({ url, method, authorization, headers, body, start, end, status, error }) =>
    ({ url, method, authorization, headers, body, start, end, status, error }));
}

// A value JSON.stringify throws on.
export function cyclic() {
  const a = { name: "a" };
  a.self = a;
  return a;
}

// `new Headers(pairs)`, to pass as the `headers` option.
export function headersOf(pairs) {
  return new Headers(pairs);
}

// `new URL(href)`.
export function urlOf(href) {
  return new URL(href);
}

// `JSON.stringify(value)`, with keys sorted at every level, for comparisons.
export function canonical(value) {
  const sort = (v) => Array.isArray(v)
    ? v.map(sort)
    : v !== null && typeof v === "object"
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])]))
      : v;
  return JSON.stringify(sort(value));
}

// Drops every queued refresh injection of the server (left over by a failed test).
// Rejects unless the server confirms the queue is empty.
export async function clearInjections(base) {
  const res = await fetch(base + "/test/next-refresh", { method: "DELETE" });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) {}
  if (res.status !== 200 || !json || json.pending !== 0) {
    throw new Error(`DELETE /test/next-refresh failed: ${res.status} ${text}`);
  }
}

// Answers the next `count` fetches whose URL contains `fragment` with `status`, the `headers` record
// and `body`, without sending them: what a proxy or a load balancer may answer and the test server
// does not (a 429 with Retry-After, say). Wraps the global fetch once; other requests pass through.
const canned = [];
let cannedInstalled = false;
export function answerNext(fragment, count, status, headers, body) {
  if (!cannedInstalled) {
    cannedInstalled = true;
    const next = globalThis.fetch;
    globalThis.fetch = function (input, init) {
      const url = typeof input === "string" ? input : input.url;
      const c = canned.find((e) => e.left > 0 && url.includes(e.fragment));
      if (!c) return next.call(this, input, init);
      c.left -= 1;
      return Promise.resolve(new Response(c.body, { status: c.status, headers: c.headers }));
    };
  }
  canned.push({ fragment, left: count, status, headers, body });
}
