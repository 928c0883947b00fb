// Delivering a simulated reply over HTTP, shared by every simulated API:
// stream faults (`midstream`, `truncate`), streamed frames through the wire
// (`chunk`, `split`, `delay`, `hang`), whole JSON bodies, and error answers.
import { createWire, pumpFrames } from './sse.mjs';

/**
 * @typedef {import('./script.mjs').Directives} Directives
 *
 * @typedef {object} SimRequestContext
 * @property {import('node:http').IncomingMessage} req
 * @property {import('node:http').ServerResponse} res
 * @property {URL} url the request URL (path and query)
 * @property {Record<string, string>} params values of `{name}` placeholders of the route
 * @property {unknown} body parsed JSON (undefined when it did not parse)
 * @property {string | null} bodyError why the body did not parse
 * @property {Directives} scripted directives queued via /_sim/script for this request
 * @property {string} requestId also sent as the `request-id` header
 */

/** Content deltas sent before a `midstream` error. */
export const MIDSTREAM_AFTER_DELTAS = 3;

/**
 * How one API's event stream is laid out, for {@link withStreamFaults}.
 * @template E
 * @typedef {object} StreamShape
 * @property {(ev: E) => boolean} isDelta a content delta (`midstream` strikes after three)
 * @property {(ev: E) => boolean} isClosing the first event after the content (`midstream` strikes before it at the latest)
 * @property {(ev: E) => boolean} isFinal the end marker that plain `truncate` leaves out
 * @property {(previous: E | undefined) => Iterable<E>} failure the events a `midstream` failure sends
 */

/**
 * Applies `midstream` and `truncate` to an event sequence.
 * @template E
 * @param {Iterable<E>} events
 * @param {Directives} directives
 * @param {StreamShape<E>} shape
 * @returns {Generator<E>}
 */
export function* withStreamFaults(events, directives, shape) {
  let sent = 0;
  let deltas = 0;
  /** @type {E | undefined} */
  let previous;
  for (const ev of events) {
    if (directives.midstream && (deltas >= MIDSTREAM_AFTER_DELTAS || shape.isClosing(ev))) {
      yield* shape.failure(previous);
      return;
    }
    if (directives.truncate === true && shape.isFinal(ev)) return;
    yield ev;
    previous = ev;
    sent += 1;
    if (shape.isDelta(ev)) deltas += 1;
    if (typeof directives.truncate === 'number' && sent >= directives.truncate) return;
  }
}

/**
 * @param {Directives} directives
 * @param {number} seed
 */
const wireOptions = (directives, seed) => ({ chunk: directives.chunk, split: directives.split, delay: directives.delay, seed });

/** A faulty reply also drops the connection, like a failing upstream would. */
const isBroken = (/** @type {Directives} */ d) => d.truncate !== undefined || d.midstream !== undefined;

/**
 * @typedef {object} StreamReply
 * @property {Iterable<string>} frames serialised events, generated lazily
 * @property {Directives} directives
 * @property {number} seed for `split=random`
 * @property {number} hangAfter frames sent before `hang` stalls
 * @property {string} [contentType]
 * @property {Record<string, string>} [headers]
 */

/**
 * Sends a 200 streaming response frame by frame.
 * @param {SimRequestContext} ctx
 * @param {StreamReply} reply
 */
export async function streamReply(ctx, { frames, directives, seed, hangAfter, contentType = 'text/event-stream; charset=utf-8', headers = {} }) {
  ctx.res.writeHead(200, {
    'content-type': contentType,
    'cache-control': 'no-cache',
    ...headers,
    ...(isBroken(directives) ? { connection: 'close' } : {}),
  });
  const wire = createWire(ctx.res, wireOptions(directives, seed));
  await pumpFrames(wire, frames, { hangAfter: directives.hang ? hangAfter : undefined });
}

/**
 * Sends a 200 JSON body: `truncate` cuts it in half and closes the
 * connection, `hang` sends only the head.
 * @param {SimRequestContext} ctx
 * @param {{ text: string, directives: Directives, seed: number, contentType?: string, headers?: Record<string, string> }} reply
 */
export async function bodyReply(ctx, { text, directives, seed, contentType = 'application/json', headers = {} }) {
  const bytes = Buffer.from(text);
  ctx.res.writeHead(200, {
    'content-type': contentType,
    ...headers,
    ...(isBroken(directives) ? { connection: 'close' } : { 'content-length': String(bytes.length) }),
  });
  const wire = createWire(ctx.res, wireOptions(directives, seed));
  if (directives.hang) {
    ctx.res.flushHeaders();
    await wire.untilClosed();
    return;
  }
  await wire.send(directives.truncate ? bytes.subarray(0, Math.floor(bytes.length / 2)) : bytes);
  await wire.end();
}

/**
 * An error answer with a serialised body.
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} text
 * @param {{ contentType?: string, headers?: Record<string, string> }} [options]
 */
export function errorReply(res, status, text, { contentType = 'application/json', headers = {} } = {}) {
  if (res.headersSent || res.destroyed) return;
  // 529 has no standard reason phrase; Node would otherwise print "unknown".
  res.writeHead(status, status === 529 ? 'Overloaded' : undefined, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}
