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
  /** Whether the page destroyed the runtime: its sessions then count as destroyed, as on the main thread. */
  destroyed(): boolean;
}

/** `eventQueueCapacity`'s default (the core's). */
export const DEFAULT_EVENT_QUEUE_CAPACITY = 65_536;

/** Makes the one `stream_truncated` item that stands for `dropped` items before `first`. */
export type TruncationMarker<T> = (first: T, dropped: number) => T;

/** A subscription of a session's (or a member's) events: the marker is an event. */
export const truncatedEvent: TruncationMarker<AgentEvent> = (first, dropped) => ({
  type: "stream_truncated",
  seq: first.seq - 1,
  reason: truncation(dropped),
});

export function truncation(dropped: number): string {
  return `${dropped} events were dropped while this subscriber was behind; poll more often or raise eventQueueCapacity`;
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
 * poll starts with one `stream_truncated` (`marker`) saying how many.
 * Once the Worker says its source is gone, `poll()` returns what is left,
 * then throws what a poll on the main thread throws.
 */
export async function pushedSubscription<T>(
  remote: Remote,
  open: (onBatch: SubscriptionSink) => Promise<number>,
  itemsOf: (parsed: never[]) => T[],
  marker: TruncationMarker<T>,
): Promise<EventSubscription<T>> {
  let buffered: T[] = [];
  let dropped = 0;
  let gone: unknown;
  const id = await open(async (bytes, why) => {
    if (!bytes) return void (gone = fromThrown(why!));
    const items = itemsOf(parseBatch<never>(bytes));
    if (buffered.length === 0) buffered = items;
    else for (const item of items) buffered.push(item);
    const excess = buffered.length - remote.capacity;
    if (excess > 0) {
      buffered = buffered.slice(excess);
      dropped += excess;
    }
  });
  return new EventSubscription<T>(
    () => {
      const taken = buffered;
      if (taken.length === 0 && gone) throw gone;
      buffered = [];
      if (dropped > 0 && taken.length > 0) taken.unshift(marker(taken[0] as T, dropped));
      dropped = 0;
      return taken;
    },
    () => void remote.call("unsubscribe", id).catch(() => {}),
  );
}
