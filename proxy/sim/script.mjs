// Simulator directives: `[[sim:key=value,flag]]` markers in the last user
// message, or strings queued through `POST /_sim/script`. They let tests and
// the demo ask for failure modes and transport quirks without extra config.

/**
 * One `[[sim:...]]` marker plus the blanks before it (or, at the very start of
 * the text, after it), so removing it leaves tidy text: "hi [[sim:x]] there"
 * → "hi there", "[[sim:x]] hi" → "hi". Text without markers is left untouched.
 * The blanks are matched from the start of their run only (a match tried at
 * every blank of a long run made a prompt of 100 KB of blanks take 23 s, the
 * proxy blocked meanwhile); a marker right after blanks another match took
 * is matched bare.
 */
const MARKER = /^\[\[sim:([^\]]*)\]\][ \t]*|(?<![ \t])[ \t]*\[\[sim:([^\]]*)\]\]|\[\[sim:([^\]]*)\]\]/g;

/** HTTP status → Anthropic error type (also the neutral name of each status). */
export const ERROR_TYPES = Object.freeze({
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
});

/**
 * Statuses `error=N` accepts; each simulated API answers the subset it knows
 * (others are refused with a 400 naming that API's list).
 */
export const DIRECTIVE_ERROR_STATUSES = Object.freeze([400, 401, 402, 403, 404, 409, 413, 429, 500, 503, 504, 529]);

/** HTTP status of a `midstream` error type (unknown types count as 500). */
export function midstreamStatus(/** @type {string} */ type) {
  const found = Object.entries(ERROR_TYPES).find(([, name]) => name === type);
  return found ? Number(found[0]) : 500;
}

/** `json=` variants for structured output. */
const JSON_VARIANTS = ['valid', 'invalid', 'broken'];

/** Stop reasons a `stop=` directive may force. */
const STOP_REASONS = ['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'pause_turn', 'refusal'];

export const MAX_DELTAS = 1_000_000;

export class DirectiveError extends Error {}

/**
 * @typedef {object} Directives
 * @property {number} [error] respond with this HTTP error status
 * @property {number} [retryAfter] seconds for the `retry-after` header of a 429
 * @property {true} [quota] with error=429: the "quota exhausted" variant (OpenAI `insufficient_quota`)
 * @property {'valid' | 'invalid' | 'broken'} [json] structured output: a document violating the schema, or text that is not JSON
 * @property {string} [midstream] error type sent as an SSE `error` event after a few deltas
 * @property {true | number} [truncate] end the stream before `message_stop` (or after N events)
 * @property {number} [deltas] reply with exactly N generated text deltas
 * @property {number} [chunk] network write size in bytes
 * @property {'random'} [split] cut the byte stream at seeded pseudo-random points
 * @property {number} [delay] milliseconds to wait between network writes
 * @property {true} [hang] send the head and first events, then stall until the client aborts
 * @property {string} [stop] force this stop reason
 */

/**
 * Removes every `[[sim:...]]` marker from `text`.
 * @param {string} text
 * @returns {{ text: string, specs: string[] }} the cleaned text and the markers' contents
 */
export function extractDirectives(text) {
  /** @type {string[]} */
  const specs = [];
  const cleaned = text.replace(MARKER, (_, atStart, inside, bare) => {
    specs.push(atStart ?? inside ?? bare);
    return '';
  });
  return { text: cleaned, specs };
}

/**
 * @param {string} key
 * @param {string | undefined} value
 * @param {number} min
 * @param {number} max
 */
function integer(key, value, min, max) {
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || n < min || n > max) {
    throw new DirectiveError(`sim directive ${key} needs an integer between ${min} and ${max}, got ${JSON.stringify(value ?? '')}`);
  }
  return n;
}

/**
 * Parses one directive list such as `chunk=7,delay=5` (a surrounding
 * `[[sim:...]]` is accepted too). Unknown keys throw: a typo should fail loudly
 * instead of silently running the default behaviour.
 * @param {string} spec
 * @returns {Directives}
 */
export function parseDirectives(spec) {
  const inner = spec.trim().replace(/^\[\[sim:/, '').replace(/\]\]$/, '');
  /** @type {Directives} */
  const out = {};
  for (const item of inner.split(',')) {
    const part = item.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : part.slice(eq + 1).trim();
    switch (key) {
      case 'error': {
        const status = integer(key, value, 400, 599);
        if (!DIRECTIVE_ERROR_STATUSES.includes(status)) {
          throw new DirectiveError(`sim directive error=${status} is not one of ${DIRECTIVE_ERROR_STATUSES.join(', ')}`);
        }
        out.error = status;
        break;
      }
      case 'quota':
        out.error = 429;
        out.quota = true;
        break;
      case 'json': {
        const variant = (value ?? '').toLowerCase();
        if (!JSON_VARIANTS.includes(variant)) throw new DirectiveError(`sim directive json needs one of ${JSON_VARIANTS.join(', ')}`);
        out.json = /** @type {'valid' | 'invalid' | 'broken'} */ (variant);
        break;
      }
      case 'retry-after':
      case 'retry_after':
        out.retryAfter = integer(key, value, 0, 3600);
        break;
      case 'midstream': {
        const name = (value ?? 'overloaded').toLowerCase();
        out.midstream = name === 'overloaded' ? 'overloaded_error' : name.endsWith('_error') ? name : `${name}_error`;
        break;
      }
      case 'truncate':
        out.truncate = value === undefined ? true : integer(key, value, 1, 1_000_000);
        break;
      case 'deltas':
        out.deltas = integer(key, value, 0, MAX_DELTAS);
        break;
      case 'chunk':
        out.chunk = integer(key, value, 1, 1 << 20);
        break;
      case 'split':
        if (value !== 'random') throw new DirectiveError('sim directive split only supports split=random');
        out.split = 'random';
        break;
      case 'delay':
        out.delay = integer(key, value, 0, 60_000);
        break;
      case 'hang':
        out.hang = true;
        break;
      case 'stop':
        if (value === undefined || !STOP_REASONS.includes(value)) {
          throw new DirectiveError(`sim directive stop needs one of ${STOP_REASONS.join(', ')}`);
        }
        out.stop = value;
        break;
      default:
        throw new DirectiveError(`unknown sim directive ${JSON.stringify(key)}`);
    }
  }
  return out;
}

/**
 * Parses several marker contents and merges them; later ones win.
 * @param {string[]} specs
 * @returns {Directives}
 */
export function parseDirectiveList(specs) {
  return Object.assign({}, ...specs.map(parseDirectives));
}

/**
 * Scripted directives overridden by the request's inline markers.
 * @param {Directives} scripted
 * @param {string[]} specs marker contents from the last user message
 * @returns {{ directives: Directives } | { problem: string }}
 */
export function mergeDirectives(scripted, specs) {
  try {
    return { directives: { ...scripted, ...parseDirectiveList(specs) } };
  } catch (error) {
    if (error instanceof DirectiveError) return { problem: error.message };
    throw error;
  }
}
