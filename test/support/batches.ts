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

const decoder = new TextDecoder();

/** The batches posted while `run` runs. */
export async function batchesPostedDuring(run: () => Promise<void>): Promise<PostedBatch[]> {
  const posted: PostedBatch[] = [];
  const original = MessagePort.prototype.postMessage;
  MessagePort.prototype.postMessage = function (this: MessagePort, message: unknown, transfer?: unknown) {
    const call = message as { rkat?: string; args?: unknown[] } | null;
    const arg = call?.args?.[0];
    const list: Transferable[] = Array.isArray(transfer) ? transfer : [];
    if (call?.rkat !== "call" || !(arg instanceof Uint8Array)) return original.call(this, message, { transfer: list });
    const events = JSON.parse(decoder.decode(arg)) as Array<Record<string, unknown>>;
    const transferred = list.includes(arg.buffer);
    const out = original.call(this, message, { transfer: list });
    posted.push({ events, transferred, detached: arg.byteLength === 0 });
    return out;
  } as MessagePort["postMessage"];
  try {
    await run();
  } finally {
    MessagePort.prototype.postMessage = original;
  }
  return posted;
}
