// Counts one suite's results from its log against the minimums in scripts/test-suites.txt, so that a
// suite cannot pass by vanishing: a test binary (or node suite) that is missing, prints no summary,
// crashes, or runs fewer tests than its minimum is counted as failed, with a line that says why.
//
// usage: node scripts/count-tests.mjs SUITE LOG EXIT_CODE
// prints the reasons, then a last line "PASSED FAILED" that scripts/test.sh adds to its totals.
// usage: node scripts/count-tests.mjs --list SUITE LOG
// prints manifest lines (`SUITE cargo KEY RAN`) for the binaries a log shows, to update the manifest.
//
// Suites of cargo test / wasm-bindgen-test-runner are counted per test binary, keyed as
// `<source path>@<binary name>` from cargo's `Running tests/cookie.rs (target/.../cookie-0123abcd)` lines
// (`doc@<crate>` for doc tests). Node suites (`node --test`, TAP) are counted from `# pass N` / `# fail N`.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const listing = process.argv[2] === "--list";
const [suite, logPath, exitArg] = process.argv.slice(listing ? 3 : 2);
const exitCode = Number(exitArg ?? 1);
const manifestPath = join(dirname(fileURLToPath(import.meta.url)), "test-suites.txt");

const expected = new Map(); // key -> minimum
let kind = null;
for (const raw of readFileSync(manifestPath, "utf8").split("\n")) {
  const line = raw.replace(/#.*/, "").trim();
  if (!line) continue;
  const [name, type, key, min] = line.split(/\s+/);
  if (name !== suite) continue;
  if (kind && kind !== type) throw new Error(`${manifestPath}: suite ${suite} mixes kinds`);
  kind = type;
  expected.set(key, Number(min));
}
if (listing) kind = "cargo";
if (!kind) {
  console.log(`${suite}: not listed in scripts/test-suites.txt`);
  console.log("0 1");
  process.exit(0);
}

let log = "";
try {
  log = readFileSync(logPath, "utf8");
} catch {
  console.log(`${suite}: no log at ${logPath}`);
}

let passed = 0;
let failed = 0;
const reasons = [];

if (kind === "cargo") {
  const seen = new Map(); // key -> {passed, failed} | null (no summary yet)
  let current = null;
  for (const line of log.split("\n")) {
    let m = line.match(/^\s*Running (?:unittests )?(\S+) \(([^)]+)\)/);
    if (m) {
      const file = m[2].split("/").pop().replace(/\.(wasm|exe)$/, "").replace(/-[0-9a-f]{16}$/, "");
      current = `${m[1]}@${file}`;
      if (!seen.has(current)) seen.set(current, null);
      continue;
    }
    m = line.match(/^\s*Doc-tests (\S+)/);
    if (m) {
      current = `doc@${m[1]}`;
      if (!seen.has(current)) seen.set(current, null);
      continue;
    }
    m = line.match(/^test result: \w+\. (\d+) passed; (\d+) failed/);
    if (m && current) {
      const prev = seen.get(current) ?? { passed: 0, failed: 0 };
      seen.set(current, { passed: prev.passed + Number(m[1]), failed: prev.failed + Number(m[2]) });
      current = null;
    }
  }
  if (listing) {
    for (const [key, got] of seen) console.log(`${suite} cargo ${key} ${got ? got.passed + got.failed : 0}`);
    process.exit(0);
  }
  for (const [key, min] of expected) {
    const got = seen.get(key);
    if (got === undefined) {
      reasons.push(`MISSING: ${key} did not run (expected at least ${min} tests)`);
      failed += Math.max(min, 1);
    } else if (got === null) {
      reasons.push(`CRASHED: ${key} printed no test summary (counted as ${Math.max(min, 1)} failed)`);
      failed += Math.max(min, 1);
    } else {
      passed += got.passed;
      failed += got.failed;
      const ran = got.passed + got.failed;
      if (ran < min) {
        reasons.push(`TOO FEW: ${key} ran ${ran} tests, expected at least ${min}`);
        failed += min - ran;
      }
    }
  }
  for (const [key, got] of seen) {
    if (!expected.has(key)) {
      reasons.push(`UNLISTED: ${key} is not in scripts/test-suites.txt (add it with its minimum)`);
      failed += 1;
      if (got) {
        passed += got.passed;
        failed += got.failed;
      }
    }
  }
} else if (kind === "node") {
  const min = expected.get("-") ?? 1;
  const sum = (re) => [...log.matchAll(re)].reduce((s, m) => s + Number(m[1]), 0);
  const hasSummary = /^# pass \d+$/m.test(log) && /^# fail \d+$/m.test(log);
  if (!hasSummary) {
    reasons.push(`NO SUMMARY: ${suite} printed no "# pass N" / "# fail N" (counted as ${Math.max(min, 1)} failed)`);
    failed += Math.max(min, 1);
  } else {
    passed = sum(/^# pass (\d+)$/gm);
    failed = sum(/^# fail (\d+)$/gm);
    if (passed + failed < min) {
      reasons.push(`TOO FEW: ${suite} ran ${passed + failed} tests, expected at least ${min}`);
      failed += min - (passed + failed);
    }
  }
} else {
  throw new Error(`${manifestPath}: unknown kind ${kind}`);
}

if (exitCode !== 0 && failed === 0) {
  reasons.push(`EXIT ${exitCode}: ${suite} failed without a failing test in its summary`);
  failed = 1;
}
for (const r of reasons) console.log(r);
console.log(`${passed} ${failed}`);
