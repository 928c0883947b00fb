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
  private stopped = false;
  outcome: Outcome | undefined;

  /** `pull` returns the JSON text of the events waiting at the source. */
  constructor(private readonly pull?: () => string) {}

  push(batch: AgentEvent[]): void {
    if (batch.length === 0 || this.outcome || this.stopped) return;
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

  /** The consumer went away: a waiting `next()` returns nothing now, and later ones too. */
  stopWaiting(): void {
    this.stopped = true;
    this.notify();
  }

  /** Take what has arrived, waiting if nothing has and the run is still going. */
  async next(): Promise<AgentEvent[] | undefined> {
    for (;;) {
      if (this.stopped) return undefined;
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
  [Symbol.asyncIterator](): AsyncGenerator<AgentEvent, undefined> {
    if (this.started) {
      const error = new MeerkatError("INVALID_ARGUMENT", "this EventStream is already being consumed; iterate it only once");
      const refuse = () => Promise.reject(error);
      return { next: refuse, return: refuse, throw: refuse, [Symbol.asyncIterator]() { return this; } } as AsyncGenerator<AgentEvent, undefined>;
    }
    this.started = true;
    let batch: AgentEvent[] = [];
    let at = 0;
    const done: IteratorResult<AgentEvent, undefined> = { done: true, value: undefined };
    // After return() (a `break`), every call is done, a waiting one at once.
    let closed = false;
    // A call made while another waits (`Promise.all` of next()s) runs after
    // it, with an event of its own: the channel wakes one waiter.
    let waiting = 0;
    let last: Promise<IteratorResult<AgentEvent, undefined>> | undefined;
    const finish = (): IteratorResult<AgentEvent, undefined> => {
      this.consumed = true;
      const outcome = this.channel.outcome;
      if (outcome && !outcome.ok) throw outcome.error;
      return done;
    };
    const step = async (): Promise<IteratorResult<AgentEvent, undefined>> => {
      try {
        while (at >= batch.length) {
          if (closed) return done;
          const arrived = await this.channel.next();
          if (closed) return done;
          if (!arrived) return finish();
          batch = arrived;
          at = 0;
        }
        return { done: false, value: batch[at++] as AgentEvent };
      } finally {
        waiting--;
      }
    };
    // The consumer stopped early (break, or throw()): the run goes on; its
    // result stays readable once it ends.
    const stop = () => {
      closed = true;
      this.consumed = true;
      this.channel.stopWaiting();
    };
    // An AsyncGenerator, as the SDK declares it: for await over the iterator
    // itself works too (peek the first event, then loop over the rest).
    const iterator: AsyncGenerator<AgentEvent, undefined> = {
      next: () => {
        if (closed) return Promise.resolve(done);
        if (waiting === 0 && at < batch.length) return Promise.resolve({ done: false, value: batch[at++] as AgentEvent });
        waiting++;
        last = waiting === 1 || !last ? step() : last.then(step, step);
        return last;
      },
      return: async () => {
        stop();
        return done;
      },
      throw: async (error: unknown) => {
        stop();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    } as AsyncGenerator<AgentEvent, undefined>;
    return iterator;
  }

  /** Consume all events and return the final RunResult. */
  async collect(): Promise<RunResult> {
    for await (const _ of this) {
      // draining
    }
    return this.result;
  }

  /**
   * Consume events, accumulate text deltas (every turn's), return
   * [fullText, result]. A retry that voids what the turn had streamed
   * (`retrying` with `textDiscarded`) drops that turn's text so far.
   */
  async collectText(): Promise<[string, RunResult]> {
    let before = "";
    let turn = "";
    for await (const event of this) {
      if (event.type === "text_delta") turn += event.delta;
      else if (event.type === "turn_started") {
        before += turn;
        turn = "";
      } else if (event.type === "retrying" && event.textDiscarded) turn = "";
    }
    return [before + turn, this.result];
  }
}
