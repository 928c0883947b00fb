/** Event batches on their way from the Worker to the page, at the page's pace. */
import type { EventFeed, ReadBytes } from "../subscription.js";
import type { BatchSink } from "./protocol.js";
import { nextTask } from "../next-task.js";
import { transfer } from "./rpc.js";

/**
 * How long a Worker kept from its event loop (a body streamed from memory,
 * a long run of synchronous reads) goes on collecting before it sends
 * anyway: it cannot see the page's answer until that task ends, and the
 * page would otherwise wait idle, then parse everything at once.
 */
const SLICE_MS = 2;

/**
 * Sends a reader's events to the page as few messages as the page's pace
 * allows. A batch goes when the page has taken the previous one; meanwhile
 * the events stay in the core's log and are read, as one batch, when it
 * is their turn (so a slow page gets larger batches, not more of them; a
 * reader that falls `eventQueueCapacity` behind gets its
 * `stream_truncated`). Each batch is read straight from the core as bytes
 * and transferred, never copied or decoded on this side.
 *
 * One exception keeps the two sides working in parallel: a Worker that
 * has not been back to its event loop since it sent the last batch (or
 * not for `SLICE_MS`, whenever it last was) cannot have seen the page's
 * answer, so it sends the next batch without it, once every `SLICE_MS`.
 */
export class BatchOutbox implements EventFeed {
  private pending = false;
  private inFlight = 0;
  private sentAt = 0;
  /** `turns` when the last batch went. */
  private sentTurn = -1;
  private idle: Array<() => void> = [];

  constructor(
    private readonly read: ReadBytes,
    private readonly send: BatchSink,
  ) {}

  /** Events may be waiting: send them if it is their turn. */
  news(): void {
    this.pending = true;
    if (this.inFlight === 0) {
      this.flush();
      return;
    }
    const now = performance.now();
    if (now - this.sentAt >= SLICE_MS && (this.sentTurn === turns || busyFor(now) >= SLICE_MS)) this.flush();
  }

  /** The reader is about to close: send what it holds now. */
  last(): void {
    this.flush();
  }

  /**
   * Send what the reader holds now, whatever the page's pace (news the
   * reader was not told of included). A reply posted after this reaches
   * the page after the batch, which the page takes at once (it parses a
   * batch in the listener), so the reply's `await` sees its events.
   * Whether it sent anything.
   */
  flush(): boolean {
    this.pending = false;
    const bytes = this.read();
    if (!bytes) return false;
    this.inFlight++;
    this.sentAt = performance.now();
    this.sentTurn = turns;
    busyFor(this.sentAt);
    this.send(transfer(bytes, [bytes.buffer]))
      .catch(() => {}) // a page that went away is not the run's failure
      .then(() => this.taken());
    return true;
  }

  /** `flush()`, then resolve once the page has taken everything. */
  async drained(): Promise<void> {
    this.flush();
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private taken(): void {
    this.inFlight--;
    if (this.inFlight > 0) return;
    if (this.pending) this.flush();
    if (this.inFlight > 0) return;
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }
}

/** The Worker's returns to its event loop, counted by the ticks `busyFor` queues. */
let turns = 0;

/** When the task still waiting for this Worker's next return to its event loop was queued. */
let tickQueuedAt: number | undefined;

/**
 * How long this Worker has been away from its event loop (at least): a
 * task queued then has not run yet. Queues one if none is waiting.
 */
function busyFor(now: number): number {
  if (tickQueuedAt !== undefined) return now - tickQueuedAt;
  tickQueuedAt = now;
  nextTask(() => {
    tickQueuedAt = undefined;
    turns++;
  });
  return 0;
}
