/**
 * The Worker host's subscriptions (a session's, a mob's, a member's): each
 * gets batches whenever the runtime has news and the page is ready for
 * them. Before a call settles, every subscription has sent what it holds,
 * ahead of the call's reply, so the page's `poll()` after `await` sees
 * what the call (or the run it waited for) produced. Loaded at start (the
 * sessions need it); the mob methods (expose-mob.ts) come at the first mob
 * call and use it too.
 */
import { MeerkatError } from "../errors.js";
import type { ByteReader } from "../subscription.js";
import { nextTask } from "../next-task.js";
import { BatchOutbox } from "./outbox.js";
import { release, toThrown } from "./rpc.js";
import type { SubscriptionSink } from "./protocol.js";

export interface FeedDeps {
  /** Keep a subscription for `unsubscribe` (which calls `stop`, then closes it); returns its id. */
  addSubscription(sub: { close(): void }, stop: () => void): number;
  /** The page's `unsubscribe`: also when the source went away (the page may never close it). */
  unsubscribe(id: number): void;
}

/**
 * Feed a reader's events to `onBatch` (an outbox paced by the page)
 * whenever `listen` says there may be news; returns the subscription's id.
 */
export type Feed = (reader: ByteReader, onBatch: SubscriptionSink, listen: (pump: () => void) => () => void) => number;

export interface Feeds {
  feed: Feed;
  /** Run a page call, then send the news it made (also when it failed) ahead of its reply. */
  settled: <T>(call: () => Promise<T>) => Promise<T>;
  /** Run a change that removes sessions; reads wait for it to end. */
  quietly(change: () => void): void;
}

export function createFeeds(deps: FeedDeps): Feeds {
  /** Every live subscription's pump, and its outbox. */
  const feeds = new Map<() => void, BatchOutbox>();

  /**
   * Every subscription sends what it holds; one that sent something reads
   * again: if its session or mob went away, that was its last events (the
   * run's end), and this is why it ended (both ahead of the reply of the
   * call that ended it). One with nothing to send is read once.
   */
  const flushAll = () => {
    for (const outbox of [...feeds.values()]) if (outbox.flush()) outbox.flush();
  };

  /**
   * One flush of every subscription for the calls that end close together
   * (the page's 20 `member.send()`s arrive as 20 messages in a row): once
   * they have run, in a task of its own; each call's reply waits for it.
   */
  let flushing: Promise<void> | undefined;
  const flushSoon = (): Promise<void> =>
    (flushing ??= new Promise<void>((resolve) =>
      nextTask(() => {
        flushing = undefined;
        flushAll();
        resolve();
      }),
    ));

  /**
   * Run a page call, then send the news it made (also when it failed),
   * whatever the page's pace: the batches go ahead of the call's reply.
   */
  const settled = async <T>(call: () => Promise<T>): Promise<T> => {
    // (What came before is read first anyway: a reader's events are in order.)
    try {
      return await call();
    } finally {
      await flushSoon();
    }
  };

  /** While a change that removes sessions runs: reads wait for it to end (`quietly`). */
  let quiet = false;

  /**
   * A subscription whose mob or session is gone stops pumping and tells the
   * page why (what a poll on the main thread would throw), once: the page's
   * `poll()` returns what it holds, then throws that.
   */
  const feed: Feed = (reader, onBatch, listen) => {
    let closed = false;
    const read = () => {
      if (closed || quiet) return undefined;
      try {
        return reader.read();
      } catch (error) {
        if (!(error instanceof MeerkatError)) throw error;
        onBatch(null, toThrown(error)).catch(() => {});
        // Nothing more will come: forgotten here and its sink released, closed by the page or not.
        deps.unsubscribe(id);
        return undefined;
      }
    };
    const outbox = new BatchOutbox(read, onBatch);
    const pump = () => outbox.news();
    const unlisten = listen(pump);
    feeds.set(pump, outbox);
    const stop = () => {
      closed = true;
      unlisten();
      feeds.delete(pump);
    };
    const id = deps.addSubscription(reader, () => {
      stop();
      release(onBatch);
    });
    pump();
    return id;
  };

  /**
   * Run `change` (a session's or the runtime's destroy), then read every
   * subscription once. Reads wait until it is over: midway (the runtime
   * tearing down, a session's runs ending) a reader fails with the core's
   * error, not with what a poll says afterwards.
   */
  const quietly = (change: () => void): void => {
    quiet = true;
    try {
      change();
    } finally {
      quiet = false;
      flushAll();
    }
  };

  return { feed, settled, quietly };
}
