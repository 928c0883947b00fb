/**
 * `EventSubscription`: a reader of a session's events with its own cursor.
 * `poll()` is synchronous and returns what arrived since the last poll; a
 * subscriber that falls too far behind gets one `stream_truncated` of its
 * own. Reading never takes events from `pollEvents()` or other subscribers.
 */
import type { AgentEvent } from "./events.js";
import { MeerkatError } from "./errors.js";

export class EventSubscription {
  private closed = false;

  /** @internal Subscriptions come from `session.subscribeEvents()`. */
  constructor(
    private readonly pull: () => AgentEvent[],
    private readonly release: () => void,
  ) {}

  /** The events since the subscription began or the last poll. */
  poll(): AgentEvent[] {
    if (this.closed) {
      throw new MeerkatError("INVALID_ARGUMENT", "this subscription is closed; subscribe again to read events");
    }
    return this.pull();
  }

  /** Stop reading; the session stops keeping events for this subscriber. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
