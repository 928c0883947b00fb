// Simulated Anthropic Messages API (`POST /anthropic/v1/messages` when no key
// is configured): header and body validation, sim directives, then a reply in
// the exact streaming or JSON wire format.
import {
  anthropicEvents, anthropicMessage, estimateInputTokens, fingerprintOf, toConversation, withoutDirectives,
} from './anthropic-format.mjs';
import { validateMessagesBody } from './anthropic-validate.mjs';
import { hashId, seed32 } from './hash.mjs';
import { planReply } from './planner.mjs';
import { DirectiveError, ERROR_TYPES, parseDirectiveList, parseDirectives } from './script.mjs';
import { createWire, pumpFrames, sseFrame } from './sse.mjs';

/**
 * @typedef {import('./script.mjs').Directives} Directives
 * @typedef {import('./sse.mjs').SseEvent} SseEvent
 * @typedef {import('./planner.mjs').Plan} Plan
 * @typedef {import('./anthropic-format.mjs').ReplyMeta} ReplyMeta
 *
 * @typedef {{ kind: 'error', status: number, type: string, message: string, headers?: Record<string, string> }} ErrorOutcome
 * @typedef {{ kind: 'reply', stream: boolean, plan: Plan, meta: ReplyMeta, directives: Directives, seed: number }} ReplyOutcome
 */

/** Text deltas sent before a `midstream` error, and frames sent before `hang` stalls. */
const MIDSTREAM_AFTER_DELTAS = 3;
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

/**
 * Pure core shared by the HTTP handler and {@link simulateAnthropic}: validates
 * the body, merges directives (markers in the last user message override
 * scripted ones) and plans the reply.
 * @param {unknown} body
 * @param {Directives} scripted
 * @returns {ErrorOutcome | ReplyOutcome}
 */
export function simulateMessagesRequest(body, scripted) {
  const problem = validateMessagesBody(body);
  if (problem) return failure(400, problem);
  const request = /** @type {Record<string, any>} */ (body);
  const { conversation, directiveSpecs } = toConversation(request);
  /** @type {Directives} */
  let directives;
  try {
    directives = { ...scripted, ...parseDirectiveList(directiveSpecs) };
  } catch (error) {
    if (error instanceof DirectiveError) return failure(400, error.message);
    throw error;
  }
  if (directives.error !== undefined) return directedError(directives);
  const clean = withoutDirectives(request);
  const fingerprint = fingerprintOf(clean);
  const meta = {
    id: `msg_sim_${hashId(fingerprint, 'message', 20)}`,
    model: request.model,
    inputTokens: estimateInputTokens(clean),
    fingerprint,
  };
  const plan = planReply(conversation, directives);
  return { kind: 'reply', stream: request.stream === true, plan, meta, directives, seed: seed32(fingerprint) };
}

/**
 * Applies `midstream` and `truncate` to the event sequence.
 * @param {Iterable<SseEvent>} events
 * @param {Directives} directives
 * @returns {Generator<SseEvent>}
 */
function* withStreamFaults(events, directives) {
  let sent = 0;
  let deltas = 0;
  for (const ev of events) {
    if (directives.midstream && (deltas >= MIDSTREAM_AFTER_DELTAS || ev.name === 'message_delta')) {
      const message = directives.midstream === 'overloaded_error' ? 'Overloaded' : ERROR_MESSAGES[directives.midstream] ?? 'Simulated error';
      yield { name: 'error', data: { type: 'error', error: { type: directives.midstream, message } } };
      return;
    }
    if (directives.truncate === true && ev.name === 'message_stop') return;
    yield ev;
    sent += 1;
    if (ev.name === 'content_block_delta') deltas += 1;
    if (typeof directives.truncate === 'number' && sent >= directives.truncate) return;
  }
}

/**
 * @param {ReplyOutcome} outcome
 * @returns {Generator<string>}
 */
function* framesOf(outcome) {
  for (const ev of withStreamFaults(anthropicEvents(outcome.plan, outcome.meta), outcome.directives)) yield sseFrame(ev);
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
  return { ok: /** @type {const} */ (true), status: 200, message: anthropicMessage(outcome.plan, outcome.meta), sse };
}

/**
 * @typedef {object} SimRequestContext
 * @property {import('node:http').IncomingMessage} req
 * @property {import('node:http').ServerResponse} res
 * @property {unknown} body parsed JSON (undefined when it did not parse)
 * @property {string | null} bodyError why the body did not parse
 * @property {Directives} scripted directives queued via /_sim/script for this request
 * @property {string} requestId also sent as the `request-id` header
 */

/**
 * @param {SimRequestContext} ctx
 * @param {ErrorOutcome} outcome
 */
function sendError(ctx, outcome) {
  const text = JSON.stringify({ type: 'error', error: { type: outcome.type, message: outcome.message }, request_id: ctx.requestId });
  // 529 has no standard reason phrase; Node would otherwise print "unknown".
  ctx.res.writeHead(outcome.status, outcome.status === 529 ? 'Overloaded' : undefined, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...outcome.headers,
  });
  ctx.res.end(text);
}

/**
 * HTTP handler for `POST /anthropic/v1/messages` in simulated mode.
 * @param {SimRequestContext} ctx
 */
export async function handleAnthropicMessages(ctx) {
  const { req, res } = ctx;
  const apiKey = req.headers['x-api-key'];
  const bearer = /^bearer\s+\S/i.test(req.headers.authorization ?? '');
  if (!apiKey && !bearer) return sendError(ctx, failure(401, 'x-api-key header is required'));
  if (!req.headers['anthropic-version']) return sendError(ctx, failure(400, 'anthropic-version: header is required'));
  if (ctx.bodyError !== null) return sendError(ctx, failure(400, `Request body is not valid JSON: ${ctx.bodyError}`));

  const outcome = simulateMessagesRequest(ctx.body, ctx.scripted);
  if (outcome.kind === 'error') return sendError(ctx, outcome);
  const { directives } = outcome;
  const broken = directives.truncate !== undefined || directives.midstream !== undefined;
  const wireOptions = { chunk: directives.chunk, split: directives.split, delay: directives.delay, seed: outcome.seed };

  if (outcome.stream) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // A faulty stream also drops the connection, like a failing upstream would.
      ...(broken ? { connection: 'close' } : {}),
    });
    const wire = createWire(res, wireOptions);
    await pumpFrames(wire, framesOf(outcome), { hangAfter: directives.hang ? HANG_AFTER_FRAMES : undefined });
    return;
  }

  // Non-streaming: an overload "midstream" is just a 529, as the API does.
  if (directives.midstream) return sendError(ctx, failure(529, 'Overloaded'));
  const bytes = Buffer.from(JSON.stringify(anthropicMessage(outcome.plan, outcome.meta)));
  const body = directives.truncate ? bytes.subarray(0, Math.floor(bytes.length / 2)) : bytes;
  res.writeHead(200, {
    'content-type': 'application/json',
    ...(broken ? { connection: 'close' } : { 'content-length': String(bytes.length) }),
  });
  const wire = createWire(res, wireOptions);
  if (directives.hang) {
    res.flushHeaders();
    await wire.untilClosed();
    return;
  }
  await wire.send(body);
  await wire.end();
}
