// Anthropic Messages wire format for the simulator: request body → neutral
// conversation, and plan → SSE events / Message JSON, shaped field for field
// like fixtures/providers/anthropic/{a-text,b-tool-call}.sse.
import { asString, contentText, isRecord, takeDirectives } from './conversation.mjs';
import { fakeSignature, hashId } from './hash.mjs';
import { jsonPieces, textPieces } from './planner.mjs';
import { ANTHROPIC_PING } from './sse.mjs';

/**
 * @typedef {import('./planner.mjs').SimConversation} SimConversation
 * @typedef {import('./planner.mjs').SimMessage} SimMessage
 * @typedef {import('./planner.mjs').Plan} Plan
 * @typedef {import('./sse.mjs').SseEvent} SseEvent
 *
 * @typedef {object} ReplyMeta
 * @property {string} id message id
 * @property {string} model echoed from the request
 * @property {number} inputTokens
 * @property {string} fingerprint seed for tool ids and signatures
 */

/**
 * @param {unknown} system
 * @returns {string}
 */
export function systemText(system) {
  if (typeof system === 'string') return system;
  return Array.isArray(system) ? system.map((b) => (isRecord(b) ? asString(b.text ?? '') : '')).join('\n') : '';
}

/**
 * @param {Record<string, any>} message
 * @returns {SimMessage}
 */
function toSimMessage(message) {
  const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  /** @type {SimMessage} */
  const out = { role: message.role, text: '', images: [], toolUses: [], toolResults: [] };
  /** @type {string[]} */
  const texts = [];
  for (const block of blocks) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'image') out.images.push(asString(block.source?.media_type ?? block.source?.type ?? 'unknown'));
    else if (block.type === 'tool_use') out.toolUses.push({ id: block.id, name: block.name, input: block.input });
    else if (block.type === 'tool_result') {
      out.toolResults.push({ toolUseId: block.tool_use_id, text: contentText(block.content), isError: block.is_error === true });
    }
  }
  out.text = texts.join('\n');
  return out;
}

/**
 * The structured-output request: `output_config.format` (or the older
 * top-level `output_format`) of type `json_schema`.
 * @param {Record<string, any>} body
 * @returns {{ schema: Record<string, any> } | undefined}
 */
export function anthropicJsonOutput(body) {
  const format = isRecord(body.output_config) ? body.output_config.format : body.output_format;
  return isRecord(format) && format.type === 'json_schema' && isRecord(format.schema) ? { schema: format.schema } : undefined;
}

/**
 * Converts a validated request body; the last user message loses its
 * `[[sim:...]]` markers, which are returned separately.
 * @param {Record<string, any>} body
 * @returns {{ conversation: SimConversation, directiveSpecs: string[] }}
 */
export function toConversation(body) {
  const messages = body.messages.map(toSimMessage);
  const directiveSpecs = takeDirectives(messages);
  const choice = isRecord(body.tool_choice) ? body.tool_choice : { type: 'auto' };
  const toolChoice = choice.type === 'tool' ? { name: asString(choice.name) } : choice.type === 'any' || choice.type === 'none' ? choice.type : 'auto';
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t) => typeof t.name === 'string' && isRecord(t.input_schema))
    .map((t) => ({ name: t.name, schema: t.input_schema }));
  const thinkingType = isRecord(body.thinking) ? body.thinking.type : undefined;
  return {
    conversation: {
      system: systemText(body.system),
      messages,
      tools,
      toolChoice,
      parallelTools: choice.disable_parallel_tool_use !== true,
      thinking: thinkingType === 'enabled' || thinkingType === 'adaptive',
      jsonOutput: anthropicJsonOutput(body),
    },
    directiveSpecs,
  };
}

/**
 * @param {ReplyMeta} meta
 * @param {number} index position of the tool_use block
 */
const toolId = (meta, index) => `toolu_sim_${hashId(meta.fingerprint, `tool:${index}`, 16)}`;

/** @param {ReplyMeta} meta */
const signatureOf = (meta) => fakeSignature(meta.fingerprint, 'thinking');

/**
 * @param {string} name
 * @param {unknown} data
 * @returns {SseEvent}
 */
const event = (name, data) => ({ name, data });

/** @param {number} index @param {Record<string, unknown>} delta */
const blockDelta = (index, delta) => event('content_block_delta', { type: 'content_block_delta', index, delta });

/**
 * The streaming events of a reply, generated lazily (deltas=1000000 stays cheap).
 * @param {Plan} plan
 * @param {ReplyMeta} meta
 * @returns {Generator<SseEvent>}
 */
export function* anthropicEvents(plan, meta) {
  const cache = { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  yield event('message_start', {
    type: 'message_start',
    message: {
      model: meta.model, id: meta.id, type: 'message', role: 'assistant', content: [],
      stop_reason: null, stop_sequence: null,
      usage: {
        input_tokens: meta.inputTokens, ...cache,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        output_tokens: 1, service_tier: 'standard',
      },
    },
  });
  let pinged = false;
  for (const [index, block] of plan.blocks.entries()) {
    if (block.type === 'tool_use') {
      const content = { type: 'tool_use', id: toolId(meta, index), name: block.name, input: {} };
      yield event('content_block_start', { type: 'content_block_start', index, content_block: content });
      // The API opens with an empty fragment; a tool without arguments gets nothing else.
      yield blockDelta(index, { type: 'input_json_delta', partial_json: '' });
      const pieces = Object.keys(block.input).length === 0 ? [] : jsonPieces(block.json);
      const pingBefore = pieces.length >= 2 ? 1 : 0;
      for (const [i, piece] of pieces.entries()) {
        if (i === pingBefore) yield event('ping', ANTHROPIC_PING);
        yield blockDelta(index, { type: 'input_json_delta', partial_json: piece });
      }
    } else {
      const thinking = block.type === 'thinking';
      const start = thinking ? { type: 'thinking', thinking: '', signature: '' } : { type: 'text', text: '' };
      yield event('content_block_start', { type: 'content_block_start', index, content_block: start });
      if (!pinged) {
        pinged = true;
        yield event('ping', ANTHROPIC_PING);
      }
      if (block.type === 'thinking') {
        for (const piece of textPieces(block.text)) yield blockDelta(index, { type: 'thinking_delta', thinking: piece });
        yield blockDelta(index, { type: 'signature_delta', signature: signatureOf(meta) });
      } else {
        for (const piece of block.pieces()) yield blockDelta(index, { type: 'text_delta', text: piece });
      }
    }
    yield event('content_block_stop', { type: 'content_block_stop', index });
  }
  yield event('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: plan.stopReason, stop_sequence: null },
    usage: { input_tokens: meta.inputTokens, ...cache, output_tokens: plan.outputTokens },
  });
  yield event('message_stop', { type: 'message_stop' });
}

/**
 * The non-streaming Message object with the same content as the stream.
 * @param {Plan} plan
 * @param {ReplyMeta} meta
 */
export function anthropicMessage(plan, meta) {
  const content = plan.blocks.map((block, index) => {
    if (block.type === 'thinking') return { type: 'thinking', thinking: block.text, signature: signatureOf(meta) };
    if (block.type === 'text') return { type: 'text', text: block.text() };
    return { type: 'tool_use', id: toolId(meta, index), name: block.name, input: block.input };
  });
  return {
    model: meta.model, id: meta.id, type: 'message', role: 'assistant', content,
    stop_reason: plan.stopReason, stop_sequence: null,
    usage: {
      input_tokens: meta.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
      output_tokens: plan.outputTokens, service_tier: 'standard',
    },
  };
}
