// Forward mode: relays `/<provider>/<rest>` to `<upstream>/<rest>` with the real
// API key, and streams the answer back untouched. The browser never sees the
// key, and the upstream never sees browser-only headers (so it does not treat
// the call as a CORS request).
import http from 'node:http';
import https from 'node:https';
import { sendJson } from './http-helpers.mjs';

/** RFC 9110 hop-by-hop headers: they describe one connection, not the message. */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

/** Browser context the upstream must not see. */
const BROWSER_ONLY = new Set(['host', 'origin', 'referer', 'cookie', 'anthropic-dangerous-direct-browser-access']);

/**
 * @param {import('node:http').IncomingHttpHeaders} headers
 * @returns {Set<string>} hop-by-hop names, including those listed in `Connection`
 */
function hopByHop(headers) {
  const names = new Set(HOP_BY_HOP);
  for (const token of String(headers.connection ?? '').split(',')) {
    if (token.trim()) names.add(token.trim().toLowerCase());
  }
  return names;
}

/**
 * @param {import('node:http').IncomingHttpHeaders} incoming
 * @param {string[]} credentialHeaders client credentials to drop
 * @param {Record<string, string>} authHeaders the real credentials
 * @returns {import('node:http').OutgoingHttpHeaders}
 */
export function upstreamRequestHeaders(incoming, credentialHeaders, authHeaders) {
  const drop = hopByHop(incoming);
  /** @type {import('node:http').OutgoingHttpHeaders} */
  const out = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || drop.has(name) || BROWSER_ONLY.has(name) || credentialHeaders.includes(name)) continue;
    // sec-fetch-* only make sense between a browser and its first hop.
    if (name.startsWith('sec-fetch-')) continue;
    out[name] = value;
  }
  return { ...out, ...authHeaders };
}

/**
 * Upstream response headers minus hop-by-hop ones and the upstream's own CORS
 * answer (the proxy sets CORS for the browser itself).
 * @param {import('node:http').IncomingHttpHeaders} incoming
 * @returns {import('node:http').OutgoingHttpHeaders}
 */
function downstreamHeaders(incoming) {
  const drop = hopByHop(incoming);
  /** @type {import('node:http').OutgoingHttpHeaders} */
  const out = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || drop.has(name) || name.startsWith('access-control-')) continue;
    out[name] = value;
  }
  return out;
}

/**
 * `<upstream>/<rest>?<query>`, keeping any path prefix the upstream URL has
 * and dropping query parameters that carry client credentials (Gemini's `key`).
 * @param {string} upstream
 * @param {string} rest path after the provider prefix, starting with "/"
 * @param {string} search query string including "?" (or "")
 * @param {string[]} [credentialQuery] parameter names to remove
 */
export function upstreamUrl(upstream, rest, search, credentialQuery = []) {
  const target = new URL(upstream);
  target.pathname = target.pathname.replace(/\/+$/, '') + rest;
  target.search = search;
  // Only re-serialise the query when it carries a credential, so other queries pass byte for byte.
  if (credentialQuery.some((name) => target.searchParams.has(name))) {
    for (const name of credentialQuery) target.searchParams.delete(name);
    if (target.search === '?') target.search = '';
  }
  return target;
}

/**
 * @typedef {object} ForwardOptions
 * @property {import('node:http').IncomingMessage} req
 * @property {import('node:http').ServerResponse} res
 * @property {URL} target
 * @property {string[]} credentialHeaders
 * @property {Record<string, string>} authHeaders
 * @property {string} secret the real key, scrubbed from any error text
 * @property {(status: number, message: string) => unknown} errorBody the provider's error shape (for 502)
 */

/**
 * Relays one request; resolves when the exchange is over (either side).
 * @param {ForwardOptions} options
 * @returns {Promise<void>}
 */
export function forwardRequest({ req, res, target, credentialHeaders, authHeaders, secret, errorBody }) {
  return new Promise((resolve) => {
    const client = target.protocol === 'https:' ? https : http;
    const upstreamReq = client.request(target, {
      method: req.method,
      headers: upstreamRequestHeaders(req.headers, credentialHeaders, authHeaders),
    });

    upstreamReq.on('response', (upstreamRes) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, downstreamHeaders(upstreamRes.headers));
      // Send the status line now: an SSE client should see 200 before the first event.
      res.flushHeaders();
      // pipe() writes each upstream chunk as it arrives and honours backpressure.
      upstreamRes.pipe(res);
      upstreamRes.on('error', () => res.destroy());
      upstreamRes.on('end', resolve);
    });

    upstreamReq.on('error', (error) => {
      if (!res.headersSent && !res.destroyed) {
        const reason = (error.message || String(/** @type {NodeJS.ErrnoException} */ (error).code)).split(secret || '\u0000').join('[redacted]');
        sendJson(res, 502, errorBody(502, `proxy could not reach upstream: ${reason}`));
      } else {
        res.destroy();
      }
      resolve();
    });

    // The browser went away: stop the upstream call too so it stops billing tokens.
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
      resolve();
    });

    req.pipe(upstreamReq);
  });
}
