// Forward mode: relays `/<provider>/<rest>` to `<upstream>/<rest>` with the real
// API key, and streams the answer back as it arrives. The browser never sees
// the key (an upstream that echoes it, say in an error message, has it
// replaced by `[redacted]`), and the upstream never sees browser-only headers
// (so it does not treat the call as a CORS request).
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import zlib from 'node:zlib';
import { sendJson } from './http-helpers.mjs';

/** Default limits on a silent upstream: generous, as a long non-streamed answer takes minutes. */
export const DEFAULT_HEAD_TIMEOUT_MS = 10 * 60 * 1000;
export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60 * 1000;

/** What an echoed key is replaced with. */
const REDACTED = '[redacted]';

/** Keys shorter than this are placeholders (`proxy`), not secrets worth scrubbing. */
const MIN_SCRUBBED_KEY = 8;

/** Content codings the proxy can undo to scrub the body. */
const DECODERS = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/**
 * @param {string} secret
 * @returns {boolean} whether responses must be scrubbed of this key
 */
function scrubs(secret) {
  return secret.length >= MIN_SCRUBBED_KEY;
}

/**
 * @param {string} text
 * @param {string} secret
 */
function redact(text, secret) {
  return scrubs(secret) ? text.split(secret).join(REDACTED) : text;
}

/**
 * Length of the longest end of `data` that is a proper beginning of `needle`:
 * bytes that may turn out to be the key once the next chunk arrives.
 * @param {Buffer} data
 * @param {Buffer} needle
 */
function pendingPrefix(data, needle) {
  for (let n = Math.min(data.length, needle.length - 1); n > 0; n -= 1) {
    if (data[data.length - n] === needle[0] && data.subarray(data.length - n).equals(needle.subarray(0, n))) return n;
  }
  return 0;
}

/**
 * A stream that replaces every occurrence of `secret` with `[redacted]`. It
 * holds back only a trailing piece that could be the start of the key, so
 * output follows input at once (an SSE event ends in a blank line, which no
 * key starts with, so events are never delayed).
 * @param {string} secret
 * @returns {Transform}
 */
export function keyScrubber(secret) {
  const needle = Buffer.from(secret);
  const mask = Buffer.from(REDACTED);
  let held = Buffer.alloc(0);
  return new Transform({
    transform(/** @type {Buffer} */ chunk, _encoding, done) {
      const data = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
      /** @type {Buffer[]} */
      const out = [];
      let from = 0;
      for (let at = data.indexOf(needle); at !== -1; at = data.indexOf(needle, from)) {
        out.push(data.subarray(from, at), mask);
        from = at + needle.length;
      }
      const rest = data.subarray(from);
      const keep = pendingPrefix(rest, needle);
      out.push(rest.subarray(0, rest.length - keep));
      held = Buffer.from(rest.subarray(rest.length - keep));
      const ready = Buffer.concat(out);
      done(null, ready.length > 0 ? ready : undefined);
    },
    flush(done) {
      done(null, held.length > 0 ? held : undefined);
    },
  });
}

/** RFC 9110 hop-by-hop headers: they describe one connection, not the message. */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

/** Browser context the upstream must not see. */
const BROWSER_ONLY = new Set(['host', 'origin', 'referer', 'cookie', 'anthropic-dangerous-direct-browser-access']);

/** Client addresses set by proxies in front of this one: nothing the upstream needs to know. */
const CLIENT_ADDRESS = new Set(['forwarded', 'x-real-ip']);

/**
 * Upstream headers the browser must not act on: they set state or policy for
 * the origin that serves them, which here is the proxy's (cookies would land on
 * 127.0.0.1, shared by every local port; `clear-site-data` would wipe them).
 */
const UPSTREAM_ONLY = new Set([
  'set-cookie', 'clear-site-data', 'strict-transport-security', 'alt-svc', 'nel', 'report-to', 'reporting-endpoints',
]);

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
    if (name.startsWith('sec-fetch-') || name.startsWith('x-forwarded-') || CLIENT_ADDRESS.has(name)) continue;
    out[name] = value;
  }
  // A body of unknown length (chunked) must stay framed: transfer-encoding is
  // hop-by-hop and dropped above, and for a GET Node would then write the body
  // unframed after the head, where the upstream reads it as a second request
  // on the shared connection (request smuggling, past the GET/POST-only rule).
  if (incoming['transfer-encoding'] !== undefined) out['transfer-encoding'] = 'chunked';
  return { ...out, ...authHeaders };
}

/**
 * Upstream response headers minus hop-by-hop ones and the upstream's own CORS
 * answer (the proxy sets CORS for the browser itself), with the key redacted
 * from every value. When the body is scrubbed its length may change, so
 * `content-length` goes (and `content-encoding`, the body being decoded).
 * @param {import('node:http').IncomingHttpHeaders} incoming
 * @param {string} secret
 * @returns {import('node:http').OutgoingHttpHeaders}
 */
function downstreamHeaders(incoming, secret) {
  const drop = hopByHop(incoming);
  if (scrubs(secret)) drop.add('content-length').add('content-encoding');
  /** @type {import('node:http').OutgoingHttpHeaders} */
  const out = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || drop.has(name) || UPSTREAM_ONLY.has(name) || name.startsWith('access-control-')) continue;
    out[name] = Array.isArray(value) ? value.map((v) => redact(v, secret)) : redact(value, secret);
  }
  return out;
}

/**
 * One `Vary` from the proxy's own (`origin`, set with the CORS headers) and
 * the upstream's, each name once.
 * @param {...(string | number | string[] | undefined)} values
 * @returns {string | undefined}
 */
function mergeVary(...values) {
  /** @type {Map<string, string>} */
  const names = new Map();
  for (const value of values.flat()) {
    for (const token of String(value ?? '').split(',')) {
      const name = token.trim();
      if (name && !names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
    }
  }
  if (names.has('*')) return '*';
  return names.size > 0 ? [...names.values()].join(', ') : undefined;
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
 * @property {(status: number, message: string) => unknown} errorBody the provider's error shape (for 502 and 504)
 * @property {number} [headTimeoutMs] how long to wait for the upstream's response head
 * @property {number} [idleTimeoutMs] how long the upstream's body may stay silent
 */

class UpstreamTimeout extends Error {}

/**
 * Relays one request; resolves when the exchange is over (either side).
 * @param {ForwardOptions} options
 * @returns {Promise<void>}
 */
export function forwardRequest({
  req, res, target, credentialHeaders, authHeaders, secret, errorBody,
  headTimeoutMs = DEFAULT_HEAD_TIMEOUT_MS, idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS,
}) {
  return new Promise((resolve) => {
    const client = target.protocol === 'https:' ? https : http;
    const headers = upstreamRequestHeaders(req.headers, credentialHeaders, authHeaders);
    // A compressed body could carry the key unseen: ask for none (and decode any that comes anyway).
    if (scrubs(secret)) headers['accept-encoding'] = 'identity';
    const upstreamReq = client.request(target, { method: req.method, headers });
    // An upstream that accepts and never answers must not hold the request forever.
    const headTimer = setTimeout(() => {
      upstreamReq.destroy(new UpstreamTimeout(`upstream sent no response within ${headTimeoutMs / 1000} s`));
    }, headTimeoutMs);
    /** @type {NodeJS.Timeout | undefined} */
    let idleTimer;
    const stopTimers = () => {
      clearTimeout(headTimer);
      clearTimeout(idleTimer);
    };

    upstreamReq.on('response', (upstreamRes) => {
      clearTimeout(headTimer);
      // Once the head is sent there is no status left to report a stall with:
      // cut the response, so the client sees a failed stream rather than a complete one.
      idleTimer = setTimeout(() => {
        upstreamReq.destroy();
        res.destroy();
      }, idleTimeoutMs);
      upstreamRes.on('data', () => idleTimer?.refresh());
      upstreamRes.on('close', stopTimers);
      const coding = String(upstreamRes.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
      const decoder = coding === 'identity' || coding === '' || !scrubs(secret) ? null : DECODERS[/** @type {keyof typeof DECODERS} */ (coding)];
      if (decoder === undefined) {
        // Stop the call rather than drain it: a stream would run (and bill) to its end.
        upstreamReq.destroy();
        sendJson(res, 502, errorBody(502, `proxy cannot check an upstream body in content-encoding ${JSON.stringify(coding)} for the key`));
        return resolve();
      }
      const downstream = downstreamHeaders(upstreamRes.headers, secret);
      const vary = mergeVary(res.getHeader('vary'), downstream.vary);
      if (vary) downstream.vary = vary;
      res.writeHead(upstreamRes.statusCode ?? 502, redact(upstreamRes.statusMessage ?? '', secret), downstream);
      // Send the status line now: an SSE client should see 200 before the first event.
      res.flushHeaders();
      // pipe() writes each upstream chunk as it arrives and honours backpressure.
      /** @type {import('node:stream').Readable} */
      let body = upstreamRes;
      for (const stage of [decoder?.(), scrubs(secret) ? keyScrubber(secret) : null]) {
        if (!stage) continue;
        stage.on('error', () => res.destroy());
        body = body.pipe(stage);
      }
      body.pipe(res);
      upstreamRes.on('error', () => res.destroy());
      upstreamRes.on('end', resolve);
    });

    upstreamReq.on('error', (error) => {
      stopTimers();
      if (res.headersSent || res.destroyed) {
        res.destroy();
      } else if (error instanceof UpstreamTimeout) {
        sendJson(res, 504, errorBody(504, `rkat-web-proxy: ${error.message}`));
      } else {
        const reason = redact(error.message || String(/** @type {NodeJS.ErrnoException} */ (error).code), secret);
        sendJson(res, 502, errorBody(502, `proxy could not reach upstream: ${reason}`));
      }
      resolve();
    });

    // The browser went away: stop the upstream call too so it stops billing tokens.
    res.on('close', () => {
      stopTimers();
      if (!res.writableFinished) upstreamReq.destroy();
      resolve();
    });

    req.pipe(upstreamReq);
  });
}
