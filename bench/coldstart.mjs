// Cold start: module import -> first authorize() resolved against session-server, wasm compile
// included, in a fresh browser context each time (no module, HTTP or code cache), the session
// seeded in the default storage (localStorage slots, refresh-token cookie) as a returning user's
// page finds it. The original, ours (the main entry) and ours through the auth entry
// (`wasm-session-manager/auth`, its smaller wasm) alternate; prints the median (and min) of the samples.
import { getPublic, generatePrivate } from "@toruslabs/eccrypto";
import { fmtInt, launchChromium, median, preparePages, saveResult, startSessionServer, watchPage } from "./lib.mjs";

const SAMPLES = Number(process.env.BENCH_COLDSTART_SAMPLES ?? 24);
const IMPLS = ["orig", "ours", "auth"];
const LABEL = { orig: "original", ours: "ours", auth: "ours (auth entry)" };

const dir = await preparePages();
const server = await startSessionServer(dir);
const browser = await launchChromium();
const problems = [];

async function login() {
  const key = generatePrivate();
  const res = await fetch(`${server.url}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "bench", public_key: Buffer.from(getPublic(key)).toString("hex"), session_data: { username: "bench" } }),
  });
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  return { sessionId: Buffer.from(key).toString("hex"), ...(await res.json()) };
}

async function sample(impl) {
  const t = await login();
  const context = await browser.newContext();
  try {
    await context.addCookies([{ name: "w3a:refresh_token", value: t.refresh_token, url: server.url }]);
    const page = await context.newPage();
    const log = watchPage(page, `${impl} cold start`);
    await page.goto(`${server.url}/coldstart.html?impl=${impl}`);
    await page.waitForFunction(() => window.bench && window.bench.ready, null, { timeout: 30000 });
    await page.evaluate((t) => {
      localStorage.setItem("w3a:session_id", t.sessionId);
      localStorage.setItem("w3a:access_token", t.access_token);
      if (t.id_token) localStorage.setItem("w3a:id_token", t.id_token);
    }, t);
    const r = await page.evaluate(() => window.bench.run());
    if (r.username !== "bench") problems.push(`${impl}: authorize() gave ${JSON.stringify(r)} ${log.join(" ")}`);
    return r;
  } finally {
    await context.close();
  }
}

const samples = { orig: [], ours: [], auth: [] };
try {
  for (let i = 0; i < SAMPLES; i++) for (const impl of IMPLS) samples[impl].push(await sample(impl));
} finally {
  await browser.close();
  await server.stop();
}

const figures = {};
console.log(`cold start (Chromium, fresh context per sample, ${SAMPLES} samples each, alternating; ms, median [min])`);
for (const impl of IMPLS) {
  const total = samples[impl].map((s) => s.totalMs);
  const imp = samples[impl].map((s) => s.importMs);
  figures[impl] = { totalMs: median(total), importMs: median(imp), totalMin: Math.min(...total), importMin: Math.min(...imp) };
  console.log(
    `  ${LABEL[impl].padEnd(17)} import ${fmtInt(figures[impl].importMs)} [${fmtInt(figures[impl].importMin)}]` +
      `   import + first authorize() ${fmtInt(figures[impl].totalMs)} [${fmtInt(figures[impl].totalMin)}]`,
  );
}
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : "n/a");
for (const impl of ["ours", "auth"])
  console.log(
    `  ${LABEL[impl]}/original time: import ${ratio(figures[impl].importMs, figures.orig.importMs)}, ` +
      `import + first authorize() ${ratio(figures[impl].totalMs, figures.orig.totalMs)}`,
  );
// Paired: each round samples the three one after the other, so a round's ratio compares runs made
// in the same state of the machine; their median is steadier than the ratio of the medians when
// the machine's load moves during the run. Printed with the middle half of the rounds' ratios.
const quart = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
for (const impl of ["ours", "auth"]) {
  const r = samples[impl].map((s, i) => s.totalMs / samples.orig[i].totalMs);
  figures[impl].pairedRatio = median(r);
  console.log(
    `  ${LABEL[impl]}/original, paired by round: import + first authorize() median ${median(r).toFixed(2)}` +
      ` (middle half ${quart(r, 0.25).toFixed(2)}–${quart(r, 0.75).toFixed(2)})`,
  );
}
saveResult("coldstart", { samples: SAMPLES, figures, problems });
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
