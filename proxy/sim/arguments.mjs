// Tool-call arguments read from the prompt, one property at a time: a place,
// an arithmetic expression, a number or a thing, chosen by the property's
// name, description and type. The rules stay simple enough that a test author
// can predict every value from the prompt alone. The prompt has to name the
// tool to select it, so every rule skips the names of the offered tools:
// "use the calculator" must never make "calculator" an argument.
import { isRecord } from './conversation.mjs';
import { declaredType, numberFor } from './structured.mjs';

/**
 * @typedef {import('./tools.mjs').SimTool} SimTool
 * @typedef {{ text: string, index: number }} Word a word of the prompt and where it starts
 *
 * @typedef {object} Reading the prompt, prepared once for all properties of a call
 * @property {string} prompt
 * @property {Word[]} words
 * @property {Set<string>} toolWords lower-case names of the offered tools and their parts
 */

/** A word: a letter or digit, then letters, digits, apostrophes, `_` or `-`. */
const WORD = /[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N}'’_-]*/gu;

/**
 * Words that never make an argument: function words, the verbs and politeness
 * of a request ("please use ... now"), and words that name tools in general.
 */
const STOP_WORDS = new Set(`
  a an the this that these those it its it's itself i i'm me my mine we us our you your he him his she her they them their
  what what's whats which who whom whose when where why how is are was were be been being am do does did done doing
  have has had having can could would should shall will may might must need needs want wants like i'd i'll let let's
  and or but nor so if then than else because as of in on at to for from by with without about into onto over under
  near up down out off again also just only very really too quite some any all each every both more most much many
  few no not yes ok okay please thanks thank now today tonight currently right here there anything something
  use using used call calling run running invoke tell show give get gets getting make find look see check try
  tool tools function functions api
`.split(/\s+/).filter(Boolean));

/** Property-name words that ask for a place. */
const PLACE_KEYS = new Set(['city', 'location', 'place', 'town', 'country', 'destination', 'origin', 'region', 'address']);
/** A description that asks for a place. */
const PLACE_HINT = /\b(?:city|cities|location|town|country)\b/i;
/** Place names follow these prepositions ("weather in Paris", "flights to Rome"). */
const PREPOSITIONS = ['in', 'for', 'at', 'to', 'from'];
/** Property-name words that want one preposition first: a destination is "to X", an origin "from X". */
/** @type {Record<string, string>} */
const PREFERRED_PREPOSITION = { destination: 'to', to: 'to', origin: 'from', from: 'from', departure: 'from', source: 'from' };

/** Property-name words that ask for an arithmetic expression. */
const MATH_KEYS = new Set(['expression', 'expr', 'formula', 'equation', 'calculation', 'math', 'arithmetic']);

/** Runs of characters an arithmetic expression is made of. */
const EXPRESSION_RUN = /[\d.()+\-*/%^ ]+/g;
/** A binary operator between operands: what makes a run arithmetic rather than a number. */
const BINARY_OPERATOR = /[\d.)]\s*[-+*/%^]\s*[-\d.(]/;

/** A number not glued to a preceding word ("base64") or decimal point; "1,000" reads as 1000. */
const NUMBER = /(?<![\p{L}\p{N}_.])-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?/gu;

/** Quoted text: "...", “...”, ‘...’, or '...' whose quotes are not apostrophes ("What's"). */
const QUOTED = /"([^"\n]+)"|“([^”\n]+)”|‘([^’\n]+)’|(?<![\p{L}\p{N}])'([^'\n]+)'(?![\p{L}\p{N}])/u;

/**
 * Words of a property or tool name: `departure_city`, `departureCity` and
 * `departure-city` all give ["departure", "city"].
 * @param {string} name
 */
function nameWords(name) {
  return name.replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * The lower-case names of all offered tools and every part of them, so no
 * rule returns "calculator" or "weather" for `calculator` and `get_weather`.
 * @param {SimTool[]} tools
 */
function toolWordsOf(tools) {
  /** @type {Set<string>} */
  const out = new Set();
  for (const { name } of tools) {
    out.add(name.toLowerCase());
    for (const part of nameWords(name)) out.add(part);
  }
  return out;
}

/**
 * @param {string} prompt
 * @param {SimTool[]} tools
 * @returns {Reading}
 */
function readPrompt(prompt, tools) {
  const words = Array.from(prompt.matchAll(WORD), (m) => ({ text: m[0].replace(/['’_-]+$/u, ''), index: m.index ?? 0 }));
  return { prompt, words, toolWords: toolWordsOf(tools) };
}

/**
 * Whether a value is empty or the name (or a name part) of an offered tool.
 * @param {Reading} reading
 * @param {string | undefined} value
 * @returns {value is undefined}
 */
function unusable(reading, value) {
  return value === undefined || value === '' || reading.toolWords.has(value.toLowerCase());
}

/**
 * Whether the word at `index` begins a sentence (the prompt, a line, or after . ! ? …).
 * Sentence-initial capitals say nothing about names.
 * @param {string} prompt
 * @param {number} index
 */
function startsSentence(prompt, index) {
  return /(?:^|[.!?…\n])["'“‘(\s]*$/u.test(prompt.slice(0, index));
}

/**
 * A capitalised word that can be part of a name: not a stop word ("I"), not a tool.
 * @param {Reading} reading
 * @param {Word | undefined} word
 */
function nameLike(reading, word) {
  if (!word || !/^\p{Lu}/u.test(word.text)) return false;
  const lower = word.text.toLowerCase();
  return !STOP_WORDS.has(lower) && !reading.toolWords.has(lower);
}

/**
 * The name-like words from position k on, while only blanks separate them
 * ("New York"), joined by single spaces; '' when word k is not name-like.
 * @param {Reading} reading
 * @param {number} k
 */
function nameFrom(reading, k) {
  const { prompt, words } = reading;
  const run = [];
  for (let i = k; nameLike(reading, words[i]); i += 1) {
    const word = /** @type {Word} */ (words[i]);
    const previous = words[i - 1];
    if (i > k && previous && !/^[ \t]+$/.test(prompt.slice(previous.index + previous.text.length, word.index))) break;
    run.push(word.text);
  }
  return run.join(' ');
}

/**
 * Capitalised word(s) right after one of the prepositions ("weather in New
 * York" → "New York", "the forecast for Paris?" → "Paris"), the first in the
 * prompt; `preferred` is tried first on its own.
 * @param {Reading} reading
 * @param {string | undefined} preferred
 */
function placeAfterPreposition(reading, preferred) {
  const { prompt, words } = reading;
  for (const prepositions of preferred ? [[preferred], PREPOSITIONS] : [PREPOSITIONS]) {
    for (const [k, word] of words.entries()) {
      const next = words[k + 1];
      if (!next || !prepositions.includes(word.text.toLowerCase())) continue;
      if (!/^\s+$/.test(prompt.slice(word.index + word.text.length, next.index))) continue;
      const name = nameFrom(reading, k + 1);
      if (name) return name;
    }
  }
  return undefined;
}

/**
 * The first capitalised word(s) that do not begin a sentence ("Is Paris
 * nice?" → "Paris"): what a name looks like without a preposition.
 * @param {Reading} reading
 */
function properName(reading) {
  for (const [k, word] of reading.words.entries()) {
    if (startsSentence(reading.prompt, word.index)) continue;
    const name = nameFrom(reading, k);
    if (name) return name;
  }
  return undefined;
}

/**
 * A place: capitalised word(s) after in/for/at/to/from, else the first
 * capitalised word(s) not beginning a sentence, else the plain-text rule.
 * @param {Reading} reading
 * @param {string} key
 */
function placeArgument(reading, key) {
  const preferred = nameWords(key).map((w) => PREFERRED_PREPOSITION[w]).find(Boolean);
  return placeAfterPreposition(reading, preferred) ?? properName(reading) ?? textArgument(reading);
}

/**
 * Drops parentheses a run picked up from the prose around it: "(use 2+2)" → "2+2".
 * @param {string} text
 */
function trimParentheses(text) {
  let out = text;
  for (;;) {
    const open = out.split('(').length - 1;
    const close = out.split(')').length - 1;
    if (open > close && out.startsWith('(')) out = out.slice(1).trim();
    else if (close > open && out.endsWith(')')) out = out.slice(0, -1).trim();
    else return out;
  }
}

/**
 * The arithmetic expression of the prompt: the longest run of digits,
 * operators (+ - * / % ^), parentheses, decimal points and spaces that holds
 * a binary operator ("What is 12 * (3 + 4)?" → "12 * (3 + 4)",
 * "compute 2+2 with the calculator" → "2+2"); else the plain-text rule.
 * @param {Reading} reading
 */
function expressionArgument(reading) {
  let best = '';
  for (const [run] of reading.prompt.matchAll(EXPRESSION_RUN)) {
    const candidate = trimParentheses(run.trim().replace(/\.+$/, '').trim());
    if (BINARY_OPERATOR.test(candidate) && candidate.length > best.length) best = candidate;
  }
  return best || textArgument(reading);
}

/**
 * Text after the first colon that is followed by a blank ("Translate this:
 * good morning" → "good morning"), to the end of its line, without closing
 * punctuation. A colon inside "09:00" or "https://" does not count.
 * @param {string} prompt
 */
function afterColon(prompt) {
  const match = /:[ \t]+([^\n]+)/.exec(prompt);
  return match?.[1]?.trim().replace(/[.!?…]+$/u, '').trim();
}

/**
 * The last word that is not a stop word, a tool name or a part of one
 * ("look up serendipity in the dictionary" → "serendipity").
 * @param {Reading} reading
 */
function lastContentWord(reading) {
  for (let i = reading.words.length - 1; i >= 0; i -= 1) {
    const text = reading.words[i]?.text ?? '';
    const lower = text.toLowerCase();
    if (!STOP_WORDS.has(lower) && !reading.toolWords.has(lower)) return text;
  }
  return undefined;
}

/**
 * A free-text value: quoted text, else the text after a colon, else a name
 * (capitalised word(s) not beginning a sentence), else the last remaining
 * word; '' when the prompt holds nothing but stop words and tool names.
 * @param {Reading} reading
 * @returns {string}
 */
function textArgument(reading) {
  const quoted = QUOTED.exec(reading.prompt)?.slice(1).find((group) => group !== undefined)?.trim();
  for (const value of [quoted, afterColon(reading.prompt), properName(reading), lastContentWord(reading)]) {
    if (!unusable(reading, value)) return value;
  }
  return '';
}

/**
 * Whether a number satisfies the schema's type and bounds.
 * @param {number} value
 * @param {Record<string, any>} schema
 * @param {boolean} integer
 */
function fits(value, schema, integer) {
  if (integer && !Number.isInteger(value)) return false;
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
  if (typeof minimum === 'number' && (value < minimum || (exclusiveMinimum === true && value === minimum))) return false;
  if (typeof maximum === 'number' && (value > maximum || (exclusiveMaximum === true && value === maximum))) return false;
  if (typeof exclusiveMinimum === 'number' && value <= exclusiveMinimum) return false;
  return !(typeof exclusiveMaximum === 'number' && value >= exclusiveMaximum);
}

/**
 * The first number of the prompt that fits ("roll a dice with 20 sides" →
 * 20; an integer property skips 2.5), else 1 kept within the bounds (so the
 * minimum when 1 is below it).
 * @param {Reading} reading
 * @param {Record<string, any>} schema
 * @param {boolean} integer
 */
function numberArgument(reading, schema, integer) {
  for (const [text] of reading.prompt.matchAll(NUMBER)) {
    const value = Number(text.replace(/,/g, ''));
    if (Number.isFinite(value) && fits(value, schema, integer)) return value;
  }
  return numberFor(schema, integer);
}

/**
 * What a string property asks for, from its name words and description.
 * @param {string} key
 * @param {Record<string, any>} schema
 * @returns {'math' | 'place' | 'text'}
 */
function stringKind(key, schema) {
  const keyWords = nameWords(key);
  const description = typeof schema.description === 'string' ? schema.description : '';
  if (keyWords.some((w) => MATH_KEYS.has(w)) || (/\bexpression\b/i.test(description) && !/\bregular\s+expression/i.test(description))) return 'math';
  if (keyWords.some((w) => PLACE_KEYS.has(w)) || PLACE_HINT.test(description)) return 'place';
  return 'text';
}

/**
 * @param {Reading} reading
 * @param {string} key
 * @param {Record<string, any>} schema
 * @returns {unknown}
 */
function propertyValue(reading, key, schema) {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (declaredType(schema)) {
    case 'string': {
      const kind = stringKind(key, schema);
      return kind === 'math' ? expressionArgument(reading) : kind === 'place' ? placeArgument(reading, key) : textArgument(reading);
    }
    case 'number': return numberArgument(reading, schema, false);
    case 'integer': return numberArgument(reading, schema, true);
    case 'boolean': return true;
    case 'array': return [];
    case 'object': return {};
    default: return null;
  }
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
 * Arguments for a tool call. A JSON object literal in the prompt is used as
 * is. Otherwise each required property (all properties when none are
 * required) is read from the prompt:
 * - `enum` → its first value; boolean → true; array → []; object → {};
 *   no type → null;
 * - number/integer → the first number of the prompt that is of the right
 *   kind and within `minimum`/`maximum` (`exclusive*` too): "roll a dice with
 *   20 sides" → 20; else 1 kept within the bounds (the minimum when 1 is below it);
 * - string named like an arithmetic expression (a name word expression, expr,
 *   formula, equation, calculation, math or arithmetic, or a description
 *   mentioning an expression, but not a regular one) → the longest run of
 *   digits, + - * / % ^, parentheses, decimal points and spaces holding an
 *   operator: "What is 12 * (3 + 4)?" → "12 * (3 + 4)";
 * - string naming a place (a name word city, location, place, town, country,
 *   destination, origin, region or address, or a description mentioning a
 *   city, town, country or location) → capitalised word(s) after in, for, at,
 *   to or from, the first in the prompt ("weather in New York" → "New York",
 *   "What's the forecast for Paris?" → "Paris"; a destination tries "to"
 *   first, an origin or departure "from"), else the first capitalised word(s)
 *   that do not begin a sentence;
 * - any other string (and the two above when the prompt has no such value) →
 *   text in "...", '...', “...” or ‘...’, else the text after a colon to the
 *   end of the line, else the first capitalised word(s) not beginning a
 *   sentence, else the last word that is not a stop word ("the", "please",
 *   "now", "use", ...), else ''.
 * The names of the offered tools and their `_`/`-`/camelCase parts are never
 * a value: "use the calculator" does not give "calculator".
 * @param {SimTool} tool
 * @param {string} prompt
 * @param {SimTool[]} [tools] every tool the request offers (their names are never values)
 * @returns {Record<string, unknown>}
 */
export function buildToolInput(tool, prompt, tools = [tool]) {
  const literal = findJsonObject(prompt);
  if (literal) return literal;
  const properties = /** @type {Record<string, Record<string, unknown>>} */ (
    isRecord(tool.schema.properties) ? tool.schema.properties : {}
  );
  const required = Array.isArray(tool.schema.required) ? tool.schema.required.filter((k) => typeof k === 'string') : [];
  const keys = required.length > 0 ? required : Object.keys(properties);
  const reading = readPrompt(prompt, tools.includes(tool) ? tools : [...tools, tool]);
  /** @type {Record<string, unknown>} */
  const input = {};
  for (const key of keys) input[key] = propertyValue(reading, key, isRecord(properties[key]) ? properties[key] : {});
  return input;
}
