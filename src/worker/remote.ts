/**
 * What the page-side handles of a Worker runtime share: the remote host,
 * the liveness link, and subscriptions whose batches the Worker pushes.
 */
import * as Comlink from "comlink";
import { EventSubscription } from "../subscription.js";
import type { Link } from "./client.js";
import type { BatchSink, RuntimeHost } from "./protocol.js";

/** @internal */
export interface Remote {
  host: Comlink.Remote<RuntimeHost>;
  link: Link;
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
  const onBatch = Comlink.proxy(async (json: string) => {
    for (const item of JSON.parse(json) as T[]) buffered.push(item);
  });
  const id = await remote.link.call(() => open(onBatch));
  return new EventSubscription<T>(
    () => {
      const taken = buffered;
      buffered = [];
      return taken;
    },
    () => void remote.link.call(() => remote.host.unsubscribe(id)).catch(() => {}),
  );
}
