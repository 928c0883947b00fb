// Small HTTP helpers shared by every route: CORS headers, JSON responses and
// bounded body reading.
import { randomBytes } from 'node:crypto';

/** Response headers a browser client may read (retry hints and request ids). */
export const EXPOSED_HEADERS = 'retry-after, retry-after-ms, request-id, x-request-id';

/** Allowed request headers when a preflight does not list the ones it needs. */
const DEFAULT_ALLOWED_HEADERS = [
  'content-type', 'x-api-key', 'anthropic-version', 'anthropic-beta',
  'anthropic-dangerous-direct-browser-access', 'accept', 'authorization',
  'openai-organization', 'openai-project', 'openai-beta', 'x-goog-api-key', 'x-goog-api-client',
].join(', ');

/** Largest request body accepted (base64 images make requests big). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Adds the CORS headers every response carries. The Origin is echoed (rather
 * than `*`) so credentialed requests work too, but not when it is refused, so
 * such a page cannot read the answer; `vary` keeps caches honest.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {boolean} [refused] the request is refused for who sent it
 */
export function applyCors(req, res, refused = false) {
  const origin = req.headers.origin;
  if (!origin) res.setHeader('access-control-allow-origin', '*');
  else if (!refused) res.setHeader('access-control-allow-origin', origin);
  if (origin) res.setHeader('vary', 'origin');
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
}

/**
 * Answers a CORS preflight (204).
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
export function sendPreflight(req, res) {
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': requested || DEFAULT_ALLOWED_HEADERS,
    'access-control-max-age': '600',
  });
  res.end();
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
export function sendJson(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/**
 * An Anthropic-shaped error body (also used for the proxy's own errors).
 * @param {string} type
 * @param {string} message
 * @param {string} [requestId]
 */
export function errorBody(type, message, requestId) {
  return { type: 'error', error: { type, message }, ...(requestId ? { request_id: requestId } : {}) };
}

/** Anthropic error type of each status the proxy itself answers with. */
/** @type {Record<number, string>} */
const PROXY_ERROR_TYPES = {
  400: 'invalid_request_error', 403: 'permission_error', 404: 'not_found_error', 405: 'invalid_request_error',
  413: 'request_too_large', 504: 'timeout_error',
};

/**
 * The proxy's own error (refusal, unknown route, unreachable upstream) in the
 * Anthropic shape, also used outside any provider prefix.
 * @param {number} status
 * @param {string} message
 * @param {string} [requestId]
 */
export function proxyErrorBody(status, message, requestId) {
  return errorBody(PROXY_ERROR_TYPES[status] ?? 'api_error', message, requestId);
}

/** A fresh simulated request id, shaped like the API's `req_...`. */
export function newRequestId() {
  return `req_sim_${randomBytes(12).toString('base64url')}`;
}

export class BodyTooLargeError extends Error {}

/**
 * Reads the whole request body (simulated routes only; forwarding streams).
 * @param {import('node:http').IncomingMessage} req
 * @param {number} [limit]
 * @returns {Promise<Buffer>}
 */
export function readBody(req, limit = MAX_BODY_BYTES) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const parts = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ part) => {
      size += part.length;
      // Keep draining (not destroying) so the 413 answer can still be delivered.
      if (size > limit) return reject(new BodyTooLargeError(`request body exceeds ${limit} bytes`));
      parts.push(part);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
    // A client that disconnects mid-upload never sends 'end'; settle anyway.
    req.on('close', () => {
      if (!req.complete) reject(new Error('client closed the connection during the request body'));
    });
  });
}
