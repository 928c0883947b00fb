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

/**
 * The producing side of an `EventStream`. Internal to the package. Events
 * arrive pushed (`push`, from a Worker) or are pulled from a source on
 * demand after a `poke` (in-process: the core's queue is drained only when
 * the consumer wants more).
 */
export class EventChannel {
  private batches: AgentEvent[][] = [];
  private wake: (() => void) | undefined;
  private poked = false;
  outcome: Outcome | undefined;

  /** `pull` returns the JSON text of the events waiting at the source. */
  constructor(private readonly pull?: () => string) {}

  push(batch: AgentEvent[]): void {
    if (batch.length === 0 || this.outcome) return;
    this.batches.push(batch);
    this.notify();
  }

  /** Events are waiting at the source. */
  poke(): void {
    this.poked = true;
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
    for (;;) {
      if (this.batches.length > 0) {
        const batches = this.batches;
        this.batches = [];
        return batches.length === 1 ? batches[0] : batches.flat();
      }
      if (this.poked && this.pull) {
        this.poked = false;
        const json = this.pull();
        if (json.length > 2) return JSON.parse(json) as AgentEvent[];
        continue;
      }
      if (this.outcome) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private settle(outcome: Outcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.poked = true; // whatever the source still holds comes before the end
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

  /**
   * A hand-written iterator rather than an async generator: events of a
   * batch already in hand are returned without another trip through the
   * channel (an `async *` with `yield*` costs several promise hops per event).
   */
  [Symbol.asyncIterator](): AsyncIterator<AgentEvent> {
    if (this.started) {
      const error = new MeerkatError("INVALID_ARGUMENT", "this EventStream is already being consumed; iterate it only once");
      return { next: () => Promise.reject(error) };
    }
    this.started = true;
    let batch: AgentEvent[] = [];
    let at = 0;
    const finish = (): IteratorResult<AgentEvent> => {
      this.consumed = true;
      const outcome = this.channel.outcome;
      if (outcome && !outcome.ok) throw outcome.error;
      return { done: true, value: undefined };
    };
    const next = async (): Promise<IteratorResult<AgentEvent>> => {
      while (at >= batch.length) {
        const arrived = await this.channel.next();
        if (!arrived) return finish();
        batch = arrived;
        at = 0;
      }
      return { done: false, value: batch[at++] as AgentEvent };
    };
    return {
      next: () => (at < batch.length ? Promise.resolve({ done: false, value: batch[at++] as AgentEvent }) : next()),
      return: async () => {
        // The consumer stopped early (break): the run goes on; its result
        // stays readable once it ends.
        this.consumed = true;
        return { done: true, value: undefined };
      },
    };
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
