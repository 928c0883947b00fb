// The pipeline every simulated API runs, whatever its wire format: validate
// the body, convert it into the neutral conversation, merge the directives
// (inline markers override scripted ones), then either answer a directed
// error or plan the reply with ids and token counts derived from the request.
import { estimateInputTokens, fingerprintOf, isRecord, withoutDirectives } from './conversation.mjs';
import { seed32 } from './hash.mjs';
import { planReply } from './planner.mjs';
import { mergeDirectives } from './script.mjs';
import { StructuredLimitError, structuredSchemaProblem } from './structured.mjs';

/**
 * @typedef {import('./script.mjs').Directives} Directives
 * @typedef {import('./planner.mjs').Plan} Plan
 * @typedef {import('./planner.mjs').SimConversation} SimConversation
 *
 * @typedef {{ message: string, param?: string | null, code?: string | null }} Problem
 * @typedef {{ kind: 'invalid', problem: Problem }} InvalidOutcome a 400 in the API's error format
 * @typedef {{ kind: 'directed', status: number, directives: Directives }} DirectedOutcome `error=N` asked for this status
 * @typedef {object} ReplyOutcome
 * @property {'reply'} kind
 * @property {Record<string, any>} request the validated body (directives still inside)
 * @property {Plan} plan
 * @property {Directives} directives
 * @property {string} fingerprint seed for ids, signatures and network cuts
 * @property {number} seed 32-bit form of the fingerprint
 * @property {number} inputTokens
 * @typedef {InvalidOutcome | DirectedOutcome | ReplyOutcome} Outcome
 *
 * @typedef {object} SimApi
 * @property {string} name used in messages ("anthropic", "openai", "gemini")
 * @property {(body: unknown) => Problem | string | null} validate the first problem of a parsed body
 * @property {(body: Record<string, any>) => { conversation: SimConversation, directiveSpecs: string[] }} convert
 * @property {(body: Record<string, any>) => unknown} tools the request's tool list as sent (counted as input)
 * @property {readonly number[]} errorStatuses the statuses `error=N` may ask for
 * @property {string[]} [streamKeys] body keys that only select streaming (left out of the fingerprint)
 */

/**
 * Deepest JSON nesting a body may have: the conversion, fingerprint and
 * schema walks recurse, and a body nested thousands deep overflowed the
 * stack (a 500). Far deeper than any real request or tool schema.
 */
export const MAX_NESTING = 256;

/**
 * Whether the value nests arrays and objects deeper than MAX_NESTING
 * (walked without recursion).
 * @param {unknown} value
 */
function nestsTooDeep(value) {
  /** @type {[unknown, number][]} */
  const stack = [[value, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [current, depth] = item;
    if (current === null || typeof current !== 'object') continue;
    if (depth > MAX_NESTING) return true;
    for (const child of Object.values(current)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * @param {Problem | string} problem
 * @returns {InvalidOutcome}
 */
export const invalid = (problem) => ({ kind: 'invalid', problem: typeof problem === 'string' ? { message: problem } : problem });

/**
 * @param {SimApi} api
 * @param {unknown} body parsed JSON
 * @param {Directives} scripted directives queued for this request
 * @param {string} [extra] request facts outside the body that must change ids (Gemini's model path)
 * @returns {Outcome}
 */
export function simulateRequest(api, body, scripted, extra = '') {
  if (nestsTooDeep(body)) return invalid(`Request body nests arrays and objects more than ${MAX_NESTING} levels deep`);
  const problem = api.validate(body);
  if (problem) return invalid(problem);
  if (!isRecord(body)) return invalid('Request body must be a JSON object');
  const { conversation, directiveSpecs } = api.convert(body);
  const schema = conversation.jsonOutput?.schema;
  const tooBig = schema ? structuredSchemaProblem(schema) : null;
  if (tooBig) return invalid(tooBig);
  const merged = mergeDirectives(scripted, directiveSpecs);
  if ('problem' in merged) return invalid(merged.problem);
  const { directives } = merged;
  if (directives.error !== undefined) {
    if (api.errorStatuses.includes(directives.error)) return { kind: 'directed', status: directives.error, directives };
    return invalid(`sim directive error=${directives.error} is not supported by the simulated ${api.name} API; use one of ${api.errorStatuses.join(', ')}`);
  }
  let plan;
  try {
    plan = planReply(conversation, directives);
  } catch (error) {
    // Long prompt words can still push a document past its size cap.
    if (error instanceof StructuredLimitError) return invalid(error.message);
    throw error;
  }
  const clean = withoutDirectives(body);
  const fingerprint = fingerprintOf(clean, api.streamKeys, extra);
  return {
    kind: 'reply',
    request: body,
    plan,
    directives,
    fingerprint,
    seed: seed32(fingerprint),
    inputTokens: estimateInputTokens(api.convert(clean).conversation, api.tools(clean)),
  };
}
