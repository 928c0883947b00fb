/**
 * The effect driver: carries out what the core asks (HTTP with streaming
 * bodies, timers, tool and hook calls) and feeds each outcome back. It never
 * interprets an effect beyond executing it; every agent decision is the core's.
 *
 * Waiters are keyed by run id: a run the core starts on its own resolves
 * nobody's `turn()`, and a later `turn()` never sees a stale result.
 */
import type { CoreErrorShape, CoreHandle, Effect, Reply } from "./core.js";
import { MeerkatError, makeError } from "./errors.js";
import type { HookHandler } from "./hooks.js";
import type { ContentBlock, RunResult, ToolHandler, ToolOutput, Usage } from "./types.js";

export interface RunOutcome {
  result?: RunResult;
  error?: MeerkatError;
  totals: { usage: Usage; turns: number; toolCalls: number };
}

type HttpEffect = Extract<Effect, { kind: "http" }>;
type ToolEffect = Extract<Effect, { kind: "tool" }>;
type HookEffect = Extract<Effect, { kind: "hook" }>;

const NO_TOTALS = { usage: { inputTokens: 0, outputTokens: 0 }, turns: 0, toolCalls: 0 };

export class Driver {
  private readonly requests = new Map<number, { controller: AbortController; sessionId: string | undefined }>();
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  private readonly runWaiters = new Map<number, (outcome: RunOutcome) => void>();
  /** Every caller waiting on a source's load (two refreshes may overlap). */
  private readonly sourceWaiters = new Map<string, Array<(error: MeerkatError | undefined) => void>>();
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Outcomes of runs that ended inside the command being applied. */
  private captured: Map<number, RunOutcome> | undefined;

  constructor(
    private readonly core: CoreHandle,
    private readonly tools: Map<string, ToolHandler>,
    private readonly hooks: Map<string, HookHandler>,
    private readonly fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
  ) {}

  /** Run a command and start its effects; throws the core's error. */
  command(cmd: object): unknown {
    const reply = this.core.command(cmd);
    this.apply(reply);
    if (reply.error) throw coreError(reply.error);
    return reply.ok;
  }

  /**
   * Run a command that starts a run (`{runId}` in its reply) and wait for
   * that run's end. Throws synchronously when the command is refused.
   */
  startRun(cmd: object): { runId: number; done: Promise<RunOutcome> } {
    const captured = new Map<number, RunOutcome>();
    this.captured = captured;
    let ok: unknown;
    try {
      ok = this.command(cmd);
    } finally {
      this.captured = undefined;
    }
    const { runId } = ok as { runId: number };
    const early = captured.get(runId);
    const done = early
      ? Promise.resolve(early)
      : new Promise<RunOutcome>((resolve) => this.runWaiters.set(runId, resolve));
    return { runId, done };
  }

  /** Resolve once skill source `uuid` has loaded (or failed to). */
  waitForSource(uuid: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiters = this.sourceWaiters.get(uuid) ?? [];
      waiters.push((error) => (error ? reject(error) : resolve()));
      this.sourceWaiters.set(uuid, waiters);
    });
  }

  /** Call `listener` whenever the session may have new events; returns the remover. */
  listen(sessionId: string, listener: () => void): () => void {
    let set = this.listeners.get(sessionId);
    if (!set) this.listeners.set(sessionId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(sessionId);
    };
  }

  /** Drop what the driver keeps for a destroyed session. */
  forget(sessionId: string): void {
    this.listeners.delete(sessionId);
  }

  /** Abort everything in flight: the runtime is going away. */
  shutdown(reason: MeerkatError): void {
    for (const { controller } of this.requests.values()) controller.abort();
    this.requests.clear();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.runWaiters.values()) waiter({ error: reason, totals: NO_TOTALS });
    this.runWaiters.clear();
    for (const waiters of this.sourceWaiters.values()) for (const waiter of waiters) waiter(reason);
    this.sourceWaiters.clear();
    for (const set of [...this.listeners.values()]) for (const listener of [...set]) listener();
  }

  private apply(reply: Reply | undefined): void {
    if (!reply) return;
    for (const effect of reply.effects) {
      switch (effect.kind) {
        case "http":
          void this.http(effect);
          break;
        case "http_abort":
          this.requests.get(effect.id)?.controller.abort();
          this.requests.delete(effect.id);
          break;
        case "timer":
          this.timers.set(
            effect.id,
            setTimeout(() => {
              this.timers.delete(effect.id);
              this.feed({ op: "timer_fired", id: effect.id }, effect.sessionId);
            }, effect.delayMs),
          );
          break;
        case "timer_cancel":
          clearTimeout(this.timers.get(effect.id));
          this.timers.delete(effect.id);
          break;
        case "tool":
          // Let the events announcing the call reach their consumers first.
          this.notify(effect.sessionId);
          nextTask(() => void this.tool(effect));
          break;
        case "hook":
          this.notify(effect.sessionId);
          nextTask(() => void this.hook(effect));
          break;
        case "run_finished":
          this.finish(effect);
          break;
        case "skill_source_ready": {
          const waiters = this.sourceWaiters.get(effect.sourceUuid) ?? [];
          this.sourceWaiters.delete(effect.sourceUuid);
          const error = effect.error ? coreError(effect.error) : undefined;
          for (const waiter of waiters) waiter(error);
          break;
        }
      }
    }
  }

  /** Feed an outcome back and tell the session's listeners. */
  private feed(cmd: object, sessionId: string | undefined): Reply | undefined {
    const reply = this.send(cmd);
    if (sessionId) this.notify(sessionId);
    return reply;
  }

  /**
   * Feed an outcome back. Its reply's error (say, a result for a run that
   * was cancelled meanwhile) is returned, not thrown: there is no caller to
   * throw to. A core that died meanwhile has already failed the waiters.
   */
  private send(cmd: object): Reply | undefined {
    if (!this.core.alive) return undefined;
    try {
      const reply = this.core.command(cmd);
      this.apply(reply);
      return reply;
    } catch {
      return undefined;
    }
  }

  private async http(effect: HttpEffect): Promise<void> {
    const controller = new AbortController();
    const { id, sessionId } = effect;
    this.requests.set(id, { controller, sessionId });
    const live = () => this.requests.has(id) && this.core.alive;
    try {
      const response = await this.fetchImpl(effect.url, {
        method: effect.method,
        headers: effect.headers,
        body: effect.method === "GET" ? undefined : effect.body,
        signal: controller.signal,
      });
      if (!live()) return;
      this.feed({ op: "http_head", id, status: response.status, headers: [...response.headers] }, sessionId);
      if (response.body) {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done || !live()) break;
          this.apply(this.core.pushBody(id, value));
          if (sessionId) this.notify(sessionId);
        }
        if (!live()) {
          void reader.cancel().catch(() => {});
          return;
        }
      }
      this.requests.delete(id);
      this.feed({ op: "http_end", id }, sessionId);
    } catch (error) {
      if (!live()) return;
      this.requests.delete(id);
      this.feed({ op: "http_error", id, message: describe(error) }, sessionId);
    }
  }

  private async tool(effect: ToolEffect): Promise<void> {
    const handler = this.tools.get(effect.name);
    let outcome: { content: string | ContentBlock[]; isError: boolean };
    try {
      if (!handler) throw new Error(`tool ${effect.name} has no handler in this runtime`);
      outcome = normalizeToolOutput(effect.name, await handler(effect.args));
    } catch (error) {
      outcome = { content: `Error: ${describe(error)}`, isError: true };
    }
    const reply = this.feed({ op: "tool_result", id: effect.id, ...outcome }, effect.sessionId);
    if (reply?.error?.code === "INVALID_ARGUMENT") {
      // Content blocks the core refused: the model gets the reason instead.
      const content = `TOOL_RESULT_INVALID: ${reply.error.message}`;
      this.feed({ op: "tool_result", id: effect.id, content, isError: true }, effect.sessionId);
    }
  }

  /** Ask a hook; what it returns (or throws) goes back as the verdict. */
  private async hook(effect: HookEffect): Promise<void> {
    const handler = this.hooks.get(effect.hookId);
    let answer: { verdict: unknown } | { error: string };
    try {
      if (!handler) throw new Error(`hook ${effect.hookId} has no handler in this runtime`);
      const verdict = (await handler(effect.ctx as never)) ?? null;
      answer = { verdict: JSON.parse(JSON.stringify(verdict) ?? "null") as unknown };
    } catch (error) {
      answer = { error: describe(error) };
    }
    this.feed({ op: "hook_result", id: effect.id, ...answer }, effect.sessionId);
  }

  private finish(effect: Extract<Effect, { kind: "run_finished" }>): void {
    const outcome: RunOutcome = { totals: effect.totals };
    if (effect.result) outcome.result = effect.result;
    if (effect.error) outcome.error = coreError(effect.error);
    const waiter = this.runWaiters.get(effect.runId);
    if (waiter) {
      this.runWaiters.delete(effect.runId);
      waiter(outcome);
    } else {
      // A run that ended inside the command that started it; the outcome
      // of a run nobody started from here is not kept.
      this.captured?.set(effect.runId, outcome);
    }
    this.notify(effect.sessionId);
  }

  private notify(sessionId: string): void {
    const set = this.listeners.get(sessionId);
    if (set) for (const listener of set) listener();
  }
}

let taskQueue: { port: MessagePort; tasks: Array<() => void> } | undefined;

/**
 * Run `task` as a new task (after the current one and its microtasks, so
 * consumers woken by `notify` read their events first), without
 * `setTimeout`'s clamp of a millisecond or more per call.
 */
function nextTask(task: () => void): void {
  if (typeof setImmediate === "function") {
    setImmediate(task);
    return;
  }
  if (!taskQueue) {
    const channel = new MessageChannel();
    const queue = { port: channel.port2, tasks: [] as Array<() => void> };
    channel.port1.onmessage = () => queue.tasks.shift()?.();
    taskQueue = queue;
  }
  taskQueue.tasks.push(task);
  taskQueue.port.postMessage(0);
}

function coreError(error: CoreErrorShape): MeerkatError {
  return makeError(error.code, error.message, error.details);
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * What the model sees of a handler's return value: strings and
 * `{content, isError}` as they are, other JSON values as JSON text, and
 * anything that is not JSON as an error it can read.
 */
export function normalizeToolOutput(
  name: string,
  output: ToolOutput | unknown,
): { content: string | ContentBlock[]; isError: boolean } {
  if (typeof output === "string") return { content: output, isError: false };
  if (isStructuredOutput(output)) return { content: output.content, isError: output.isError === true };
  let text: string | undefined;
  try {
    text = JSON.stringify(output);
  } catch {
    text = undefined;
  }
  if (typeof text !== "string" || typeof output === "bigint") {
    return {
      content: `TOOL_RESULT_INVALID: tool ${name} returned ${output === undefined ? "undefined" : typeof output}, which is not JSON; return a string or { content, isError }`,
      isError: true,
    };
  }
  return { content: text, isError: false };
}

function isStructuredOutput(value: unknown): value is { content: string | ContentBlock[]; isError?: boolean } {
  if (typeof value !== "object" || value === null || !("content" in value)) return false;
  const { content, isError } = value as { content: unknown; isError?: unknown };
  const contentOk = typeof content === "string" || (Array.isArray(content) && content.length > 0);
  return contentOk && (isError === undefined || typeof isError === "boolean");
}

export function deadRuntimeError(): MeerkatError {
  return new MeerkatError("RUNTIME_DESTROYED", "the runtime was destroyed; create a new one with MeerkatRuntime.init");
}
