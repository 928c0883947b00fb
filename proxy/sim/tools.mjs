// Deterministic tool selection and argument synthesis for the simulators.
// Rules are deliberately simple so a test author can predict the outcome from
// the prompt alone (see the README-style comments on each function).
import { isRecord } from './conversation.mjs';
import { declaredType } from './structured.mjs';

/**
 * @typedef {object} SimTool
 * @property {string} name
 * @property {Record<string, unknown>} schema JSON Schema of the arguments (may be `{}`)
 */

/** Lower-case words of a prompt, split on anything that is not a letter or digit. */
/** @param {string} text */
function words(text) {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * Whether the prompt mentions the tool: its exact name as a whole word
 * (case-insensitive), or any part of the name split on `_`/`-` that has at
 * least 4 letters ("weather" → `get_weather`, "calculate" does not select `calc`).
 * @param {SimTool} tool
 * @param {string} prompt
 * @param {Set<string>} promptWords
 */
function mentions(tool, prompt, promptWords) {
  const name = tool.name.toLowerCase();
  const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  if (new RegExp(`(^|[^\\p{L}\\p{N}_-])${escaped}($|[^\\p{L}\\p{N}_-])`, 'u').test(prompt.toLowerCase())) return true;
  return name.split(/[_-]+/).some((part) => part.length >= 4 && promptWords.has(part));
}

/**
 * Tools mentioned by the prompt, in the order of the request's `tools` array.
 * @param {SimTool[]} tools
 * @param {string} prompt
 * @returns {SimTool[]}
 */
export function mentionedTools(tools, prompt) {
  const promptWords = new Set(words(prompt));
  return tools.filter((tool) => mentions(tool, prompt, promptWords));
}

/**
 * The first `{...}` in the text that parses as a JSON object, if any.
 * @param {string} text
 * @returns {Record<string, unknown> | undefined}
 */
export function findJsonObject(text) {
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    const end = matchingBrace(text, start);
    if (end < 0) continue;
    try {
      const value = JSON.parse(text.slice(start, end + 1));
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
    } catch {
      // Not JSON (e.g. prose in braces); try the next opening brace.
    }
  }
  return undefined;
}

/**
 * Index of the brace closing the one at `start`, skipping braces inside strings.
 * @param {string} text
 * @param {number} start
 */
function matchingBrace(text, start) {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth += 1;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/**
 * The string argument guessed from a prompt: capitalised word(s) after " in "
 * ("weather in Paris" → "Paris", "in New York" → "New York"), else the last word.
 * @param {string} prompt
 */
export function guessStringArgument(prompt) {
  const place = /(?:^|\s)in\s+(\p{Lu}[\p{L}\p{M}'’-]*(?:\s+\p{Lu}[\p{L}\p{M}'’-]*)*)/u.exec(prompt);
  if (place?.[1]) return place[1];
  const all = prompt.match(/[\p{L}\p{N}_-]+/gu);
  return all?.[all.length - 1] ?? '';
}

/**
 * Arguments for a tool call: a JSON object literal found in the prompt, else a
 * value per required property (all properties when none are required):
 * enum → first value; string → {@link guessStringArgument}; number/integer → 1;
 * boolean → true; array → []; object → {}; anything else → null.
 * @param {SimTool} tool
 * @param {string} prompt
 * @returns {Record<string, unknown>}
 */
export function buildToolInput(tool, prompt) {
  const literal = findJsonObject(prompt);
  if (literal) return literal;
  const properties = /** @type {Record<string, Record<string, unknown>>} */ (
    isRecord(tool.schema.properties) ? tool.schema.properties : {}
  );
  const required = Array.isArray(tool.schema.required) ? tool.schema.required.filter((k) => typeof k === 'string') : [];
  const keys = required.length > 0 ? required : Object.keys(properties);
  /** @type {Record<string, unknown>} */
  const input = {};
  for (const key of keys) {
    const schema = isRecord(properties[key]) ? properties[key] : {};
    if (Array.isArray(schema.enum) && schema.enum.length > 0) {
      input[key] = schema.enum[0];
      continue;
    }
    switch (declaredType(schema)) {
      case 'string': input[key] = guessStringArgument(prompt); break;
      case 'number':
      case 'integer': input[key] = 1; break;
      case 'boolean': input[key] = true; break;
      case 'array': input[key] = []; break;
      case 'object': input[key] = {}; break;
      default: input[key] = null;
    }
  }
  return input;
}

/**
 * JSON with a space after `:` and `,`, the way the Anthropic API streams tool
 * arguments (`{"location": "Paris", "unit": "celsius"}`).
 * @param {unknown} value
 * @returns {string}
 */
export function spacedJson(value) {
  if (Array.isArray(value)) return `[${value.map(spacedJson).join(', ')}]`;
  if (isRecord(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${spacedJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
