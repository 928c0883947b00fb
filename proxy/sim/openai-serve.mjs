// How every simulated OpenAI request is served, for both Chat Completions
// and Responses: the checks in the API's order (bearer token, JSON body,
// body validation, directives), then the stream or the plain JSON object.
import { OPENAI_ERROR_STATUSES, midstreamFailure, openAIErrorObject, rateLimitHeaders, sendOpenAIError } from './openai-errors.mjs';
import { bodyReply, streamReply } from './respond.mjs';
import { simulateRequest } from './simulate.mjs';

/**
 * @typedef {import('./respond.mjs').SimRequestContext} SimRequestContext
 * @typedef {import('./simulate.mjs').SimApi} SimApi
 * @typedef {import('./simulate.mjs').ReplyOutcome} ReplyOutcome
 *
 * @typedef {object} OpenAIRenderer one OpenAI wire format
 * @property {(outcome: ReplyOutcome) => Iterable<string>} frames the SSE body, faults applied
 * @property {(outcome: ReplyOutcome) => unknown} json the non-streaming object
 * @property {number} hangAfter frames sent before `hang` stalls
 */

/**
 * An OpenAI API as the shared pipeline sees it.
 * @param {SimApi['validate']} validate
 * @param {SimApi['convert']} convert
 * @returns {SimApi}
 */
export const openAIApi = (validate, convert) => ({
  name: 'openai',
  validate,
  convert,
  tools: (body) => body.tools,
  errorStatuses: OPENAI_ERROR_STATUSES,
  streamKeys: ['stream', 'stream_options'],
});

/**
 * Checks every simulated OpenAI request passes, in the API's order: bearer
 * token, JSON body, body validation, then directives. Answers the error
 * itself and returns undefined, or returns the planned reply.
 * @param {SimRequestContext} ctx
 * @param {SimApi} api
 * @returns {ReplyOutcome | undefined}
 */
function admitOpenAIRequest(ctx, api) {
  ctx.res.setHeader('x-request-id', ctx.requestId);
  if (!/^bearer\s+\S/i.test(ctx.req.headers.authorization ?? '')) {
    sendOpenAIError(ctx, 401, {
      message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      type: 'invalid_request_error', param: null, code: 'invalid_api_key',
    });
    return undefined;
  }
  if (ctx.bodyError !== null) {
    sendOpenAIError(ctx, 400, {
      message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      type: 'invalid_request_error', param: null, code: null,
    });
    return undefined;
  }
  const outcome = simulateRequest(api, ctx.body, ctx.scripted);
  if (outcome.kind === 'reply') return outcome;
  if (outcome.kind === 'invalid') {
    const { message, param = null, code = null } = outcome.problem;
    sendOpenAIError(ctx, 400, { message, type: 'invalid_request_error', param, code });
    return undefined;
  }
  const { status, directives } = outcome;
  const model = /** @type {Record<string, any>} */ (ctx.body).model;
  const error = openAIErrorObject(status, { model, quota: directives.quota, wait: directives.retryAfter ?? 1 });
  sendOpenAIError(ctx, status, error, status === 429 ? rateLimitHeaders(directives) : {});
  return undefined;
}

/**
 * Serves one simulated OpenAI request end to end. Non-streaming requests get
 * the plain object, or for `midstream` the HTTP error the fault stands for.
 * @param {SimRequestContext} ctx
 * @param {SimApi} api
 * @param {OpenAIRenderer} render
 */
export async function serveOpenAI(ctx, api, render) {
  const outcome = admitOpenAIRequest(ctx, api);
  if (!outcome) return;
  const { directives, seed, request } = outcome;
  if (request.stream === true) {
    return streamReply(ctx, { frames: render.frames(outcome), directives, seed, hangAfter: render.hangAfter });
  }
  if (directives.midstream) {
    const { status, error } = midstreamFailure(directives, request.model);
    return sendOpenAIError(ctx, status, error);
  }
  return bodyReply(ctx, { text: JSON.stringify(render.json(outcome), null, 2), directives, seed });
}
