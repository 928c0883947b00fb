// Test-control API shared by every simulated provider: a queue of scripted
// directives for the next requests and a log of what clients actually sent.
import { errorBody, readBody, sendJson } from '../http-helpers.mjs';
import { DirectiveError, parseDirectives } from './script.mjs';

/** How many simulated requests `/_sim/requests` remembers. */
const LOG_LIMIT = 100;
/**
 * And how many of their body bytes, in all (the newest is always kept): a
 * body may be 32 MB, and any page may post to the simulated routes (a
 * `text/plain` POST needs no preflight), so 100 of them would hold 3.2 GB.
 */
export const LOG_BYTES = 64 * 1024 * 1024;

/** Headers whose values must never be stored or echoed. */
const SECRET_HEADERS = new Set(['x-api-key', 'authorization', 'x-goog-api-key', 'cookie', 'proxy-authorization']);

/**
 * @typedef {import('./script.mjs').Directives} Directives
 * @typedef {{ provider: string, method: string, path: string, headers: Record<string, string | string[]>, body: unknown }} LoggedRequest
 */

/**
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @returns {Record<string, string | string[]>}
 */
export function redactHeaders(headers) {
  /** @type {Record<string, string | string[]>} */
  const out = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name) ? '[redacted]' : value;
  }
  return out;
}

/**
 * The request path with credential query parameters (Gemini's `?key=`) hidden.
 * @param {URL} url
 */
export function redactedPath(url) {
  const copy = new URL(url);
  if (copy.searchParams.has('key')) copy.searchParams.set('key', '[redacted]');
  return copy.pathname + copy.search;
}

export function createSimControl() {
  /** @type {Directives[]} */
  const queue = [];
  /** @type {LoggedRequest[]} */
  const log = [];
  /** The body size of each entry of `log`, and their sum. */
  const sizes = [];
  let bytes = 0;
  const dropOldest = () => {
    log.shift();
    bytes -= sizes.shift() ?? 0;
  };

  return {
    /** Directives for the next simulated request (empty when nothing is queued). */
    takeScripted() {
      return queue.shift() ?? {};
    },
    /**
     * @param {LoggedRequest} entry
     * @param {number} size its body's bytes
     */
    record(entry, size) {
      log.push(entry);
      sizes.push(size);
      bytes += size;
      while (log.length > LOG_LIMIT || (bytes > LOG_BYTES && log.length > 1)) dropOldest();
    },
    /**
     * Serves `/_sim/*`.
     * @param {import('node:http').IncomingMessage} req
     * @param {import('node:http').ServerResponse} res
     * @param {URL} url
     */
    async handle(req, res, url) {
      const route = `${req.method} ${url.pathname}`;
      if (route === 'GET /_sim/requests') return sendJson(res, 200, log);
      if (route === 'POST /_sim/reset') {
        queue.length = 0;
        while (log.length) dropOldest();
        return sendJson(res, 200, { ok: true });
      }
      if (route === 'POST /_sim/script') {
        let parsed;
        try {
          const list = JSON.parse((await readBody(req)).toString('utf8'));
          if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
            throw new DirectiveError('expected a JSON array of directive strings, e.g. ["error=429", "chunk=7,delay=5"]');
          }
          parsed = list.map(parseDirectives);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return sendJson(res, 400, errorBody('invalid_request_error', message));
        }
        queue.push(...parsed);
        return sendJson(res, 200, { ok: true, queued: queue.length });
      }
      return sendJson(res, 404, errorBody('not_found_error', `Not found: ${route}`));
    },
  };
}
