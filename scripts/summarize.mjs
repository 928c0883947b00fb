// Sums the suites' reports into the one line CI reads: "N passed, N failed".
// A suite that left no report counts as one failure.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? ".reports";
const suites = [];

function cargo() {
  const path = join(dir, "cargo.log");
  if (!existsSync(path)) return { passed: 0, failed: 1 };
  const log = readFileSync(path, "utf8");
  let passed = 0;
  let failed = 0;
  let seen = false;
  for (const m of log.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    seen = true;
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  if (/error(\[E\d+\])?: could not compile/.test(log) || !seen) failed += 1;
  return { passed, failed };
}

/** Lint counts as one check: a warning fails it. */
function clippy() {
  const path = join(dir, "clippy.status");
  const ok = existsSync(path) && readFileSync(path, "utf8").trim() === "ok";
  return { passed: ok ? 1 : 0, failed: ok ? 0 : 1 };
}

function vitest() {
  const path = join(dir, "vitest.json");
  if (!existsSync(path)) return { passed: 0, failed: 1 };
  const r = JSON.parse(readFileSync(path, "utf8"));
  const suiteErrors = (r.testResults ?? []).filter((t) => t.status === "failed" && t.assertionResults?.length === 0).length;
  return { passed: r.numPassedTests ?? 0, failed: (r.numFailedTests ?? 0) + suiteErrors };
}

function playwright() {
  const path = join(dir, "playwright.json");
  if (!existsSync(path)) return { passed: 0, failed: 1 };
  const r = JSON.parse(readFileSync(path, "utf8"));
  const s = r.stats ?? {};
  return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: (s.unexpected ?? 0) + (r.errors?.length ?? 0) };
}

for (const [name, count] of [["cargo clippy", clippy], ["cargo test", cargo], ["vitest", vitest], ["playwright", playwright]]) {
  const c = count();
  suites.push(c);
  console.log(`${name}: ${c.passed} passed, ${c.failed} failed`);
}
const passed = suites.reduce((n, s) => n + s.passed, 0);
const failed = suites.reduce((n, s) => n + s.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
