// The provider registry. Each entry owns the URL prefix `/<id>/`, says how to
// authenticate upstream in forward mode, which client credentials to strip,
// how its errors look, and lists its simulated routes. Adding a provider is
// one entry here plus its sim module.
import { proxyErrorBody } from './http-helpers.mjs';
import { handleAnthropicMessages } from './sim/anthropic.mjs';
import { handleGeminiGenerate, handleGeminiStream } from './sim/gemini.mjs';
import { geminiProxyError } from './sim/gemini-errors.mjs';
import { handleOpenAIChat } from './sim/openai-chat.mjs';
import { openAIProxyError } from './sim/openai-errors.mjs';
import { handleOpenAIResponses } from './sim/openai-responses.mjs';

/**
 * @typedef {import('./sim/respond.mjs').SimRequestContext} SimRequestContext
 * @typedef {(ctx: SimRequestContext) => Promise<void> | void} SimHandler
 *
 * @typedef {object} ProviderSpec
 * @property {string} id URL prefix and option-name stem (`<id>ApiKey`, `<id>Upstream`)
 * @property {string} envKey environment variable holding the real key
 * @property {string} defaultUpstream
 * @property {string[]} credentialHeaders client-sent credentials to strip before forwarding
 * @property {string[]} credentialQuery client-sent credential query parameters to strip before forwarding
 * @property {(key: string) => Record<string, string>} authHeaders real credentials to add
 * @property {(status: number, message: string, requestId?: string) => unknown} errorBody
 *   the API's error shape, for the proxy's own errors under this prefix (404, 403, 413, 502)
 * @property {Record<string, SimHandler>} simRoutes "METHOD /path" → simulated handler;
 *   `{name}` matches one run of characters other than "/" and ":" (ctx.params.name)
 */

/** @type {ProviderSpec[]} */
export const PROVIDERS = [
  {
    id: 'anthropic',
    envKey: 'ANTHROPIC_API_KEY',
    defaultUpstream: 'https://api.anthropic.com',
    credentialHeaders: ['x-api-key', 'authorization'],
    credentialQuery: [],
    authHeaders: (key) => ({ 'x-api-key': key }),
    errorBody: proxyErrorBody,
    simRoutes: { 'POST /v1/messages': handleAnthropicMessages },
  },
  {
    id: 'openai',
    envKey: 'OPENAI_API_KEY',
    defaultUpstream: 'https://api.openai.com',
    credentialHeaders: ['authorization'],
    credentialQuery: [],
    authHeaders: (key) => ({ authorization: `Bearer ${key}` }),
    errorBody: openAIProxyError,
    simRoutes: {
      'POST /v1/chat/completions': handleOpenAIChat,
      'POST /v1/responses': handleOpenAIResponses,
    },
  },
  {
    id: 'gemini',
    envKey: 'GEMINI_API_KEY',
    defaultUpstream: 'https://generativelanguage.googleapis.com',
    credentialHeaders: ['x-goog-api-key', 'authorization'],
    credentialQuery: ['key'],
    authHeaders: (key) => ({ 'x-goog-api-key': key }),
    errorBody: geminiProxyError,
    simRoutes: {
      'POST /v1beta/models/{model}:streamGenerateContent': handleGeminiStream,
      'POST /v1beta/models/{model}:generateContent': handleGeminiGenerate,
      'POST /v1/models/{model}:streamGenerateContent': handleGeminiStream,
      'POST /v1/models/{model}:generateContent': handleGeminiGenerate,
    },
  },
];
