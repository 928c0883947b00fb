/**
 * A Worker pair whose page can be kept busy: while held, nothing the
 * Worker posts reaches the page's listeners (as on a page busy with
 * something else) until `release()`. Keeps what the Worker posted, and
 * the batches that reached the page.
 */
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";
import type { RuntimeConfig } from "@rkat/web";
import { connectRuntime, exposeRuntime, type WorkerRuntime } from "@rkat/web/worker";
import { batchBytes } from "./batches.js";
import { proxyUrl } from "./runtime.js";
import { messagesOf, type WireMessage } from "./wire.js";

type Listener = (event: MessageEvent) => void;

export interface GatedPair {
  runtime: WorkerRuntime;
  channel: MessageChannel;
  /** Event batches that reached the page (every batch, held ones once released). */
  batches: Uint8Array[];
  /** Every message the Worker side posted, in order (those that crossed together one by one). */
  posted: WireMessage[];
  /** Event batches the Worker has posted so far (taken by the page or not). */
  postedBatches(): number;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

const isBatch = (message: WireMessage): boolean => batchBytes(message) !== undefined;

export async function gatedPair(extra: RuntimeConfig = {}): Promise<GatedPair> {
  const channel = new MessageChannel();
  exposeRuntime(wasm, { endpoint: channel.port1 as never });
  const port = channel.port2;
  const listeners: Listener[] = [];
  const held: MessageEvent[] = [];
  const batches: Uint8Array[] = [];
  let holding = false;
  const deliver = (event: MessageEvent) => {
    for (const message of messagesOf(event.data)) {
      const bytes = batchBytes(message);
      if (bytes) batches.push(bytes);
    }
    for (const listener of listeners) listener(event);
  };
  port.addEventListener("message", (event) => {
    if (holding) held.push(event);
    else deliver(event);
  });
  const posted: GatedPair["posted"] = [];
  const workerPost = channel.port1.postMessage.bind(channel.port1);
  channel.port1.postMessage = ((message: unknown, transfer: Transferable[]) => {
    posted.push(...messagesOf(message));
    workerPost(message, transfer);
  }) as MessagePort["postMessage"];
  port.start();
  const endpoint = {
    postMessage: (message: unknown, transfer?: Transferable[]) => port.postMessage(message, transfer ?? []),
    addEventListener: (type: string, listener: Listener) => {
      if (type === "message") listeners.push(listener);
      else port.addEventListener(type, listener as never);
    },
    removeEventListener: () => {},
  };
  const runtime = await connectRuntime(endpoint as never, {
    anthropicApiKey: "proxy",
    anthropicBaseUrl: `${proxyUrl()}/anthropic`,
    model: "claude-sonnet-4-6",
    ...extra,
  });
  return {
    runtime,
    channel,
    batches,
    posted,
    postedBatches: () => posted.filter(isBatch).length,
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const event of held.splice(0)) deliver(event);
    },
    close: async () => {
      await runtime.destroy().catch(() => {});
      channel.port1.close();
      channel.port2.close();
    },
  };
}
