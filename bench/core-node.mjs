// What hooks and compaction cost inside the core, measured by driving the
// wasm `Core` directly in Node with scripted outcomes, as the Rust tests
// do: no network, no driver, no handler. The host below answers every
// effect at once: an `http` effect with a canned Anthropic SSE body
// (fixtures/providers/anthropic/*.sse, pushed in one read), a `tool`
// effect with a fixed result, a `hook` effect with `verdict: null` (allow).
// Timers (a hook's timeout) are never reached.
//
// Two figures for everything timed:
// - core: time inside the wasm calls (command, pushBody, drainEvents),
//   the glue's string passing included;
// - host: the same calls with the JSON.parse a host cannot avoid after
//   them: of every reply, as the driver does, and of the drained events,
//   as pollEvents does (a hook's context arrives inside a reply).
//
// How: every wasm call of a run is timed on its own. The core is
// deterministic, so the k-th call of every run of one variant does the
// same work; a run's typical time is the sum over k of the median of the
// k-th call's times over the round's runs. A run lasts milliseconds: on a
// busy machine most runs are preempted somewhere, and a whole-run median
// would keep that; a per-call median drops it. Costs are differences
// between variants measured in the same round (runs interleaved, order
// rotating), divided by the hooked calls or requests of a run; medians
// and spreads are over rounds.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as pkgWasm from "../pkg/meerkat_web_runtime.js";
import { summarize } from "./stats.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const CONFIG = {
  anthropicApiKey: "x",
  anthropicBaseUrl: "http://127.0.0.1:9/anthropic",
  model: "claude-sonnet-4-6",
};
const SESSION = { systemPrompt: "You are a concise assistant. Use the tools when they help." };
const TOOL = {
  name: "get_weather",
  description: "Current weather for a city.",
  inputSchema: {
    type: "object",
    properties: { location: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
    required: ["location"],
  },
};
const TOOL_RESULT = "18 °C, mostly sunny";
/** Fixed entropy: the same session ids (and lengths) in every run. */
const ENTROPY = new Uint8Array(32).fill(7);

const fixture = (name) => readFileSync(here(`../fixtures/providers/anthropic/${name}`));
const TEXT_BODY = fixture("a-text.sse");
const TOOL_BODY_TEXT = fixture("b-tool-call.sse").toString("utf8");
const TOOL_ID = "toolu_01A09q90qw90lq917835lq9";
/** In the compaction request's system prompt (agent/compaction.rs). */
const SUMMARY_MARK = "Summarize the conversation";

/** b-tool-call.sse with a call id of the same length, unique in the run. */
function toolBody(round) {
  const id = TOOL_ID.slice(0, -4) + String(round).padStart(4, "0");
  return new TextEncoder().encode(TOOL_BODY_TEXT.replaceAll(TOOL_ID, id));
}

/** Instantiate the glue module (a no-op once done): pkg/'s wasm, or `wasmFile` for another build. Returns its exports. */
function init(wasm, wasmFile = here("../pkg/meerkat_web_runtime_bg.wasm")) {
  return wasm.initSync({ module: readFileSync(wasmFile) });
}

/**
 * Link the core's mob part (pkg/meerkat_web_runtime_mobs.wasm) to the glue's
 * instance, as the runtime does before its first mob: a ScriptedHost's mob
 * commands need it.
 */
export async function linkMobPart(wasm, wasmFile = undefined) {
  const { linkTo } = await import("../dist/mob/part.js");
  await linkTo(init(wasm, wasmFile));
}

/**
 * One `Core` and a scripted host for it. While `trace` is set, every wasm
 * call appends its op, its time inside wasm and its time with the host's
 * JSON (ms).
 */
export class ScriptedHost {
  constructor(wasm, hookPoints = []) {
    this.core = new wasm.Core(JSON.stringify(CONFIG), ENTROPY);
    this.now = 1000;
    this.trace = undefined;
    this.command("register_tool", JSON.stringify({ op: "register_tool", tool: TOOL }));
    for (const point of hookPoints) this.command("register_hook", JSON.stringify({ op: "register_hook", hook: { point } }));
  }

  record(op, t0, t1) {
    const t2 = performance.now();
    if (!this.trace) return;
    this.trace.ops.push(op);
    this.trace.core.push(t1 - t0);
    this.trace.host.push(t2 - t0);
  }

  command(op, text) {
    const t0 = performance.now();
    const out = this.core.command(this.now, text);
    const t1 = performance.now();
    const reply = JSON.parse(out);
    this.record(op, t0, t1);
    if (reply.error) throw new Error(`core-node: ${op}: ${reply.error.code}: ${reply.error.message}`);
    return reply;
  }

  push(id, bytes) {
    const t0 = performance.now();
    const out = this.core.pushBody(this.now, id, bytes);
    const t1 = performance.now();
    const reply = out.length === 0 ? undefined : JSON.parse(out);
    this.record("pushBody", t0, t1);
    if (reply?.error) throw new Error(`core-node: pushBody: ${reply.error.code}: ${reply.error.message}`);
    return reply?.effects ?? [];
  }

  /** The session's unread events, parsed (as `pollEvents()`). */
  drain(session) {
    const t0 = performance.now();
    const out = this.core.drainEvents(session, 0);
    const t1 = performance.now();
    const events = JSON.parse(out);
    this.record("drainEvents", t0, t1);
    return events;
  }

  createSession(config) {
    return this.command("create_session", JSON.stringify({ op: "create_session", config })).ok.sessionId;
  }

  destroySession(session) {
    this.command("destroy_session", `{"op":"destroy_session","session":"${session}"}`);
  }

  /**
   * Carry out a run's effects until its `run_finished`: `answer(effect)`
   * gives each `http` effect's body; tools and hooks are answered at once.
   */
  drive(effects, answer) {
    const pending = [...effects];
    for (let i = 0; i < pending.length; i++) {
      const e = pending[i];
      let reply;
      switch (e.kind) {
        case "http": {
          this.lastHttp = e;
          pending.push(...this.command("http_head", `{"op":"http_head","id":${e.id},"status":200,"headers":[]}`).effects);
          pending.push(...this.push(e.id, answer(e)));
          reply = this.command("http_end", `{"op":"http_end","id":${e.id}}`);
          break;
        }
        case "tool":
          reply = this.command("tool_result", `{"op":"tool_result","id":${e.id},"content":${JSON.stringify(TOOL_RESULT)}}`);
          break;
        case "hook":
          this.lastHook = e;
          reply = this.command("hook_result", `{"op":"hook_result","id":${e.id},"verdict":null}`);
          break;
        case "run_finished":
          if (e.error) throw new Error(`core-node: run failed: ${e.error.code}: ${e.error.message}`);
          return e;
        case "timer":
        case "timer_cancel":
          continue;
        default:
          throw new Error(`core-node: unexpected effect ${e.kind}`);
      }
      pending.push(...reply.effects);
    }
    throw new Error("core-node: the run never finished");
  }

  /** One turn, driven to its end; the run_finished effect and the events. */
  turn(session, prompt, answer) {
    const reply = this.command("turn", `{"op":"turn","session":"${session}","prompt":${JSON.stringify(prompt)}}`);
    const finished = this.drive(reply.effects, answer);
    return { finished, events: this.drain(session) };
  }

  /** `f()` with every wasm call traced: { trace, value }. */
  traced(f) {
    this.trace = { ops: [], core: [], host: [] };
    try {
      const value = f();
      return { trace: this.trace, value };
    } finally {
      this.trace = undefined;
    }
  }

  free() {
    this.core.free();
  }
}

/** A session with `turns` text-only turns behind it (built untimed). */
export function sessionWithHistory(host, config, turns) {
  const session = host.createSession(config);
  for (let t = 0; t < turns; t++) host.turn(session, `Question ${t}: what is the weather like in Paris this week?`, () => TEXT_BODY);
  host.drain(session);
  return session;
}

const count = (events, type) => events.filter((e) => e.type === type).length;
const median = (values) => summarize(values).median;

/**
 * The typical run of several traces of the same calls: per call, the
 * median time over the traces; summed (ms), and summed by op (core ms).
 */
export function typical(traces) {
  const [first] = traces;
  const n = first.ops.length;
  for (const t of traces) {
    if (t.ops.length !== n || t.ops.some((op, k) => op !== first.ops[k])) {
      throw new Error(`core-node: runs of one variant made different calls: ${first.ops.join(",")} vs ${t.ops.join(",")}`);
    }
  }
  const out = { coreMs: 0, hostMs: 0, byOp: {} };
  for (let k = 0; k < n; k++) {
    const core = median(traces.map((t) => t.core[k]));
    out.coreMs += core;
    out.hostMs += median(traces.map((t) => t.host[k]));
    out.byOp[first.ops[k]] = (out.byOp[first.ops[k]] ?? 0) + core;
  }
  return out;
}

/** One trace's totals (a single run: nothing to take a median over). */
function totals(trace) {
  const out = { coreMs: 0, hostMs: 0, byOp: {} };
  trace.ops.forEach((op, k) => {
    out.coreMs += trace.core[k];
    out.hostMs += trace.host[k];
    out.byOp[op] = (out.byOp[op] ?? 0) + trace.core[k];
  });
  return out;
}

/** Per-round samples → summaries, nested objects alike. */
function summarizeAll(samples) {
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Array.isArray(v) ? summarize(v) : summarizeAll(v)]));
}

function push(target, key, value) {
  (target[key] ??= []).push(value);
}

/** Per-op core time of `b` minus that of `a`, divided by `n` (µs). */
function opDiff(a, b, n) {
  const out = {};
  for (const op of new Set([...Object.keys(a), ...Object.keys(b)])) out[op] = (((b[op] ?? 0) - (a[op] ?? 0)) * 1000) / n;
  return out;
}

const KINDS = [
  ["core", "coreMs"],
  ["host", "hostMs"],
];

// ------------------------------------------------------------------ hooks

export const HOOK_VARIANTS = {
  none: [],
  preTool: ["pre_tool_execution"],
  preLlm: ["pre_llm_request"],
};

/** A command that does nothing but cross the boundary (its reply is `[]`). */
const NOOP = '{"op":"list_skill_sources"}';

/**
 * The cost of one foreground hook answered at once, on a short history.
 * Each variant has its own core, the hook registered runtime-wide (as
 * `runtime.registerHook`). A run is one turn of `rounds` tool-call round
 * trips (request, streamed response with one tool call, tool effect, tool
 * result) and a final text answer, on a fresh session (created and
 * destroyed untimed); `reps` runs of each variant per round, interleaved.
 * The preTool variant asks its hook once per tool call, the preLlm
 * variant once per request (`rounds` + 1). A tool-call round trip is the
 * no-hook run's time / `rounds`.
 */
export function benchHooks({ runs, warmup, wasm = pkgWasm, wasmFile, rounds = 16, reps = 9, noops = 200 }) {
  init(wasm, wasmFile);
  const bodies = Array.from({ length: rounds }, (_, i) => toolBody(i));
  const hosts = Object.fromEntries(Object.entries(HOOK_VARIANTS).map(([name, points]) => [name, new ScriptedHost(wasm, points)]));
  const names = Object.keys(hosts);
  const hooked = { none: 0, preTool: rounds, preLlm: rounds + 1 };
  const raw = { core: {}, host: {}, byOp: {} };
  const runOnce = (name) => {
    const host = hosts[name];
    const session = host.createSession(SESSION);
    let next = 0;
    const answer = () => (next < rounds ? bodies[next++] : TEXT_BODY);
    const { trace, value } = host.traced(() => host.turn(session, "What is the weather in Paris? Check it several times.", answer));
    const completed = count(value.events, "hook_completed");
    if (value.finished.result.toolCalls !== rounds || completed !== hooked[name]) {
      throw new Error(`core-node hooks ${name}: ${value.finished.result.toolCalls} tool calls, ${completed} hooks completed`);
    }
    host.destroySession(session);
    return trace;
  };
  let shape;
  try {
    for (let round = 0; round < warmup + runs; round++) {
      const traces = Object.fromEntries(names.map((name) => [name, []]));
      for (let rep = 0; rep < reps; rep++) {
        for (let k = 0; k < names.length; k++) {
          const name = names[(rep + k) % names.length];
          traces[name].push(runOnce(name));
        }
      }
      // One command through the boundary and back, for scale.
      const noop = hosts.none.traced(() => {
        for (let i = 0; i < noops; i++) hosts.none.command("noop", NOOP);
      }).trace;
      if (round < warmup) continue;
      const none = typical(traces.none);
      const preTool = typical(traces.preTool);
      const preLlm = typical(traces.preLlm);
      for (const [kind, key] of KINDS) {
        const roundTrip = (none[key] * 1000) / rounds;
        const perToolCall = ((preTool[key] - none[key]) * 1000) / rounds;
        const perRequest = ((preLlm[key] - none[key]) * 1000) / (rounds + 1);
        push(raw[kind], "roundTripUs", roundTrip);
        push(raw[kind], "perToolCallUs", perToolCall);
        push(raw[kind], "perRequestUs", perRequest);
        push(raw[kind], "perToolCallShare", perToolCall / roundTrip);
        push(raw[kind], "perRequestShare", perRequest / roundTrip);
        push(raw[kind], "commandUs", median(noop[kind]) * 1000);
      }
      for (const [op, ms] of Object.entries(none.byOp)) push((raw.byOp.none ??= {}), op, (ms * 1000) / rounds);
      for (const [op, us] of Object.entries(opDiff(none.byOp, preTool.byOp, rounds))) push((raw.byOp.preTool ??= {}), op, us);
      for (const [op, us] of Object.entries(opDiff(none.byOp, preLlm.byOp, rounds + 1))) push((raw.byOp.preLlm ??= {}), op, us);
      shape ??= {
        toolCtxBytes: JSON.stringify(hosts.preTool.lastHook.ctx).length,
        lastLlmCtxBytes: JSON.stringify(hosts.preLlm.lastHook.ctx).length,
        lastRequestBytes: hosts.none.lastHttp.body.length,
      };
    }
  } finally {
    for (const host of Object.values(hosts)) host.free();
  }
  return { rounds, reps, ...shape, ...summarizeAll(raw) };
}

// ----------------------------------------------- long history, compaction

/**
 * On sessions with `history` text turns behind them (one core; three
 * sessions built untimed each round), `turns` text turns on each session
 * per round, interleaved (the order rotating):
 * - plain: no compaction, no hook (the baseline);
 * - configured: compaction configured but never due (threshold
 *   100,000,000 tokens): the difference is deciding compaction, i.e. the
 *   token estimate made before every request;
 * - hooked: a `pre_llm_request` hook on that session, answered at once
 *   (its context carries the whole request, history included).
 * Then `session.compact()` of the configured session (its history now as
 * long as the others'; the last 3 turns kept), its summary request
 * answered with a canned body, timed by command: `compact` (plan, the
 * summary request built), the body pushed (parsed), `http_end` (the
 * summary applied: the older messages replaced; the run reported). One
 * compaction per round: its figures are that single run's, the ratio is
 * to the round's typical plain turn.
 */
export function benchLongHistory({ runs, warmup, wasm = pkgWasm, wasmFile, history = 200, turns = 12 }) {
  init(wasm, wasmFile);
  const host = new ScriptedHost(wasm);
  const configs = {
    plain: SESSION,
    configured: { ...SESSION, compaction: { thresholdTokens: 100_000_000, keepRecentTurns: 3 } },
    hooked: SESSION,
  };
  const names = Object.keys(configs);
  const raw = { core: {}, host: {}, byOp: {} };
  let shape;
  try {
    for (let round = 0; round < warmup + runs; round++) {
      const sessions = Object.fromEntries(names.map((name) => [name, sessionWithHistory(host, configs[name], history)]));
      host.command("register_hook", JSON.stringify({ op: "register_hook", hook: { point: "pre_llm_request" }, session: sessions.hooked }));
      const traces = Object.fromEntries(names.map((name) => [name, []]));
      for (let i = 0; i < turns; i++) {
        for (let k = 0; k < names.length; k++) {
          const name = names[(i + k) % names.length];
          const { trace, value } = host.traced(() => host.turn(sessions[name], "And tomorrow?", () => TEXT_BODY));
          if (count(value.events, "hook_completed") !== (name === "hooked" ? 1 : 0) || count(value.events, "compaction_started") !== 0) {
            throw new Error(`core-node long history ${name}: unexpected hook or compaction events`);
          }
          traces[name].push(trace);
        }
      }
      const requestBytes = host.lastHttp.body.length;
      const ctxBytes = JSON.stringify(host.lastHook.ctx).length;
      // Compact the configured session.
      const session = sessions.configured;
      const messagesBefore = host.command("history", `{"op":"history","session":"${session}"}`).ok.length;
      const { trace, value: events } = host.traced(() => {
        const reply = host.command("compact", `{"op":"compact","session":"${session}"}`);
        host.drive(reply.effects, () => TEXT_BODY);
        return host.drain(session);
      });
      const summaryRequest = host.lastHttp;
      const messagesAfter = host.command("history", `{"op":"history","session":"${session}"}`).ok.length;
      if (!summaryRequest.body.includes(SUMMARY_MARK) || count(events, "compaction_completed") !== 1 || messagesAfter >= messagesBefore) {
        throw new Error(`core-node compaction: no compaction (${messagesBefore} → ${messagesAfter} messages)`);
      }
      for (const name of names) host.destroySession(sessions[name]);
      if (round < warmup) continue;
      shape ??= { messagesBefore, messagesAfter, requestBytes, ctxBytes, summaryRequestBytes: summaryRequest.body.length };
      const plain = typical(traces.plain);
      const configured = typical(traces.configured);
      const hooked = typical(traces.hooked);
      const compact = totals(trace);
      for (const [kind, key] of KINDS) {
        const turnUs = plain[key] * 1000;
        const decisionUs = (configured[key] - plain[key]) * 1000;
        const hookUs = (hooked[key] - plain[key]) * 1000;
        push(raw[kind], "turnUs", turnUs);
        push(raw[kind], "decisionUs", decisionUs);
        push(raw[kind], "decisionShare", decisionUs / turnUs);
        push(raw[kind], "perRequestHookUs", hookUs);
        push(raw[kind], "perRequestHookShare", hookUs / turnUs);
        push(raw[kind], "compactUs", compact[key] * 1000);
        push(raw[kind], "compactRatio", compact[key] / plain[key]);
      }
      for (const [op, ms] of Object.entries(plain.byOp)) push((raw.byOp.turn ??= {}), op, ms * 1000);
      for (const [op, ms] of Object.entries(compact.byOp)) push((raw.byOp.compact ??= {}), op, ms * 1000);
      for (const [op, us] of Object.entries(opDiff(plain.byOp, hooked.byOp, 1))) push((raw.byOp.hooked ??= {}), op, us);
    }
  } finally {
    host.free();
  }
  return { history, turns, ...shape, ...summarizeAll(raw) };
}
