import { openScriptPage } from "./lib.mjs";
const { page, close } = await openScriptPage("lockfloor", {}, `
const L = navigator.locks;
const settling = new Map();
const pats = {
  plain: () => L.request("a", async () => {}),
  plainsync: () => L.request("b", () => {}),
  ifav: () => L.request("c", { ifAvailable: true }, async (k) => {}),
  ours: () => new Promise((done) => {
    const s = settling.get("d");
    const ask = () => {
      let release; const held = new Promise((r) => (release = r));
      const q = L.request("d", { ifAvailable: true }, (k) => { Promise.resolve().then(() => { release(); const end = () => settling.get("d") == z && settling.delete("d"); const z = q.then(end, end); settling.set("d", z); done(); }); return held; });
    };
    s ? s.then(ask) : ask();
  }),
  oursplain: () => new Promise((done) => {
    const s = settling.get("e");
    const ask = () => {
      let release; const held = new Promise((r) => (release = r));
      const q = L.request("e", (k) => { Promise.resolve().then(() => { release(); const end = () => settling.get("e") == z && settling.delete("e"); const z = q.then(end, end); settling.set("e", z); done(); }); return held; });
    };
    s ? s.then(ask) : ask();
  }),
  oursnowait: () => new Promise((done) => {
      let release; const held = new Promise((r) => (release = r));
      const q = L.request("f", { ifAvailable: true }, (k) => { Promise.resolve().then(() => { release(); done(k ? 1 : 0); }); return held; });
  }),
};
window.run = async (name, ms) => { let n = 0, miss = 0; const t0 = performance.now(); while (performance.now() - t0 < ms) { const r = await pats[name](); if (r === 0) miss++; n++; } return { us: +(ms * 1000 / n).toFixed(1), miss }; };
window.ready = true;`);
try {
  const names = ["plain", "plainsync", "ifav", "ours", "oursplain", "oursnowait"];
  const res = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < 30; r++) for (const n of names) res[n].push((await page.evaluate(([n]) => window.run(n, 300), [n])));
  for (const n of names) { const us = res[n].map((x) => x.us).sort((a, b) => a - b); console.log(n.padEnd(12), "median us", us[15], "min", us[0], "miss", res[n].reduce((a, x) => a + x.miss, 0)); }
} finally { await close(); }
