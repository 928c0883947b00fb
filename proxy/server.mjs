// Request routing: CORS preflight, /health, the /_sim control API, and one
// prefix per provider, each either forwarded (key configured) or simulated.
import { forwardRequest, upstreamUrl } from './forward.mjs';
import {
  BodyTooLargeError, applyCors, newRequestId, proxyErrorBody, readBody, sendJson, sendPreflight,
} from './http-helpers.mjs';
import { callerRefusal } from './origin.mjs';
import { redactHeaders, redactedPath } from './sim/control.mjs';

/**
 * @typedef {import('./providers.mjs').ProviderSpec} ProviderSpec
 * @typedef {import('./providers.mjs').SimHandler} SimHandler
 * @typedef {{ spec: ProviderSpec, key: string, upstream: string, mode: 'forward' | 'simulated' }} ActiveProvider
 * @typedef {ReturnType<typeof import('./sim/control.mjs').createSimControl>} SimControl
 * @typedef {import('node:http').IncomingMessage} Req
 * @typedef {import('node:http').ServerResponse} Res
 * @typedef {{ method: string, pattern: RegExp, names: string[], handler: SimHandler }} CompiledRoute
 */

/**
 * Compiles "METHOD /path/{name}:verb" keys: a `{name}` placeholder matches
 * one run of characters other than "/" and ":".
 * @param {Record<string, SimHandler>} routes
 * @returns {CompiledRoute[]}
 */
function compileRoutes(routes) {
  return Object.entries(routes).map(([key, handler]) => {
    const [method = '', path = ''] = key.split(' ');
    /** @type {string[]} */
    const names = [];
    const source = path.split(/(\{\w+\})/).map((piece) => {
      const placeholder = /^\{(\w+)\}$/.exec(piece);
      if (!placeholder?.[1]) return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(placeholder[1]);
      return '([^/:]+)';
    }).join('');
    return { method, pattern: new RegExp(`^${source}$`), names, handler };
  });
}

/**
 * @param {CompiledRoute[]} routes
 * @param {string} method
 * @param {string} path
 * @returns {{ handler: SimHandler, params: Record<string, string> } | undefined}
 */
function matchRoute(routes, method, path) {
  for (const route of routes) {
    const match = route.method === method ? route.pattern.exec(path) : null;
    if (!match) continue;
    /** @type {Record<string, string>} */
    const params = {};
    route.names.forEach((name, i) => {
      const raw = match[i + 1] ?? '';
      try {
        params[name] = decodeURIComponent(raw);
      } catch {
        params[name] = raw;
      }
    });
    return { handler: route.handler, params };
  }
  return undefined;
}

/**
 * Simulated provider route: read and log the body, take the next scripted
 * directives, then run the provider's handler.
 * @param {ActiveProvider} provider
 * @param {CompiledRoute[]} routes
 * @param {SimControl} control
 * @param {Req} req
 * @param {Res} res
 * @param {URL} url
 * @param {string} rest
 */
async function simulate(provider, routes, control, req, res, url, rest) {
  const requestId = newRequestId();
  res.setHeader('request-id', requestId);
  const found = matchRoute(routes, req.method ?? 'GET', rest);
  if (!found) {
    return sendJson(res, 404, provider.spec.errorBody(404, `Not found: ${req.method} ${url.pathname} (simulated ${provider.spec.id})`, requestId));
  }
  const raw = (await readBody(req)).toString('utf8');
  /** @type {unknown} */
  let body;
  /** @type {string | null} */
  let bodyError = null;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    bodyError = error instanceof Error ? error.message : String(error);
  }
  control.record({
    provider: provider.spec.id, method: req.method ?? 'POST', path: redactedPath(url), headers: redactHeaders(req.headers), body: bodyError === null ? body : null,
  }, raw.length);
  await found.handler({ req, res, url, params: found.params, body, bodyError, scripted: control.takeScripted(), requestId });
}

/** Methods forwarded upstream: the APIs' calls (POST) and listings such as `GET /v1/models`. */
const FORWARDED_METHODS = ['GET', 'POST'];

/**
 * @param {{
 *   providers: ActiveProvider[], control: SimControl, log: (line: string) => void, allowedOrigins: Set<string>,
 *   headTimeoutMs?: number, idleTimeoutMs?: number,
 * }} options
 * @returns {(req: Req, res: Res) => void}
 */
export function createRequestHandler({ providers, control, log, allowedOrigins, headTimeoutMs, idleTimeoutMs }) {
  const routed = providers.map((provider) => ({ provider, prefix: `/${provider.spec.id}/`, routes: compileRoutes(provider.spec.simRoutes) }));

  /**
   * @param {Req} req
   * @param {Res} res
   * @param {URL} url
   * @param {typeof routed[number] | undefined} entry the provider owning the path
   * @param {string | null} refusal why the caller may not use this route (forward and /_sim/ only)
   */
  async function route(req, res, url, entry, refusal) {
    const errorBody = entry?.provider.spec.errorBody ?? proxyErrorBody;
    // A page refused here learns so at its preflight too: the browser then
    // never sends the request at all.
    if (refusal) return sendJson(res, 403, errorBody(403, `rkat-web-proxy: ${refusal}`));
    if (req.method === 'OPTIONS') return sendPreflight(req, res);
    if (url.pathname === '/health' && req.method === 'GET') {
      return sendJson(res, 200, { ok: true, mode: Object.fromEntries(providers.map((p) => [p.spec.id, p.mode])) });
    }
    if (url.pathname.startsWith('/_sim/')) return control.handle(req, res, url);
    if (!entry) return sendJson(res, 404, proxyErrorBody(404, `Not found: ${req.method} ${url.pathname}`));
    const { provider, prefix, routes } = entry;
    const rest = url.pathname.slice(prefix.length - 1);
    if (provider.mode === 'simulated') return simulate(provider, routes, control, req, res, url, rest);
    if (!FORWARDED_METHODS.includes(req.method ?? '')) {
      return sendJson(res, 405, errorBody(405, `rkat-web-proxy forwards only ${FORWARDED_METHODS.join(' and ')}, not ${req.method}`), { allow: FORWARDED_METHODS.join(', ') });
    }
    return forwardRequest({
      req, res,
      target: upstreamUrl(provider.upstream, rest, url.search, provider.spec.credentialQuery),
      credentialHeaders: provider.spec.credentialHeaders,
      authHeaders: provider.spec.authHeaders(provider.key),
      secret: provider.key,
      errorBody: provider.spec.errorBody,
      headTimeoutMs,
      idleTimeoutMs,
    });
  }

  return (req, res) => {
    const started = Date.now();
    // Never log the query string: some providers (Gemini) put the key there.
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    res.on('close', () => {
      const note = res.writableFinished ? '' : ' (client closed early)';
      const status = res.headersSent ? String(res.statusCode) : '-';
      log(`${req.method} ${path} ${status} ${Date.now() - started}ms${note}`);
    });
    let url;
    try {
      url = new URL(req.url ?? '/', 'http://proxy.local');
    } catch {
      applyCors(req, res);
      return sendJson(res, 400, proxyErrorBody(400, 'Malformed request URL'));
    }
    const pathname = url.pathname;
    const entry = routed.find((r) => pathname.startsWith(r.prefix));
    // Routes that spend the key or expose the control API check who is asking.
    const guarded = entry?.provider.mode === 'forward' || pathname.startsWith('/_sim/');
    const refusal = guarded ? callerRefusal(req.headers, allowedOrigins) : null;
    applyCors(req, res, refusal !== null);
    const errorBody = entry?.provider.spec.errorBody ?? proxyErrorBody;
    route(req, res, url, entry, refusal).catch((error) => {
      if (error instanceof BodyTooLargeError) return sendJson(res, 413, errorBody(413, error.message));
      if (res.destroyed) return; // the client left; nothing to answer or report
      log(`internal error on ${req.method} ${path}: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, errorBody(500, 'proxy internal error'));
      else res.destroy();
    });
  };
}
