// The provider registry. Each entry owns the URL prefix `/<id>/`, says how to
// authenticate upstream in forward mode, and lists its simulated routes.
// Adding OpenAI or Gemini is one line here (plus its sim module), e.g.
//   { id: 'openai', envKey: 'OPENAI_API_KEY', defaultUpstream: 'https://api.openai.com', ... },
import { handleAnthropicMessages } from './sim/anthropic.mjs';

/**
 * @typedef {import('./sim/anthropic.mjs').SimRequestContext} SimRequestContext
 *
 * @typedef {object} ProviderSpec
 * @property {string} id URL prefix and option-name stem (`<id>ApiKey`, `<id>Upstream`)
 * @property {string} envKey environment variable holding the real key
 * @property {string} defaultUpstream
 * @property {string[]} credentialHeaders client-sent credentials to strip before forwarding
 * @property {(key: string) => Record<string, string>} authHeaders real credentials to add
 * @property {Record<string, (ctx: SimRequestContext) => Promise<void> | void>} simRoutes "METHOD /path" → simulated handler
 */

/** @type {ProviderSpec[]} */
export const PROVIDERS = [
  {
    id: 'anthropic',
    envKey: 'ANTHROPIC_API_KEY',
    defaultUpstream: 'https://api.anthropic.com',
    credentialHeaders: ['x-api-key', 'authorization'],
    authHeaders: (key) => ({ 'x-api-key': key }),
    simRoutes: { 'POST /v1/messages': handleAnthropicMessages },
  },
];
