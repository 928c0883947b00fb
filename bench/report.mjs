// Turns raw samples into figures (medians with spread, paired ratios) and
// prints the report and the README table.
import { PARTS as BREAKDOWN_PARTS } from "./breakdown-node.mjs";
import { kb, num, scale, summarize } from "./stats.mjs";

const LABELS = {
  floor: "floor (hand-written JS SSE parser)",
  stream: "@rkat/web session.stream() + for await",
  turnPoll: "@rkat/web turn() + pollEvents()",
  floorMain: "floor on the main thread",
  bridgeStream: "@rkat/web via Worker bridge: connectRuntime + stream",
};

const sizeLabel = (size) => (size >= 1024 ? `${size / 1024} KiB` : `${size} B`);

/** Medians of the per-round ratios (each round ran every contestant once). */
function pairedRatio(samples, baseline) {
  return summarize(samples.map((t, i) => t / baseline[i]));
}

/** Raw { events, bytes, bySize: { size: { chunks, ms: { name: [ms] } } } } → ns/event and ratios to `baseline`. */
export function analyzeEvents(raw, baseline) {
  const bySize = {};
  for (const [size, { chunks, ms }] of Object.entries(raw.bySize)) {
    const nsPerEvent = {};
    const ratioToBaseline = {};
    for (const [name, samples] of Object.entries(ms)) {
      nsPerEvent[name] = scale(summarize(samples), 1e6 / raw.events);
      if (name !== baseline) ratioToBaseline[name] = pairedRatio(samples, ms[baseline]);
    }
    bySize[size] = { chunks, nsPerEvent, ratioToBaseline };
  }
  return { events: raw.events, bytes: raw.bytes, baseline, bySize };
}

export function analyzeReady(raw) {
  return {
    emptyMs: summarize(raw.empty),
    runtimeMs: summarize(raw.runtime),
    runtimeStaticMs: summarize(raw.runtimeStatic),
    ratio: pairedRatio(raw.runtime, raw.empty),
    ratioStatic: pairedRatio(raw.runtimeStatic, raw.empty),
    firstMs: raw.first,
  };
}

const spread = (s, unit = "") => `p25–p75 ${num(s.p25)}–${num(s.p75)}${unit}, min–max ${num(s.min)}–${num(s.max)}${unit}, n=${s.n}`;
const times = (s) => `${s.median.toFixed(2)}×`;

function printEvents(lines, title, analyzed) {
  lines.push("", `## ${title}`, `${analyzed.events.toLocaleString("en")} text_delta events, ${analyzed.bytes.toLocaleString("en")} B body; ns per event = run time / ${analyzed.events.toLocaleString("en")}; ratio = median of per-round ratios to the ${analyzed.baseline === "floor" ? "floor" : "main-thread floor"}`);
  for (const [size, figures] of Object.entries(analyzed.bySize).sort((a, b) => b[0] - a[0])) {
    lines.push(`  ${sizeLabel(Number(size))} chunks (${figures.chunks} reads):`);
    for (const [name, s] of Object.entries(figures.nsPerEvent)) {
      const r = figures.ratioToBaseline[name];
      const ratioText = r ? `  ${times(r)} (p25–p75 ${r.p25.toFixed(2)}–${r.p75.toFixed(2)})` : "";
      lines.push(`    ${(LABELS[name] ?? name).padEnd(54)} ${num(s.median).padStart(6)} ns/event  (${spread(s)})${ratioText}`);
    }
  }
}

/** The report as lines of text, then the README table. */
export function formatReport(results) {
  const lines = [];
  const { meta } = results;
  lines.push(
    `# @rkat/web benchmarks`,
    `${meta.date} · node ${meta.node} · ${meta.chromium ? `Chromium ${meta.chromium} · ` : ""}${meta.cpus} × ${meta.cpuModel} · commit ${meta.commit} · ${meta.runs} runs after ${meta.warmup} warm-up${meta.quick ? " (--quick)" : ""}`,
  );

  if (results.size) {
    const { wasm, app, target, reference } = results.size;
    lines.push(
      "",
      "## Size (gzip -9, 1 KB = 1000 B)",
      `  wasm pkg/meerkat_web_runtime_bg.wasm: ${wasm.raw.toLocaleString("en")} B raw, ${kb(wasm.gzip)} gzip  (reference: ${(reference.wasmGzip / 1e6).toFixed(1)} MB gzip, ${Math.round(reference.wasmGzip / wasm.gzip)}× larger)`,
      "  consumer app (bench/size-app: connectRuntime page + exposeRuntime worker, vite build):",
    );
    for (const f of app.files) lines.push(`    ${f.file.padEnd(50)} ${f.raw.toLocaleString("en").padStart(8)} B  ${kb(f.gzip).padStart(9)} gzip`);
    lines.push(
      `    ${"total".padEnd(50)} ${app.total.raw.toLocaleString("en").padStart(8)} B  ${kb(app.total.gzip).padStart(9)} gzip  (JS ${kb(app.total.jsGzip)}, wasm ${kb(app.total.gzip - app.total.jsGzip)})`,
      `  target ≤ ${kb(target)} gzip total: ${app.total.gzip <= target ? "within" : "OVER"} (${((100 * app.total.gzip) / target).toFixed(0)}% of it)`,
    );
  }
  if (results.node) printEvents(lines, "Per-event cost, Node (in-process MeerkatRuntime)", results.node);
  if (results.breakdown) {
    const b = results.breakdown;
    const { turnPoll, stream } = b.nsPerEvent;
    lines.push(
      "",
      `## Where the time goes, Node, ${sizeLabel(b.size)} chunks (wasm calls and JSON.parse timed; ns/event, median)`,
      `    ${"".padEnd(56)} ${"turn()+poll".padStart(11)} ${"stream()".padStart(9)}`,
    );
    for (const [key, label] of Object.entries(BREAKDOWN_PARTS)) {
      const share = (s, t) => `${num(s.median).padStart(6)} ${`${((100 * s.median) / t.median).toFixed(0)}%`.padStart(4)}`;
      lines.push(`    ${label.padEnd(56)} ${share(turnPoll[key], turnPoll.total)} ${share(stream[key], stream.total)}`);
    }
    lines.push(`    ${"total".padEnd(56)} ${num(turnPoll.total.median).padStart(6)}      ${num(stream.total.median).padStart(6)}`);
    const floor = results.node?.bySize[b.size]?.nsPerEvent.floor;
    if (floor) lines.push(`    (the whole JS floor, for scale: ${num(floor.median)} ns/event)`);
  }
  if (results.browser?.events) printEvents(lines, "Per-event cost, Chromium module Worker (in-Worker MeerkatRuntime)", results.browser.events);
  if (results.browser?.bridge) printEvents(lines, "End to end, Chromium: main thread ⇄ Worker bridge (comlink, event batches)", results.browser.bridge);
  if (results.ready) {
    const r = results.ready;
    lines.push(
      "",
      "## Worker-ready time, Chromium (new Worker() → ready; warm HTTP cache, revalidated)",
      `  ${'empty module worker posts "ready"'.padEnd(58)} ${num(r.emptyMs.median).padStart(6)} ms  (${spread(r.emptyMs, " ms")})`,
      `  ${"connectRuntime(worker, config) resolved".padEnd(58)} ${num(r.runtimeMs.median).padStart(6)} ms  (${spread(r.runtimeMs, " ms")})`,
      `  ${"same, worker with static glue import + exposeRuntime(wasm)".padEnd(58)} ${num(r.runtimeStaticMs.median).padStart(6)} ms  (${spread(r.runtimeStaticMs, " ms")})`,
      `  ratio runtime / empty worker: ${times(r.ratio)} (p25–p75 ${r.ratio.p25.toFixed(2)}–${r.ratio.p75.toFixed(2)}); static glue: ${times(r.ratioStatic)}; reference implementation: 17×`,
      `  first round, fresh browser context: empty ${num(r.firstMs.empty)} ms, runtime ${num(r.firstMs.runtime)} ms (cold: first wasm load), static glue ${num(r.firstMs.runtimeStatic)} ms`,
    );
  }
  if (results.checks) {
    lines.push("", "## Bug checks (the reference implementation fails these)");
    for (const [realm, list] of Object.entries(results.checks)) {
      for (const c of list) lines.push(`  ${c.pass ? "PASS" : "FAIL"} [${realm}] ${c.name}: ${c.detail}`);
    }
  }
  lines.push("", ...readmeTable(results));
  return lines.join("\n");
}

/** Rows for the README: figure, value, comparison. */
export function readmeTable(results) {
  const rows = [];
  const us = (ns) => `${(ns / 1000).toFixed(2)} µs`;
  if (results.size) {
    const { wasm, app, target, reference } = results.size;
    rows.push([
      "wasm, gzip -9",
      `${kb(wasm.gzip)} (${kb(wasm.raw)} raw)`,
      `reference: ${(reference.wasmGzip / 1e6).toFixed(1)} MB (${Math.round(reference.wasmGzip / wasm.gzip)}× larger)`,
    ]);
    rows.push([
      "Consumer app total (page JS + worker JS + wasm), gzip -9",
      kb(app.total.gzip),
      `target ≤ ${kb(target)} (${((100 * app.total.gzip) / target).toFixed(0)}% of it)`,
    ]);
  }
  const eventRows = (realm, analyzed, names, baselineLabel) => {
    for (const [size, f] of Object.entries(analyzed.bySize).sort((a, b) => b[0] - a[0])) {
      for (const name of names) {
        if (!f.nsPerEvent[name]) continue;
        const what = { stream: "`session.stream()`", turnPoll: "`turn()` + `pollEvents()`", bridgeStream: "`connectRuntime` + `stream()` over the Worker bridge" }[name];
        rows.push([
          `Per text_delta, ${realm}, ${what}, ${sizeLabel(Number(size))} chunks`,
          us(f.nsPerEvent[name].median),
          `${times(f.ratioToBaseline[name])} ${baselineLabel} (${us(f.nsPerEvent[analyzed.baseline].median)})`,
        ]);
      }
    }
  };
  if (results.node) eventRows("Node", results.node, ["stream", "turnPoll"], "the JS floor");
  if (results.browser?.events) eventRows("Chromium Worker", results.browser.events, ["stream", "turnPoll"], "the JS floor");
  if (results.browser?.bridge) eventRows("Chromium", results.browser.bridge, ["bridgeStream"], "the JS floor on the main thread");
  if (results.ready) {
    const r = results.ready;
    rows.push([
      "Worker ready (`new Worker` → `connectRuntime` resolved)",
      `${num(r.runtimeMs.median)} ms`,
      `${times(r.ratio)} an empty module worker (${num(r.emptyMs.median)} ms); reference: 17×`,
    ]);
  }
  if (results.checks) {
    const all = Object.values(results.checks).flat();
    const passed = all.filter((c) => c.pass).length;
    rows.push([
      "Bug checks: all 20,000 events from one `pollEvents()`; UTF-8 split across chunks",
      `${passed}/${all.length} pass`,
      "the reference fails both (it silently caps a poll at 256 events)",
    ]);
  }
  return ["| Figure | Value | Comparison |", "|---|---|---|", ...rows.map((r) => `| ${r.join(" | ")} |`)];
}
