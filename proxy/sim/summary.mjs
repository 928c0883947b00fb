// Context compaction: the agent runtime shortens a long history by sending
// its older part, in the API's native form, under a system prompt that says
// "Summarize the conversation", with one last user message asking for the
// summary. A real model would condense it; the simulator answers with a
// deterministic digest of those messages (the user's prompts, how often the
// assistant answered, the tools it called), so tests can check what a
// compaction kept.
import { clip } from './conversation.mjs';

/**
 * @typedef {import('./planner.mjs').SimConversation} SimConversation
 * @typedef {import('./planner.mjs').SimMessage} SimMessage
 */

/** The system-prompt phrase that asks for a summary (either spelling, any case). */
const TRIGGER = /\bsummari[sz]e\s+the\s+conversation\b/i;

/** Earlier user prompts quoted at most (the newest are kept). */
const MAX_PROMPTS = 10;
/** Code points quoted of each prompt. */
const MAX_PROMPT_CHARS = 80;

/**
 * Whether a system prompt asks for a summary of the conversation. Only the
 * system prompt counts: a user asking to "summarise this" gets a normal answer.
 * @param {string} system
 */
export function asksForSummary(system) {
  return TRIGGER.test(system);
}

/**
 * @param {number} count
 * @param {string} one
 * @param {string} many
 */
const counted = (count, one, many) => `${count} ${count === 1 ? one : many}`;

/**
 * The conversation to summarise: everything before the last user message
 * (the request for the summary). That message's tool results belong to the
 * history: they were sent as their own message, which the converter merged
 * into the request turn (consecutive user turns carrying tool results merge).
 * @param {SimMessage[]} messages
 * @returns {SimMessage[]}
 */
function earlierMessages(messages) {
  let last = messages.length - 1;
  while (last >= 0 && messages[last]?.role !== 'user') last -= 1;
  if (last < 0) return messages;
  const request = /** @type {SimMessage} */ (messages[last]);
  const earlier = [...messages.slice(0, last), ...messages.slice(last + 1)];
  if (request.toolResults.length > 0) earlier.splice(last, 0, { ...request, text: '', images: [] });
  return earlier;
}

/**
 * `the user said "a"; "b"`: the newest prompts, each clipped, on one line.
 * @param {SimMessage[]} earlier
 */
function userPrompts(earlier) {
  const prompts = earlier
    .filter((m) => m.role === 'user')
    .map((m) => m.text.replace(/\s+/g, ' ').trim())
    .filter((text) => text !== '');
  if (prompts.length === 0) return 'the user said nothing';
  const kept = prompts.slice(-MAX_PROMPTS).map((p) => `"${clip(p, MAX_PROMPT_CHARS)}"`).join('; ');
  return prompts.length > MAX_PROMPTS ? `the user said (the last ${MAX_PROMPTS} of ${prompts.length} prompts) ${kept}` : `the user said ${kept}`;
}

/**
 * `tools used: get_weather (2 calls), clock (1 call)`, in order of first use.
 * @param {SimMessage[]} earlier
 */
function toolsUsed(earlier) {
  /** @type {Map<string, number>} */
  const calls = new Map();
  for (const m of earlier) for (const use of m.toolUses) calls.set(use.name, (calls.get(use.name) ?? 0) + 1);
  if (calls.size === 0) return 'no tools were used';
  return `tools used: ${[...calls].map(([name, n]) => `${name} (${counted(n, 'call', 'calls')})`).join(', ')}`;
}

/**
 * The summary reply:
 * `Summary of the earlier conversation (N messages): the user said "..."; "...";
 * the assistant answered M times; tools used: get_weather (2 calls).`
 * N counts the turns before the summary request (consecutive tool results are
 * one turn, as in an Anthropic request); each earlier user prompt is quoted
 * with blanks collapsed and clipped to 80 code points, at most the newest 10;
 * M counts the assistant turns; tools are listed in order of first call.
 * @param {SimConversation} conv
 */
export function summaryText(conv) {
  const earlier = earlierMessages(conv.messages);
  if (earlier.length === 0) return 'Summary of the earlier conversation (0 messages): nothing has been said yet.';
  const answers = earlier.filter((m) => m.role === 'assistant').length;
  // "(N messages)" even for one, like the echo's "(1 messages in context)": one pattern to match.
  return `Summary of the earlier conversation (${earlier.length} messages): ${userPrompts(earlier)}; `
    + `the assistant answered ${counted(answers, 'time', 'times')}; ${toolsUsed(earlier)}.`;
}
