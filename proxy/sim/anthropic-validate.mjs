// Request-body validation for the simulated Anthropic Messages API. Messages
// imitate the API's `path: problem` style so a client bug shows up in tests as
// the same 400 the real service would return.

import { isRecord } from './conversation.mjs';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** @param {unknown} value */
const isPositiveInteger = (value) => Number.isInteger(value) && /** @type {number} */ (value) >= 1;

/**
 * @param {unknown} content
 * @param {string} where
 * @returns {string | null}
 */
function checkContent(content, where) {
  if (typeof content === 'string') return null;
  if (!Array.isArray(content)) return `${where}: Input should be a valid string or a list of content blocks`;
  for (const [k, block] of content.entries()) {
    if (!isRecord(block) || typeof block.type !== 'string') return `${where}.${k}.type: Field required`;
    if (block.type === 'text' && typeof block.text !== 'string') return `${where}.${k}.text: Field required`;
    if (block.type === 'text' && block.text === '') return 'messages: text content blocks must be non-empty';
    if (block.type === 'tool_result') {
      const problem = checkContent(block.content ?? [], `${where}.${k}.content`);
      if (problem) return problem;
    }
    if (block.type === 'tool_result' && typeof block.tool_use_id !== 'string') return `${where}.${k}.tool_use_id: Field required`;
    if (block.type === 'tool_use' && (typeof block.id !== 'string' || typeof block.name !== 'string')) {
      return `${where}.${k}: tool_use blocks need string \`id\` and \`name\``;
    }
  }
  return null;
}

/** @param {unknown} block */
const isText = (block) => isRecord(block) && block.type === 'text' && typeof block.text === 'string';

/**
 * What the API says of a message with nothing in it: no content at all
 * (only a final assistant message, a prefill, may be empty), or text blocks
 * that are all whitespace (one whitespace block beside real text is fine).
 * @param {Record<string, any>} message
 * @param {number} i
 * @param {boolean} last
 * @returns {string | null}
 */
function checkNotBlank(message, i, last) {
  const content = message.content;
  if (content.length === 0 && !(last && message.role === 'assistant')) {
    return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
  }
  const texts = typeof content === 'string' ? [content] : content.filter(isText).map((b) => b.text);
  if (texts.length > 0 && texts.every((t) => t.trim() === '')) {
    return 'messages: text content blocks must contain non-whitespace text';
  }
  return null;
}

/**
 * @param {unknown} content
 * @param {string} type
 * @returns {Record<string, any>[]}
 */
function blocksOf(content, type) {
  return Array.isArray(content) ? content.filter((b) => isRecord(b) && b.type === type) : [];
}

/**
 * The pairing rule the API enforces: every `tool_use` of an assistant turn is
 * answered by a `tool_result` in the very next user turn, and every
 * `tool_result` answers a `tool_use` of the turn just before.
 * @param {Record<string, any>[]} messages
 * @returns {string | null}
 */
function checkToolPairing(messages) {
  for (const [i, message] of messages.entries()) {
    const previous = messages[i - 1];
    const offered = new Set(previous?.role === 'assistant' ? blocksOf(previous.content, 'tool_use').map((b) => b.id) : []);
    if (message.role === 'user') {
      const unknown = blocksOf(message.content, 'tool_result').map((b) => b.tool_use_id).filter((id) => !offered.has(id));
      if (unknown.length > 0) {
        return `messages.${i}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${unknown.join(', ')}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
    const next = messages[i + 1];
    if (message.role === 'assistant' && next) {
      const answered = new Set(next.role === 'user' ? blocksOf(next.content, 'tool_result').map((b) => b.tool_use_id) : []);
      const missing = blocksOf(message.content, 'tool_use').map((b) => b.id).filter((id) => !answered.has(id));
      if (missing.length > 0) {
        return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
    }
  }
  return null;
}

/**
 * @param {unknown} body parsed JSON
 * @returns {string | null} the problem, or null when the body is acceptable
 */
export function validateMessagesBody(body) {
  if (!isRecord(body)) return 'Request body must be a JSON object';
  if (typeof body.model !== 'string' || body.model === '') return 'model: Field required';
  if (body.max_tokens === undefined) return 'max_tokens: Field required';
  if (!isPositiveInteger(body.max_tokens)) return 'max_tokens: Input should be an integer greater than or equal to 1';
  if (!Array.isArray(body.messages)) return 'messages: Field required';
  if (body.messages.length === 0) return 'messages: at least one message is required';
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return 'stream: Input should be a valid boolean';
  if (body.system !== undefined && typeof body.system !== 'string') {
    if (!Array.isArray(body.system)) return 'system: Input should be a valid string or a list of text blocks';
    const bad = body.system.findIndex((b) => !isRecord(b) || b.type !== 'text' || typeof b.text !== 'string');
    if (bad >= 0) return `system.${bad}: Input should be a text block`;
  }
  for (const [i, message] of body.messages.entries()) {
    if (!isRecord(message)) return `messages.${i}: Input should be a valid dictionary`;
    if (message.role !== 'user' && message.role !== 'assistant') {
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    }
    const problem = checkContent(message.content, `messages.${i}.content`) ?? checkNotBlank(message, i, i === body.messages.length - 1);
    if (problem) return problem;
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) return 'tools: Input should be a valid list';
    for (const [i, tool] of body.tools.entries()) {
      if (!isRecord(tool)) return `tools.${i}: Input should be a valid dictionary`;
      // Server tools (web_search and friends) carry a `type` and no input_schema.
      if (typeof tool.type === 'string' && tool.type !== 'custom') continue;
      if (typeof tool.name !== 'string' || !TOOL_NAME.test(tool.name)) {
        return `tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
      }
      if (!isRecord(tool.input_schema)) return `tools.${i}.input_schema: Field required`;
      if (tool.input_schema.type === undefined) return `tools.${i}.input_schema.type: Field required`;
      if (tool.input_schema.type !== 'object') return `tools.${i}.input_schema.type: Input should be 'object'`;
    }
  }
  if (isRecord(body.thinking) && body.thinking.type === 'enabled') {
    const budget = body.thinking.budget_tokens;
    if (!Number.isInteger(budget) || budget < 1024) {
      return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    }
    if (budget >= body.max_tokens) return '`max_tokens` must be greater than `thinking.budget_tokens`';
    if (body.temperature !== undefined && body.temperature !== 1) return '`temperature` may only be set to 1 when thinking is enabled';
  }
  const format = isRecord(body.output_config) ? body.output_config.format : body.output_format;
  if (isRecord(format) && format.type === 'json_schema') {
    const where = `${isRecord(body.output_config) ? 'output_config.format' : 'output_format'}.schema`;
    if (!isRecord(format.schema)) return `${where}: Field required`;
    const unsupported = strictSchemaProblem(format.schema);
    if (unsupported) return `${where}: ${unsupported}`;
  }
  return checkToolPairing(body.messages);
}

/** Constraints Claude's structured-output grammar refuses (a 400 from the real API). */
const UNSUPPORTED = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'oneOf'];

/**
 * What the real API says of a structured-output schema it cannot compile,
 * or undefined: every object closed (`additionalProperties: false`), no
 * numeric, length or count constraint (`minItems` 0 or 1 only), no `oneOf`.
 * Walks schema positions only (not `enum`, `const` or `default` data).
 */
function strictSchemaProblem(node, path = '') {
  if (!isRecord(node)) return undefined;
  // (Objects with a shape: what the API says of a free-form one is not documented.)
  if (isRecord(node.properties) && node.additionalProperties !== false) {
    return `'additionalProperties' must be false for objects (at '${path || '/'}')`;
  }
  for (const key of UNSUPPORTED) {
    if (key in node) return `'${key}' is not supported (at '${path || '/'}')`;
  }
  if ('minItems' in node && !(node.minItems === 0 || node.minItems === 1)) {
    return `'minItems' values other than 0 or 1 are not supported (at '${path || '/'}')`;
  }
  for (const key of ['properties', '$defs', 'definitions']) {
    if (!isRecord(node[key])) continue;
    for (const [name, child] of Object.entries(node[key])) {
      const problem = strictSchemaProblem(child, `${path}/${key}/${name}`);
      if (problem) return problem;
    }
  }
  for (const key of ['items', 'not', 'additionalProperties', 'anyOf', 'allOf', 'prefixItems']) {
    const children = Array.isArray(node[key]) ? node[key] : [node[key]];
    for (const [i, child] of children.entries()) {
      const problem = strictSchemaProblem(child, `${path}/${key}${Array.isArray(node[key]) ? `/${i}` : ''}`);
      if (problem) return problem;
    }
  }
  return undefined;
}
