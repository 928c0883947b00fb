// The Worker-ready figures: the Vite-built app's ready time, where it goes
// (profile marks on both sides of the bridge), and the package served
// unbundled, cold and warm; each against an empty module worker of the
// same run, with the target beside the ratio.
import { num, summarize } from "./stats.mjs";

/** Targets of issue 10 (ratios to an empty module worker, medians, same run). */
export const READY_TARGETS = { vite: 1.6, unbundled: 2.0 };

/** Medians of the per-round ratios (each round ran every contestant once). */
const paired = (samples, baseline) => summarize(samples.map((t, i) => t / baseline[i]));

export function analyzeReady(raw, profile, unbundled) {
  const out = {
    emptyMs: summarize(raw.empty),
    emptyCompilingMs: raw.emptyCompiling?.length ? summarize(raw.emptyCompiling) : undefined,
    runtimeMs: summarize(raw.runtime),
    runtimeSessionMs: raw.runtimeSession?.length ? summarize(raw.runtimeSession) : undefined,
    runtimeStaticMs: summarize(raw.runtimeStatic),
    ratio: paired(raw.runtime, raw.empty),
    ratioSession: raw.runtimeSession?.length ? paired(raw.runtimeSession, raw.empty) : undefined,
    ratioStatic: paired(raw.runtimeStatic, raw.empty),
    firstMs: raw.first,
    firstOrder: raw.firstOrder ?? ["empty", "runtime", "runtimeStatic"],
  };
  if (profile) out.profile = { runtime: timeline(profile.runtime), empty: timeline(profile.empty) };
  if (unbundled) out.unbundled = analyzeUnbundled(unbundled);
  return out;
}

/**
 * Rounds of { mark: ms since new Worker } → the marks in the order of their
 * medians, each with its median and the median per-round gap to the mark
 * before it (marks missing from a round are left out of that round).
 */
function timeline(rounds) {
  const names = [...new Set(rounds.flatMap((r) => Object.keys(r)))];
  const at = Object.fromEntries(names.map((n) => [n, summarize(rounds.map((r) => r[n]).filter(Number.isFinite))]));
  names.sort((a, b) => at[a].median - at[b].median);
  return names.map((name, i) => {
    const before = names[i - 1];
    const gaps = before ? rounds.filter((r) => Number.isFinite(r[name]) && Number.isFinite(r[before])).map((r) => r[name] - r[before]) : [];
    return { name, at: at[name], gap: gaps.length ? summarize(gaps).median : undefined };
  });
}

const UNBUNDLED = {
  directModules: "dist/ as built (one file per module): import + init + createSession",
  directBundle: "single-file build dist/rkat-web.js: import + init + createSession",
  exposeModules: "dist/worker/ as built: exposeRuntime; connectRuntime + createSession",
  exposeBundle: "dist/rkat-web-worker.js: exposeRuntime; connectRuntime + createSession",
};

function analyzeUnbundled(raw) {
  const out = { cold: {}, warm: {} };
  for (const temp of ["cold", "warm"]) {
    const T = temp === "cold" ? "Cold" : "Warm";
    const empty = raw[`empty${T}`];
    if (!empty) continue;
    out[temp].emptyMs = summarize(empty);
    for (const name of Object.keys(UNBUNDLED)) {
      const samples = raw[`${name}${T}`];
      if (samples) out[temp][name] = { ms: summarize(samples), ratio: paired(samples, empty) };
    }
  }
  return out;
}

const FIRST_LABELS = { empty: "empty", emptyCompiling: "empty while compiling", runtime: "runtime", runtimeStatic: "static glue" };
const spread = (s, unit = "") => `p25–p75 ${num(s.p25)}–${num(s.p75)}${unit}, n=${s.n}`;
const verdict = (ratio, target) => `target ≤ ${target.toFixed(1)}×: ${ratio <= target ? "met" : "NOT met"}`;

export function printReady(lines, r) {
  const row = (label, s) => `  ${label.padEnd(62)} ${num(s.median).padStart(6)} ms  (${spread(s, " ms")})`;
  lines.push(
    "",
    "## Worker-ready time, Chromium, Vite-built app (new Worker() → ready; warm HTTP cache, revalidated; gc() before each sample)",
    row('empty module worker posts "ready"', r.emptyMs),
  );
  if (r.emptyCompilingMs) {
    lines.push(
      `${row("  … while the page fetches and compiles the core's wasm", r.emptyCompilingMs)}  (connectRuntime's head start: its share of the start on these 2 cores, about 2/3 the fetch, 1/3 the compile)`,
    );
  }
  lines.push(row("connectRuntime(worker, config) resolved", r.runtimeMs));
  if (r.runtimeSessionMs) lines.push(row("  … and its first createSession() resolved", r.runtimeSessionMs));
  lines.push(
    row("same, worker with static glue import + exposeRuntime(wasm)", r.runtimeStaticMs),
    `  ratio runtime / empty worker: ${r.ratio.median.toFixed(2)}× (p25–p75 ${r.ratio.p25.toFixed(2)}–${r.ratio.p75.toFixed(2)}; ${verdict(r.ratio.median, READY_TARGETS.vite)}); static glue: ${r.ratioStatic.median.toFixed(2)}×${r.ratioSession ? `; with the first session: ${r.ratioSession.median.toFixed(2)}×` : ""}; reference implementation: 17×`,
    `  first round, fresh browser context, in this order (the first runtime loads the wasm with a cold HTTP cache): ${r.firstOrder.map((name) => `${FIRST_LABELS[name]} ${num(r.firstMs[name])} ms`).join(", ")}`,
  );
  if (r.profile) printProfile(lines, r.profile);
  if (r.unbundled) printUnbundled(lines, r.unbundled);
}

function printProfile(lines, p) {
  lines.push(
    "",
    "## Where the ready time goes (profile marks; ms since new Worker, medians; gap = median per-round time since the mark above)",
    "  (the Worker's marks are taken from outside the package: wrapped fetch, WebAssembly.*, the core's exports, postMessage; they add a little time)",
  );
  for (const [title, marks] of [["README's worker (exposeRuntime) + connectRuntime + createSession", p.runtime], ["empty module worker", p.empty]]) {
    lines.push(`  ${title}:`);
    for (const m of marks) {
      lines.push(`    ${m.name.padEnd(58)} ${num(m.at.median).padStart(6)} ms  ${m.gap === undefined ? "" : `+${num(m.gap)}`.padStart(7)}`);
    }
  }
}

function printUnbundled(lines, u) {
  lines.push("", "## Worker ready, the package served unbundled as ES modules (dist/, pkg/ as plain files; no bundler)");
  for (const [temp, title] of [["cold", "cold: every sample at new URLs (no HTTP or code cache)"], ["warm", "warm: the same URLs each round (revalidated)"]]) {
    const t = u[temp];
    if (!t.emptyMs) continue;
    lines.push(`  ${title}`, `    ${"empty module worker".padEnd(66)} ${num(t.emptyMs.median).padStart(6)} ms`);
    for (const [name, label] of Object.entries(UNBUNDLED)) {
      if (!t[name]) continue;
      const target = temp === "cold" && name.startsWith("direct") ? `; ${verdict(t[name].ratio.median, READY_TARGETS.unbundled)}` : "";
      lines.push(`    ${label.padEnd(66)} ${num(t[name].ms.median).padStart(6)} ms  ${t[name].ratio.median.toFixed(2)}× (p25–p75 ${t[name].ratio.p25.toFixed(2)}–${t[name].ratio.p75.toFixed(2)}${target})`);
    }
  }
}

/** README rows. */
export function readyReadmeRows(r) {
  const rows = [
    [
      "Worker ready, Vite-built app (`new Worker` → `connectRuntime` resolved)",
      `${num(r.runtimeMs.median)} ms`,
      `${r.ratio.median.toFixed(2)}× an empty module worker (${num(r.emptyMs.median)} ms; target ≤ ${READY_TARGETS.vite}×); reference: 17×`,
    ],
  ];
  const cold = r.unbundled?.cold;
  const best = cold?.directBundle ?? cold?.directModules;
  if (best) {
    rows.push([
      `Worker ready, the package served unbundled (${cold.directBundle ? "`dist/rkat-web.js`" : "dist/ as built"}: import + \`MeerkatRuntime.init\` + \`createSession\`, cold)`,
      `${num(best.ms.median)} ms`,
      `${best.ratio.median.toFixed(2)}× an empty module worker (${num(cold.emptyMs.median)} ms; target ≤ ${READY_TARGETS.unbundled}×)${cold.directBundle && cold.directModules ? `; dist/ as built: ${cold.directModules.ratio.median.toFixed(2)}×` : ""}`,
    ]);
  }
  return rows;
}
