/**
 * `Session`: one conversation. A thin layer over core commands; `turn()`
 * and `stream()` are the same run seen through a promise or an iterator.
 */
import type { AgentEvent } from "./events.js";
import { SessionNotFoundError, type MeerkatError } from "./errors.js";
import type { Driver, RunOutcome } from "./driver.js";
import type { CoreHandle } from "./core.js";
import { EventChannel, EventStream } from "./stream.js";
import type { HistoryMessage, Prompt, RunResult, TurnOptions, Usage } from "./types.js";
import { requirePrompt, toJsonText, turnOptions } from "./validate.js";

/** Session-lifetime counters kept beside the last result. */
export interface SessionTotals {
  usage: Usage;
  turns: number;
  toolCalls: number;
}

export class Session {
  readonly id: string;
  private totals: SessionTotals = { usage: { inputTokens: 0, outputTokens: 0 }, turns: 0, toolCalls: 0 };
  private last: RunResult;
  private destroyed = false;

  /** @internal Sessions come from `runtime.createSession()`. */
  constructor(
    id: string,
    private readonly core: CoreHandle,
    private readonly driver: Driver,
    private readonly forget: (id: string) => void,
  ) {
    this.id = id;
    this.last = { sessionId: id, text: "", turns: 0, toolCalls: 0, usage: { inputTokens: 0, outputTokens: 0 } };
  }

  /** Assistant text of the last run. */
  get text(): string {
    return this.last.text;
  }
  /** Usage summed over every run of this session. */
  get usage(): Usage {
    return this.totals.usage;
  }
  /** LLM turns over every run of this session. */
  get turns(): number {
    return this.totals.turns;
  }
  /** Tool calls over every run of this session. */
  get toolCalls(): number {
    return this.totals.toolCalls;
  }
  /** The last run's result (zero values before the first run). */
  get lastResult(): RunResult {
    return this.last;
  }
  /** The last run's parsed structured output, when it asked for one. */
  get structuredOutput(): unknown {
    return this.last.structuredOutput;
  }

  /** Run one turn (the model may call tools several times) to completion. */
  turn(prompt: Prompt, options?: TurnOptions): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.start(prompt, options, "session.turn", (outcome) => {
        if (outcome.result) resolve(outcome.result);
        else reject(outcome.error);
      });
    });
  }

  /**
   * Run one turn and iterate its events as they stream. Events are pulled
   * from the core when the consumer asks for more, so a consumer slower than
   * the network gets several network reads' worth in one batch.
   */
  stream(prompt: Prompt, options?: TurnOptions): EventStream {
    const channel = new EventChannel(() => this.drainQuietly());
    this.run(prompt, options, "session.stream", () => channel.poke()).then(
      (result) => channel.end(result),
      (error: MeerkatError) => channel.fail(error),
    );
    return new EventStream(this.id, channel);
  }

  /**
   * @internal Run one turn, handing its events to `onBatch` as they arrive,
   * as the JSON text of an event array (one batch per network read or tool
   * result, never one call per event; parsed once, where it is consumed).
   * Bad input throws synchronously. The last batch is delivered before the
   * promise settles. (The Worker host pushes batches to the page this way.)
   */
  runStreaming(
    prompt: Prompt,
    options: TurnOptions | undefined,
    what: string,
    onBatch: (json: string) => void,
  ): Promise<RunResult> {
    const pump = () => {
      const json = this.drainQuietly();
      if (json.length > 2) onBatch(json);
    };
    return this.run(prompt, options, what, pump);
  }

  /**
   * Start a run with `onEvents` called whenever the session may have new
   * events (and once more at its end, before the promise settles).
   */
  private run(
    prompt: Prompt,
    options: TurnOptions | undefined,
    what: string,
    onEvents: () => void,
  ): Promise<RunResult> {
    let settle: (outcome: RunOutcome) => void = () => {};
    const done = new Promise<RunResult>((resolve, reject) => {
      settle = (outcome) => {
        onEvents();
        this.driver.setListener(this.id, undefined);
        if (outcome.result) resolve(outcome.result);
        else reject(outcome.error);
      };
    });
    let finished = false;
    this.start(prompt, options, what, (outcome) => {
      finished = true;
      settle(outcome);
    });
    if (!finished) {
      this.driver.setListener(this.id, onEvents);
      onEvents();
    }
    return done;
  }

  /** Queued events as JSON text, or "[]" once the session or runtime is gone. */
  private drainQuietly(): string {
    try {
      return this.drainJson("session.stream");
    } catch {
      return "[]"; // the run's outcome says why
    }
  }

  /** Take the events queued since the last poll (synchronous). */
  pollEvents(): AgentEvent[] {
    return JSON.parse(this.drainJson("session.pollEvents")) as AgentEvent[];
  }

  /** @internal The queued events as JSON text (an array). */
  drainJson(what: string): string {
    this.assertUsable(what);
    return this.core.drainEventsJson(this.id);
  }

  /** The conversation so far, in a provider-neutral shape. */
  async history(): Promise<HistoryMessage[]> {
    this.assertUsable("session.history");
    return this.driver.command({ op: "history", session: this.id }) as HistoryMessage[];
  }

  /**
   * Stop the turn in flight: the request is aborted, what streamed so far
   * is kept, and the turn resolves with stop reason `cancelled`. The session
   * takes the next turn normally. Does nothing when idle.
   */
  async interrupt(): Promise<void> {
    this.assertUsable("session.interrupt");
    this.driver.command({ op: "interrupt", session: this.id });
  }

  /** Forget the session; a turn in flight is aborted and rejects with `CANCELLED`. */
  destroy(): void {
    if (this.destroyed) return;
    this.assertUsable("session.destroy");
    this.driver.command({ op: "destroy_session", session: this.id });
    this.markDestroyed();
  }

  /** @internal The runtime went away. */
  markDestroyed(): void {
    this.destroyed = true;
    this.driver.forget(this.id);
    this.forget(this.id);
  }

  private start(
    prompt: Prompt,
    options: TurnOptions | undefined,
    what: string,
    done: (outcome: RunOutcome) => void,
  ): void {
    this.assertUsable(what);
    requirePrompt(prompt, `${what}: prompt`);
    toJsonText(prompt, `${what}: prompt`);
    const extra = turnOptions(options, what);
    // Throws on bad input or a busy session, having changed nothing.
    this.driver.command({ op: "turn", session: this.id, prompt, ...extra });
    this.driver.onRunFinished(this.id, (outcome) => {
      this.record(outcome);
      done(outcome);
    });
  }

  private record(outcome: RunOutcome): void {
    this.totals = outcome.totals;
    if (outcome.result) this.last = outcome.result;
  }

  private assertUsable(what: string): void {
    if (this.destroyed) {
      throw new SessionNotFoundError("SESSION_NOT_FOUND", `${what}: session ${this.id} was destroyed; create a new one`);
    }
  }
}
