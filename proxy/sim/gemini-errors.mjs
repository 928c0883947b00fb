// Google's API error model for the simulated Gemini API
// (fixtures/providers/gemini/NOTES.md 17-21): pretty-printed
// `{"error": {"code", "message", "status", "details"}}` bodies, a bad key as
// 400 API_KEY_INVALID, 429 with a RetryInfo `retryDelay` instead of a header,
// the bare error object of a `midstream` failure, and the request checks.
import { errorReply } from './respond.mjs';
import { midstreamStatus } from './script.mjs';
import { simulateRequest } from './simulate.mjs';

/**
 * @typedef {import('./respond.mjs').SimRequestContext} SimRequestContext
 * @typedef {import('./script.mjs').Directives} Directives
 * @typedef {import('./simulate.mjs').SimApi} SimApi
 * @typedef {import('./simulate.mjs').ReplyOutcome} ReplyOutcome
 */

/** HTTP status → google.rpc status name. */
/** @type {Record<number, string>} */
const STATUS_NAMES = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 502: 'UNAVAILABLE', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED',
};

/** Statuses `error=N` may ask the simulated Gemini API for. */
export const GEMINI_ERROR_STATUSES = Object.freeze([400, 401, 403, 404, 429, 500, 503, 504]);

/** @type {Record<number, string>} */
const MESSAGES = {
  401: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  403: 'The caller does not have permission',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
  504: 'Deadline expired before operation could complete.',
};

const KEY_INVALID = 'API key not valid. Please pass a valid API key.';

/**
 * @param {number} code
 * @param {string} message
 * @param {unknown[]} [details]
 */
export function googleError(code, message, details) {
  return { error: { code, message, status: STATUS_NAMES[code] ?? 'UNKNOWN', ...(details ? { details } : {}) } };
}

/** The answer to a missing or bad key: 400, not 401 (NOTES 18). */
function apiKeyInvalid() {
  return googleError(400, KEY_INVALID, [
    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
    { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: KEY_INVALID },
  ]);
}

/**
 * A quota 429 like e-429-rate-limit.http, its delay in RetryInfo.
 * @param {string} model
 * @param {number} wait seconds
 */
function resourceExhausted(model, wait) {
  return googleError(429, 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.', [
    {
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [{
        quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
        quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
        quotaDimensions: { location: 'global', model },
        quotaValue: '10',
      }],
    },
    { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${wait}s` },
  ]);
}

/**
 * The body `error=N` asks for.
 * @param {number} status
 * @param {Directives} directives
 * @param {string} model
 */
function directedError(status, directives, model) {
  if (status === 400) return apiKeyInvalid();
  if (status === 429) return resourceExhausted(model, directives.retryAfter ?? 1);
  if (status === 404) {
    return googleError(404, `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`);
  }
  return googleError(status, MESSAGES[status] ?? MESSAGES[500] ?? '');
}

/**
 * What a `midstream` failure sends (overloaded → 503 UNAVAILABLE); a
 * non-streaming request gets it as HTTP error.
 * @param {Directives} directives
 */
export function midstreamFailure(directives) {
  const raw = midstreamStatus(directives.midstream ?? 'overloaded_error');
  const status = raw === 529 ? 503 : MESSAGES[raw] ? raw : 500;
  return { status, body: googleError(status, MESSAGES[status] ?? '') };
}

/**
 * The proxy's own errors under `/gemini/`.
 * @param {number} status
 * @param {string} message
 */
export const geminiProxyError = (status, message) => googleError(status, message);

/**
 * @param {SimRequestContext} ctx
 * @param {number} status
 * @param {unknown} body
 */
export function sendGeminiError(ctx, status, body) {
  // Google pretty-prints error bodies with two spaces.
  errorReply(ctx.res, status, JSON.stringify(body, null, 2), { contentType: 'application/json; charset=UTF-8' });
}

/**
 * Checks every simulated Gemini request passes: an API key (header or `key`
 * query parameter) or an OAuth Bearer token, a JSON body, body validation, then directives. Answers
 * the error itself and returns undefined, or returns the planned reply.
 * @param {SimRequestContext} ctx
 * @param {SimApi} api
 * @returns {ReplyOutcome | undefined}
 */
export function admitGeminiRequest(ctx, api) {
  const model = ctx.params.model ?? '';
  // An OAuth access token (`authorization: Bearer`) stands in for a key, as on the real API.
  const bearer = /^bearer\s+\S/i.test(ctx.req.headers.authorization ?? '');
  if (!ctx.req.headers['x-goog-api-key'] && !ctx.url.searchParams.get('key') && !bearer) {
    sendGeminiError(ctx, 400, apiKeyInvalid());
    return undefined;
  }
  if (ctx.bodyError !== null) {
    sendGeminiError(ctx, 400, googleError(400, `Invalid JSON payload received. ${ctx.bodyError}`));
    return undefined;
  }
  const outcome = simulateRequest(api, ctx.body, ctx.scripted, `models/${model}\n`);
  if (outcome.kind === 'reply') return outcome;
  if (outcome.kind === 'invalid') sendGeminiError(ctx, 400, googleError(400, outcome.problem.message));
  else sendGeminiError(ctx, outcome.status, directedError(outcome.status, outcome.directives, model));
  return undefined;
}
