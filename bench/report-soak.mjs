// The soak figures of the report and of the README table (soak.mjs,
// soak-chromium.mjs).
import { num } from "./stats.mjs";

/** `createSession`'s target (the issue's), median per call at 10,000 sessions. */
export const CREATE_SESSION_TARGET_US = 20;

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
const signed = (bytes, unit = "B") => `${bytes >= 0 ? "+" : "−"}${Math.abs(bytes) < 10 ? Math.abs(bytes).toFixed(1) : Math.round(Math.abs(bytes)).toLocaleString("en")} ${unit}`;
const signedKb = (bytes) => `${bytes >= 0 ? "+" : "−"}${(Math.abs(bytes) / 1000).toFixed(1)} KB`;
const span = (m) => `${mib(m.marks[0].wasmBytes)} → ${mib(m.marks.at(-1).wasmBytes)}`;
const heapSpan = (m) => signedKb(m.marks.at(-1).heapUsed - m.marks[0].heapUsed);
/** Target: no growth after the warm-up (the wasm grows by 64 KiB pages: one page is the resolution). */
const steady = (m) => {
  const grown = m.marks.at(-1).wasmBytes - m.marks.find((x) => x.at >= m.warm).wasmBytes;
  if (grown === 0) return "target no growth: met";
  return grown <= 65536 ? "target no growth: met within one 64 KiB page" : `target no growth: MISSED (${signedKb(grown)} after the warm-up)`;
};
const target = (us) => `target < ${CREATE_SESSION_TARGET_US} µs: ${us < CREATE_SESSION_TARGET_US ? "met" : "MISSED"} (${(us / CREATE_SESSION_TARGET_US).toFixed(2)}× the target)`;

export function printSoak(lines, s) {
  lines.push(
    "",
    "## Soak: memory over long runs (each scenario in a fresh `node --expose-gc`; wasm: the memory's byteLength, 64 KiB pages, never shrinks; JS heap: heapUsed after gc until it stops falling; growth per step: least-squares slope over the checkpoints after the warm-up)",
  );
  const { idle, chromium } = s;
  if (idle) {
    lines.push(
      `  createSession, ${idle.sessions.toLocaleString("en")} sessions (public API), Node: median ${num(idle.createUs)} µs, ${num(idle.createLastTenthUs)} µs at the last tenth; ${(idle.createUs / idle.floorUs).toFixed(2)}× a no-op command through the same layers (runtime.listSkillSources(), ${num(idle.floorUs)} µs); ${target(idle.createUs)}`,
    );
    if (chromium) {
      lines.push(
        `  createSession, Chromium ${chromium.chromium} main thread (the package unbundled, blocks of ${chromium.block} calls): median ${num(chromium.createUs)} µs, ${num(chromium.createLastTenthUs)} µs at the last tenth; ${(chromium.createUs / chromium.floorUs).toFixed(2)}× the no-op command (${num(chromium.floorUs)} µs); ${target(chromium.createUs)}`,
      );
    }
    const per = (x) => `${Math.round(x.wasmBytesPerSession)} B wasm + ${Math.round(x.heapBytesPerSession)} B JS heap`;
    lines.push(
      `  idle sessions: wasm ${mib(idle.before.wasmBytes)} → ${mib(idle.after.wasmBytes)}, JS heap ${signedKb(idle.after.heapUsed - idle.before.heapUsed)}: ${per(idle)} per session${chromium ? ` (Chromium: ${per(chromium)})` : ""}`,
    );
  }
  if (s.turns) {
    const t = s.turns;
    lines.push(
      `  ${t.turns.toLocaleString("en")} sequential turns, one session, compaction on (${t.compactions} compactions; ${t.messages} messages held at the end), events polled after each turn: wasm ${span(t)}, JS heap ${heapSpan(t)}; after turn ${t.warm}: wasm ${signed(t.wasmGrowthPerStep)}/turn, JS heap ${signed(t.heapGrowthPerStep)}/turn; ${steady(t)}`,
    );
  }
  if (s.unpolled) {
    const u = s.unpolled;
    lines.push(
      `  the same, pollEvents() never called (a host using only turn() or stream()): wasm ${span(u)}, ${signed(u.wasmGrowthPerStep)}/turn; ${u.queuedEvents.toLocaleString("en")} events kept for the poll reader (bounded by eventQueueCapacity, default 65,536)`,
    );
  }
  if (s.concurrent) {
    const c = s.concurrent;
    lines.push(
      `  ${c.sessions} sessions streaming at once (session.stream(), ${c.readBytes} B reads, ${c.rounds} rounds: ${c.turns.toLocaleString("en")} turns, ${c.compactions} compactions, ${c.events.toLocaleString("en")} events; pollEvents() once a round): wasm ${span(c)}, JS heap ${heapSpan(c)}; after round ${c.warm}: wasm ${signed(c.wasmGrowthPerStep)}/round, JS heap ${signed(c.heapGrowthPerStep)}/round; ${steady(c)}`,
    );
  }
  if (s.mob) {
    const m = s.mob;
    const messages = m.marks.at(-1).messages - m.marks[m.warm].messages;
    lines.push(
      `  a ${m.members}-member mob, ${m.minutes} simulated minutes (a task a second, worker → lead → worker; profiles with compaction): ${m.delivered.toLocaleString("en")} messages delivered, ${m.requests.toLocaleString("en")} model requests (${m.compactions} compactions), ${m.timersFired} held-back wake-ups fired, ${m.subscriptionEvents.toLocaleString("en")} subscription events: wasm ${span(m)}, JS heap ${heapSpan(m)}; after minute ${m.warm}: wasm ${signedKb(m.wasmGrowthPerStep)}/minute, transcripts ${signed(messages, "messages")} (${m.marks.at(-1).messages.toLocaleString("en")} at the end, ${(m.historyBytes / 1000).toFixed(0)} KB as JSON); ${steady(m)}`,
    );
  }
}

/** Rows for the README table. */
export function soakReadmeRows(s) {
  const rows = [];
  const { idle, chromium } = s;
  if (idle) {
    rows.push([
      `\`createSession\`, ${idle.sessions.toLocaleString("en")} sessions, Node${chromium ? " / Chromium" : ""}`,
      `${num(idle.createUs)}${chromium ? ` / ${num(chromium.createUs)}` : ""} µs`,
      `${target(Math.max(idle.createUs, chromium?.createUs ?? 0))}; ${(idle.createUs / idle.floorUs).toFixed(1)}× a no-op command (Node)`,
    ]);
    rows.push([
      `Memory per idle session (${idle.sessions.toLocaleString("en")} sessions), Node`,
      `${Math.round(idle.wasmBytesPerSession)} B wasm + ${Math.round(idle.heapBytesPerSession)} B JS heap`,
      `${mib(idle.after.wasmBytes - idle.before.wasmBytes)} wasm for all`,
    ]);
  }
  if (s.turns) {
    const t = s.turns;
    rows.push([
      `Soak: ${t.turns.toLocaleString("en")} turns of one session, compaction on, events polled`,
      `wasm ${span(t)}; ${signed(t.wasmGrowthPerStep)}/turn`,
      `${steady(t)}; JS heap ${signed(t.heapGrowthPerStep)}/turn`,
    ]);
  }
  if (s.unpolled) {
    const u = s.unpolled;
    rows.push([
      `Soak: the same, \`pollEvents()\` never called`,
      `wasm ${span(u)}; ${signed(u.wasmGrowthPerStep)}/turn`,
      `the poll reader keeps every event, up to \`eventQueueCapacity\` (65,536)`,
    ]);
  }
  if (s.concurrent) {
    const c = s.concurrent;
    rows.push([
      `Soak: ${c.sessions} sessions streaming at once (\`stream()\`), ${c.turns.toLocaleString("en")} turns, compaction on`,
      `wasm ${span(c)}; ${signed(c.wasmGrowthPerStep)}/round`,
      `${steady(c)}; JS heap ${signed(c.heapGrowthPerStep)}/round after round ${c.warm}`,
    ]);
  }
  if (s.mob) {
    const m = s.mob;
    rows.push([
      `Soak: ${m.members}-member mob, ${m.minutes} simulated minutes, ${m.delivered.toLocaleString("en")} messages, profiles with compaction`,
      `wasm ${span(m)}; ${signedKb(m.wasmGrowthPerStep)}/minute after minute ${m.warm}`,
      `${steady(m)}; ${m.marks.at(-1).messages.toLocaleString("en")} transcript messages at the end (${m.compactions} compactions); JS heap ${heapSpan(m)}`,
    ]);
  }
  return rows;
}
