/**
 * The event batches a Worker host posts to the page (Node's MessagePort
 * stands in for the Worker's port here): each one's events, decoded before
 * the bytes are transferred away, and whether its buffer was really moved.
 */
export interface PostedBatch {
  events: Array<Record<string, unknown>>;
  /** The batch's buffer was in the transfer list. */
  transferred: boolean;
  /** After posting, the Worker's view of the bytes was empty: moved, not copied. */
  detached: boolean;
}

import { messagesOf, type WireMessage } from "./wire.js";

const decoder = new TextDecoder();

/** An event batch's bytes: the first argument of a call carrying a `Uint8Array`. */
export function batchBytes(message: WireMessage | null): Uint8Array | undefined {
  const arg = message?.args?.[0];
  return message?.rkat === "call" && arg instanceof Uint8Array ? arg : undefined;
}

/** The batches posted while `run` runs. */
export async function batchesPostedDuring(run: () => Promise<void>): Promise<PostedBatch[]> {
  const posted: PostedBatch[] = [];
  const original = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (this: MessagePort, message: unknown, transfer?: unknown) {
    const list: Transferable[] = Array.isArray(transfer) ? transfer : [];
    const batches = messagesOf(message).flatMap((m) => batchBytes(m) ?? []);
    const events = batches.map((bytes) => JSON.parse(decoder.decode(bytes)) as Array<Record<string, unknown>>);
    const out = original.call(this, message, { transfer: list });
    batches.forEach((bytes, i) =>
      posted.push({ events: events[i]!, transferred: list.includes(bytes.buffer), detached: bytes.byteLength === 0 }),
    );
    return out;
  } as MessagePort["postMessage"];
  try {
    await run();
  } finally {
    MessagePort.prototype.postMessage = original;
  }
  return posted;
}
