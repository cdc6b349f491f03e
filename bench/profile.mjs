// Where one operation's time goes (not part of run.sh): a CPU profile of ours or the original in
// Chromium (the DevTools sampling profiler, 20 us), as self time per operation, by function, and
// summed by kind: our wasm, the package's JS (glue, snippet, API), the browser's built-ins
// (`text`, `decode`, `document.cookie`, ...), and the rest (the benchmark's stubbed fetch, idle,
// GC). The profiler slows everything down; compare the shares, and the two libraries profiled alike.
//   node bench/profile.mjs <pkg dir> [ours|orig] [seconds]     (default pkg/, ours, 4 s)
// CASE picks the operation as bench/ab.mjs does: refresh (MemoryStorage), default (localStorage and
// the cookie), adapter (plain JS adapters), get (an authenticated HttpClient GET), token
// (getAccessToken()). NOLOCK=1 takes navigator.locks away.
// INCLUSIVE=1 also prints inclusive time by function (its callees counted in); FOCUS=<part of a
// name> prints the inclusive time of the callees of the functions so named.
// CENSUS=1 profiles nothing and instead counts, per operation, the storage calls (with the average
// time of each cookie read and write, by its place in the operation, and the cookie strings written)
// and the strings the wasm hands to JS (TextDecoder calls and their lengths).
// Function names of our wasm need a build that keeps them: WASM_KEEP_NAMES=1 bash
// scripts/build-pkg.sh (then copy pkg/ away and build again without it: it is ~20 KB bigger).
import { openScriptPage, stubbedCaseJs, PKG } from "./lib.mjs";

const [pkgDir = PKG, who = "ours", secs = "4"] = process.argv.slice(2);
const CASE = process.env.CASE || "refresh";
const { page, close } = await openScriptPage(
  "profile",
  { pp: pkgDir },
  `import * as orig from "./original.js";
import * as ours from "./pp/index.js";
await ours.ready();
${stubbedCaseJs(CASE)}
const op = await make(${JSON.stringify(who)} === "orig" ? orig : ours);
window.loop = async (ms) => { let n = 0; const t0 = performance.now(); while (performance.now() - t0 < ms) { await op(); n++; } return n; };
window.census = async (n) => {
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  const { getItem, setItem, removeItem } = Storage.prototype;
  const { decode } = TextDecoder.prototype;
  const ops = [];
  let log;
  const timed = (kind, f) => { const t = performance.now(); const v = f(); log.push([kind, performance.now() - t]); return v; };
  Object.defineProperty(Document.prototype, "cookie", { configurable: true,
    get() { return timed("cookie read", () => cookie.get.call(this)); },
    set(v) { timed("cookie write", () => cookie.set.call(this, v)); log.push(["  wrote " + v]); } });
  Storage.prototype.getItem = function (k) { log.push(["getItem " + k]); return getItem.call(this, k); };
  Storage.prototype.setItem = function (k, v) { log.push(["setItem " + k]); return setItem.call(this, k, v); };
  Storage.prototype.removeItem = function (k) { log.push(["removeItem " + k]); return removeItem.call(this, k); };
  TextDecoder.prototype.decode = function (b) { log.push(["decode " + (b ? b.length : 0)]); return decode.call(this, b); };
  try {
    for (let i = 0; i < n; i++) { log = []; await op(); ops.push(log); }
  } finally {
    Object.defineProperty(Document.prototype, "cookie", cookie);
    Object.assign(Storage.prototype, { getItem, setItem, removeItem });
    TextDecoder.prototype.decode = decode;
  }
  return ops;
};
window.ready = true;
`,
);
try {
  await page.evaluate(() => window.loop(1500));
  const mode = `${who} ${CASE}${process.env.NOLOCK ? ", no Web Locks" : ", Web Locks"}`;
  if (process.env.CENSUS) {
    // The steps of one operation (the last), then each timed step's average over all of them.
    const ops = await page.evaluate((n) => window.census(n), 400);
    console.log(`${mode}: the calls of one operation, in order:`);
    for (const [kind] of ops.at(-1)) console.log(`  ${kind}`);
    const sums = new Map();
    for (const steps of ops)
      steps.forEach(([kind, ms], i) => {
        if (ms === undefined) return;
        const key = `${kind} (call ${i + 1})`;
        const [sum, count] = sums.get(key) || [0, 0];
        sums.set(key, [sum + ms, count + 1]);
      });
    console.log(`average time of each (${ops.length} operations; performance.now() is coarse, the averages are not):`);
    for (const [key, [sum, count]] of sums) console.log(`  ${key}: ${((sum / count) * 1000).toFixed(1)} us`);
  } else {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 20 });
    await cdp.send("Profiler.start");
    const n = await page.evaluate((ms) => window.loop(ms), Number(secs) * 1000);
    const { profile } = await cdp.send("Profiler.stop");
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const keyOf = (id) => {
      const f = frames.get(id);
      const file = f.url.split("/").pop();
      return `${f.functionName || "(anonymous)"} ${file}${file ? `:${f.columnNumber}` : ""}`;
    };
    const samples = new Map();
    for (const id of profile.samples) samples.set(id, (samples.get(id) || 0) + 1);
    const usPerSample = (profile.endTime - profile.startTime) / profile.samples.length;
    const self = new Map();
    const kinds = new Map();
    for (const [id, count] of samples) {
      const f = frames.get(id);
      const key = keyOf(id);
      self.set(key, (self.get(key) || 0) + count);
      const kind = /wasm|js-to-wasm|wasm-to-js/.test(key) ? "our wasm" : f.url.includes("/pp/") ? "the package's JS" : f.url.includes("original.js") ? "the original's JS" : f.url || /^\((idle|program|garbage collector)\)$/.test(f.functionName) || f.functionName === "Response" ? "the rest (bench, idle, GC)" : "built-ins";
      kinds.set(kind, (kinds.get(kind) || 0) + count);
    }
    const us = (count) => ((count * usPerSample) / n).toFixed(2).padStart(8);
    const top = (map, width) => {
      for (const [key, count] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP || 30))) console.log(`${us(count)} ${key.slice(0, width)}`);
    };
    console.log(`${mode}: ${n} operations, ${((profile.endTime - profile.startTime) / n).toFixed(1)} us each under the profiler`);
    console.log(`self time per operation by kind (us):`);
    for (const [kind, count] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`${us(count)} ${kind}`);
    console.log(`by function (us; minified names: the column is the offset in the file):`);
    top(self, 160);
    if (process.env.INCLUSIVE) {
      // By function: every stack a sample is in counts once per function on it.
      const parent = new Map();
      for (const node of profile.nodes) for (const c of node.children || []) parent.set(c, node.id);
      const incl = new Map();
      for (const [id, count] of samples) {
        const seen = new Set();
        for (let x = id; x !== undefined; x = parent.get(x)) seen.add(keyOf(x));
        for (const key of seen) incl.set(key, (incl.get(key) || 0) + count);
      }
      console.log("inclusive time per operation (us; a function counted once per stack):");
      top(incl, 200);
    }
    if (process.env.FOCUS) {
      // A node's samples with its callees' (the profile is a tree of call stacks).
      const within = new Map();
      const sum = (id) => {
        let total = samples.get(id) || 0;
        for (const c of nodes.get(id).children || []) total += sum(c);
        within.set(id, total);
        return total;
      };
      sum(profile.nodes[0].id);
      const callees = new Map();
      for (const node of profile.nodes) {
        if (!keyOf(node.id).includes(process.env.FOCUS)) continue;
        callees.set("(self)", (callees.get("(self)") || 0) + (samples.get(node.id) || 0));
        for (const c of node.children || []) callees.set(keyOf(c), (callees.get(keyOf(c)) || 0) + within.get(c));
      }
      console.log(`callees of the functions named *${process.env.FOCUS}*, inclusive (us per operation):`);
      top(callees, 200);
    }
  }
} finally {
  await close();
}
