// Request routing: CORS preflight, /health, the /_sim control API, and one
// prefix per provider, each either forwarded (key configured) or simulated.
import { forwardRequest, upstreamUrl } from './forward.mjs';
import {
  BodyTooLargeError, applyCors, errorBody, newRequestId, readBody, sendJson, sendPreflight,
} from './http-helpers.mjs';
import { forwardRefusal } from './origin.mjs';
import { redactHeaders, redactedPath } from './sim/control.mjs';

/**
 * @typedef {import('./providers.mjs').ProviderSpec} ProviderSpec
 * @typedef {{ spec: ProviderSpec, key: string, upstream: string, mode: 'forward' | 'simulated' }} ActiveProvider
 * @typedef {ReturnType<typeof import('./sim/control.mjs').createSimControl>} SimControl
 * @typedef {import('node:http').IncomingMessage} Req
 * @typedef {import('node:http').ServerResponse} Res
 */

/**
 * Simulated provider route: read and log the body, take the next scripted
 * directives, then run the provider's handler.
 * @param {ActiveProvider} provider
 * @param {SimControl} control
 * @param {Req} req
 * @param {Res} res
 * @param {URL} url
 * @param {string} rest
 */
async function simulate(provider, control, req, res, url, rest) {
  const requestId = newRequestId();
  res.setHeader('request-id', requestId);
  const handler = provider.spec.simRoutes[`${req.method} ${rest}`];
  if (!handler) {
    return sendJson(res, 404, errorBody('not_found_error', `Not found: ${req.method} ${url.pathname} (simulated ${provider.spec.id})`, requestId));
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
  });
  await handler({ req, res, body, bodyError, scripted: control.takeScripted(), requestId });
}

/**
 * @param {{ providers: ActiveProvider[], control: SimControl, log: (line: string) => void, allowedOrigins: Set<string> }} options
 * @returns {(req: Req, res: Res) => void}
 */
export function createRequestHandler({ providers, control, log, allowedOrigins }) {
  /**
   * @param {Req} req
   * @param {Res} res
   * @param {URL} url
   */
  async function route(req, res, url) {
    if (req.method === 'OPTIONS') return sendPreflight(req, res);
    if (url.pathname === '/health' && req.method === 'GET') {
      return sendJson(res, 200, { ok: true, mode: Object.fromEntries(providers.map((p) => [p.spec.id, p.mode])) });
    }
    if (url.pathname.startsWith('/_sim/')) return control.handle(req, res, url);
    for (const provider of providers) {
      const prefix = `/${provider.spec.id}/`;
      if (!url.pathname.startsWith(prefix)) continue;
      const rest = url.pathname.slice(prefix.length - 1);
      if (provider.mode === 'simulated') return simulate(provider, control, req, res, url, rest);
      const refusal = forwardRefusal(req.headers, allowedOrigins);
      if (refusal) return sendJson(res, 403, errorBody('permission_error', `rkat-web-proxy: ${refusal}`));
      return forwardRequest({
        req, res,
        target: upstreamUrl(provider.upstream, rest, url.search),
        credentialHeaders: provider.spec.credentialHeaders,
        authHeaders: provider.spec.authHeaders(provider.key),
        secret: provider.key,
      });
    }
    return sendJson(res, 404, errorBody('not_found_error', `Not found: ${req.method} ${url.pathname}`));
  }

  return (req, res) => {
    const started = Date.now();
    // Never log the query string: some providers (Gemini) put the key there.
    const path = (req.url ?? '/').split('?')[0];
    res.on('close', () => {
      const note = res.writableFinished ? '' : ' (client closed early)';
      const status = res.headersSent ? String(res.statusCode) : '-';
      log(`${req.method} ${path} ${status} ${Date.now() - started}ms${note}`);
    });
    applyCors(req, res);
    let url;
    try {
      url = new URL(req.url ?? '/', 'http://proxy.local');
    } catch {
      return sendJson(res, 400, errorBody('invalid_request_error', 'Malformed request URL'));
    }
    route(req, res, url).catch((error) => {
      if (error instanceof BodyTooLargeError) {
        return sendJson(res, 413, errorBody('request_too_large', error.message));
      }
      if (res.destroyed) return; // the client left; nothing to answer or report
      log(`internal error on ${req.method} ${path}: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, errorBody('api_error', 'proxy internal error'));
      else res.destroy();
    });
  };
}
