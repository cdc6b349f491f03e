// JS side of the StorageManager browser tests: raw /v2/store requests made independently of the SDK,
// and a fetch interceptor that records, or tampers with, the SDK's store requests for one key only
// (so that tests sharing the page do not see each other's traffic).

export async function storeCall(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) {}
  return { status: res.status, json, text };
}

export function pageOrigin() { return location.origin; }

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

export function localSet(key, value) { localStorage.setItem(key, value); }

// Flips one hex digit of `field` inside a JSON string (an ECIES payload or an AES-GCM envelope).
export function tamperJsonField(json, field) {
  const p = JSON.parse(json);
  const s = p[field];
  p[field] = (s[0] === "0" ? "1" : "0") + s.slice(1);
  return JSON.stringify(p);
}

// Per public key: { mode: "record" | "tamper-data" | "tamper-message", log: [...] }.
const rules = new Map();
let originalFetch = null;

function install() {
  if (originalFetch) return;
  originalFetch = globalThis.fetch;
  globalThis.fetch = async function intercepted(input, init) {
    let req = new Request(input, init);
    const path = new URL(req.url).pathname;
    if (rules.size === 0 || !path.startsWith("/v2/store/")) return originalFetch.call(globalThis, req);
    const text = await req.clone().text();
    let body = null;
    try { body = JSON.parse(text); } catch (_) {}
    const rule = body && rules.get(body.key);
    if (!rule) return originalFetch.call(globalThis, req);
    rule.log.push({ method: req.method, path, headers: Object.fromEntries(req.headers), body: text });
    if (rule.mode === "tamper-data" && typeof body.data === "string") {
      // The signature stays the one the SDK made for the original data.
      body.data = tamperJsonField(body.data, "ciphertext");
      req = new Request(req, { body: JSON.stringify(body) });
    }
    const res = await originalFetch.call(globalThis, req);
    if (rule.mode === "tamper-message" && path === "/v2/store/get" && res.ok) {
      const json = await res.json();
      json.message = tamperJsonField(json.message, "ciphertext");
      return new Response(JSON.stringify(json), {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    }
    return res;
  };
}

export function intercept(publicKey, mode) {
  install();
  rules.set(publicKey, { mode, log: [] });
}

// The requests seen for the key, `[{ method, path, headers, body }]`; stops intercepting it.
export function stopIntercept(publicKey) {
  const rule = rules.get(publicKey);
  rules.delete(publicKey);
  return rule ? rule.log : [];
}
