// Simulated OpenAI Responses API (`POST /openai/v1/responses`): `event:` +
// `data:` pairs numbered by `sequence_number` — response.created/in_progress,
// a message item (content part, output_text deltas, done events), one
// function_call item per call (`fc_` item id, `call_` call id, argument
// deltas), then response.completed with usage and no [DONE] — or the plain
// response object, shaped like fixtures/providers/openai/responses/.
import { hashId } from './hash.mjs';
import { midstreamFailure } from './openai-errors.mjs';
import { responsesConversation } from './openai-input.mjs';
import { openAIApi, serveOpenAI } from './openai-serve.mjs';
import { validateResponsesBody } from './openai-validate.mjs';
import { SIM_CREATED, obfuscator, toolCallsOf } from './openai-wire.mjs';
import { jsonPieces } from './planner.mjs';
import { withStreamFaults } from './respond.mjs';
import { sseFrame } from './sse.mjs';

/**
 * @typedef {import('./respond.mjs').SimRequestContext} SimRequestContext
 * @typedef {import('./simulate.mjs').ReplyOutcome} ReplyOutcome
 * @typedef {Record<string, any> & { type: string, sequence_number: number }} ResponsesEvent
 */

const TERMINAL = new Set(['response.completed', 'response.incomplete']);

const RESPONSES_API = openAIApi(validateResponsesBody, responsesConversation);

/** @param {ReplyOutcome} outcome */
function usageOf({ inputTokens, plan }) {
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: plan.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + plan.outputTokens,
  };
}

/** The status a forced stop reason gives (`max_tokens` ends incomplete; a
 * refusal completes, its text in a `refusal` content part). */
/** @type {Record<string, string>} */
const INCOMPLETE = { max_tokens: 'max_output_tokens' };

/**
 * The response object at some stage, echoing the request's settings.
 * @param {ReplyOutcome} outcome
 * @param {{ status: string, output?: unknown[], usage?: unknown, error?: unknown }} state
 */
function responseObject(outcome, { status, output = [], usage = null, error = null }) {
  const r = outcome.request;
  const reason = status === 'incomplete' ? INCOMPLETE[outcome.plan.stopReason] : undefined;
  return {
    id: `resp_sim_${hashId(outcome.fingerprint, 'response', 40)}`, object: 'response', created_at: SIM_CREATED, status,
    background: false, error, incomplete_details: reason ? { reason } : null,
    instructions: r.instructions ?? null, max_output_tokens: r.max_output_tokens ?? null, max_tool_calls: r.max_tool_calls ?? null,
    model: r.model, output, parallel_tool_calls: r.parallel_tool_calls ?? true, previous_response_id: null, prompt_cache_key: null,
    reasoning: { effort: null, summary: null }, safety_identifier: null, service_tier: status === 'in_progress' ? 'auto' : 'default',
    store: r.store ?? true, temperature: r.temperature ?? 1, text: { format: r.text?.format ?? { type: 'text' }, verbosity: 'medium' },
    tool_choice: r.tool_choice ?? 'auto', tools: r.tools ?? [], top_logprobs: 0, top_p: r.top_p ?? 1, truncation: 'disabled',
    usage, user: null, metadata: r.metadata ?? {},
  };
}

/**
 * Output items in their final state, each with the plan block it renders.
 * @param {ReplyOutcome} outcome
 * @returns {{ block: import('./planner.mjs').PlanBlock, item: Record<string, any> }[]}
 */
function outputItems(outcome) {
  const calls = toolCallsOf(outcome.plan, outcome.fingerprint);
  /** @type {{ block: import('./planner.mjs').PlanBlock, item: Record<string, any> }[]} */
  const items = [];
  for (const [i, block] of outcome.plan.blocks.entries()) {
    const call = calls.find((c) => c.block === i);
    if (block.type === 'text') {
      const id = `msg_sim_${hashId(outcome.fingerprint, 'message', 40)}`;
      const part = outcome.plan.stopReason === 'refusal' ? refusalPart : textPart;
      items.push({ block, item: { id, type: 'message', status: 'completed', content: [part(block.text())], role: 'assistant' } });
    } else if (call) {
      const id = `fc_sim_${hashId(outcome.fingerprint, `fc:${call.index}`, 40)}`;
      items.push({ block, item: { id, type: 'function_call', status: 'completed', arguments: call.arguments, call_id: call.id, name: call.name } });
    }
  }
  return items;
}

/** @param {string} text */
const textPart = (text) => ({ type: 'output_text', annotations: [], logprobs: [], text });
/** @param {string} refusal */
const refusalPart = (refusal) => ({ type: 'refusal', refusal });

/**
 * The events of a reply, generated lazily.
 * @param {ReplyOutcome} outcome
 * @returns {Generator<ResponsesEvent>}
 */
function* responsesEvents(outcome) {
  let seq = 0;
  const pad = obfuscator(outcome.request, outcome.seed);
  // Text events put sequence_number second, function-call events last, as captured streams do.
  /** @param {string} type @param {Record<string, unknown>} fields @returns {ResponsesEvent} */
  const ev = (type, fields) => ({ type, sequence_number: seq++, ...fields });
  /** @param {string} type @param {Record<string, unknown>} fields @returns {ResponsesEvent} */
  const evLast = (type, fields) => /** @type {ResponsesEvent} */ ({ type, ...fields, sequence_number: seq++ });
  yield ev('response.created', { response: responseObject(outcome, { status: 'in_progress' }) });
  yield ev('response.in_progress', { response: responseObject(outcome, { status: 'in_progress' }) });
  const items = outputItems(outcome);
  for (const [output_index, { block, item }] of items.entries()) {
    if (item.type === 'message' && block.type === 'text') {
      const at = { item_id: item.id, output_index, content_index: 0 };
      yield ev('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      const text = block.text();
      if (item.content[0]?.type === 'refusal') {
        yield ev('response.content_part.added', { ...at, part: refusalPart('') });
        for (const delta of block.pieces()) yield ev('response.refusal.delta', { ...at, delta, ...pad() });
        yield ev('response.refusal.done', { ...at, refusal: text });
        yield ev('response.content_part.done', { ...at, part: refusalPart(text) });
        yield ev('response.output_item.done', { output_index, item });
        continue;
      }
      yield ev('response.content_part.added', { ...at, part: textPart('') });
      for (const delta of block.pieces()) yield ev('response.output_text.delta', { ...at, delta, logprobs: [], ...pad() });
      yield ev('response.output_text.done', { ...at, text, logprobs: [] });
      yield ev('response.content_part.done', { ...at, part: textPart(text) });
      yield ev('response.output_item.done', { output_index, item });
    } else if (item.type === 'function_call') {
      yield evLast('response.output_item.added', { item: { ...item, status: 'in_progress', arguments: '' }, output_index });
      for (const delta of jsonPieces(String(item.arguments), 8)) {
        yield evLast('response.function_call_arguments.delta', { delta, item_id: item.id, ...pad(), output_index });
      }
      yield evLast('response.function_call_arguments.done', { arguments: item.arguments, item_id: item.id, output_index });
      yield evLast('response.output_item.done', { item, output_index });
    }
  }
  const final = finalResponse(outcome);
  yield ev(`response.${final.status}`, { response: final });
}

/**
 * SSE frames with `midstream` (the documented `error` event, then
 * `response.failed`) and `truncate` (the end before the terminal event) applied.
 * @param {ReplyOutcome} outcome
 * @returns {Generator<string>}
 */
function* responsesFrames(outcome) {
  const { error } = midstreamFailure(outcome.directives, outcome.request.model);
  /** @type {import('./respond.mjs').StreamShape<ResponsesEvent>} */
  const shape = {
    isDelta: (ev) => ev.type.endsWith('.delta'),
    isClosing: (ev) => TERMINAL.has(ev.type),
    isFinal: (ev) => TERMINAL.has(ev.type),
    failure: (previous) => {
      const next = (previous?.sequence_number ?? -1) + 1;
      const failed = responseObject(outcome, { status: 'failed', error: { code: error.code ?? 'server_error', message: error.message } });
      return [
        { type: 'error', code: error.code, message: error.message, param: null, sequence_number: next },
        { type: 'response.failed', sequence_number: next + 1, response: failed },
      ];
    },
  };
  for (const ev of withStreamFaults(responsesEvents(outcome), outcome.directives, shape)) yield sseFrame({ name: ev.type, data: ev });
}

/**
 * The non-streaming response object.
 * @param {ReplyOutcome} outcome
 */
function finalResponse(outcome) {
  const status = INCOMPLETE[outcome.plan.stopReason] ? 'incomplete' : 'completed';
  return responseObject(outcome, { status, output: outputItems(outcome).map((i) => i.item), usage: usageOf(outcome) });
}

/**
 * HTTP handler for `POST /openai/v1/responses` in simulated mode. `hang`
 * stalls after created, in_progress, the item and part added, and the first delta.
 * @param {SimRequestContext} ctx
 */
export const handleOpenAIResponses = (ctx) => serveOpenAI(ctx, RESPONSES_API, { frames: responsesFrames, json: finalResponse, hangAfter: 5 });
