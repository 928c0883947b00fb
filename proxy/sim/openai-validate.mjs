// Request-body validation for the simulated OpenAI Chat Completions and
// Responses APIs. Messages, `param` and `code` imitate the API's 400s so a
// client bug shows up in tests as the error the real service would return.
import { asString, isRecord } from './conversation.mjs';

/** @typedef {import('./simulate.mjs').Problem} Problem */

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** @param {string} param @returns {Problem} */
const missing = (param) => ({ message: `Missing required parameter: '${param}'.`, param, code: 'missing_required_parameter' });

/** @param {string} param @param {string} expected @param {unknown} got @returns {Problem} */
const wrongType = (param, expected, got) => ({
  message: `Invalid type for '${param}': expected ${expected}, but got ${Array.isArray(got) ? 'an array' : got === null ? 'null' : `a ${typeof got}`} instead.`,
  param, code: 'invalid_type',
});

/** @param {string} param @param {unknown} value @returns {Problem} */
const badToolName = (param, value) => ({
  message: `Invalid '${param}': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
  param, code: typeof value === 'string' ? 'invalid_value' : 'invalid_type',
});

/**
 * Function parameters must be an object schema: the API answers anything
 * else (no `type`, `{}`, an array schema) with this 400.
 * @param {Record<string, any>} fn the function definition
 * @param {string} param
 * @returns {Problem | null}
 */
function checkParameters(fn, param) {
  const type = isRecord(fn.parameters) ? fn.parameters.type : undefined;
  if (fn.parameters === undefined || type === 'object') return null;
  return {
    message: `Invalid schema for function '${asString(fn.name)}': schema must be a JSON Schema of 'type: "object"', got 'type: "${typeof type === 'string' ? type : 'None'}"'.`,
    param, code: 'invalid_function_parameters',
  };
}

/**
 * Shared top-level checks: a JSON object with a model and a boolean `stream`.
 * @param {unknown} body
 * @param {Problem} noModel
 * @returns {Problem | null}
 */
function checkCommon(body, noModel) {
  if (!isRecord(body)) return { message: 'Invalid body: expected a JSON object.', param: null, code: 'invalid_type' };
  if (typeof body.model !== 'string' || body.model === '') return noModel;
  if (body.stream !== undefined && typeof body.stream !== 'boolean') return wrongType('stream', 'a boolean', body.stream);
  if (body.tools !== undefined && !Array.isArray(body.tools)) return wrongType('tools', 'an array of objects', body.tools);
  return null;
}

/**
 * A `json_schema` output format needs a name and, when given, an object
 * schema whose root is `type: "object"` and not an `anyOf`: the API refuses
 * any other root (an array, an enum string, a bare `anyOf`), strict or not,
 * with this 400 ("Root objects must not be anyOf and must be an object" in
 * OpenAI's Structured Outputs guide). Chat Completions names the param
 * `response_format` with no code; Responses names the schema itself.
 * @param {unknown} format
 * @param {string} where
 * @param {{ param: string, code: string | null }} refused how a refused schema is reported
 * @returns {Problem | null}
 */
function checkJsonSchemaFormat(format, where, refused) {
  if (!isRecord(format) || format.type !== 'json_schema') return null;
  if (typeof format.name !== 'string') return missing(`${where}.name`);
  const schema = format.schema;
  if (schema === undefined) return null;
  if (!isRecord(schema)) return wrongType(`${where}.schema`, 'an object', schema);
  const invalid = `Invalid schema for response_format '${format.name}': `;
  if (schema.type !== 'object') {
    const got = typeof schema.type === 'string' ? schema.type : 'None';
    return { message: `${invalid}schema must be a JSON Schema of 'type: "object"', got 'type: "${got}"'.`, ...refused };
  }
  if (schema.anyOf !== undefined) return { message: `${invalid}In context=(), 'anyOf' is not permitted.`, ...refused };
  return null;
}

/**
 * The pairing rules: a `tool` message answers a `tool_calls` id of the
 * assistant message before it, and every such id gets an answer.
 * @param {Record<string, any>[]} messages
 * @returns {Problem | null}
 */
function checkChatToolPairing(messages) {
  /** @type {Set<string>} */
  let open = new Set();
  let opener = -1;
  for (const [i, m] of messages.entries()) {
    if (m.role === 'tool') {
      if (!open.delete(m.tool_call_id)) {
        return { message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", param: `messages.[${i}].role`, code: null };
      }
      continue;
    }
    if (open.size > 0) {
      return {
        message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].map(asString).join(', ')}`,
        param: `messages.[${opener}].role`, code: null,
      };
    }
    const calls = m.role === 'assistant' && Array.isArray(m.tool_calls) ? m.tool_calls : [];
    open = new Set(calls.map((c) => (isRecord(c) ? c.id : undefined)));
    opener = i;
  }
  return null;
}

/**
 * @param {unknown} body parsed JSON
 * @returns {Problem | null}
 */
export function validateChatBody(body) {
  const common = checkCommon(body, { message: 'you must provide a model parameter', param: null, code: null });
  if (common || !isRecord(body)) return common;
  if (body.messages === undefined) return missing('messages');
  if (!Array.isArray(body.messages)) return wrongType('messages', 'an array of objects', body.messages);
  if (body.messages.length === 0) {
    return { message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", param: 'messages', code: 'empty_array' };
  }
  for (const [i, m] of body.messages.entries()) {
    if (!isRecord(m)) return wrongType(`messages[${i}]`, 'an object', m);
    if (!ROLES.includes(m.role)) {
      return { message: `Invalid value: '${asString(m.role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, param: `messages[${i}].role`, code: 'invalid_value' };
    }
    const mayOmitContent = m.role === 'assistant' && (Array.isArray(m.tool_calls) || m.content === null);
    if (m.content === undefined && !mayOmitContent) return missing(`messages[${i}].content`);
    if (m.content !== undefined && m.content !== null && typeof m.content !== 'string' && !Array.isArray(m.content)) {
      return wrongType(`messages[${i}].content`, 'one of a string or array of objects', m.content);
    }
    if (m.role === 'tool' && typeof m.tool_call_id !== 'string') return missing(`messages[${i}].tool_call_id`);
  }
  for (const [i, tool] of (body.tools ?? []).entries()) {
    if (!isRecord(tool) || !isRecord(tool.function)) return missing(`tools[${i}].function`);
    if (!TOOL_NAME.test(asString(tool.function.name ?? ''))) return badToolName(`tools[${i}].function.name`, tool.function.name);
    const problem = checkParameters(tool.function, `tools[${i}].function.parameters`);
    if (problem) return problem;
  }
  const format = body.response_format;
  if (isRecord(format) && format.type === 'json_schema') {
    if (!isRecord(format.json_schema)) return missing('response_format.json_schema');
    const problem = checkJsonSchemaFormat({ type: 'json_schema', ...format.json_schema }, 'response_format.json_schema', { param: 'response_format', code: null });
    if (problem) return problem;
  }
  return checkChatToolPairing(body.messages);
}

/**
 * @param {unknown} body parsed JSON
 * @returns {Problem | null}
 */
export function validateResponsesBody(body) {
  const common = checkCommon(body, missing('model'));
  if (common || !isRecord(body)) return common;
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    return { message: 'The simulator keeps no conversation state: send the whole conversation in `input` instead of `previous_response_id`.', param: 'previous_response_id', code: 'unsupported_parameter' };
  }
  if (body.input === undefined) return missing('input');
  if (typeof body.input !== 'string' && !Array.isArray(body.input)) return wrongType('input', 'one of a string or array of objects', body.input);
  /** @type {Set<string>} */
  const calls = new Set();
  for (const [i, item] of (Array.isArray(body.input) ? body.input : []).entries()) {
    if (!isRecord(item)) return wrongType(`input[${i}]`, 'an object', item);
    const type = item.type ?? 'message';
    if (type === 'message') {
      if (!['user', 'assistant', 'system', 'developer'].includes(item.role)) {
        return { message: `Invalid value: '${asString(item.role)}'. Supported values are: 'assistant', 'system', 'developer', and 'user'.`, param: `input[${i}].role`, code: 'invalid_value' };
      }
      if (typeof item.content !== 'string' && !Array.isArray(item.content)) return missing(`input[${i}].content`);
    } else if (type === 'function_call') {
      for (const key of ['call_id', 'name', 'arguments']) if (typeof item[key] !== 'string') return missing(`input[${i}].${key}`);
      calls.add(item.call_id);
    } else if (type === 'function_call_output') {
      if (typeof item.call_id !== 'string') return missing(`input[${i}].call_id`);
      if (item.output === undefined) return missing(`input[${i}].output`);
      if (!calls.has(item.call_id)) return { message: `No tool call found for function call output with call_id ${item.call_id}.`, param: 'input', code: null };
    }
  }
  for (const [i, tool] of (body.tools ?? []).entries()) {
    if (!isRecord(tool)) return wrongType(`tools[${i}]`, 'an object', tool);
    if (tool.type !== 'function') continue;
    if (!TOOL_NAME.test(asString(tool.name ?? ''))) return badToolName(`tools[${i}].name`, tool.name);
    const problem = checkParameters(tool, `tools[${i}].parameters`);
    if (problem) return problem;
  }
  return checkJsonSchemaFormat(isRecord(body.text) ? body.text.format : undefined, 'text.format', { param: 'text.format.schema', code: 'invalid_json_schema' });
}
