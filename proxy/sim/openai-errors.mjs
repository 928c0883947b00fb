// OpenAI's error model for the simulator (fixtures/providers/openai/NOTES.md
// 24-26): `{"error":{"message","type","param","code"}}` bodies, the errors
// `error=N`/`quota` ask for (with rate-limit and retry headers), and the
// object a `midstream` failure carries.
import { errorReply } from './respond.mjs';
import { midstreamStatus } from './script.mjs';

/**
 * @typedef {import('./respond.mjs').SimRequestContext} SimRequestContext
 * @typedef {import('./script.mjs').Directives} Directives
 * @typedef {{ message: string, type: string, param: string | null, code: string | null }} OpenAIError
 */

/** Statuses `error=N` may ask the simulated OpenAI APIs for. */
export const OPENAI_ERROR_STATUSES = Object.freeze([400, 401, 403, 404, 429, 500, 503]);

/** @type {Record<number, Omit<OpenAIError, 'param'>>} */
const DIRECTED = {
  400: { message: 'Simulated invalid request (requested with [[sim:error=400]])', type: 'invalid_request_error', code: null },
  401: {
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    type: 'invalid_request_error', code: 'invalid_api_key',
  },
  403: { message: 'Country, region, or territory not supported', type: 'request_forbidden', code: 'unsupported_country_region_territory' },
  500: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', code: null },
  503: { message: 'Our servers are currently overloaded. Please try again later.', type: 'service_unavailable_error', code: 'server_is_overloaded' },
};

const QUOTA = {
  message: 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
  type: 'insufficient_quota', code: 'insufficient_quota',
};

/**
 * The error object for a status (529, Anthropic's overload, becomes 503).
 * @param {number} status
 * @param {{ model?: string, quota?: boolean, wait?: number }} [facts]
 * @returns {OpenAIError}
 */
export function openAIErrorObject(status, { model = 'the model', quota = false, wait = 1 } = {}) {
  /** @type {Omit<OpenAIError, 'param'>} */
  let known;
  if (status === 429 && quota) known = QUOTA;
  else if (status === 429) {
    known = {
      message: `Rate limit reached for ${model} in organization org-simulated on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in ${wait}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
      type: 'requests', code: 'rate_limit_exceeded',
    };
  } else if (status === 404) {
    known = { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found' };
  } else {
    known = DIRECTED[status === 529 ? 503 : status] ?? /** @type {Omit<OpenAIError, 'param'>} */ (DIRECTED[500]);
  }
  // The API's key order: message, type, param, code.
  return { message: known.message, type: known.type, param: null, code: known.code };
}

/**
 * The proxy's own errors under `/openai/` (unknown route, refused origin, unreachable upstream).
 * @param {number} status
 * @param {string} message
 */
export function openAIProxyError(status, message) {
  return { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null } };
}

/**
 * @param {SimRequestContext} ctx
 * @param {number} status
 * @param {OpenAIError} error
 * @param {Record<string, string>} [headers]
 */
export function sendOpenAIError(ctx, status, error, headers = {}) {
  // The API pretty-prints error bodies with four spaces (e-429-rate-limit.http).
  errorReply(ctx.res, status === 529 ? 503 : status, JSON.stringify({ error }, null, 4), { contentType: 'application/json; charset=utf-8', headers });
}

/**
 * Headers of a directed 429: rate-limit state and, unless the quota is gone
 * (not worth retrying), `retry-after` and `retry-after-ms`.
 * @param {Directives} directives
 * @returns {Record<string, string>}
 */
export function rateLimitHeaders(directives) {
  const wait = directives.retryAfter ?? 1;
  return {
    'x-ratelimit-limit-requests': '500',
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': `${wait}s`,
    'x-ratelimit-limit-tokens': '30000',
    'x-ratelimit-remaining-tokens': '30000',
    'x-ratelimit-reset-tokens': '0s',
    ...(directives.quota ? {} : { 'retry-after': String(wait), 'retry-after-ms': String(wait * 1000) }),
  };
}

/**
 * What a `midstream` failure reports, by its directive type (overloaded →
 * 503 `server_is_overloaded`); a non-streaming request gets it as HTTP error.
 * @param {Directives} directives
 * @param {string} model
 * @returns {{ status: number, error: OpenAIError }}
 */
export function midstreamFailure(directives, model) {
  const status = midstreamStatus(directives.midstream ?? 'overloaded_error');
  return { status: status === 529 ? 503 : status, error: openAIErrorObject(status, { model }) };
}
