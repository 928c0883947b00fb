// rkat-web-proxy: a localhost-only helper for browser LLM clients. For each
// provider (Anthropic, OpenAI, Gemini) it forwards requests upstream when a
// key is configured (keeping the key out of the browser), and otherwise
// simulates the provider's exact wire format.
import http from 'node:http';
import { DEFAULT_HEAD_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS } from './forward.mjs';
import { allowedOriginList } from './origin.mjs';
import { PROVIDERS } from './providers.mjs';
import { createRequestHandler } from './server.mjs';
import { createSimControl } from './sim/control.mjs';

export { simulateAnthropic } from './sim/anthropic.mjs';
export { parseDirectives } from './sim/script.mjs';

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|::1|localhost)$/;

/** What an API key may hold: visible ASCII, nothing else. */
const KEY_CHARACTERS = /^[\x21-\x7e]*$/;

/**
 * @typedef {object} ProxyOptions
 * @property {number} [port] default 3100; 0 picks a free port
 * @property {string} [host] a loopback address; default 127.0.0.1
 * @property {string} [anthropicApiKey] default process.env.ANTHROPIC_API_KEY; '' forces simulation
 * @property {string} [anthropicUpstream] default https://api.anthropic.com (https, or http to loopback only)
 * @property {string} [openaiApiKey] default process.env.OPENAI_API_KEY; '' forces simulation
 * @property {string} [openaiUpstream] default https://api.openai.com
 * @property {string} [geminiApiKey] default process.env.GEMINI_API_KEY; '' forces simulation
 * @property {string} [geminiUpstream] default https://generativelanguage.googleapis.com
 * @property {(line: string) => void} [log] one line per request (method, path, status, duration)
 * @property {string[]} [allowedOrigins] forward mode: origins allowed besides loopback ones
 *   (default: RKAT_PROXY_ALLOWED_ORIGINS, comma-separated)
 * @property {number} [upstreamHeadTimeoutMs] forward mode: wait this long for the upstream's
 *   response head, then answer 504 (default 600000, 10 minutes)
 * @property {number} [upstreamIdleTimeoutMs] forward mode: cut a response whose upstream body
 *   stays silent this long (default 600000, 10 minutes)
 */

/**
 * @param {unknown} value
 * @param {string} name
 * @param {number} fallback
 * @returns {number}
 */
function timeoutOption(value, name, fallback) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

/**
 * An upstream base URL the key may be sent to: https, or plain http to this
 * machine only (a fake or a local gateway), since over http the key would cross
 * the network in the clear; no user name, password, query or fragment.
 * @param {string} value
 * @param {string} name
 * @returns {string}
 */
function upstreamOption(value, name) {
  /** @type {URL | null} */
  let url = null;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || !['https:', 'http:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
    throw new Error(`${name} must be an http(s) base URL without credentials, query or fragment (e.g. https://api.anthropic.com), got ${JSON.stringify(value)}`);
  }
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname.replace(/^\[(.*)\]$/, '$1'))) {
    throw new Error(`${name} ${JSON.stringify(value)} would send the key unencrypted over the network: use https (plain http only to a loopback address)`);
  }
  return value;
}

/**
 * Starts the proxy.
 * @param {ProxyOptions} [options]
 * @returns {Promise<{ url: string, port: number, mode: Record<string, 'forward' | 'simulated'>, close(): Promise<void> }>}
 */
export async function startProxy(options = {}) {
  const host = options.host ?? '127.0.0.1';
  // The proxy can spend a real API key, so it must never listen beyond this machine.
  if (!LOOPBACK.test(host)) throw new Error(`rkat-web-proxy only binds loopback addresses, not ${JSON.stringify(host)}`);
  const headTimeoutMs = timeoutOption(options.upstreamHeadTimeoutMs, 'upstreamHeadTimeoutMs', DEFAULT_HEAD_TIMEOUT_MS);
  const idleTimeoutMs = timeoutOption(options.upstreamIdleTimeoutMs, 'upstreamIdleTimeoutMs', DEFAULT_IDLE_TIMEOUT_MS);
  /** @type {Record<string, unknown>} */
  const named = { ...options };
  const providers = PROVIDERS.map((spec) => {
    const given = named[`${spec.id}ApiKey`];
    const key = typeof given === 'string' ? given : process.env[spec.envKey] ?? '';
    // Such a key would start fine and then fail every request (Node refuses it
    // in a header): say so now, naming where it came from, never the key.
    if (!KEY_CHARACTERS.test(key)) {
      const source = typeof given === 'string' ? `the ${spec.id}ApiKey option` : spec.envKey;
      throw new Error(`${source} contains whitespace, control or non-ASCII characters (a .env file with Windows line ends leaves a \\r at its end); fix the key (it is not shown here)`);
    }
    const upstream = named[`${spec.id}Upstream`];
    return {
      spec,
      key,
      upstream: upstream === undefined ? spec.defaultUpstream : upstreamOption(String(upstream), `${spec.id}Upstream`),
      mode: /** @type {'forward' | 'simulated'} */ (key ? 'forward' : 'simulated'),
    };
  });
  const server = http.createServer(
    createRequestHandler({
      providers,
      control: createSimControl(),
      log: options.log ?? (() => {}),
      allowedOrigins: allowedOriginList(options.allowedOrigins),
      headTimeoutMs,
      idleTimeoutMs,
    }),
  );
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3100, host, () => {
      server.off('error', reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    mode: Object.fromEntries(providers.map((p) => [p.spec.id, p.mode])),
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Streams that hang on purpose would otherwise keep close() waiting forever.
        server.closeAllConnections();
      });
    },
  };
}
