/**
 * `EventStream`: the events of one run as an async iterable, then its result.
 *
 * Producers (the in-process session, or the Worker client) push whole
 * batches into an `EventChannel` and end it once; the consumer iterates.
 * Batches are never split into one promise per event.
 */
import type { AgentEvent } from "./events.js";
import { MeerkatError } from "./errors.js";
import type { RunResult } from "./types.js";

type Outcome = { ok: true; result: RunResult } | { ok: false; error: MeerkatError };

/** The producing side of an `EventStream`. Internal to the package. */
export class EventChannel {
  private batches: AgentEvent[][] = [];
  private wake: (() => void) | undefined;
  outcome: Outcome | undefined;

  push(batch: AgentEvent[]): void {
    if (batch.length === 0 || this.outcome) return;
    this.batches.push(batch);
    this.notify();
  }

  end(result: RunResult): void {
    this.settle({ ok: true, result });
  }

  fail(error: MeerkatError): void {
    this.settle({ ok: false, error });
  }

  /** Take what has arrived, waiting if nothing has and the run is still going. */
  async next(): Promise<AgentEvent[] | undefined> {
    while (this.batches.length === 0) {
      if (this.outcome) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const batches = this.batches;
    this.batches = [];
    return batches.length === 1 ? batches[0] : batches.flat();
  }

  private settle(outcome: Outcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

export class EventStream implements AsyncIterable<AgentEvent> {
  readonly sessionId: string;
  private readonly channel: EventChannel;
  private consumed = false;
  private started = false;

  /** @internal Streams come from `session.stream()`. */
  constructor(sessionId: string, channel: EventChannel) {
    this.sessionId = sessionId;
    this.channel = channel;
  }

  /** The run's result; throws `STREAM_NOT_CONSUMED` until iteration has finished. */
  get result(): RunResult {
    const outcome = this.channel.outcome;
    if (!this.consumed || !outcome) {
      throw new MeerkatError(
        "STREAM_NOT_CONSUMED",
        "stream.result was read before the stream was consumed: iterate it to the end (or use collect()) first",
      );
    }
    if (!outcome.ok) throw outcome.error;
    return outcome.result;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<AgentEvent> {
    if (this.started) {
      throw new MeerkatError("INVALID_ARGUMENT", "this EventStream is already being consumed; iterate it only once");
    }
    this.started = true;
    for (let batch = await this.channel.next(); batch; batch = await this.channel.next()) {
      yield* batch;
    }
    this.consumed = true;
    const outcome = this.channel.outcome;
    if (outcome && !outcome.ok) throw outcome.error;
  }

  /** Consume all events and return the final RunResult. */
  async collect(): Promise<RunResult> {
    for await (const _ of this) {
      // draining
    }
    return this.result;
  }

  /** Consume events, accumulate text deltas, return [fullText, result]. */
  async collectText(): Promise<[string, RunResult]> {
    let text = "";
    for await (const event of this) {
      if (event.type === "text_delta") text += event.delta;
    }
    return [text, this.result];
  }
}
