// The bridge figures of the report (bench/browser/bridge.js,
// bridge-mob.js): where the time goes on each side of the Worker bridge
// per text_delta, mob events over the bridge, and the targets.
import { num, summarize } from "./stats.mjs";

/** The targets of the bridge figures (ratios, medians of the same run). */
export const BRIDGE_TARGETS = { stream: 1.1, mob: 1.2 };

const sizeLabel = (size) => (size >= 1024 ? `${size / 1024} KiB` : `${size} B`);

/** The probe's rows: [key, label, side, how a sample gives ms]. */
export const PROFILE_ROWS = [
  ["pushBody", "wasm pushBody (SSE framing and parse, events appended)", "worker", (s) => s.worker.pushBody],
  ["drainEvents", "wasm drain (events out of the log, as text)", "worker", (s) => s.worker.drainEvents],
  ["glueDecode", "  of the wasm rows: the glue's string ⇄ UTF-8 copies", "worker", (s) => s.worker.glueDecode],
  ["command", "wasm command (create, turn, head, end)", "worker", (s) => s.worker.command],
  ["workerJson", "JSON.parse + JSON.stringify in JS", "worker", (s) => s.worker.jsonParse + s.worker.jsonStringify],
  ["textCodec", "TextEncoder/TextDecoder in JS", "worker", (s) => s.worker.textCodec],
  ["postMessage", "postMessage (serialize, or transfer)", "worker", (s) => s.worker.postMessage],
  ["messageData", "message data (deserialize)", "page", (s) => s.page.messageData],
  ["listener", "message listener (RPC, decode, parse, hand over)", "page", (s) => s.page.listener],
  ["pageParse", "  of which JSON.parse", "page", (s) => s.page.jsonParse],
  ["pageCodec", "  of which TextDecoder", "page", (s) => s.page.textCodec ?? 0],
];

/** Raw probe samples → ns/event medians per row, counts and the timeline. */
export function analyzeBridgeProfile(raw) {
  const bySize = {};
  const perEvent = 1e6 / raw.events;
  for (const [size, { chunks, samples }] of Object.entries(raw.bySize)) {
    const ns = {};
    for (const [key, , , get] of PROFILE_ROWS) ns[key] = summarize(samples.map((s) => get(s) * perEvent));
    ns.total = summarize(samples.map((s) => s.total * perEvent));
    ns.floor = summarize(samples.map((s) => s.floor * perEvent));
    const ms = (f) => summarize(samples.map(f)).median;
    bySize[size] = {
      chunks,
      ns,
      posts: ms((s) => s.worker.posts),
      postedBytes: ms((s) => s.worker.postedBytes),
      messages: ms((s) => s.page.messages),
      batches: ms((s) => s.page.arrivals.length),
      timeline: {
        firstRead: ms((s) => s.worker.firstPushAt - s.startedAt),
        lastRead: ms((s) => s.worker.lastPushAt - s.startedAt),
        end: ms((s) => s.endedAt - s.startedAt),
        tail: ms((s) => s.endedAt - s.worker.lastPushAt),
      },
    };
  }
  return { events: raw.events, bytes: raw.bytes, bySize };
}

export function printBridgeProfile(lines, p) {
  const sizes = Object.keys(p.bySize).sort((a, b) => b - a);
  const n = p.bySize[sizes[0]].ns.total.n;
  lines.push(
    "",
    "## Where the time goes over the Worker bridge, Chromium (connectRuntime + stream(), probes on; ns/event, median)",
    `probes: the wasm calls, JSON, TextEncoder/Decoder and postMessage wrapped with performance.now() in the Worker; the RPC's message listener and JSON.parse on the page; ${n} runs; the two sides overlap, so the rows do not add up to the total`,
    `    ${"".padEnd(8)}${"".padEnd(52)} ${sizes.map((s) => sizeLabel(Number(s)).padStart(10)).join(" ")}`,
  );
  for (const [key, label, side] of PROFILE_ROWS) {
    lines.push(`    ${side.padEnd(8)}${label.padEnd(52)} ${sizes.map((s) => num(p.bySize[s].ns[key].median).padStart(10)).join(" ")}`);
  }
  const row = (label, f) => lines.push(`    ${"".padEnd(8)}${label.padEnd(52)} ${sizes.map((s) => f(p.bySize[s]).padStart(10)).join(" ")}`);
  row("total, probes on (stream() call → last event)", (b) => num(b.ns.total.median));
  row("the floor on the main thread, same rounds", (b) => num(b.ns.floor.median));
  row("messages Worker → page per run (batches)", (b) => `${b.messages} (${b.batches})`);
  row("bytes posted per run (UTF-16 units or bytes)", (b) => `${(b.postedBytes / 1e6).toFixed(2)} M`);
  row("ms: first body read in the Worker", (b) => num(b.timeline.firstRead));
  row("ms: last body read in the Worker", (b) => num(b.timeline.lastRead));
  row("ms: last event on the page", (b) => num(b.timeline.end));
  row("ms: tail (last read → last event: not overlapped)", (b) => num(b.timeline.tail));
}

/** Raw mob-over-bridge samples → ns/event of each side and the per-round ratio. */
export function analyzeMobBridge(raw) {
  const perEvent = (name) => raw.ms[name].map((ms) => (ms * 1e6) / raw.events[name]);
  const mob = perEvent("mob");
  const session = perEvent("session");
  return {
    members: raw.members,
    deltas: raw.deltas,
    size: raw.size,
    events: raw.events,
    nsPerEvent: { mob: summarize(mob), session: summarize(session) },
    ratio: summarize(mob.map((x, i) => x / session[i])),
  };
}

const spreadRatio = (r) => `${r.median.toFixed(2)}× (p25–p75 ${r.p25.toFixed(2)}–${r.p75.toFixed(2)})`;

export function printMobBridge(lines, m) {
  lines.push(
    "",
    `## Mob events over the Worker bridge, Chromium (${m.members} members, each streaming ${m.deltas.toLocaleString("en")} text deltas at once, ${sizeLabel(m.size)} reads)`,
    `mob: the ${m.members} member.send() calls to the last run_completed read through mob.subscribeEvents() on the page (${m.events.mob.toLocaleString("en")} items); session: one session's turn of ${(m.members * m.deltas).toLocaleString("en")} deltas to its run_completed read through session.subscribeEvents() (${m.events.session.toLocaleString("en")} events); each in a Worker of its own, interleaved rounds; ratio: median of the per-round ratios of ns per event`,
    `    ${"mob.subscribeEvents(), per item".padEnd(52)} ${num(m.nsPerEvent.mob.median).padStart(6)} ns  (p25–p75 ${num(m.nsPerEvent.mob.p25)}–${num(m.nsPerEvent.mob.p75)}, n=${m.nsPerEvent.mob.n})`,
    `    ${"one session's subscribeEvents(), per event".padEnd(52)} ${num(m.nsPerEvent.session.median).padStart(6)} ns  (p25–p75 ${num(m.nsPerEvent.session.p25)}–${num(m.nsPerEvent.session.p75)})`,
    `    ratio mob / session: ${spreadRatio(m.ratio)} (target ≤ ${BRIDGE_TARGETS.mob}×)`,
  );
}

/** The bridge figures beside their targets. */
export function printBridgeTargets(lines, bridge, mob) {
  lines.push("", "## Worker bridge targets (same run, medians)");
  for (const [size, f] of Object.entries(bridge?.bySize ?? {}).sort((a, b) => b[0] - a[0])) {
    const r = f.ratioToBaseline.bridgeStream;
    lines.push(`    per text_delta over the bridge (connectRuntime + stream()), ${sizeLabel(Number(size))} reads: ${spreadRatio(r)} the main-thread floor (target ≤ ${BRIDGE_TARGETS.stream}×)`);
  }
  if (mob) lines.push(`    mob events over the bridge (${mob.members} members streaming, subscribeEvents): ${spreadRatio(mob.ratio)} the same events from one session (target ≤ ${BRIDGE_TARGETS.mob}×)`);
}

/** The README row of the mob figure. */
export function mobBridgeReadmeRow(m) {
  const us = (ns) => `${(ns / 1000).toFixed(2)} µs`;
  return [
    `Mob events over the Worker bridge, ${m.members} members streaming at once, \`mob.subscribeEvents()\`, per item`,
    us(m.nsPerEvent.mob.median),
    `${m.ratio.median.toFixed(2)}× the same events from one session over the bridge (${us(m.nsPerEvent.session.median)}); target ≤ ${BRIDGE_TARGETS.mob}×`,
  ];
}
