/**
 * What the page-side handles of a Worker runtime share: calls to the
 * Worker's host, and subscriptions whose batches the Worker pushes.
 */
import { EventSubscription } from "../subscription.js";
import type { BatchSink, RuntimeHost } from "./protocol.js";

/** `host[method](...args)` in the Worker; refused at once once the Worker is dead. */
export type HostCall = <K extends keyof RuntimeHost>(
  method: K,
  ...args: Parameters<RuntimeHost[K]>
) => Promise<Awaited<ReturnType<RuntimeHost[K]>>>;

/** @internal */
export interface Remote {
  call: HostCall;
  requireCapability(id: string): void;
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
 * and `poll()` returns what arrived.
 */
export async function pushedSubscription<T>(
  remote: Remote,
  open: (onBatch: BatchSink) => Promise<number>,
  itemsOf: (parsed: never[]) => T[] = (parsed) => parsed,
): Promise<EventSubscription<T>> {
  let buffered: T[] = [];
  const id = await open(async (bytes) => {
    const items = itemsOf(parseBatch<never>(bytes));
    if (buffered.length === 0) buffered = items;
    else for (const item of items) buffered.push(item);
  });
  return new EventSubscription<T>(
    () => {
      const taken = buffered;
      buffered = [];
      return taken;
    },
    () => void remote.call("unsubscribe", id).catch(() => {}),
  );
}
