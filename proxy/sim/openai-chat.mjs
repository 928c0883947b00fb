// Simulated OpenAI Chat Completions (`POST /openai/v1/chat/completions`):
// data-only chunks — role chunk first, `delta.content` pieces, tool calls by
// `index` (id and name in the first delta, argument fragments after), the
// `finish_reason` chunk, the `choices: []` usage chunk when
// `stream_options.include_usage` is set, then `data: [DONE]` — or one
// `chat.completion` object, shaped like fixtures/providers/openai/chat/.
import { hashId } from './hash.mjs';
import { midstreamFailure } from './openai-errors.mjs';
import { chatConversation } from './openai-input.mjs';
import { openAIApi, serveOpenAI } from './openai-serve.mjs';
import { validateChatBody } from './openai-validate.mjs';
import { SIM_CREATED, SYSTEM_FINGERPRINT, finishReasonOf, obfuscator, toolCallsOf } from './openai-wire.mjs';
import { jsonPieces } from './planner.mjs';
import { withStreamFaults } from './respond.mjs';

/**
 * @typedef {import('./respond.mjs').SimRequestContext} SimRequestContext
 * @typedef {import('./simulate.mjs').ReplyOutcome} ReplyOutcome
 * @typedef {{ kind: 'open' | 'delta' | 'finish' | 'usage' | 'done' | 'error', data: unknown }} ChatEvent
 */

const CHAT_API = openAIApi(validateChatBody, chatConversation);

/** @param {ReplyOutcome} outcome */
function usageOf({ inputTokens, plan }) {
  return {
    prompt_tokens: inputTokens,
    completion_tokens: plan.outputTokens,
    total_tokens: inputTokens + plan.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** @param {ReplyOutcome} outcome */
const completionId = (outcome) => `chatcmpl-sim${hashId(outcome.fingerprint, 'chat', 26)}`;

/**
 * The chunks of a reply, generated lazily (deltas=1000000 stays cheap).
 * @param {ReplyOutcome} outcome
 * @returns {Generator<ChatEvent>}
 */
function* chatEvents(outcome) {
  const { plan, request } = outcome;
  const includeUsage = request.stream_options?.include_usage === true;
  const pad = obfuscator(request, outcome.seed);
  const head = {
    id: completionId(outcome), object: 'chat.completion.chunk', created: SIM_CREATED, model: request.model,
    service_tier: 'default', system_fingerprint: SYSTEM_FINGERPRINT,
  };
  /** @param {unknown[]} choices @param {unknown} [usage] */
  const chunk = (choices, usage = null) => ({ ...head, choices, ...(includeUsage ? { usage } : {}), ...pad() });
  /** @param {Record<string, unknown>} delta @param {string | null} [finish] */
  const choice = (delta, finish = null) => [{ index: 0, delta, logprobs: null, finish_reason: finish }];
  const calls = toolCallsOf(plan, outcome.fingerprint);
  // A refusal streams as `delta.refusal` (content null) and ends with `stop`.
  const refused = plan.stopReason === 'refusal';
  let opened = false;

  for (const [i, block] of plan.blocks.entries()) {
    if (block.type === 'text') {
      const open = refused ? { role: 'assistant', content: null, refusal: '' } : { role: 'assistant', content: '', refusal: null };
      if (!opened) yield { kind: 'open', data: chunk(choice(open)) };
      opened = true;
      for (const piece of block.pieces()) yield { kind: 'delta', data: chunk(choice(refused ? { refusal: piece } : { content: piece })) };
    }
    const call = calls.find((c) => c.block === i);
    if (!call) continue;
    const first = [{ index: call.index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }];
    // A tool-only answer opens with the role and the first call together (content null).
    const delta = opened ? { tool_calls: first } : { role: 'assistant', content: null, tool_calls: first, refusal: null };
    opened = true;
    yield { kind: 'open', data: chunk(choice(delta)) };
    for (const piece of jsonPieces(call.arguments, 8)) {
      yield { kind: 'delta', data: chunk(choice({ tool_calls: [{ index: call.index, function: { arguments: piece } }] })) };
    }
  }
  if (!opened) yield { kind: 'open', data: chunk(choice({ role: 'assistant', content: '', refusal: null })) };
  yield { kind: 'finish', data: chunk(choice({}, finishReasonOf(plan.stopReason))) };
  if (includeUsage) yield { kind: 'usage', data: chunk([], usageOf(outcome)) };
  yield { kind: 'done', data: '[DONE]' };
}

/**
 * SSE frames with `midstream` (an `{"error":{...}}` chunk, then the end,
 * without [DONE]) and `truncate` (the end before [DONE]) applied.
 * @param {ReplyOutcome} outcome
 * @returns {Generator<string>}
 */
function* chatFrames(outcome) {
  const failure = midstreamFailure(outcome.directives, outcome.request.model);
  /** @type {import('./respond.mjs').StreamShape<ChatEvent>} */
  const shape = {
    isDelta: (ev) => ev.kind === 'delta',
    isClosing: (ev) => ev.kind === 'finish',
    isFinal: (ev) => ev.kind === 'done',
    failure: () => [{ kind: 'error', data: { error: failure.error } }],
  };
  for (const ev of withStreamFaults(chatEvents(outcome), outcome.directives, shape)) {
    yield `data: ${typeof ev.data === 'string' ? ev.data : JSON.stringify(ev.data)}\n\n`;
  }
}

/**
 * The non-streaming `chat.completion` object with the same content.
 * @param {ReplyOutcome} outcome
 */
function chatCompletion(outcome) {
  const { plan, request } = outcome;
  const text = plan.blocks.map((b) => (b.type === 'text' ? b.text() : '')).join('');
  const calls = toolCallsOf(plan, outcome.fingerprint);
  const refused = plan.stopReason === 'refusal';
  const message = {
    role: 'assistant',
    content: refused || (text === '' && calls.length > 0) ? null : text,
    refusal: refused ? text : null,
    annotations: [],
    ...(calls.length > 0 ? { tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : {}),
  };
  return {
    id: completionId(outcome), object: 'chat.completion', created: SIM_CREATED, model: request.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(plan.stopReason) }],
    usage: usageOf(outcome), service_tier: 'default', system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

/**
 * HTTP handler for `POST /openai/v1/chat/completions` in simulated mode.
 * `hang` stalls after the role chunk and the first delta.
 * @param {SimRequestContext} ctx
 */
export const handleOpenAIChat = (ctx) => serveOpenAI(ctx, CHAT_API, { frames: chatFrames, json: chatCompletion, hangAfter: 2 });
