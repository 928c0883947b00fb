/**
 * interrupt() and destroy() at each phase of a run, on the main thread and
 * through the Worker: before the response head, mid-stream, during a tool
 * call, during a hook, during a retry's backoff. Every promise settles, a
 * second call changes nothing, every tool_use keeps its tool_result, and
 * the session (after interrupt) or the runtime (after destroy) takes the
 * next turn.
 */
import { afterEach, describe, expect, test } from "vitest";
import type { AgentEvent, HistoryMessage, HookPoint, RunResult, SessionInfo } from "@rkat/web";
import { resetSim, script, simRuntime, workerPair } from "./support/runtime.js";
import { errorOf, gate, until, weatherSchema } from "./support/features.js";

interface SessionLike {
  turn(prompt: string): Promise<RunResult>;
  interrupt(): Promise<void>;
  destroy(): void | Promise<void>;
  history(): Promise<HistoryMessage[]>;
  subscribeEvents(): Promise<{ poll(): AgentEvent[] }>;
}
interface RuntimeLike {
  registerTool(name: string, description: string, schema: object, handler: () => Promise<string>): unknown;
  registerHook(point: HookPoint, handler: () => Promise<undefined>): unknown;
  createSession(): SessionLike | Promise<SessionLike>;
  listSessions(): SessionInfo[] | Promise<SessionInfo[]>;
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const done of cleanup) await done();
  cleanup = [];
});

const slowRetry = { retry: { maxRetries: 2, initialDelayMs: 60_000, maxDelayMs: 60_000 } };

const sides = [
  {
    name: "main thread",
    open: async (): Promise<RuntimeLike> => {
      const runtime = await simRuntime(slowRetry);
      cleanup.push(async () => runtime.destroy());
      return runtime as never;
    },
  },
  {
    name: "Worker",
    open: async (): Promise<RuntimeLike> => {
      const { runtime, close } = await workerPair(slowRetry);
      cleanup.push(close);
      return runtime as never;
    },
  },
];

/** Each phase: how the run is brought there (`held` resolves once it is), and the prompt. */
interface Phase {
  name: string;
  prompt: string;
  /** Set up the runtime; returns what the run waits on there, if anything. */
  arrange(runtime: RuntimeLike, entered: () => void, release: Promise<unknown>): Promise<void>;
  /** Resolves once the run is in the phase. */
  reached(events: () => AgentEvent[], entered: Promise<void>): Promise<unknown>;
}

const seen = (events: () => AgentEvent[], type: AgentEvent["type"]) => {
  const all: AgentEvent[] = [];
  return until(() => {
    all.push(...events());
    return all.some((e) => e.type === type) ? true : undefined;
  });
};

const PHASES: Phase[] = [
  {
    name: "before the response head",
    prompt: "hello",
    arrange: async () => {},
    reached: async () => {},
  },
  {
    name: "mid-stream",
    prompt: "hello",
    arrange: () => script("hang"),
    reached: (events) => seen(events, "text_delta"),
  },
  {
    name: "during a tool call",
    prompt: "What is the weather in Oslo?",
    arrange: async (runtime, entered, release) => {
      await runtime.registerTool("get_weather", "Weather for a city", weatherSchema, async () => {
        entered();
        await release;
        return "sunny";
      });
    },
    reached: (_events, entered) => entered,
  },
  {
    name: "during a hook",
    prompt: "What is the weather in Oslo?",
    arrange: async (runtime, entered, release) => {
      await runtime.registerTool("get_weather", "Weather for a city", weatherSchema, async () => "sunny");
      await runtime.registerHook("pre_tool_execution", async () => {
        entered();
        await release;
        return undefined;
      });
    },
    reached: (_events, entered) => entered,
  },
  {
    name: "during a retry's backoff",
    prompt: "hello",
    arrange: () => script("error=500"),
    reached: (events) => seen(events, "retrying"),
  },
];

/** Every tool_use of the history has its tool_result. */
function unpaired(history: HistoryMessage[]): string[] {
  const parts = history.flatMap((m) => m.content);
  const results = new Set(parts.flatMap((p) => (p.type === "tool_result" ? [p.tool_use_id] : [])));
  return parts.flatMap((p) => (p.type === "tool_use" && !results.has(p.id) ? [p.id] : []));
}

/** A runtime on `side` whose session's turn has reached `phase` (held there until `release`). */
async function inPhase(side: (typeof sides)[number], phase: (typeof PHASES)[number]) {
  await resetSim();
  const runtime = await side.open();
  const entered = gate();
  const release = gate();
  await phase.arrange(runtime, entered.resolve, release.promise);
  const session = await runtime.createSession();
  const sub = await session.subscribeEvents();
  const turn = session.turn(phase.prompt);
  await phase.reached(() => sub.poll(), entered.promise);
  return { runtime, session, sub, turn, release };
}

for (const side of sides) {
  describe(side.name, () => {
    for (const phase of PHASES) {
      test(`interrupt ${phase.name}: the turn resolves cancelled, the session takes the next turn`, async () => {
        const { runtime, session, sub, turn, release } = await inPhase(side, phase);
        await session.interrupt();
        await session.interrupt();
        await turn;
        release.resolve();
        const after = sub.poll();
        expect(after.filter((e) => e.type === "turn_completed").at(-1)).toMatchObject({ stopReason: "cancelled" });
        expect(after.at(-1)?.type).toBe("run_completed");
        expect(unpaired(await session.history())).toEqual([]);
        expect((await runtime.listSessions()).map((s) => s.isActive)).toEqual([false]);
        expect((await session.turn("and now?")).text).toMatch(/and now\?/);
      });

      test(`destroy ${phase.name}: the turn rejects CANCELLED, the runtime takes a new session`, async () => {
        const { runtime, session, turn, release } = await inPhase(side, phase);
        await session.destroy();
        await session.destroy();
        expect((await errorOf(turn)).code).toBe("CANCELLED");
        release.resolve();
        expect((await errorOf(() => session.interrupt())).code).toBe("SESSION_NOT_FOUND");
        expect(await runtime.listSessions()).toEqual([]);
        const next = await runtime.createSession();
        expect((await next.turn("and now?")).text).toMatch(/and now\?/);
      });
    }
  });
}
