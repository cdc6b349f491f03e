// Prints one table of the figures the benchmark scripts saved in .work/results/ (this run's only:
// run.sh clears them first). Ratios are ours/original, both measured in the same run.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RESULTS, fmtInt } from "./lib.mjs";

const load = (name) => {
  const p = join(RESULTS, `${name}.json`);
  return existsSync(p) ? JSON.parse(readFileSync(p, "utf8")) : null;
};
const rows = [];
const row = (metric, original, ours, r) => rows.push([metric, original, ours, r]);
const ratio = (o, u) => (o != null && u != null && o !== 0 ? (u / o).toFixed(2) : "n/a");

const size = load("size");
if (size) {
  row("size gzip -9 (B), original everything", fmtInt(size.original.all.gzip), fmtInt(size.ours.gzip), ratio(size.original.all.gzip, size.ours.gzip));
  row("size gzip -9 (B), original auth part", fmtInt(size.original.auth.gzip), fmtInt(size.ours.gzip), ratio(size.original.auth.gzip, size.ours.gzip));
  if (size.ours.auth) row("size gzip -9 (B), auth entry vs original auth part", fmtInt(size.original.auth.gzip), fmtInt(size.ours.auth.gzip), ratio(size.original.auth.gzip, size.ours.auth.gzip));
} else row("size", "not run", "not run", "");

const crypto = load("crypto");
if (crypto) {
  for (const [name, c] of Object.entries(crypto.cases)) {
    const cell = (v, b) => (v != null ? `${fmtInt(v)} (${fmtInt(b)})` : "n/a");
    const r = ratio(c.original, c.ours);
    row(`${name} ops/s, median (best)`, cell(c.original, c.best.original), cell(c.ours, c.best.ours), r === "n/a" ? r : `${r} (${ratio(c.best.original, c.best.ours)})`);
  }
} else row("crypto", "not run", "not run", "");

const calls = load("calls");
if (calls) {
  // browser calls per operation: Web Lock requests / BroadcastChannel messages / timers / microtasks /
  // calls from the wasm into JS (ours only)
  for (const [name, c] of Object.entries(calls.cases)) {
    const kinds = ["locks", "posts", "timers", "microtasks", "wasm→JS"];
    const cell = (r) => (r && r.available ? kinds.map((k) => +(r.per[k] ?? 0).toFixed(1)).join(" / ") : "n/a");
    row(`${name}: locks / posts / timers / microtasks / wasm→JS per op`, cell(c.orig), cell(c.ours), "");
  }
} else row("calls", "not run", "not run", "");

const contention = load("contention");
if (contention) {
  for (const sc of Object.values(contention.scenarios)) {
    const cell = (impl, key) => {
      const s = sc.rounds[impl];
      return s && s[key] ? `${s[key].median} [${s[key].min}-${s[key].max}]` : "n/a";
    };
    const n = sc.tabs * sc.requests;
    row(`refreshes, ${sc.title} (median [min-max])`, cell("orig", "refreshes"), cell("ours", "refreshes"), "");
    row(`failed of ${n}, ${sc.title}`, cell("orig", "failed"), cell("ours", "failed"), "");
  }
} else row("contention", "not run", "not run", "");

const coldstart = load("coldstart");
if (coldstart) {
  const f = coldstart.figures;
  // Times: ours/original above 1 means ours is slower here (the other rows are rates).
  row("cold start: import ms, median [min] (time ratio)", `${fmtInt(f.orig.importMs)} [${fmtInt(f.orig.importMin)}]`, `${fmtInt(f.ours.importMs)} [${fmtInt(f.ours.importMin)}]`, ratio(f.orig.importMs, f.ours.importMs));
  row("cold start: import + first authorize() ms (time ratio)", `${fmtInt(f.orig.totalMs)} [${fmtInt(f.orig.totalMin)}]`, `${fmtInt(f.ours.totalMs)} [${fmtInt(f.ours.totalMin)}]`, ratio(f.orig.totalMs, f.ours.totalMs));
  if (f.auth) row("cold start, the auth entry: import + first authorize() ms", `${fmtInt(f.orig.totalMs)} [${fmtInt(f.orig.totalMin)}]`, `${fmtInt(f.auth.totalMs)} [${fmtInt(f.auth.totalMin)}]`, ratio(f.orig.totalMs, f.auth.totalMs));
  if (f.ours.pairedRatio) row("cold start: import + first authorize(), time ratio paired by round (main / auth)", "", "", `${f.ours.pairedRatio.toFixed(2)} / ${f.auth ? f.auth.pairedRatio.toFixed(2) : "n/a"}`);
} else row("cold start", "not run", "not run", "");

const head = ["metric", "original", "ours", "ours/original"];
const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join("  ");
console.log(line(head));
console.log(w.map((n) => "-".repeat(n)).join("  "));
for (const r of rows) console.log(line(r));
const loads = [size, crypto, contention, coldstart].filter(Boolean).map((r) => r.loadavg);
if (loads.length) console.log(`(1-minute load average at the end of each benchmark: ${loads.join(", ")}; on 2 cores)`);
