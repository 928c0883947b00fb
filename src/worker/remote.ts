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

/**
 * A subscription fed by the Worker: `open` registers `onBatch` there and
 * returns the subscription's id; batches (JSON text of an array) are pushed
 * as the Worker has news, never one message per event, and `poll()`
 * returns what arrived.
 */
export async function pushedSubscription<T>(
  remote: Remote,
  open: (onBatch: BatchSink) => Promise<number>,
): Promise<EventSubscription<T>> {
  let buffered: T[] = [];
  const id = await open(async (json: string) => {
    for (const item of JSON.parse(json) as T[]) buffered.push(item);
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
