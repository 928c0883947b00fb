// Simulated Gemini API (`/gemini/v1beta/models/{model}:streamGenerateContent`
// and `:generateContent` when no key is configured): key and body checks,
// sim directives, then CRLF-framed data-only SSE (`alt=sse`), a streamed JSON
// array (without `alt=sse`, as the API does), or one JSON response.
import { admitGeminiRequest, GEMINI_ERROR_STATUSES, midstreamFailure, sendGeminiError } from './gemini-errors.mjs';
import { geminiChunks, geminiConversation, geminiResponse, googleJson } from './gemini-format.mjs';
import { validateGenerateBody } from './gemini-validate.mjs';
import { bodyReply, streamReply, withStreamFaults } from './respond.mjs';

/**
 * @typedef {import('./respond.mjs').SimRequestContext} SimRequestContext
 * @typedef {import('./simulate.mjs').ReplyOutcome} ReplyOutcome
 * @typedef {Record<string, any>} GeminiEvent a response chunk, or `{ error }` for a midstream failure
 */

/** Frames sent before `hang` stalls: the first chunk. */
const HANG_AFTER_FRAMES = 1;

const JSON_TYPE = 'application/json; charset=UTF-8';

/**
 * The generate endpoints of one model: what a request may hold depends on the
 * model (JSON mode with function declarations needs Gemini 3).
 * @param {string} model
 * @returns {import('./simulate.mjs').SimApi}
 */
function generateApi(model) {
  return {
    name: 'gemini',
    validate: (body) => validateGenerateBody(body, model),
    convert: geminiConversation,
    tools: (body) => body.tools,
    errorStatuses: GEMINI_ERROR_STATUSES,
    streamKeys: [],
  };
}

/** @param {GeminiEvent} ev */
const isFinished = (ev) => ev.candidates?.[0]?.finishReason !== undefined;

/**
 * Chunks with `midstream` (a bare error object, then the end: NOTES 20) and
 * `truncate` (the end before the chunk carrying finishReason) applied.
 * @param {ReplyOutcome} outcome
 * @param {string} model
 * @returns {Generator<GeminiEvent>}
 */
function faultyChunks(outcome, model) {
  return withStreamFaults(geminiChunks(outcome, model), outcome.directives, {
    isDelta: (ev) => !isFinished(ev),
    isClosing: isFinished,
    isFinal: isFinished,
    failure: () => [midstreamFailure(outcome.directives).body],
  });
}

/**
 * `alt=sse`: `data: {...}` events framed with CRLF; the failure object goes
 * out without the `data:` prefix, where a strict SSE parser would drop it.
 * @param {ReplyOutcome} outcome
 * @param {string} model
 * @returns {Generator<string>}
 */
function* sseFrames(outcome, model) {
  for (const ev of faultyChunks(outcome, model)) yield ev.error ? `${googleJson(ev)}\r\n\r\n` : `data: ${googleJson(ev)}\r\n\r\n`;
}

/**
 * Without `alt=sse` the endpoint streams one pretty-printed JSON array of
 * responses; a broken stream never closes it.
 * @param {ReplyOutcome} outcome
 * @param {string} model
 * @returns {Generator<string>}
 */
function* arrayFrames(outcome, model) {
  let first = true;
  let complete = false;
  for (const ev of faultyChunks(outcome, model)) {
    yield `${first ? '[' : ',\r\n'}${JSON.stringify(ev, null, 2)}`;
    first = false;
    complete = isFinished(ev);
  }
  if (first) yield '[';
  if (complete) yield ']';
}

/**
 * `POST .../models/{model}:streamGenerateContent`.
 * @param {SimRequestContext} ctx
 */
export async function handleGeminiStream(ctx) {
  const model = ctx.params.model ?? '';
  const outcome = admitGeminiRequest(ctx, generateApi(model));
  if (!outcome) return;
  const sse = ctx.url.searchParams.get('alt') === 'sse';
  return streamReply(ctx, {
    frames: sse ? sseFrames(outcome, model) : arrayFrames(outcome, model),
    directives: outcome.directives,
    seed: outcome.seed,
    hangAfter: HANG_AFTER_FRAMES,
    contentType: sse ? 'text/event-stream' : JSON_TYPE,
  });
}

/**
 * `POST .../models/{model}:generateContent`.
 * @param {SimRequestContext} ctx
 */
export async function handleGeminiGenerate(ctx) {
  const model = ctx.params.model ?? '';
  const outcome = admitGeminiRequest(ctx, generateApi(model));
  if (!outcome) return;
  const { directives, seed } = outcome;
  if (directives.midstream) {
    const { status, body } = midstreamFailure(directives);
    return sendGeminiError(ctx, status, body);
  }
  const text = JSON.stringify(geminiResponse(outcome, model), null, 2);
  return bodyReply(ctx, { text, directives, seed, contentType: JSON_TYPE });
}
