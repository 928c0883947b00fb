/**
 * `EventSubscription`: a reader of a session's events (or, as
 * `EventSubscription<AttributedMobEvent>`, of a whole mob's) with its own
 * cursor. `poll()` is synchronous and returns what arrived since the last
 * poll; a subscriber that falls too far behind gets one `stream_truncated`
 * of its own. Reading never takes events from `pollEvents()` or other
 * subscribers.
 */
import type { AgentEvent } from "./events.js";
import { MeerkatError } from "./errors.js";

/**
 * @internal Takes a reader's unread events as the UTF-8 bytes of a JSON
 * array (a buffer of their own), or `undefined` when there are none.
 */
export type ReadBytes = () => Uint8Array | undefined;

/** @internal A reader whose events are read as bytes: what the Worker host sends to the page. */
export interface ByteReader {
  read: ReadBytes;
  close(): void;
}

/** @internal Told when a reader may have events (`news`), and once more before it closes (`last`). */
export interface EventFeed {
  news(): void;
  last(): void;
}

/**
 * A subscription dropped without `close()` (a component unmounted without
 * its clean-up) is closed once collected: else its reader would keep every
 * later event, up to `eventQueueCapacity`, for nobody.
 */
const dropped = new FinalizationRegistry<() => void>((release) => {
  try {
    release();
  } catch {
    // Its runtime is gone already, and the reader with it.
  }
});

export class EventSubscription<T = AgentEvent> {
  private closed = false;

  /** @internal Subscriptions come from `session.subscribeEvents()`, `mob.subscribeEvents()`... */
  constructor(
    private readonly pull: () => T[],
    private readonly release: () => void,
  ) {
    dropped.register(this, release, this);
  }

  /** The events since the subscription began or the last poll. */
  poll(): T[] {
    if (this.closed) {
      throw new MeerkatError("INVALID_ARGUMENT", "this subscription is closed; subscribe again to read events");
    }
    return this.pull();
  }

  /** Stop reading; the core stops keeping events for this subscriber. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    dropped.unregister(this);
    this.release();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
