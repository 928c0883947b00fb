// Provider-neutral reply planning. Each simulator converts its request format
// into a SimConversation, asks for a Plan, and renders the plan in its own wire
// format. Keeping the rules here means OpenAI and Gemini simulators answer
// exactly like the Anthropic one, which keeps cross-provider tests symmetric.
import { buildToolInput } from './arguments.mjs';
import { planComms } from './comms.mjs';
import { clip, simMessage } from './conversation.mjs';
import { structuredText } from './structured.mjs';
import { asksForSummary, summaryText } from './summary.mjs';
import { mentionedTools, spacedJson } from './tools.mjs';

/**
 * @typedef {import('./tools.mjs').SimTool} SimTool
 * @typedef {import('./script.mjs').Directives} Directives
 *
 * @typedef {object} SimMessage
 * @property {'user' | 'assistant'} role
 * @property {string} text text blocks joined with "\n" (directives removed from the last user message)
 * @property {string[]} images media types of image blocks
 * @property {{ id: string, name: string, input: unknown }[]} toolUses
 * @property {{ toolUseId: string, text: string, isError: boolean, name?: string }[]} toolResults
 *   (`name` when the API sends it with the result, as Gemini does)
 *
 * @typedef {object} SimConversation
 * @property {string} system
 * @property {SimMessage[]} messages
 * @property {SimTool[]} tools
 * @property {'auto' | 'any' | 'none' | { name: string }} toolChoice
 * @property {boolean} parallelTools false when the request disables parallel tool use
 * @property {boolean} thinking whether the request enabled extended thinking
 * @property {{ schema: Record<string, any> | null }} [jsonOutput] structured output was requested
 *   (schema null: JSON mode without a schema)
 *
 * @typedef {{ type: 'thinking', text: string }
 *   | { type: 'text', pieces: () => Iterable<string>, text: () => string }
 *   | { type: 'tool_use', name: string, input: Record<string, unknown>, json: string }} PlanBlock
 *
 * @typedef {object} Plan
 * @property {PlanBlock[]} blocks in output order
 * @property {string} stopReason Anthropic vocabulary: end_turn | tool_use | max_tokens | ...
 * @property {number} outputTokens deterministic output token count
 */

/** Longest run of non-blank characters in one text delta. */
const MAX_WORD_PIECE = 12;

/**
 * Cuts text into word-sized deltas (leading blanks + up to 12 code points), so
 * multi-byte characters always stay whole inside one delta.
 * @param {string} text
 * @returns {string[]}
 */
export function textPieces(text) {
  return text.match(new RegExp(`\\s*\\S{1,${MAX_WORD_PIECE}}|\\s+`, 'gu')) ?? [];
}

/**
 * Cuts tool-argument JSON into pieces of a few code points, like the API's
 * `input_json_delta` fragments.
 * @param {string} json
 * @param {number} [size]
 * @returns {string[]}
 */
export function jsonPieces(json, size = 12) {
  const points = Array.from(json);
  /** @type {string[]} */
  const out = [];
  for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size).join(''));
  return out;
}

/**
 * @param {string} text
 * @returns {PlanBlock}
 */
function textBlock(text) {
  return { type: 'text', pieces: () => textPieces(text), text: () => text };
}

/**
 * `deltas=N`: N short pieces ("w0", " w1", ...) produced lazily so a million
 * deltas never materialise as an array.
 * @param {number} count
 * @returns {PlanBlock}
 */
function generatedTextBlock(count) {
  function* pieces() {
    for (let i = 0; i < count; i += 1) yield i === 0 ? 'w0' : ` w${i}`;
  }
  return { type: 'text', pieces, text: () => { let s = ''; for (const p of pieces()) s += p; return s; } };
}

/**
 * @param {SimConversation} conv
 * @param {string} prompt
 * @returns {SimTool[]}
 */
function chooseTools(conv, prompt) {
  const choice = conv.toolChoice;
  if (conv.tools.length === 0 || choice === 'none') return [];
  let chosen;
  if (typeof choice === 'object') chosen = conv.tools.filter((t) => t.name === choice.name);
  else {
    chosen = mentionedTools(conv.tools, prompt);
    if (chosen.length === 0 && choice === 'any') chosen = conv.tools.slice(0, 1);
  }
  return conv.parallelTools ? chosen : chosen.slice(0, 1);
}

/**
 * One sentence per tool result, naming the tool from the matching tool_use.
 * @param {SimConversation} conv
 * @param {SimMessage} last
 */
function describeToolResults(conv, last) {
  /** @type {Map<string, string>} */
  const names = new Map();
  for (const m of conv.messages) for (const use of m.toolUses) names.set(use.id, use.name);
  return last.toolResults
    .map((result) => {
      const name = names.get(result.toolUseId) ?? result.name ?? 'tool';
      const body = result.text.trim();
      if (body === '') return `${name} returned nothing.`;
      const end = /[.!?…]$/.test(body) ? '' : '.';
      return `${name} ${result.isError ? 'failed' : 'returned'}: ${body}${end}`;
    })
    .join(' ');
}

/**
 * "what is my name" answered from the latest "my name is X" of a user turn.
 * @param {SimConversation} conv
 * @param {string} prompt
 * @returns {string | undefined}
 */
function recallName(conv, prompt) {
  if (!/what(?:'s|’s|\s+is)\s+my\s+name/i.test(prompt)) return undefined;
  const users = conv.messages.filter((m) => m.role === 'user');
  for (let i = users.length - 1; i >= 0; i -= 1) {
    const said = /\bmy name is\s+([\p{L}\p{M}'’-]+)/iu.exec(users[i]?.text ?? '');
    if (said?.[1]) return said[1];
  }
  return undefined;
}

/**
 * Echo reply: "You said: <prompt> (N messages in context)", plus a note on images.
 * @param {SimConversation} conv
 * @param {SimMessage} last
 */
function textAnswer(conv, last) {
  const prompt = last.text.trim();
  const name = recallName(conv, prompt);
  let answer = name
    ? `Your name is ${name}.`
    : prompt === ''
      ? `You sent no text (${conv.messages.length} messages in context)`
      : `You said: ${prompt} (${conv.messages.length} messages in context)`;
  if (last.images.length > 0) answer += ` I see ${last.images.length} image(s) (${last.images.join(', ')}).`;
  return answer;
}

/**
 * Decides the reply to a conversation. Rules, in order: `deltas=N` → generated
 * text; a system prompt saying "Summarize the conversation" (or "Summarise")
 * → a summary of the messages before the last user turn (summary.mjs; tools
 * are never called); comms tools offered and a prompt that talks to a peer or
 * carries peer traffic → the comms exchange (comms.mjs); tool results alone
 * in the last user turn → report them
 * (results followed by new words are answered as words); tools
 * mentioned → call them with arguments read from the prompt (arguments.mjs);
 * otherwise a text answer. A system prompt mentioning "pirate" prefixes text
 * with "Arr! ". Thinking, when enabled, comes first. With
 * structured output the final answer (not the tool-call preamble) is a JSON
 * document instead (see structured.mjs; `json=invalid|broken` spoil it).
 * @param {SimConversation} conv
 * @param {Directives} directives
 * @returns {Plan}
 */
export function planReply(conv, directives) {
  const last = [...conv.messages].reverse().find((m) => m.role === 'user') ?? simMessage('user');
  const say = /\bpirate/i.test(conv.system) ? (/** @type {string} */ t) => `Arr! ${t}` : (/** @type {string} */ t) => t;
  /** @type {PlanBlock[]} */
  const blocks = [];
  let stopReason = 'end_turn';
  let thought;
  let generated = 0;
  // Mob comms come after the two rules above and before everything else.
  const comms = directives.deltas === undefined && !asksForSummary(conv.system) ? planComms(conv) : undefined;

  /** Tool calls, after a preamble unless a forced tool_choice skips it (as the API does). */
  const pushCalls = (/** @type {{ name: string, input: Record<string, unknown> }[]} */ calls) => {
    const names = [...new Set(calls.map((c) => c.name))];
    if (conv.toolChoice === 'auto') blocks.push(textBlock(say(`Let me use ${names.join(' and ')}.`)));
    for (const { name, input } of calls) blocks.push({ type: 'tool_use', name, input, json: spacedJson(input) });
  };

  /** The final answer: a JSON document when structured output was requested. */
  const answer = (/** @type {string} */ text, /** @type {string} */ source) =>
    conv.jsonOutput ? structuredText(conv.jsonOutput.schema, source, text, directives.json ?? 'valid') : say(text);

  if (directives.deltas !== undefined) {
    thought = 'A long generated answer was requested.';
    blocks.push(generatedTextBlock(directives.deltas));
    generated = directives.deltas;
  } else if (asksForSummary(conv.system)) {
    // Checked before tool results: the summary request's own user turn may
    // carry the history's last tool results (merged into it on conversion).
    thought = 'The earlier conversation must be summarised.';
    const summary = summaryText(conv);
    blocks.push(textBlock(answer(summary, summary)));
  } else if (comms) {
    thought = comms.thought;
    if ('text' in comms) blocks.push(textBlock(answer(comms.text, comms.text)));
    else {
      pushCalls(comms.calls);
      stopReason = 'tool_use';
    }
  } else if (last.toolResults.length > 0 && last.text.trim() === '') {
    // Results with new words after them (the user spoke after a run that
    // stopped mid-tools) are answered as words, below.
    thought = 'The tool results are in; I will report them.';
    const results = last.toolResults.map((r) => r.text).join(' ');
    blocks.push(textBlock(answer(describeToolResults(conv, last), `${last.text} ${results}`.trim())));
  } else {
    const tools = chooseTools(conv, last.text);
    if (tools.length > 0) {
      thought = `I should call ${tools.map((t) => t.name).join(' and ')}.`;
      pushCalls(tools.map((tool) => ({ name: tool.name, input: buildToolInput(tool, last.text, conv.tools) })));
      stopReason = 'tool_use';
    } else {
      thought = conv.jsonOutput ? 'The answer must be JSON.' : 'A direct answer is enough.';
      blocks.push(textBlock(answer(textAnswer(conv, last), last.text)));
    }
  }
  if (conv.thinking) blocks.unshift({ type: 'thinking', text: `The user wrote: "${clip(last.text.trim(), 120)}". ${thought}` });

  let chars = 0;
  for (const block of blocks) {
    if (block.type === 'thinking') chars += block.text.length;
    else if (block.type === 'tool_use') chars += block.json.length;
    else if (generated === 0) chars += block.text().length;
  }
  const outputTokens = Math.max(1, generated + Math.ceil(chars / 4));
  return { blocks, stopReason: directives.stop ?? stopReason, outputTokens };
}
