// Simulated Anthropic Messages API (`POST /anthropic/v1/messages` when no key
// is configured): header and body validation, sim directives, then a reply in
// the exact streaming or JSON wire format.
import { anthropicEvents, anthropicMessage, toConversation } from './anthropic-format.mjs';
import { validateMessagesBody } from './anthropic-validate.mjs';
import { hashId } from './hash.mjs';
import { bodyReply, errorReply, streamReply, withStreamFaults } from './respond.mjs';
import { ERROR_TYPES, parseDirectives } from './script.mjs';
import { simulateRequest } from './simulate.mjs';
import { sseFrame } from './sse.mjs';

/**
 * @typedef {import('./script.mjs').Directives} Directives
 * @typedef {import('./sse.mjs').SseEvent} SseEvent
 * @typedef {import('./respond.mjs').SimRequestContext} SimRequestContext
 * @typedef {import('./simulate.mjs').ReplyOutcome} ReplyOutcome
 * @typedef {import('./anthropic-format.mjs').ReplyMeta} ReplyMeta
 *
 * @typedef {{ kind: 'error', status: number, type: string, message: string, headers?: Record<string, string> }} ErrorOutcome
 */

/** Frames sent before `hang` stalls. */
const HANG_AFTER_FRAMES = 4; // message_start, content_block_start, ping, first delta

/** @type {Record<string, string>} */
const ERROR_MESSAGES = {
  invalid_request_error: 'Simulated invalid request (requested with [[sim:error=400]])',
  authentication_error: 'invalid x-api-key',
  billing_error: 'Your credit balance is too low to access the Anthropic API.',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'The requested resource could not be found.',
  conflict_error: 'Conflict',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  // Same text as fixtures/providers/anthropic/e-429-rate-limit.http.
  rate_limit_error:
    'This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.',
  api_error: 'Internal server error',
  timeout_error: 'Request timed out',
  overloaded_error: 'Overloaded',
};

/**
 * @param {number} status
 * @param {string} message
 * @returns {ErrorOutcome}
 */
const failure = (status, message) => ({ kind: 'error', status, type: ERROR_TYPES[/** @type {keyof typeof ERROR_TYPES} */ (status)], message });

/**
 * The HTTP error asked for by `error=N` (429 carries retry-after and rate-limit headers).
 * @param {Directives} directives
 * @returns {ErrorOutcome}
 */
function directedError(directives) {
  const status = /** @type {number} */ (directives.error);
  const outcome = failure(status, ERROR_MESSAGES[ERROR_TYPES[/** @type {keyof typeof ERROR_TYPES} */ (status)]] ?? 'Simulated error');
  if (status === 429) {
    const wait = directives.retryAfter ?? 1;
    const reset = new Date(Date.now() + wait * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    outcome.headers = {
      'retry-after': String(wait),
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': reset,
    };
  }
  return outcome;
}

/** The Messages API as the shared pipeline sees it. */
const MESSAGES_API = {
  name: 'anthropic',
  validate: validateMessagesBody,
  convert: toConversation,
  tools: (/** @type {Record<string, any>} */ body) => body.tools,
  errorStatuses: Object.keys(ERROR_TYPES).map(Number),
};

/**
 * Pure core shared by the HTTP handler and {@link simulateAnthropic}.
 * @param {unknown} body
 * @param {Directives} scripted
 * @returns {ErrorOutcome | ReplyOutcome}
 */
export function simulateMessagesRequest(body, scripted) {
  const outcome = simulateRequest(MESSAGES_API, body, scripted);
  if (outcome.kind === 'invalid') return failure(400, outcome.problem.message);
  if (outcome.kind === 'directed') return directedError(outcome.directives);
  return outcome;
}

/**
 * @param {ReplyOutcome} outcome
 * @returns {ReplyMeta}
 */
const metaOf = (outcome) => ({
  id: `msg_sim_${hashId(outcome.fingerprint, 'message', 20)}`,
  model: outcome.request.model,
  inputTokens: outcome.inputTokens,
  fingerprint: outcome.fingerprint,
});

/**
 * @param {ReplyOutcome} outcome
 * @returns {Generator<string>}
 */
function* framesOf(outcome) {
  const type = outcome.directives.midstream ?? 'overloaded_error';
  const message = type === 'overloaded_error' ? 'Overloaded' : ERROR_MESSAGES[type] ?? 'Simulated error';
  /** @type {import('./respond.mjs').StreamShape<SseEvent>} */
  const shape = {
    isDelta: (ev) => ev.name === 'content_block_delta',
    isClosing: (ev) => ev.name === 'message_delta',
    isFinal: (ev) => ev.name === 'message_stop',
    failure: () => [{ name: 'error', data: { type: 'error', error: { type, message } } }],
  };
  for (const ev of withStreamFaults(anthropicEvents(outcome.plan, metaOf(outcome)), outcome.directives, shape)) yield sseFrame(ev);
}

/**
 * Simulates one request without a server: the Message JSON and the exact SSE
 * body (with `truncate`/`midstream` applied), or the error the API would send.
 * Transport directives (chunk, split, delay, hang) do not apply here.
 * @param {unknown} body
 * @param {{ directives?: string }} [options]
 */
export function simulateAnthropic(body, options = {}) {
  const outcome = simulateMessagesRequest(body, options.directives ? parseDirectives(options.directives) : {});
  if (outcome.kind === 'error') {
    return { ok: /** @type {const} */ (false), status: outcome.status, error: { type: outcome.type, message: outcome.message } };
  }
  let sse = '';
  for (const frame of framesOf(outcome)) sse += frame;
  return { ok: /** @type {const} */ (true), status: 200, message: anthropicMessage(outcome.plan, metaOf(outcome)), sse };
}

/**
 * @param {SimRequestContext} ctx
 * @param {ErrorOutcome} outcome
 */
function sendError(ctx, outcome) {
  const text = JSON.stringify({ type: 'error', error: { type: outcome.type, message: outcome.message }, request_id: ctx.requestId });
  errorReply(ctx.res, outcome.status, text, { headers: outcome.headers });
}

/**
 * HTTP handler for `POST /anthropic/v1/messages` in simulated mode.
 * @param {SimRequestContext} ctx
 */
export async function handleAnthropicMessages(ctx) {
  const { req } = ctx;
  const apiKey = req.headers['x-api-key'];
  const bearer = /^bearer\s+\S/i.test(req.headers.authorization ?? '');
  if (!apiKey && !bearer) return sendError(ctx, failure(401, 'x-api-key header is required'));
  if (!req.headers['anthropic-version']) return sendError(ctx, failure(400, 'anthropic-version: header is required'));
  if (ctx.bodyError !== null) return sendError(ctx, failure(400, `Request body is not valid JSON: ${ctx.bodyError}`));

  const outcome = simulateMessagesRequest(ctx.body, ctx.scripted);
  if (outcome.kind === 'error') return sendError(ctx, outcome);
  const { directives, seed } = outcome;
  if (outcome.request.stream === true) {
    return streamReply(ctx, { frames: framesOf(outcome), directives, seed, hangAfter: HANG_AFTER_FRAMES });
  }
  // Non-streaming: an overload "midstream" is just a 529, as the API does.
  if (directives.midstream) return sendError(ctx, failure(529, 'Overloaded'));
  return bodyReply(ctx, { text: JSON.stringify(anthropicMessage(outcome.plan, metaOf(outcome))), directives, seed });
}
