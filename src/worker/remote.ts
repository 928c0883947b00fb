/**
 * What the page-side handles of a Worker runtime share: calls to the
 * Worker's host, and subscriptions whose batches the Worker pushes.
 */
import type { AgentEvent } from "../events.js";
import { EventSubscription } from "../subscription.js";
import type { RuntimeHost, SubscriptionSink } from "./protocol.js";
import { fromThrown } from "./rpc.js";

/** `host[method](...args)` in the Worker; refused at once once the Worker is dead. */
export type HostCall = <K extends keyof RuntimeHost>(
  method: K,
  ...args: Parameters<RuntimeHost[K]>
) => Promise<Awaited<ReturnType<RuntimeHost[K]>>>;

/** @internal */
export interface Remote {
  call: HostCall;
  requireCapability(id: string): void;
  /**
   * The runtime's `eventQueueCapacity`: what a pushed subscription keeps
   * unpolled on this page, as the Worker's readers do there.
   */
  capacity: number;
  /**
   * Throws, naming `what`, once the Worker takes no more calls (the runtime
   * destroyed, or the Worker gone): as a runtime destroyed, or whose core
   * trapped, refuses on the main thread.
   */
  live(what: string): void;
  /** Why the Worker takes no more calls (destroyed, or gone away), once it does not. */
  stopped(): Error | undefined;
}

/** `eventQueueCapacity`'s default (the core's). */
export const DEFAULT_EVENT_QUEUE_CAPACITY = 65_536;

/**
 * How a pushed subscription's items stand for events it lost: the one
 * `stream_truncated` item for a gap, and how many events an item already
 * stands for as such a marker (`undefined` for any other item).
 */
export interface Truncation<T> {
  /** The marker at `seq` (the gap's last event) for `dropped` events; `near`: an item beside it. */
  marker(near: T, seq: number, dropped: number, capacity: number): T;
  gap(item: T): number | undefined;
}

/** A session's (or a member's) events: the marker is an event. */
export const eventTruncation: Truncation<AgentEvent> = {
  marker: (_near, seq, dropped, capacity) => ({ type: "stream_truncated", seq, reason: truncation(dropped, capacity), dropped }),
  gap: (event) => (event.type === "stream_truncated" ? event.dropped : undefined),
};

/** The reason a marker gives, worded as the core's readers word it (events/log.rs). */
export function truncation(dropped: number, capacity: number): string {
  return `${dropped} events were dropped because at most ${capacity} unread events are kept; poll more often or raise eventQueueCapacity`;
}

/** One decoder for every batch that reaches this page. */
const decoder = new TextDecoder();

/** A batch from the Worker (the UTF-8 bytes of a JSON array) as its items. */
export function parseBatch<T>(bytes: Uint8Array): T[] {
  return JSON.parse(decoder.decode(bytes)) as T[];
}

/**
 * A subscription fed by the Worker: `open` registers `onBatch` there and
 * returns the subscription's id (`itemsOf` makes a batch's items of what
 * was parsed); batches are pushed as the Worker has news
 * and this page has taken the previous one, never one message per event,
 * and `poll()` returns what arrived. Like a reader in the core, it keeps at
 * most `remote.capacity` items between polls: the oldest go, and the next
 * poll starts with one `stream_truncated` (`truncated.marker`) saying how
 * many events are gone.
 * Once the Worker says its source is gone, `poll()` returns what is left,
 * then throws what a poll on the main thread throws.
 */
export async function pushedSubscription<T extends { seq: number }>(
  remote: Remote,
  open: (onBatch: SubscriptionSink) => Promise<number>,
  itemsOf: (parsed: never[]) => T[],
  truncated: Truncation<T>,
): Promise<EventSubscription<T>> {
  let buffered: T[] = [];
  /** Events lost since the last poll: a dropped marker counts what it stood for. */
  let dropped = 0;
  let gone: unknown;
  const id = await open(async (bytes, why) => {
    if (!bytes) return void (gone = fromThrown(why!));
    const items = itemsOf(parseBatch<never>(bytes));
    if (buffered.length === 0) buffered = items;
    else for (const item of items) buffered.push(item);
    const excess = buffered.length - remote.capacity;
    if (excess > 0) {
      for (let i = 0; i < excess; i++) dropped += truncated.gap(buffered[i] as T) ?? 1;
      buffered = buffered.slice(excess);
    }
  });
  return new EventSubscription<T>(
    () => {
      const taken = buffered;
      // A Worker that died says nothing: the channel's end says why.
      const over = gone ?? remote.stopped();
      if (taken.length === 0 && over) throw over;
      buffered = [];
      if (dropped > 0 && taken.length > 0) {
        // One marker for the whole gap: the Worker's own, if it comes first, grows.
        const head = taken[0] as T;
        const gap = truncated.gap(head);
        if (gap === undefined) taken.unshift(truncated.marker(head, head.seq - 1, dropped, remote.capacity));
        else taken[0] = truncated.marker(head, head.seq, dropped + gap, remote.capacity);
        dropped = 0;
      }
      return taken;
    },
    () => void remote.call("unsubscribe", id).catch(() => {}),
  );
}
