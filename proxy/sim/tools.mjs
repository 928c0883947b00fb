// Deterministic tool selection for the simulators (arguments are read from
// the prompt by arguments.mjs). Rules are deliberately simple so a test author
// can predict the outcome from the prompt alone (see the README-style
// comments on each function).
import { isRecord } from './conversation.mjs';

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
  // Not `-`: a `u` pattern refuses `\-` outside a class (and a tool name may hold one).
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
