// What the two OpenAI wire formats share: a fixed timestamp (replies stay
// byte-identical), call ids, the `obfuscation` padding field, compact
// tool-argument JSON and the finish reason of a plan.
import { hashId, seededRandom } from './hash.mjs';
import { isRecord } from './conversation.mjs';

/**
 * @typedef {import('./planner.mjs').Plan} Plan
 * @typedef {{ index: number, block: number, id: string, name: string, arguments: string }} SimToolCall
 */

/** `created` / `created_at` of every simulated reply: 2026-01-01T00:00:00Z. */
export const SIM_CREATED = 1767225600;

export const SYSTEM_FINGERPRINT = 'fp_sim0000000';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Random-looking padding for the `obfuscation` field of streamed deltas
 * (seeded, so bytes repeat), or nothing when the request turned it off with
 * `stream_options.include_obfuscation: false`.
 * @param {Record<string, any>} request
 * @param {number} seed
 * @returns {() => { obfuscation?: string }}
 */
export function obfuscator(request, seed) {
  if (isRecord(request.stream_options) && request.stream_options.include_obfuscation === false) return () => ({});
  const random = seededRandom(seed ^ 0x0b5c);
  return () => {
    let padding = '';
    for (let n = 1 + Math.floor(random() * 15); n > 0; n -= 1) padding += ALPHABET[Math.floor(random() * ALPHABET.length)];
    return { obfuscation: padding };
  };
}

/**
 * The plan's tool calls with their OpenAI ids and compact JSON arguments
 * (`{"location":"Paris"}`, as the API streams them).
 * @param {Plan} plan
 * @param {string} fingerprint
 * @returns {SimToolCall[]}
 */
export function toolCallsOf(plan, fingerprint) {
  /** @type {SimToolCall[]} */
  const calls = [];
  plan.blocks.forEach((block, i) => {
    if (block.type !== 'tool_use') return;
    const index = calls.length;
    calls.push({ index, block: i, id: `call_sim_${hashId(fingerprint, `call:${index}`, 24)}`, name: block.name, arguments: JSON.stringify(block.input) });
  });
  return calls;
}

/**
 * Chat Completions `finish_reason` for the plan's (Anthropic-vocabulary) stop
 * reason. A refusal is `stop`: the refusal text itself says so.
 * @param {string} stopReason
 */
export function finishReasonOf(stopReason) {
  /** @type {Record<string, string>} */
  const map = { tool_use: 'tool_calls', max_tokens: 'length' };
  return map[stopReason] ?? 'stop';
}
