// Server-sent-event framing and the "wire": the piece that turns a sequence of
// frames into network writes, optionally re-cut into fixed or pseudo-random
// byte sizes and paced by a delay. Chunking is what lets tests prove that a
// client reassembles events split inside lines and inside UTF-8 characters.
import { seededRandom } from './hash.mjs';

/** Anthropic's ping payload, byte for byte (note the space after the colon). */
export const ANTHROPIC_PING = '{"type": "ping"}';

/**
 * @typedef {object} SseEvent
 * @property {string} name the `event:` field
 * @property {unknown} data serialised with JSON.stringify unless already a string
 */

/**
 * One LF-framed SSE event, the framing Anthropic and OpenAI use.
 * @param {SseEvent} event
 * @returns {string}
 */
export function sseFrame(event) {
  const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
  return `event: ${event.name}\ndata: ${data}\n\n`;
}

/** Largest pseudo-random piece for `split=random`; small enough to cut most frames several times. */
const MAX_RANDOM_PIECE = 24;

/**
 * @typedef {object} WireOptions
 * @property {number} [chunk] fixed write size in bytes
 * @property {'random'} [split] pseudo-random write sizes
 * @property {number} [seed] seed for `split`
 * @property {number} [delay] milliseconds between writes
 */

/**
 * @typedef {object} Wire
 * @property {() => boolean} isClosed true once the client went away (or the response ended)
 * @property {(data: string | Buffer) => Promise<void>} send queue bytes; resolves when more may follow
 * @property {() => Promise<void>} flush write any bytes held back by chunking
 * @property {() => Promise<void>} end flush and finish the response
 * @property {() => Promise<void>} untilClosed resolves when the client closes the connection
 */

/**
 * @param {import('node:http').ServerResponse} res headers must already be set (writeHead)
 * @param {WireOptions} options
 * @returns {Wire}
 */
export function createWire(res, options) {
  let closed = res.destroyed || res.writableEnded;
  /** @type {Set<() => void>} wake-ups for sleeps and drain waits when the socket closes */
  const waiters = new Set();
  res.on('close', () => {
    closed = true;
    for (const wake of [...waiters]) wake();
  });

  const random = options.split === 'random' ? seededRandom(options.seed ?? 1) : null;
  const nextSize = () => (random ? 1 + Math.floor(random() * MAX_RANDOM_PIECE) : options.chunk ?? 0);
  let cut = nextSize();
  /** @type {Buffer} */
  let pending = Buffer.alloc(0);
  let wroteOnce = false;

  /** @param {(wake: () => void) => (() => void)} arm returns a disarm function */
  const wait = (arm) =>
    new Promise((resolve) => {
      if (closed) return resolve(undefined);
      const wake = () => {
        waiters.delete(wake);
        disarm();
        resolve(undefined);
      };
      waiters.add(wake);
      const disarm = arm(wake);
    });

  /** @param {number} ms */
  const sleep = (ms) =>
    wait((wake) => {
      const timer = setTimeout(wake, ms);
      return () => clearTimeout(timer);
    });

  const drained = () =>
    wait((wake) => {
      res.once('drain', wake);
      return () => res.off('drain', wake);
    });

  /** @param {Buffer} bytes */
  async function emit(bytes) {
    if (closed || bytes.length === 0) return;
    if (wroteOnce && options.delay) await sleep(options.delay);
    if (closed) return;
    wroteOnce = true;
    if (!res.write(bytes)) await drained();
  }

  async function flush() {
    if (pending.length === 0) return;
    const rest = pending;
    pending = Buffer.alloc(0);
    await emit(rest);
  }

  return {
    isClosed: () => closed,
    async send(data) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      if (cut === 0) return emit(bytes);
      pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
      while (!closed && pending.length >= cut) {
        const piece = pending.subarray(0, cut);
        pending = pending.subarray(cut);
        cut = nextSize();
        await emit(piece);
      }
    },
    flush,
    async end() {
      await flush();
      if (!closed) res.end();
    },
    untilClosed: () => wait(() => () => {}),
  };
}

/** Frames written between two turns of the event loop. */
const YIELD_EVERY = 256;

/**
 * Writes frames through a wire, stopping as soon as the client goes away.
 * With `hangAfter`, stalls after that many frames until the client aborts.
 * @param {Wire} wire
 * @param {Iterable<string>} frames
 * @param {{ hangAfter?: number }} [options]
 */
export async function pumpFrames(wire, frames, options = {}) {
  let count = 0;
  for (const frame of frames) {
    if (wire.isClosed()) return;
    await wire.send(frame);
    count += 1;
    // A fast reader never triggers backpressure, so yield now and then to let
    // other connections (and this one's close event) be served.
    if (count % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    if (options.hangAfter !== undefined && count >= options.hangAfter) break;
  }
  if (options.hangAfter !== undefined) {
    await wire.flush();
    await wire.untilClosed();
    return;
  }
  await wire.end();
}
