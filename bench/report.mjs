// Turns raw samples into figures (medians with spread, paired ratios) and
// prints the report and the README table.
import { PARTS as BREAKDOWN_PARTS } from "./breakdown-node.mjs";
import { PROVIDER_IDS, PROVIDERS } from "./providers.mjs";
import { BRIDGE_TARGETS, mobBridgeReadmeRow, printBridgeProfile, printBridgeTargets, printMobBridge } from "./report-bridge.mjs";
import { mobReadmeRows, mobSizeRow, printMobs } from "./report-mobs.mjs";
import { printSoak, soakReadmeRows } from "./report-soak.mjs";
import { printReady, readyReadmeRows } from "./report-ready.mjs";
import { kb, num, scale, summarize } from "./stats.mjs";

export { analyzeReady } from "./report-ready.mjs";

/** What each lazily loaded group of the size app is (by its chunk's name). */
const LAZY = {
  "lazy-mobs": "mobs, at the first createMob",
  "expose-mob": "the Worker's mob methods, at its first mob call",
  pack: "the pack reader, when a pack is opened",
};

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
  return { provider: raw.provider ?? "anthropic", events: raw.events, bytes: raw.bytes, baseline, bySize };
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

/** Every provider's analyzed events in one realm: Anthropic from its own section, the others from `providers`. */
function byProvider(anthropic, others = {}) {
  const all = { anthropic, ...others };
  return PROVIDER_IDS.filter((id) => all[id]).map((id) => [id, all[id]]);
}

const VARIANTS = { stream: "stream()", turnPoll: "turn()+pollEvents()" };
const median = (s) => `${num(s.median)} (${num(s.p25)}–${num(s.p75)})`;

/** One compact table: wire format × variant × chunk size → runtime, floor, ratio. */
function printProviderTable(lines, title, entries, note) {
  if (entries.length < 2) return;
  const [, first] = entries[0];
  const n = Object.values(first.bySize)[0].nsPerEvent.floor.n;
  lines.push(
    "",
    `## ${title}`,
    `${first.events.toLocaleString("en")} text deltas per body, the same text in every format; each runtime figure against the hand-written floor for that format`,
    `ns/event: median (p25–p75) of ${n} runs; ratio: median (p25–p75) of the per-round runtime/floor ratios; bodies: ${entries.map(([id, a]) => `${PROVIDERS[id].label} ${a.bytes.toLocaleString("en")} B (${Math.round(a.bytes / a.events)} B/event)`).join(", ")}`,
    ...(note ? [note] : []),
    `    ${"wire format".padEnd(30)} ${"variant".padEnd(21)} ${"chunks".padStart(6)}  ${"runtime ns/event".padEnd(20)} ${"floor ns/event".padEnd(20)} ratio`,
  );
  for (const [id, analyzed] of entries) {
    for (const [size, f] of Object.entries(analyzed.bySize).sort((a, b) => b[0] - a[0])) {
      for (const [name, label] of Object.entries(VARIANTS)) {
        const r = f.ratioToBaseline[name];
        if (!r) continue;
        lines.push(
          `    ${PROVIDERS[id].label.padEnd(30)} ${label.padEnd(21)} ${sizeLabel(Number(size)).padStart(6)}  ${median(f.nsPerEvent[name]).padEnd(20)} ${median(f.nsPerEvent.floor).padEnd(20)} ${times(r)} (${r.p25.toFixed(2)}–${r.p75.toFixed(2)})`,
        );
      }
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
  if (meta.staleBuild?.length) lines.push(`WARNING: the build may not match the sources (${meta.staleBuild.join("; ")}): run npm run build`);

  if (results.size) {
    const { wasm, app, target, reference } = results.size;
    lines.push(
      "",
      "## Size (gzip -9, 1 KB = 1000 B)",
      `  wasm pkg/meerkat_web_runtime_bg.wasm: ${wasm.raw.toLocaleString("en")} B raw, ${kb(wasm.gzip)} gzip  (reference: ${(reference.wasmGzip / 1e6).toFixed(1)} MB gzip, ${Math.round(reference.wasmGzip / wasm.gzip)}× larger)`,
      "  consumer app (bench/size-app: connectRuntime page + exposeRuntime worker, vite build):",
    );
    const row = (name, { raw, gzip }) => `    ${name.padEnd(50)} ${raw.toLocaleString("en").padStart(8)} B  ${kb(gzip).padStart(9)} gzip`;
    for (const f of app.files) lines.push(`${row(f.file, f)}${f.lazy ? `  (lazy: ${f.lazy})` : ""}`);
    lines.push(`${row("total loaded at start", app.total)}  (JS ${kb(app.total.jsGzip)}, wasm ${kb(app.total.gzip - app.total.jsGzip)})`);
    for (const group of app.lazy) lines.push(`${row(`lazy: ${LAZY[group.name] ?? group.name}`, group)}`);
    lines.push(
      `  target ≤ ${kb(target)} gzip total: ${app.total.gzip <= target ? "within" : "OVER"} (${((100 * app.total.gzip) / target).toFixed(0)}% of it)`,
    );
    printModules(lines, results.size.modules, wasm);
  }
  if (results.node) printEvents(lines, "Per-event cost, Node (in-process MeerkatRuntime), Anthropic Messages", results.node);
  if (results.node) printProviderTable(lines, "Per-event cost by wire format, Node (in-process MeerkatRuntime)", byProvider(results.node, results.providers?.node));
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
  if (results.breakdown && results.breakdownByProvider) printBreakdownByProvider(lines, results);
  if (results.hooks) printHooks(lines, results.hooks);
  if (results.compaction) printLongHistory(lines, results.compaction);
  if (results.mobs) printMobs(lines, results.mobs);
  if (results.soak) printSoak(lines, results.soak);
  if (results.browser?.events) printEvents(lines, "Per-event cost, Chromium module Worker (in-Worker MeerkatRuntime), Anthropic Messages", results.browser.events);
  if (results.browser?.events) printProviderTable(lines, "Per-event cost by wire format, Chromium module Worker (in-Worker MeerkatRuntime)", byProvider(results.browser.events, results.providers?.chromium), "(Gemini with 16 KiB chunks only: a full run stays near 90 s)");
  if (results.browser?.bridge) printEvents(lines, "End to end, Chromium: main thread ⇄ Worker bridge (RPC, event batches)", results.browser.bridge);
  if (results.browser?.bridgeProfile) printBridgeProfile(lines, results.browser.bridgeProfile);
  if (results.browser?.mobBridge) printMobBridge(lines, results.browser.mobBridge);
  if (results.browser?.bridge || results.browser?.mobBridge) printBridgeTargets(lines, results.browser.bridge, results.browser.mobBridge);
  if (results.ready) printReady(lines, results.ready);
  if (results.checks) {
    lines.push("", "## Bug checks (the reference implementation fails these)");
    for (const [realm, list] of Object.entries(results.checks)) {
      for (const c of list) lines.push(`  ${c.pass ? "PASS" : "FAIL"} [${realm}] ${c.name}: ${c.detail}`);
    }
  }
  lines.push("", ...readmeTable(results));
  return lines.join("\n");
}

/** Each module's estimated share of the wasm (size-modules.mjs). */
function printModules(lines, modules, wasm) {
  if (!modules) return;
  if (modules.skipped) {
    lines.push(`  per module: skipped: ${modules.skipped}`);
    return;
  }
  lines.push(
    `  per module: estimate from ${modules.file} (cargo output before wasm-bindgen and wasm-opt, names kept; ${modules.tool})${modules.stale ? "  WARNING: older than meerkat-web-runtime/src" : ""}`,
    `    code section ${modules.codeBytes.toLocaleString("en")} B; that wasm without custom sections ${kb(modules.strippedGzip)} gzip (shipped, after wasm-opt -Oz: ${kb(wasm.gzip)})`,
    `    code bytes: twiggy shallow bytes of the functions whose names contain the path; gzip: what gzip -9 loses when those bodies become \`unreachable\``,
    `    ${"module".padEnd(28)} ${"".padEnd(44)} ${"functions".padStart(9)} ${"code bytes".padStart(11)} ${"of code".padStart(8)} ${"gzip".padStart(8)}`,
  );
  for (const m of modules.modules) {
    lines.push(
      `    ${m.module.padEnd(28)} ${m.label.padEnd(44)} ${String(m.functions).padStart(9)} ${m.bytes.toLocaleString("en").padStart(9)} B ${`${m.pctOfCode.toFixed(1)}%`.padStart(8)} ${kb(m.gzip).padStart(8)}`,
    );
  }
  const together = (label, p) =>
    `    ${label.padEnd(28)} ${"together (every stubbed at once)".padEnd(44)} ${"".padStart(9)} ${p.bytes.toLocaleString("en").padStart(9)} B ${`${((100 * p.bytes) / modules.codeBytes).toFixed(1)}%`.padStart(8)} ${kb(p.gzip).padStart(8)}`;
  lines.push(together("the six provider::… above", modules.providers));
  if (modules.mobs) lines.push(together("the four mob modules above", modules.mobs));
  lines.push("    (pre-wasm-opt code only: code LTO inlined into callers such as Runtime::dispatch and string data are not counted)");
  const mismatched = modules.modules.filter((m) => m.stubbed !== m.functions);
  if (mismatched.length) {
    lines.push(`    WARNING: the name section and twiggy disagree on the functions of ${mismatched.map((m) => `${m.module} (${m.stubbed} vs ${m.functions})`).join(", ")}`);
  }
}

const usSpread = (s) => `${num(s.median)} µs (${num(s.p25)}–${num(s.p75)})`;
const spansZero = (s) => s.p25 <= 0 && s.p75 >= 0;
/** µs as "33.0 µs" or "2.31 ms". */
const usText = (x) => (Math.abs(x) >= 1000 ? `${(x / 1000).toFixed(2)} ms` : `${num(x)} µs`);
const pct = (s) => `${(100 * s.median).toFixed(1)}% (${(100 * s.p25).toFixed(1)}–${(100 * s.p75).toFixed(1)})`;
const kB = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Median µs per command, largest first: "hook_result 22.3, tool_result 3.3, …". */
function byOp(ops, min = 0.5) {
  return Object.entries(ops)
    .filter(([, s]) => Math.abs(s.median) >= min)
    .sort((a, b) => Math.abs(b[1].median) - Math.abs(a[1].median))
    .map(([op, s]) => `${op} ${s.median >= 0 ? "+" : ""}${num(s.median)}`)
    .join(", ");
}

/** The core's cost of a foreground hook (core-node.mjs benchHooks). */
function printHooks(lines, h) {
  const row = (label, key, share) => {
    const cell = (kind) => `${usSpread(h[kind][key])}${share ? `  ${pct(h[kind][share])}` : ""}`;
    lines.push(`    ${label.padEnd(56)} ${cell("core").padEnd(44)} ${cell("host")}`);
  };
  lines.push(
    "",
    "## Foreground hooks, scripted core in Node (no network, no driver; every hook answered at once with allow)",
    `a run: ${h.rounds} tool-call round trips (request, streamed response with one tool call, tool effect, tool result) and a final answer, fresh session; ${h.reps} runs of each variant per round, interleaved; ${h.core.roundTripUs.n} rounds`,
    "core: time inside the wasm calls (glue included); host: + JSON.parse of every reply (a hook's context comes in one) and of the events, as the driver does",
    "a round's run time: per wasm call, the median over its runs, summed; µs: median (p25–p75) over rounds of the difference to the run without hooks, per hooked call; %: of that round's tool-call round trip without hooks",
    `    ${"".padEnd(56)} ${"core".padEnd(44)} host`,
  );
  row("tool-call round trip, no hook (run time / round trips)", "roundTripUs");
  row("pre_tool_execution hook, per tool call", "perToolCallUs", "perToolCallShare");
  row(`pre_llm_request hook, per request (${h.rounds + 1} a run)`, "perRequestUs", "perRequestShare");
  row("one empty command through the boundary, for scale", "commandUs");
  lines.push(
    `    where a hook's core time goes, µs per hooked call by command (vs the same command without hooks):`,
    `      pre_tool_execution: ${byOp(h.byOp.preTool)}`,
    `      pre_llm_request:    ${byOp(h.byOp.preLlm)}`,
    `      (no hook, µs per round trip: ${byOp(h.byOp.none)})`,
    `    hook contexts: pre_tool_execution ${h.toolCtxBytes} B; pre_llm_request the whole request (${kB(h.lastLlmCtxBytes)} at the last request, whose body is ${kB(h.lastRequestBytes)})`,
  );
}

/** Compaction bookkeeping and a pre_llm_request hook on a long history (core-node.mjs benchLongHistory). */
function printLongHistory(lines, c) {
  const row = (label, key, share) => {
    const cell = (kind) => `${usSpread(c[kind][key])}${share ? `  ${share === "compactRatio" ? `${c[kind][share].median.toFixed(2)}× (${c[kind][share].p25.toFixed(2)}–${c[kind][share].p75.toFixed(2)})` : pct(c[kind][share])}` : ""}`;
    lines.push(`    ${label.padEnd(58)} ${cell("core").padEnd(46)} ${cell("host")}`);
  };
  const n = c.core.compactUs.n;
  lines.push(
    "",
    `## Long history, scripted core in Node: ${c.history} text turns behind each session (${c.messagesBefore} messages when compacted)`,
    `${n} rounds, each with three freshly built sessions and ${c.turns} turns on each, interleaved; request body ${kB(c.requestBytes)}`,
    "a round's turn time: per wasm call, the median over its turns, summed; µs: median (p25–p75) over rounds; %: of that round's turn without compaction or hooks; compact(): one per round; core / host as above",
    `    ${"".padEnd(58)} ${"core".padEnd(46)} host`,
  );
  row("text turn, no compaction, no hook (the baseline)", "turnUs");
  row("compaction configured, never due: deciding, per request", "decisionUs", "decisionShare");
  if (spansZero(c.core.decisionUs) || c.core.decisionUs.median <= 0) {
    lines.push("      (zero or below, or its p25–p75 spans zero: the token estimate is below what this comparison resolves)");
  }
  row(`pre_llm_request hook, per request (context ${kB(c.ctxBytes)})`, "perRequestHookUs", "perRequestHookShare");
  row(`session.compact(), summary answered at once`, "compactUs", "compactRatio");
  const turn = c.byOp.turn;
  const compact = c.byOp.compact;
  lines.push(
    `    session.compact() by command (core µs): compact (plan; the summary request built, ${kB(c.summaryRequestBytes)}) ${num(compact.compact.median)}, body pushed ${num(compact.pushBody.median)}, http_end (the summary applied, ${c.messagesBefore} → ${c.messagesAfter} messages; the run reported) ${num(compact.http_end.median)}`,
    `    an ordinary turn on the same history by command (core µs): turn (the request built) ${num(turn.turn.median)}, body pushed ${num(turn.pushBody.median)}, http_end ${num(turn.http_end.median)}`,
    `    where the hook's core time goes, µs per request by command: ${byOp(c.byOp.hooked)}`,
  );
}

/** Where the time goes in turn()+pollEvents(), one column per wire format. */
function printBreakdownByProvider(lines, results) {
  const columns = [["anthropic", results.breakdown], ...Object.entries(results.breakdownByProvider)];
  const width = 14;
  lines.push(
    "",
    `## Where the time goes by wire format, Node, turn()+pollEvents(), ${sizeLabel(results.breakdown.size)} chunks (ns/event, median, share)`,
    `    ${"".padEnd(56)} ${columns.map(([id]) => PROVIDERS[id].short.padStart(width)).join(" ")}`,
  );
  for (const [key, label] of Object.entries(BREAKDOWN_PARTS)) {
    const cells = columns.map(([, b]) => {
      const s = b.nsPerEvent.turnPoll[key];
      const t = b.nsPerEvent.turnPoll.total;
      return `${num(s.median)} ${`${((100 * s.median) / t.median).toFixed(0)}%`.padStart(4)}`.padStart(width);
    });
    lines.push(`    ${label.padEnd(56)} ${cells.join(" ")}`);
  }
  lines.push(`    ${"total".padEnd(56)} ${columns.map(([, b]) => `${num(b.nsPerEvent.turnPoll.total.median)}     `.padStart(width)).join(" ")}`);
  const floors = columns.map(([id]) => (id === "anthropic" ? results.node : results.providers?.node?.[id])?.bySize[results.breakdown.size]?.nsPerEvent.floor);
  if (floors.every(Boolean)) lines.push(`    ${"(the whole JS floor of the format, for scale)".padEnd(56)} ${floors.map((f) => `${num(f.median)}     `.padStart(width)).join(" ")}`);
  lines.push(`    ${"(body bytes per event)".padEnd(56)} ${columns.map(([, b]) => `${Math.round(b.bytes / b.events)}     `.padStart(width)).join(" ")}`);
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
    const lazy = (name) => app.lazy.find((g) => g.name === name);
    if (lazy("lazy-mobs")) {
      rows.push([
        "Mobs and HTTP skill sources, loaded by the app's first `createMob` or HTTP skill source (the core's mob part, the `Mob` class and the Worker's mob methods), gzip -9",
        kb(lazy("lazy-mobs").gzip + (lazy("expose-mob")?.gzip ?? 0)),
        `not part of the app's start; ${kb(results.size.part.gzip)} of it is the mob part's wasm`,
      ]);
    }
    if (lazy("pack")) {
      rows.push([
        "Mobpack reader, loaded only by `initFromMobpack` / `inspectMobpack` (the core's pack part and its JS), gzip -9",
        kb(lazy("pack").gzip),
        `not part of the app's start; ${kb(results.size.packPart.gzip)} of it is the pack part's wasm`,
      ]);
    }
    const modules = results.size.modules;
    if (modules && !modules.skipped) {
      for (const m of modules.modules) {
        rows.push([
          `wasm code of \`${m.module.replace(/::$/, "")}\`: ${m.label} (pre-wasm-opt estimate)`,
          `${kb(m.bytes)} code (${m.pctOfCode.toFixed(1)}%)`,
          `≈ ${kb(m.gzip)} gzip`,
        ]);
      }
      if (modules.mobs) rows.push(mobSizeRow(modules));
    }
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
  if (results.node) eventRows("Node, Anthropic", results.node, ["stream", "turnPoll"], "the JS floor");
  if (results.browser?.events) eventRows("Chromium Worker, Anthropic", results.browser.events, ["stream", "turnPoll"], "the JS floor");
  // The other wire formats, each against its own floor: 16 KiB chunks in
  // Node, every size measured in Chromium (OpenAI's have a target there).
  for (const [realm, others, sizes] of [
    ["Node", results.providers?.node, [16 * 1024]],
    ["Chromium Worker", results.providers?.chromium, [16 * 1024, 1024]],
  ]) {
    for (const [id, analyzed] of Object.entries(others ?? {})) {
      for (const size of sizes) {
        const f = analyzed.bySize[size];
        if (!f) continue;
        const target = realm !== "Node" && id.startsWith("openai-") ? "; target ≤ 1.0×" : "";
        for (const name of ["stream", "turnPoll"]) {
          rows.push([
            `Per text_delta, ${realm}, ${PROVIDERS[id].label}, ${{ stream: "`session.stream()`", turnPoll: "`turn()` + `pollEvents()`" }[name]}, ${sizeLabel(size)} chunks`,
            us(f.nsPerEvent[name].median),
            `${times(f.ratioToBaseline[name])} its JS floor (${us(f.nsPerEvent.floor.median)})${target}`,
          ]);
        }
      }
    }
  }
  if (results.browser?.bridge) {
    const from = rows.length;
    eventRows("Chromium", results.browser.bridge, ["bridgeStream"], "the JS floor on the main thread");
    for (const row of rows.slice(from)) row[2] += `; target ≤ ${BRIDGE_TARGETS.stream}×`;
  }
  if (results.browser?.mobBridge) rows.push(mobBridgeReadmeRow(results.browser.mobBridge));
  if (results.hooks) {
    const { core } = results.hooks;
    const share = (s) => `${(100 * s.median).toFixed(0)}%`;
    const roundTrip = `a tool-call round trip without hooks (${usText(core.roundTripUs.median)}, scripted core)`;
    rows.push([
      "Foreground `pre_tool_execution` hook answered at once, per tool call, core time, Node",
      usText(core.perToolCallUs.median),
      `${share(core.perToolCallShare)} of ${roundTrip}`,
    ]);
    rows.push([
      "Foreground `pre_llm_request` hook answered at once, per request, core time, Node",
      usText(core.perRequestUs.median),
      `${share(core.perRequestShare)} of ${roundTrip}`,
    ]);
  }
  if (results.compaction) {
    const c = results.compaction;
    const { core } = c;
    const turn = `a text turn on that history (${usText(core.turnUs.median)})`;
    const d = core.decisionUs;
    rows.push([
      `Deciding compaction (token estimate) per request, ${c.history}-turn history, core time, Node`,
      spansZero(d) || d.median <= 0 ? `not measurable (median ${num(d.median)}, p25–p75 ${num(d.p25)} to ${num(d.p75)} µs)` : usText(d.median),
      `${(100 * core.decisionShare.median).toFixed(1)}% of ${turn}`,
    ]);
    rows.push([
      `\`pre_llm_request\` hook per request, ${c.history}-turn history, core time, Node`,
      usText(core.perRequestHookUs.median),
      `${(100 * core.perRequestHookShare.median).toFixed(0)}% of ${turn}`,
    ]);
    rows.push([
      `\`session.compact()\` of a ${c.history}-turn history (summary answered at once), core time, Node`,
      usText(core.compactUs.median),
      `${core.compactRatio.median.toFixed(2)}× ${turn}`,
    ]);
  }
  if (results.mobs) rows.push(...mobReadmeRows(results.mobs));
  if (results.soak) rows.push(...soakReadmeRows(results.soak));
  if (results.ready) rows.push(...readyReadmeRows(results.ready));
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
