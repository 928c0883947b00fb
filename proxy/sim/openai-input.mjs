// OpenAI request bodies → the planner's neutral conversation. Chat
// Completions: system/developer messages form the system prompt, `tool`
// messages are tool results, assistant `tool_calls` are tool uses. Responses:
// `instructions` plus system/developer items, `function_call` and
// `function_call_output` items. Consecutive same-side turns merge.
import { appendTurn, asString, contentText, imageTypeOfUrl, isRecord, simMessage, takeDirectives } from './conversation.mjs';

/**
 * @typedef {import('./planner.mjs').SimConversation} SimConversation
 * @typedef {import('./planner.mjs').SimMessage} SimMessage
 * @typedef {{ conversation: SimConversation, directiveSpecs: string[] }} Converted
 */

/**
 * Text and images of a `content` value (a string or a list of parts of either API).
 * @param {unknown} content
 * @param {SimMessage} into
 */
function readContent(content, into) {
  if (typeof content === 'string') {
    into.text = content;
    return;
  }
  /** @type {string[]} */
  const texts = [];
  for (const part of Array.isArray(content) ? content : []) {
    if (!isRecord(part)) continue;
    if (typeof part.text === 'string' && ['text', 'input_text', 'output_text'].includes(part.type)) texts.push(part.text);
    else if (part.type === 'image_url') into.images.push(imageTypeOfUrl(isRecord(part.image_url) ? part.image_url.url : part.image_url));
    else if (part.type === 'input_image') into.images.push(part.image_url ? imageTypeOfUrl(part.image_url) : 'file');
  }
  into.text = texts.join('\n');
}

/**
 * Tool-call arguments as an object (they travel as a JSON string).
 * @param {unknown} json
 * @returns {unknown}
 */
function parseArguments(json) {
  if (typeof json !== 'string') return json ?? {};
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

/**
 * `none` | `auto` | `required` | a named function → the neutral tool choice.
 * @param {unknown} choice
 * @returns {SimConversation['toolChoice']}
 */
function toolChoiceOf(choice) {
  if (choice === 'none') return 'none';
  if (choice === 'required') return 'any';
  if (isRecord(choice)) {
    const name = isRecord(choice.function) ? choice.function.name : choice.name;
    if (typeof name === 'string') return { name };
  }
  return 'auto';
}

/**
 * Structured output from an OpenAI format object (`json_schema` with its
 * schema, or schema-less `json_object`).
 * @param {unknown} format
 * @param {unknown} schema where this API keeps the schema
 * @returns {SimConversation['jsonOutput']}
 */
function jsonOutputOf(format, schema) {
  if (!isRecord(format)) return undefined;
  if (format.type === 'json_schema') return { schema: isRecord(schema) ? schema : null };
  return format.type === 'json_object' ? { schema: null } : undefined;
}

/**
 * @param {SimMessage[]} messages
 * @param {string[]} system
 * @param {Record<string, any>} body
 * @param {SimConversation['tools']} tools
 * @param {SimConversation['jsonOutput']} jsonOutput
 * @returns {Converted}
 */
function finish(messages, system, body, tools, jsonOutput) {
  const directiveSpecs = takeDirectives(messages);
  return {
    conversation: {
      system: system.join('\n'),
      messages,
      tools,
      toolChoice: toolChoiceOf(body.tool_choice),
      parallelTools: body.parallel_tool_calls !== false,
      thinking: false,
      jsonOutput,
    },
    directiveSpecs,
  };
}

/**
 * A validated Chat Completions body.
 * @param {Record<string, any>} body
 * @returns {Converted}
 */
export function chatConversation(body) {
  /** @type {SimMessage[]} */
  const messages = [];
  /** @type {string[]} */
  const system = [];
  for (const m of body.messages) {
    if (m.role === 'system' || m.role === 'developer') {
      system.push(contentText(m.content));
      continue;
    }
    const sim = simMessage(m.role === 'assistant' ? 'assistant' : 'user');
    if (m.role === 'tool' || m.role === 'function') {
      sim.toolResults.push({ toolUseId: asString(m.tool_call_id ?? m.name), text: contentText(m.content), isError: false });
    } else {
      readContent(m.content, sim);
    }
    for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
      if (!isRecord(call) || !isRecord(call.function)) continue;
      sim.toolUses.push({ id: asString(call.id), name: asString(call.function.name), input: parseArguments(call.function.arguments) });
    }
    appendTurn(messages, sim);
  }
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t) => isRecord(t) && isRecord(t.function) && typeof t.function.name === 'string')
    .map((t) => ({ name: t.function.name, schema: isRecord(t.function.parameters) ? t.function.parameters : {} }));
  const format = body.response_format;
  const jsonOutput = jsonOutputOf(format, isRecord(format) && isRecord(format.json_schema) ? format.json_schema.schema : undefined);
  return finish(messages, system, body, tools, jsonOutput);
}

/**
 * A validated Responses body.
 * @param {Record<string, any>} body
 * @returns {Converted}
 */
export function responsesConversation(body) {
  /** @type {SimMessage[]} */
  const messages = [];
  /** @type {string[]} */
  const system = typeof body.instructions === 'string' ? [body.instructions] : [];
  const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
  for (const item of input) {
    const type = item.type ?? 'message';
    if (type === 'message' && (item.role === 'system' || item.role === 'developer')) {
      system.push(contentText(item.content));
    } else if (type === 'message') {
      const sim = simMessage(item.role === 'assistant' ? 'assistant' : 'user');
      readContent(item.content, sim);
      appendTurn(messages, sim);
    } else if (type === 'function_call') {
      const sim = simMessage('assistant');
      sim.toolUses.push({ id: item.call_id, name: item.name, input: parseArguments(item.arguments) });
      appendTurn(messages, sim);
    } else if (type === 'function_call_output') {
      const sim = simMessage('user');
      sim.toolResults.push({ toolUseId: item.call_id, text: contentText(item.output), isError: false });
      appendTurn(messages, sim);
    }
    // reasoning and hosted-tool items carry nothing the planner uses
  }
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t) => isRecord(t) && t.type === 'function' && typeof t.name === 'string')
    .map((t) => ({ name: t.name, schema: isRecord(t.parameters) ? t.parameters : {} }));
  const format = isRecord(body.text) ? body.text.format : undefined;
  return finish(messages, system, body, tools, jsonOutputOf(format, isRecord(format) ? format.schema : undefined));
}
