// The bridge figures of the report (bench/browser/bridge.js): where the
// time goes on each side of the Worker bridge, per text_delta.
import { num, summarize } from "./stats.mjs";

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
