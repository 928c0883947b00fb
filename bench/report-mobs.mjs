// The mob figures of the report and of the README table (mob-node.mjs).
import { kb, num } from "./stats.mjs";

const usSpread = (s) => `${num(s.median)} µs (${num(s.p25)}–${num(s.p75)})`;
const ratioSpread = (s) => `${s.median.toFixed(2)}× (${s.p25.toFixed(2)}–${s.p75.toFixed(2)})`;
const usText = (x) => (Math.abs(x) >= 1e6 ? `${(x / 1e6).toFixed(2)} s` : Math.abs(x) >= 1000 ? `${(x / 1000).toFixed(2)} ms` : `${num(x)} µs`);
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
const signedKb = (bytes) => `${bytes >= 0 ? "+" : "−"}${(Math.abs(bytes) / 1000).toFixed(1)} KB`;
const signedB = (bytes) => `${bytes >= 0 ? "+" : "−"}${Math.abs(bytes).toFixed(0)} B`;

/** Median core µs per unit by command, largest first. */
function byOp(ops) {
  return Object.entries(ops)
    .sort((a, b) => b[1].median - a[1].median)
    .map(([op, s]) => `${op} ${num(s.median)}`)
    .join(", ");
}

export function printMobs(lines, m) {
  const { broadcast: b, chain: c } = m.shape;
  const n = m.core.broadcast.ratio.n;
  const row = (label, name, key, ratioKey) => {
    const cell = (kind) => `${usSpread(m[kind][name][key])}${ratioKey ? `  ${ratioSpread(m[kind][name][ratioKey])}` : ""}`;
    lines.push(`    ${label.padEnd(52)} ${cell("core").padEnd(42)} ${cell("host")}`);
  };
  lines.push(
    "",
    "## Mobs, scripted core in Node (no network, no driver; a scripted model calls the comms tools, every request answered at once)",
    `broadcast: an orchestrator auto-wired to ${b.members - 1} workers sends each a message (${b.members - 1} send_message calls in one answer); every worker wakes and answers it with send_message: a run delivers ${b.delivered} messages with ${b.requests} model requests and ${b.finished} runs; the host reads ${b.events.toLocaleString("en")} events from the mob subscription at the end`,
    `chain: ${c.members} members in a line, send_request link by link and send_response all the way back: ${c.delivered} hops (maxHops raised to ${2 * c.members}) with ${c.requests} model requests and ${c.finished} runs; ${c.events} events read at the end`,
    `floor (plain turns floor): one text turn of a fresh plain session (same model and system prompt, no tools) answered with a body of the mob run's mean response size: ${b.meanResponseBytes} B (broadcast), ${c.meanResponseBytes} B (chain); its request ${b.floorRequestBytes} B, the mobs' ${kib(b.meanRequestBytes)} / ${kib(c.meanRequestBytes)} on average (member system prompt, the four comms tools, the run's tool exchanges)`,
    `a run: mob_send to the last effect, plus the subscription's poll (mob created, spawned, wired, subscribed before and destroyed after, untimed); per wasm call the median over the round's ${m.reps} runs (floors: ${m.reps * m.floorReps}), summed; µs: median (p25–p75) over ${n} rounds; ratio: median (p25–p75) of the per-round ratios to the floor; core: inside the wasm calls; host: + JSON.parse of the replies`,
    `    ${"".padEnd(52)} ${"core".padEnd(42)} host`,
  );
  row(`broadcast, per delivered message (run / ${b.delivered})`, "broadcast", "perMessageUs", "ratio");
  row(`broadcast, per model request (run / ${b.requests})`, "broadcast", "perRequestUs", "requestRatio");
  row(`plain turns floor, ${b.meanResponseBytes} B response`, "broadcast", "floorUs");
  row(`chain, per hop (run / ${c.delivered})`, "chain", "perHopUs", "ratio");
  row(`chain, per model request (run / ${c.requests})`, "chain", "perRequestUs", "requestRatio");
  row(`plain turns floor, ${c.meanResponseBytes} B response`, "chain", "floorUs");
  lines.push(
    `    a whole run, core: broadcast ${num(m.core.broadcast.runMs.median)} ms, chain ${num(m.core.chain.runMs.median)} ms`,
    `    where the core time goes, µs per delivered message by command (http_end: the answer applied, comms tools run, messages delivered, peers woken, next requests built):`,
    `      broadcast: ${byOp(m.byOp.broadcast)}`,
    `      chain (per hop): ${byOp(m.byOp.chain)}`,
  );
  if (m.memory) printMemory(lines, m.memory);
}

function printMemory(lines, mem) {
  lines.push(
    `  memory per member: a fresh \`node --expose-gc\` per count; public API (createMob, mob.spawn); an orchestrator and count − 1 workers auto-wired to it, never run`,
    "  wasm: the exported memory's buffer.byteLength (64 KiB pages the allocator took; the core exposes no allocator figures); JS heap: heapUsed after gc() until it stops falling (the TS layer keeps nothing per idle member: a delta that does not grow with the count is not per member)" +
      (mem.gc ? "" : "  WARNING: gc() unavailable, heap figures include garbage"),
  );
  for (const [count, f] of Object.entries(mem.counts)) {
    lines.push(
      `    ${`${Number(count).toLocaleString("en")} members`.padEnd(14)} wasm ${mib(f.before.wasmBytes)} → ${mib(f.after.wasmBytes)}: ${kib(f.wasmBytesPerMember).padStart(8)} per member;  JS heap ${signedKb(f.after.heapUsed - f.before.heapUsed)}: ${signedB(f.heapBytesPerMember)} per member;  mob.spawn ${usText(f.spawnMs * 1000)}: ${usText(f.spawnUsPerMember)} per member`,
    );
  }
}

/** Rows for the README table. */
export function mobReadmeRows(m) {
  const rows = [];
  const { broadcast: b, chain: c } = m.shape;
  const { core } = m;
  rows.push([
    `Mob broadcast, ${b.members} members (orchestrator → ${b.members - 1} workers, every worker answers), core time per delivered message, Node`,
    usText(core.broadcast.perMessageUs.median),
    `${core.broadcast.ratio.median.toFixed(2)}× a plain turn with the same response size (${usText(core.broadcast.floorUs.median)}); ${(b.requests / b.delivered).toFixed(2)} model requests per message`,
  ]);
  rows.push([
    `Mob request chain, ${c.members} members (send_request down, send_response back), core time per hop, Node`,
    usText(core.chain.perHopUs.median),
    `${core.chain.ratio.median.toFixed(2)}× a plain turn with the same response size (${usText(core.chain.floorUs.median)}); ${(c.requests / c.delivered).toFixed(2)} model requests per hop`,
  ]);
  if (m.memory) {
    const counts = Object.entries(m.memory.counts);
    const list = (f) => counts.map(([, x]) => f(x)).join(" / ");
    rows.push([
      `Memory per mob member, ${counts.map(([n]) => Number(n).toLocaleString("en")).join(" / ")} spawned (idle), Node`,
      `${list((x) => kib(x.wasmBytesPerMember))} wasm`,
      `JS heap ${list((x) => signedB(x.heapBytesPerMember))} per member; \`mob.spawn\` ${list((x) => usText(x.spawnUsPerMember))} per member`,
    ]);
  }
  return rows;
}

/** README row: the four mob modules' share of the wasm together (size-modules.mjs). */
export function mobSizeRow(modules) {
  return [
    "wasm code of mobs: `comms`, `mob`, `runtime::mobs`, `runtime::mob_work` together (pre-wasm-opt estimate)",
    `${kb(modules.mobs.bytes)} code (${((100 * modules.mobs.bytes) / modules.codeBytes).toFixed(1)}%)`,
    `≈ ${kb(modules.mobs.gzip)} gzip`,
  ];
}
