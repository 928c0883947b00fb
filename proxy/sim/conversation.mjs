// Building blocks every request converter shares: the neutral message, turn
// merging, directive extraction from the last user turn, directive-free
// copies of a request, fingerprints and the input-token estimate.
import { extractDirectives } from './script.mjs';

/**
 * @typedef {import('./planner.mjs').SimMessage} SimMessage
 * @typedef {import('./planner.mjs').SimConversation} SimConversation
 */

/**
 * @param {unknown} value
 * @returns {value is Record<string, any>}
 */
export function isRecord(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A request value as text, as `String()` gives it, without throwing: a JSON
 * object with its own `toString` or `valueOf` key (`{"toString": 1}`) makes
 * `String()` throw, and is shown as JSON instead.
 * @param {unknown} value
 * @returns {string}
 */
export function asString(value) {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return JSON.stringify(value) ?? '';
  }
}

/**
 * An empty neutral message.
 * @param {'user' | 'assistant'} role
 * @returns {SimMessage}
 */
export function simMessage(role) {
  return { role, text: '', images: [], toolUses: [], toolResults: [] };
}

/**
 * The first `max` code points of a text, with "…" when something was cut.
 * @param {string} text
 * @param {number} max
 */
export function clip(text, max) {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max).join('')}…`;
}

/** @param {SimMessage} m */
const hasTools = (m) => m.toolUses.length > 0 || m.toolResults.length > 0;

/**
 * Appends a message, merging it into the previous one when both have the same
 * role and either carries tool calls or results: OpenAI `tool` messages (or
 * Responses `function_call` items next to a message) form one turn, as they
 * would in an Anthropic request. Other same-role neighbours stay apart.
 * @param {SimMessage[]} messages
 * @param {SimMessage} message
 */
export function appendTurn(messages, message) {
  const previous = messages[messages.length - 1];
  if (!previous || previous.role !== message.role || !(hasTools(previous) || hasTools(message))) {
    messages.push(message);
    return;
  }
  previous.text = [previous.text, message.text].filter(Boolean).join('\n');
  previous.images.push(...message.images);
  previous.toolUses.push(...message.toolUses);
  previous.toolResults.push(...message.toolResults);
}

/**
 * Removes the `[[sim:...]]` markers of the last user message (in place).
 * @param {SimMessage[]} messages
 * @returns {string[]} the markers' contents
 */
export function takeDirectives(messages) {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i];
    if (!message || message.role !== 'user') continue;
    const { text, specs } = extractDirectives(message.text);
    message.text = text;
    return specs;
  }
  return [];
}

/**
 * A deep copy of the request without `[[sim:...]]` markers, so that directives never change
 * ids, token counts or reply bytes: `[[sim:chunk=7]] hi` answers exactly like `hi`.
 * @template T
 * @param {T} value
 * @returns {T}
 */
export function withoutDirectives(value) {
  if (typeof value === 'string') return /** @type {T} */ (value.includes('[[sim:') ? extractDirectives(value).text : value);
  if (Array.isArray(value)) return /** @type {T} */ (value.map(withoutDirectives));
  if (isRecord(value)) {
    return /** @type {T} */ (Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutDirectives(v)])));
  }
  return value;
}

/**
 * Seed for ids and network cuts: the cleaned request minus its streaming
 * switches, so a streamed and a non-streamed call share ids.
 * @param {Record<string, unknown>} cleanBody output of {@link withoutDirectives}
 * @param {string[]} [omit] keys that only select streaming
 * @param {string} [extra] request facts outside the body (Gemini's model path)
 */
export function fingerprintOf(cleanBody, omit = ['stream'], extra = '') {
  const rest = Object.fromEntries(Object.entries(cleanBody).filter(([k]) => !omit.includes(k)));
  return extra + JSON.stringify(rest);
}

/**
 * Deterministic input-token estimate: ceil(chars / 4) over the system prompt,
 * message text, tool results, tool-use inputs and the request's tool
 * definitions (images and sim directives are not counted: convert a cleaned body).
 * @param {SimConversation} conversation
 * @param {unknown} rawTools the request's tool list as sent
 */
export function estimateInputTokens(conversation, rawTools) {
  let chars = conversation.system.length;
  for (const message of conversation.messages) {
    chars += message.text.length;
    for (const r of message.toolResults) chars += r.text.length;
    for (const u of message.toolUses) chars += JSON.stringify(u.input ?? {}).length;
  }
  if (Array.isArray(rawTools)) chars += JSON.stringify(rawTools).length;
  return Math.max(1, Math.ceil(chars / 4));
}

/**
 * Media type of an image given by URL: the type of a `data:` URL, else "url".
 * @param {unknown} url
 */
export function imageTypeOfUrl(url) {
  const match = /^data:([^;,]+)[;,]/.exec(typeof url === 'string' ? url : '');
  return match?.[1] ?? 'url';
}

/**
 * Text of a tool result given as a string, a list of text parts, or JSON.
 * @param {unknown} content
 * @returns {string}
 */
export function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((b) => (isRecord(b) && typeof b.text === 'string' ? b.text : '[image]')).join(' ');
  }
  return content === undefined || content === null ? '' : JSON.stringify(content);
}
