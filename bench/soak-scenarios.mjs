// The soak scenarios (soak.mjs runs each in a fresh `node --expose-gc`):
// does memory stay steady while the runtime works for a long time?
//
// - turns: 1,000 sequential turns of one session with compaction on
//   (`unpolled`: the same, its events never polled);
// - concurrent: 100 sessions streaming at once (`session.stream()`);
// - idle: 10,000 idle sessions, and `createSession`'s time;
// - mob: a 100-member mob exchanging messages for 10 minutes of simulated
//   time on the core's clock (timers fired when that clock reaches them).
//
// turns and mob drive the wasm `Core` directly with scripted outcomes
// (core-node.mjs's ScriptedHost: no network, no driver), as a host reading
// its events does: the session's events drained (the `pollEvents` reader)
// after each turn, the mob's subscription polled every simulated second.
// concurrent and idle go through the public API (`MeerkatRuntime`, an
// in-memory `fetch`): the TS layer's objects are in the JS heap measured.
// Memory: the wasm memory (`buffer.byteLength`: 64 KiB pages the
// allocator took; it never shrinks, so a steady figure means no growth at
// all) and the JS heap after gc, at the start, at checkpoints and at the
// end. Growth per step is taken after a warm-up (the history at its
// compacted size, buffers at their working size), so it is what each
// further turn costs.
import * as wasm from "../pkg/meerkat_web_runtime.js";
import { linkMobPart, ScriptedHost } from "./core-node.mjs";
import { sseBody } from "./mob-script.mjs";
import { cutEvery, makeBody, sseResponse } from "./sse-body.mjs";
import { snapshot } from "./wasm-memory.mjs";

/** The compaction request's system prompt says this (agent/compaction.rs). */
const SUMMARY_MARK = "Summarize the conversation";
const SYSTEM_PROMPT = "You are a concise assistant.";
/** Compaction due every 9 or so turns of the bodies below (the first after 12 or so). */
const COMPACTION = { thresholdTokens: 1500, keepRecentTurns: 3 };
/** A worker hears of its task every 99 s: due after 4 or so tasks, inside the 10 minutes. */
const MOB_COMPACTION = { thresholdTokens: 350, keepRecentTurns: 2 };
/** A turn's answer: 40 text deltas (0.4 KB of text, 6 KB of SSE). */
const ANSWER = makeBody(40, 7).bytes;
const SUMMARY = makeBody(60, 11).bytes;

/**
 * Memory at checkpoints of a loop of `n` steps (`every` steps apart, and
 * at the end), with `probe()`'s figures taken after each snapshot; growth
 * per step: the least-squares slope over the checkpoints from step `warm`
 * on (a slope, not two end points: the JS heap wanders by tens of KB).
 */
async function soak(n, step, { every = Math.ceil(n / 5), warm = every, probe = () => ({}) } = {}) {
  const mark = async (at) => ({ at, ...(await snapshot()), ...probe() });
  const marks = [await mark(0)];
  for (let i = 0; i < n; i++) {
    await step(i);
    if ((i + 1) % every === 0 || i + 1 === n) marks.push(await mark(i + 1));
  }
  const settled = marks.filter((m) => m.at >= warm);
  return {
    marks,
    warm,
    wasmGrowthPerStep: slope(settled, "wasmBytes"),
    heapGrowthPerStep: slope(settled, "heapUsed"),
  };
}

/** Least-squares slope of `key` over `at`. */
function slope(marks, key) {
  if (marks.length < 2) return 0;
  const mean = (f) => marks.reduce((a, m) => a + f(m), 0) / marks.length;
  const mx = mean((m) => m.at);
  const my = mean((m) => m[key]);
  const num = marks.reduce((a, m) => a + (m.at - mx) * (m[key] - my), 0);
  const den = marks.reduce((a, m) => a + (m.at - mx) ** 2, 0);
  return num / den;
}

// The 100-member mob is driven through ScriptedHost: the core's mob part first.
await linkMobPart(wasm);

function scriptedHost() {
  const host = new ScriptedHost(wasm);
  // ScriptedHost registers a host tool for core-node's benchmarks: none here.
  host.command("unregister_tool", '{"op":"unregister_tool","name":"get_weather"}');
  return host;
}

const http = (host, e, pending, bytes) => {
  pending.push(...host.command("http_head", `{"op":"http_head","id":${e.id},"status":200,"headers":[]}`).effects);
  pending.push(...host.push(e.id, bytes));
  pending.push(...host.command("http_end", `{"op":"http_end","id":${e.id}}`).effects);
};

// ------------------------------------------------------------------ turns

/** `n` sequential turns of one session with compaction on; `poll`: drain its poll reader after each. */
export async function turnsScenario({ n = 1000, poll = true } = {}) {
  const host = scriptedHost();
  const session = host.createSession({ systemPrompt: SYSTEM_PROMPT, compaction: COMPACTION });
  let compactions = 0;
  const answer = (e) => {
    if (!e.body.includes(SUMMARY_MARK)) return ANSWER;
    compactions++;
    return SUMMARY;
  };
  const ask = (i) => host.command("turn", `{"op":"turn","session":"${session}","prompt":"Question ${i}: what is the weather like in Paris this week?"}`);
  const t0 = performance.now();
  const memory = await soak(n, (i) => {
    host.drive(ask(i).effects, answer);
    if (poll) host.drain(session);
  });
  const ms = performance.now() - t0;
  if (compactions === 0) throw new Error("soak turns: compaction never ran");
  // After the memory figures: what the history holds, and what the poll reader kept (read off now).
  const messages = host.command("history", `{"op":"history","session":"${session}"}`).ok.length;
  const queuedEvents = host.drain(session).length;
  return { turns: n, poll, compactions, messages, queuedEvents, ms, ...memory };
}

// ------------------------------------------------------------- concurrent

/**
 * Through the public API (the TS driver, its streams and readers in the
 * measurement): `sessions` sessions (compaction on), `rounds` rounds in
 * which every session runs `session.stream()` at once; `options.fetch`
 * answers from memory in 1 KiB reads (a summary request at once), so the
 * 100 bodies stream interleaved as the event loop turns. Each session's
 * `pollEvents()` is called once a round (see `unpolled` for a host that
 * never calls it). Growth is taken from round `rounds / 2` on: by then
 * every session has compacted (first after 12 or so rounds: its history
 * at its working size).
 */
export async function concurrentScenario({ sessions = 100, rounds = 36 } = {}) {
  const runtime = await publicRuntime(async (_url, init) => {
    if (init.body.includes(SUMMARY_MARK)) return sseResponse([SUMMARY]);
    return sseResponse(cutEvery(ANSWER, 1024));
  });
  const config = { systemPrompt: SYSTEM_PROMPT, compaction: COMPACTION };
  const all = Array.from({ length: sessions }, () => runtime.createSession(config));
  let events = 0;
  let compactions = 0;
  const streamed = async (session, r) => {
    for await (const event of session.stream(`Round ${r}: what is the weather like in Paris?`)) {
      events++;
      if (event.type === "compaction_completed") compactions++;
    }
  };
  const t0 = performance.now();
  const memory = await soak(
    rounds,
    async (r) => {
      await Promise.all(all.map((session) => streamed(session, r)));
      for (const session of all) session.pollEvents();
    },
    { every: Math.ceil(rounds / 6), warm: Math.ceil(rounds / 2) },
  );
  const ms = performance.now() - t0;
  const turns = all.reduce((n, session) => n + session.turns, 0);
  runtime.destroy();
  if (compactions < sessions) throw new Error(`soak concurrent: only ${compactions} compactions`);
  return { sessions, rounds, turns, compactions, events, readBytes: 1024, reads: cutEvery(ANSWER, 1024).length, ms, ...memory };
}

/** A runtime of the public API whose requests `fetch` answers. */
async function publicRuntime(fetch) {
  const { MeerkatRuntime } = await import("../dist/index.js");
  return MeerkatRuntime.init(
    wasm,
    { anthropicApiKey: "x", anthropicBaseUrl: "http://127.0.0.1:9/anthropic", model: "claude-sonnet-4-6" },
    { fetch },
  );
}

// ------------------------------------------------------------------- idle

/**
 * `n` idle sessions through the public API: memory per session and
 * `createSession`'s time (each call timed), against a floor timed between
 * them: `runtime.listSkillSources()`, a command that does nothing but
 * cross the same layers (argument checks aside: JSON out, the wasm call,
 * JSON back).
 */
export async function idleScenario({ n = 10_000 } = {}) {
  const runtime = await publicRuntime(async () => {
    throw new Error("soak idle: no request is expected");
  });
  const config = { systemPrompt: SYSTEM_PROMPT };
  // Warm the JIT (destroyed again: the measured sessions start from none).
  for (const s of Array.from({ length: 200 }, () => runtime.createSession(config))) s.destroy();
  const before = await snapshot();
  const sessions = new Array(n);
  const times = new Float64Array(n);
  const floor = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    sessions[i] = runtime.createSession(config);
    const t1 = performance.now();
    runtime.listSkillSources();
    floor[i] = performance.now() - t1;
    times[i] = t1 - t0;
  }
  const after = await snapshot();
  if (runtime.listSessions().length !== n) throw new Error("soak idle: sessions missing");
  runtime.destroy();
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  return {
    sessions: n,
    before,
    after,
    createUs: median(times) * 1000,
    floorUs: median(floor) * 1000,
    createLastTenthUs: median(times.subarray(n - Math.ceil(n / 10))) * 1000,
    createTotalMs: times.reduce((a, b) => a + b, 0),
    wasmBytesPerSession: (after.wasmBytes - before.wasmBytes) / n,
    heapBytesPerSession: (after.heapUsed - before.heapUsed) / n,
  };
}

// -------------------------------------------------------------------- mob

/**
 * A lead auto-wired to `members − 1` workers, for `minutes` simulated
 * minutes. Every simulated second the host sends the next worker a task
 * (`mob_send`); the worker reports to the lead (send_message); the lead,
 * woken (at most 20 times a minute, the default limit: the rest wait in
 * its inbox for a held-back wake-up, a timer), thanks each reporter
 * (send_message), who notes it. Every request is answered at once; the
 * mob's subscription is polled every simulated second. Memory every
 * simulated minute. The profiles have compaction on: the lead, who hears
 * every report, is summarised every few wake-ups, a worker after every
 * second task or so; the transcripts stop growing by minute 4 or 5, and
 * growth is measured over the second half.
 */
export async function mobScenario({ members = 100, minutes = 10 } = {}) {
  const host = scriptedHost();
  const mob = "soak-mob";
  const profile = { model: "claude-sonnet-4-6", systemPrompt: SYSTEM_PROMPT, compaction: MOB_COMPACTION };
  host.command(
    "create_mob",
    JSON.stringify({
      op: "create_mob",
      definition: {
        id: mob,
        orchestrator: { profile: "lead" },
        profiles: { lead: { ...profile, peerDescription: "Hands out the work" }, worker: { ...profile, peerDescription: "Does the work" } },
        wiring: { autoWireOrchestrator: true },
      },
    }),
  );
  const workers = Array.from({ length: members - 1 }, (_, i) => `worker-${String(i + 1).padStart(3, "0")}`);
  const specs = [{ profile: "lead", agentIdentity: "lead" }, ...workers.map((agentIdentity) => ({ profile: "worker", agentIdentity }))];
  const spawned = host.command("mob_spawn", JSON.stringify({ op: "mob_spawn", mob, specs })).ok;
  const identity = new Map(spawned.map((r) => [r.sessionId, r.agentIdentity]));
  const { subscription } = host.command("mob_subscribe", `{"op":"mob_subscribe","mob":"${mob}"}`).ok;
  const timers = new Map();
  const counts = { requests: 0, finished: 0, delivered: 0, timersFired: 0, subscriptionEvents: 0, compactions: 0 };
  let call = 0;
  const model = (e) => {
    if (e.body.includes(SUMMARY_MARK)) {
      counts.compactions++;
      return SUMMARY;
    }
    const last = JSON.parse(e.body).messages.at(-1);
    const blocks = typeof last.content === "string" ? [{ type: "text", text: last.content }] : last.content;
    if (blocks.some((b) => b.type === "tool_result")) return sseBody("Done.");
    const text = blocks.map((b) => b.text ?? "").join("\n");
    const who = identity.get(e.sessionId);
    if (who === "lead") {
      const from = [...new Set([...text.matchAll(/\[message from (worker-\d+) /g)].map((m) => m[1]))];
      return sseBody("", from.map((to) => [`toolu_soak${call++}`, "send_message", { to, body: "Thanks, well done." }]));
    }
    if (text.startsWith("[message from")) return sseBody("Noted.");
    return sseBody("", [[`toolu_soak${call++}`, "send_message", { to: "lead", body: `Report: ${text} is done.` }]]);
  };
  const drive = (effects) => {
    const pending = [...effects];
    for (let i = 0; i < pending.length; i++) {
      const e = pending[i];
      if (e.kind === "http") {
        counts.requests++;
        http(host, e, pending, model(e));
      } else if (e.kind === "timer") timers.set(e.id, host.now + e.delayMs);
      else if (e.kind === "timer_cancel") timers.delete(e.id);
      else if (e.kind === "run_finished") {
        if (e.error) throw new Error(`soak mob: a run of ${identity.get(e.sessionId)} failed: ${e.error.code}: ${e.error.message}`);
        counts.finished++;
      }
    }
  };
  /** Fire the timers due by `until` in time order, the clock moved to each. */
  const fireTimers = (until) => {
    for (;;) {
      let next;
      for (const [id, at] of timers) if (at <= until && (next === undefined || at < timers.get(next))) next = id;
      if (next === undefined) return;
      host.now = Math.max(host.now, timers.get(next));
      timers.delete(next);
      counts.timersFired++;
      drive(host.command("timer_fired", `{"op":"timer_fired","id":${next}}`).effects);
    }
  };
  const poll = () => {
    // A poll answers runs of items (one source, one millisecond), as `mobItemsReader` reads them.
    const runs = host.command("mob_poll", `{"op":"mob_poll","mob":"${mob}","subscription":${subscription}}`).ok;
    for (const { events } of runs) {
      counts.subscriptionEvents += events.length;
      for (const event of events) if (event.type === "message_delivered") counts.delivered++;
    }
  };
  const start = host.now;
  let second = 0;
  const historyBytes = () => {
    let bytes = 0;
    for (const id of identity.keys()) bytes += JSON.stringify(host.command("history", `{"op":"history","session":"${id}"}`).ok).length;
    return bytes;
  };
  const messages = () => {
    let n = 0;
    for (const id of identity.keys()) n += host.command("history", `{"op":"history","session":"${id}"}`).ok.length;
    return { messages: n };
  };
  const t0 = performance.now();
  const memory = await soak(minutes, () => {
    for (let s = 0; s < 60; s++, second++) {
      const at = start + second * 1000;
      fireTimers(at);
      host.now = at;
      const member = workers[second % workers.length];
      drive(host.command("mob_send", JSON.stringify({ op: "mob_send", mob, member, content: `Task ${second}` })).effects);
      poll();
    }
  }, { every: 1, warm: Math.ceil(minutes / 2), probe: messages });
  const ms = performance.now() - t0;
  fireTimers(Infinity);
  poll();
  const history = historyBytes();
  if (counts.delivered < second) throw new Error(`soak mob: only ${counts.delivered} messages delivered in ${second} s`);
  if (counts.compactions === 0) throw new Error("soak mob: compaction never ran");
  return { members, minutes, simulatedMs: host.now - start, ...counts, historyBytes: history, ms, ...memory };
}
