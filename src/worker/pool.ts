/**
 * Buffers for event batches that go to the page and come back: a batch is
 * copied out of the wasm memory into one, transferred, and the page hands
 * it back when it has taken the batch. A fresh buffer per batch would cost
 * more than the copy (the memory of a new buffer is faulted in page by page).
 */

/** The smallest buffer made (most batches fit), and how many are kept. */
const MIN_BYTES = 64 * 1024;
const KEPT = 8;

export class BufferPool {
  private free: ArrayBuffer[] = [];

  /** A view of `length` bytes at the start of a kept buffer, or of a new one. */
  take(length: number): Uint8Array {
    const at = this.free.findIndex((buffer) => buffer.byteLength >= length);
    const buffer = at >= 0 ? (this.free.splice(at, 1)[0] as ArrayBuffer) : new ArrayBuffer(roundUp(length));
    return new Uint8Array(buffer, 0, length);
  }

  /** A buffer the page handed back (anything else is ignored). */
  give(buffer: unknown): void {
    if (buffer instanceof ArrayBuffer && buffer.byteLength >= MIN_BYTES && this.free.length < KEPT) this.free.push(buffer);
  }
}

/** A power of two, at least MIN_BYTES: buffers stay few and fit what comes next. */
function roundUp(length: number): number {
  let size = MIN_BYTES;
  while (size < length) size *= 2;
  return size;
}
