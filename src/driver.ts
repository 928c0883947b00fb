/**
 * The effect driver: carries out what the core asks (HTTP with streaming
 * bodies, tool calls) and feeds each outcome back. It never interprets an
 * effect beyond executing it; every agent decision is the core's.
 */
import type { CoreHandle, Effect, Reply } from "./core.js";
import { MeerkatError, makeError } from "./errors.js";
import type { ContentBlock, RunResult, ToolHandler, ToolOutput, Usage } from "./types.js";

export interface RunOutcome {
  result?: RunResult;
  error?: MeerkatError;
  totals: { usage: Usage; turns: number; toolCalls: number };
}

type HttpEffect = Extract<Effect, { kind: "http" }>;
type ToolEffect = Extract<Effect, { kind: "tool" }>;

export class Driver {
  private readonly requests = new Map<number, { controller: AbortController; sessionId: string }>();
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  private readonly runWaiters = new Map<string, (outcome: RunOutcome) => void>();
  /** Outcomes that arrived before anyone waited (a run can end inside its own command). */
  private readonly earlyOutcomes = new Map<string, RunOutcome>();
  private readonly listeners = new Map<string, () => void>();

  constructor(
    private readonly core: CoreHandle,
    private readonly tools: Map<string, ToolHandler>,
    private readonly fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
  ) {}

  /** Run a command and start its effects; throws the core's error. */
  command(cmd: object): unknown {
    const reply = this.core.command(cmd);
    this.apply(reply);
    if (reply.error) throw makeError(reply.error.code, reply.error.message);
    return reply.ok;
  }

  /** Resolve with the outcome of the next run that finishes on this session. */
  onRunFinished(sessionId: string, resolve: (outcome: RunOutcome) => void): void {
    const early = this.earlyOutcomes.get(sessionId);
    if (early) {
      this.earlyOutcomes.delete(sessionId);
      resolve(early);
    } else {
      this.runWaiters.set(sessionId, resolve);
    }
  }

  /** Called whenever the session may have new events. */
  setListener(sessionId: string, listener: (() => void) | undefined): void {
    if (listener) this.listeners.set(sessionId, listener);
    else this.listeners.delete(sessionId);
  }

  /** Drop what the driver keeps for a destroyed session. */
  forget(sessionId: string): void {
    this.listeners.delete(sessionId);
    this.runWaiters.delete(sessionId);
    this.earlyOutcomes.delete(sessionId);
  }

  /** Abort everything in flight: the runtime is going away. */
  shutdown(reason: MeerkatError): void {
    for (const { controller } of this.requests.values()) controller.abort();
    this.requests.clear();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const [sessionId, waiter] of this.runWaiters) {
      waiter({ error: reason, totals: { usage: { inputTokens: 0, outputTokens: 0 }, turns: 0, toolCalls: 0 } });
      this.notify(sessionId);
    }
    this.runWaiters.clear();
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
          setTimeout(() => void this.tool(effect), 0);
          break;
        case "run_finished":
          this.finish(effect);
          break;
      }
    }
  }

  /** Feed an outcome back and tell the session's listener. */
  private feed(cmd: object, sessionId: string): void {
    this.send(cmd);
    this.notify(sessionId);
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
        body: effect.body,
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
          this.notify(sessionId);
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
    const reply = this.send({ op: "tool_result", id: effect.id, ...outcome });
    if (reply?.error?.code === "INVALID_ARGUMENT") {
      // Content blocks the core refused: the model gets the reason instead.
      const content = `TOOL_RESULT_INVALID: ${reply.error.message}`;
      this.send({ op: "tool_result", id: effect.id, content, isError: true });
    }
    this.notify(effect.sessionId);
  }

  private finish(effect: Extract<Effect, { kind: "run_finished" }>): void {
    const waiter = this.runWaiters.get(effect.sessionId);
    this.runWaiters.delete(effect.sessionId);
    const outcome: RunOutcome = { totals: effect.totals };
    if (effect.result) outcome.result = effect.result;
    if (effect.error) outcome.error = makeError(effect.error.code, effect.error.message);
    if (waiter) waiter(outcome);
    else this.earlyOutcomes.set(effect.sessionId, outcome);
  }

  private notify(sessionId: string): void {
    this.listeners.get(sessionId)?.();
  }
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
