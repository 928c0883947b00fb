#!/usr/bin/env node
// `rkat-web-proxy`: run the proxy on PORT (default 3100) until interrupted.
// ANTHROPIC_API_KEY, OPENAI_API_KEY and GEMINI_API_KEY each switch their
// provider to forward mode; the startup line lists every provider's mode:
//   rkat-web-proxy listening on http://127.0.0.1:3100 (anthropic: simulated, openai: forward, gemini: simulated)
import { startProxy } from './index.mjs';

const USAGE = `usage: rkat-web-proxy            (takes no arguments; configured by the environment)

Runs the provider proxy on http://127.0.0.1:$PORT until interrupted. A provider
without a key is answered by the simulated provider; with one, requests are
forwarded to it with the key added (the browser never sees it).

  PORT                        port to listen on (default 3100; 0 picks a free one)
  ANTHROPIC_API_KEY           forward /anthropic/* to Anthropic with this key
  OPENAI_API_KEY              forward /openai/* to OpenAI with this key
  GEMINI_API_KEY              forward /gemini/* to Gemini with this key
  RKAT_PROXY_ALLOWED_ORIGINS  comma-separated origins allowed to call it (CORS)
  RKAT_PROXY_QUIET=1          no request log`;

const args = process.argv.slice(2);
if (args.length > 0) {
  const help = args.some((a) => a === '--help' || a === '-h');
  (help ? console.log : console.error)(help ? USAGE : `rkat-web-proxy: unexpected argument ${JSON.stringify(args[0])}\n\n${USAGE}`);
  process.exit(help ? 0 : 2);
}

// Only plain decimal digits: Number() would also take ' ', '0x10' and '1e3'.
const rawPort = process.env.PORT;
const port = rawPort === undefined || rawPort === '' ? 3100 : /^\d+$/.test(rawPort) ? Number(rawPort) : Number.NaN;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`rkat-web-proxy: PORT must be an integer between 0 and 65535, got ${JSON.stringify(process.env.PORT)}`);
  process.exit(2);
}

const quiet = process.env.RKAT_PROXY_QUIET === '1';
const proxy = await startProxy({ port, log: quiet ? undefined : (line) => console.log(line) }).catch((error) => {
  console.error(`rkat-web-proxy: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
let closing = false;
/** @param {NodeJS.Signals} signal */
function shutdown(signal) {
  if (closing) return;
  closing = true;
  proxy.close().then(
    () => process.exit(0),
    (error) => {
      console.error(`rkat-web-proxy: error while closing on ${signal}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

// Print only once the handlers are in place: a parent that kills us as soon
// as it reads this line must get a clean shutdown, not the default SIGTERM death.
const modes = Object.entries(proxy.mode).map(([id, mode]) => `${id}: ${mode}`).join(', ');
console.log(`rkat-web-proxy listening on ${proxy.url} (${modes})`);
