/**
 * The effect driver: carries out what the core asks (HTTP with streaming
 * bodies, timers, tool, hook and auth resolver calls) and feeds each outcome
 * back. It never interprets an effect beyond executing it; every agent
 * decision is the core's (a lease is checked and cached there too).
 *
 * Waiters are keyed by run id: a run the core starts on its own resolves
 * nobody's `turn()`, and a later `turn()` never sees a stale result.
 */
import type { RegisteredResolver } from "./auth/registry.js";
import type { CoreErrorShape, CoreHandle, Effect, Reply } from "./core.js";
import { MeerkatError, makeError } from "./errors.js";
import type { HookHandler } from "./hooks.js";
import type { RunResult, ToolHandler, Usage } from "./types.js";
import { describe, hookVerdict, jsonData, toolOutcome } from "./callbacks.js";
import { nextTask } from "./next-task.js";

export interface RunOutcome {
  result?: RunResult;
  error?: MeerkatError;
  totals: { usage: Usage; turns: number; toolCalls: number };
}

type HttpEffect = Extract<Effect, { kind: "http" }>;
type ToolEffect = Extract<Effect, { kind: "tool" }>;
type HookEffect = Extract<Effect, { kind: "hook" }>;
type AuthEffect = Extract<Effect, { kind: "auth" }>;

const NO_TOTALS = { usage: { inputTokens: 0, outputTokens: 0 }, turns: 0, toolCalls: 0 };

export class Driver {
  private readonly requests = new Map<number, { controller: AbortController; sessionId: string | undefined }>();
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** Deadlines of resolver calls under way. */
  private readonly authTimers = new Set<ReturnType<typeof setTimeout>>();
  /** Several callers may wait on one run (a `steer` send joins the run in flight). */
  private readonly runWaiters = new Map<number, Array<(outcome: RunOutcome) => void>>();
  /** Every caller waiting on a source's load (two refreshes may overlap). */
  private readonly sourceWaiters = new Map<string, Array<(error: MeerkatError | undefined) => void>>();
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Told of every session's news and of outcomes that belong to no session (a mob's timers). */
  private readonly anyListeners = new Set<() => void>();
  /** Outcomes of runs that ended inside the command being applied. */
  private captured: Map<number, RunOutcome> | undefined;
  /** Hook calls asked and not yet answered. */
  private readonly asking = new Map<number, HookEffect>();
  /** The resolver whose leases the core may hold. */
  private resolver: RegisteredResolver | undefined;

  constructor(
    private readonly core: CoreHandle,
    private readonly tools: Map<string, ToolHandler>,
    private readonly hooks: Map<string, HookHandler>,
    private readonly fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
    /** The external auth resolver, looked up when a lease is asked for. */
    private readonly authResolver: () => RegisteredResolver | undefined = () => undefined,
  ) {}

  /** Run a command and start its effects; throws the core's error. */
  command(cmd: object): unknown {
    const reply = this.exec(cmd);
    this.apply(reply);
    if (reply.error) throw coreError(reply.error);
    return reply.ok;
  }

  /**
   * Run a command that starts a run (`{runId}` in its reply) and wait for
   * that run's end. Throws synchronously when the command is refused.
   */
  startRun(cmd: object): { runId: number; done: Promise<RunOutcome> } {
    const { ok, runs } = this.commandWithRuns(cmd, (reply) => [(reply as { runId: number }).runId]);
    const runId = (ok as { runId: number }).runId;
    return { runId, done: runs.get(runId) as Promise<RunOutcome> };
  }

  /**
   * Run a command whose reply names runs it started or joined (`runIds`
   * reads them from the reply) and wait for each one's end, including a run
   * that ended inside the command itself. Throws synchronously when the
   * command is refused.
   */
  commandWithRuns(cmd: object, runIds: (ok: unknown) => number[]): { ok: unknown; runs: Map<number, Promise<RunOutcome>> } {
    const captured = new Map<number, RunOutcome>();
    const outer = this.captured;
    this.captured = captured;
    let ok: unknown;
    try {
      ok = this.command(cmd);
    } finally {
      this.captured = outer;
    }
    const runs = new Map<number, Promise<RunOutcome>>();
    for (const runId of runIds(ok)) {
      const early = captured.get(runId);
      runs.set(runId, early ? Promise.resolve(early) : this.waitForRun(runId));
    }
    return { ok, runs };
  }

  /** The end of run `runId`, which has not ended yet. */
  private waitForRun(runId: number): Promise<RunOutcome> {
    return new Promise<RunOutcome>((resolve) => {
      const waiters = this.runWaiters.get(runId) ?? [];
      waiters.push(resolve);
      this.runWaiters.set(runId, waiters);
    });
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

  /** Call `listener` whenever anything in the runtime may have changed; returns the remover. */
  listenAny(listener: () => void): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
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
    for (const timer of this.authTimers) clearTimeout(timer);
    this.authTimers.clear();
    for (const waiters of this.runWaiters.values()) for (const waiter of waiters) waiter({ error: reason, totals: NO_TOTALS });
    this.runWaiters.clear();
    for (const waiters of this.sourceWaiters.values()) for (const waiter of waiters) waiter(reason);
    this.sourceWaiters.clear();
    this.notifyAll();
  }

  /** Tell every listener: news for every session (a tool set changed; the runtime went away). */
  notifyAll(): void {
    for (const set of [...this.listeners.values()]) for (const listener of [...set]) listener();
    for (const listener of [...this.anyListeners]) listener();
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
        case "auth":
          nextTask(() => void this.auth(effect));
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
    else this.notifyAny();
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
      const reply = this.exec(cmd);
      this.apply(reply);
      return reply;
    } catch {
      return undefined;
    }
  }

  /**
   * The core's reply to `cmd`. A resolver replaced or cleared since the
   * last command takes its leases along (a signed-out user's token must not
   * serve the next one): the core forgets them before any request is built.
   */
  private exec(cmd: object): Reply {
    if (this.resolver !== (this.resolver = this.authResolver())) this.core.command({ op: "forget_leases" });
    return this.core.command(cmd);
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
    const outcome = handler
      ? await toolOutcome(effect.name, handler, effect.args)
      : { content: `Error: tool ${effect.name} has no handler in this runtime`, isError: true };
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
    this.asking.set(effect.id, effect);
    try {
      if (!handler) throw new Error(`hook ${effect.hookId} has no handler in this runtime`);
      answer = { verdict: await hookVerdict(handler, effect.ctx as never) };
    } catch (error) {
      answer = { error: describe(error) };
    }
    // Unless `releaseHook` answered for it meanwhile.
    if (this.asking.delete(effect.id)) this.feed({ op: "hook_result", id: effect.id, ...answer }, effect.sessionId);
  }

  /**
   * Hook `hookId` was unregistered: a run waiting on a call of it goes on at
   * once, as if it allowed (an unregistered hook has no say, and may never
   * answer); its late answer is dropped.
   */
  releaseHook(hookId: string): void {
    for (const [id, effect] of this.asking) {
      if (effect.hookId !== hookId) continue;
      this.asking.delete(id);
      this.feed({ op: "hook_result", id, verdict: null }, effect.sessionId);
    }
  }

  /**
   * Ask the external resolver for a lease (one call per effect; the core
   * shares it between runs). A missing resolver, a throw, a timeout or a
   * value that is not JSON data goes back as a failure; the lease itself is
   * checked by the core. Nothing here logs or keeps the lease.
   */
  private async auth(effect: AuthEffect): Promise<void> {
    const { id, realm, binding, provider } = effect;
    const registered = this.authResolver();
    let answer: { lease: unknown } | { error: string; reason: "missing" | "failed" | "invalid" };
    if (!registered) {
      answer = { error: "no resolver", reason: "missing" };
    } else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const lease = await new Promise<unknown>((resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`it did not answer within ${registered.timeoutMs} ms`)),
            registered.timeoutMs,
          );
          this.authTimers.add(timer);
          Promise.resolve()
            .then(() => registered.resolve({ realm, binding, provider }))
            .then(resolve, reject);
        });
        answer = leaseAnswer(lease);
      } catch (error) {
        answer = { error: describe(error), reason: "failed" };
      } finally {
        clearTimeout(timer);
        if (timer !== undefined) this.authTimers.delete(timer);
      }
    }
    // Replaced or cleared during the call: its lease must not serve; the one registered now is asked.
    if (this.authResolver() !== registered) return this.auth(effect);
    this.feed({ op: "auth_result", id, ...answer }, undefined);
  }

  private finish(effect: Extract<Effect, { kind: "run_finished" }>): void {
    const outcome: RunOutcome = { totals: effect.totals };
    if (effect.result) outcome.result = effect.result;
    if (effect.error) outcome.error = coreError(effect.error);
    const waiters = this.runWaiters.get(effect.runId);
    if (waiters) {
      this.runWaiters.delete(effect.runId);
      for (const waiter of waiters) waiter(outcome);
    }
    // A run that ended inside the command that started (or joined) it; the
    // outcome of a run nobody started from here is not kept.
    this.captured?.set(effect.runId, outcome);
    this.notify(effect.sessionId);
  }

  private notify(sessionId: string): void {
    const set = this.listeners.get(sessionId);
    if (set) for (const listener of set) listener();
    this.notifyAny();
  }

  private notifyAny(): void {
    if (this.anyListeners.size === 0) return;
    for (const listener of this.anyListeners) listener();
  }
}

function coreError(error: CoreErrorShape): MeerkatError {
  return makeError(error.code, error.message, error.details);
}

/** The lease as JSON data for the core, or why it cannot be sent. */
function leaseAnswer(lease: unknown): { lease: unknown } | { error: string; reason: "invalid" } {
  try {
    return { lease: jsonData(lease) };
  } catch (error) {
    return { error: `the lease is not JSON data (${describe(error)})`, reason: "invalid" };
  }
}


export function deadRuntimeError(): MeerkatError {
  return new MeerkatError("RUNTIME_DESTROYED", "the runtime was destroyed; create a new one with MeerkatRuntime.init");
}
