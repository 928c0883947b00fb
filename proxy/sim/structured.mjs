// Structured output for the simulators: a JSON document generated
// deterministically from the requested JSON Schema (or Gemini's OpenAPI
// subset), plus two faulty variants so clients can test their schema checks:
// `json=invalid` (valid JSON that violates the schema) and `json=broken` (text
// that is not JSON at all).
import { isRecord } from './conversation.mjs';

/** Nesting deeper than this (recursive `$ref`s) ends in empty values. */
const MAX_DEPTH = 12;

// Caps on what one document may hold. Any web page can reach the simulator,
// so a schema asking for more (`minItems: 1e9`, `minLength: 3e5`, arrays of
// arrays of arrays) is answered with a 400 naming the cap instead of blocking
// the event loop or running the process out of memory.
/** Most items one array may be asked to hold (`minItems`). */
export const MAX_ARRAY_ITEMS = 100;
/** Longest string a schema may ask for (`minLength`, in code points). */
export const MAX_STRING_LENGTH = 10_000;
/** Most values (objects, arrays, scalars) in one document. */
export const MAX_NODES = 10_000;
/** Longest document, in characters of its string values (long prompt words count). */
export const MAX_DOCUMENT_CHARS = 1_000_000;
/** Most `$ref`/`allOf`/`anyOf` steps taken to find one value's schema (self-references loop). */
const MAX_SCHEMA_HOPS = 64;
/** Most schema keywords read while merging `allOf`s and following branches, per document. */
const MAX_SCHEMA_WORK = 1_000_000;

/** A schema asks for more than one of the caps above; carries the 400's message. */
export class StructuredLimitError extends Error {}

/** Example values for string `format`s a validator might check. */
/** @type {Record<string, string>} */
const FORMATS = {
  'date-time': '2026-01-01T00:00:00Z',
  date: '2026-01-01',
  time: '00:00:00Z',
  email: 'user@example.com',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '00000000-0000-4000-8000-000000000000',
};

/**
 * @typedef {object} Context
 * @property {Record<string, any>} root the whole schema, for local `$ref`s
 * @property {() => string} word the next prompt word (cycling)
 * @property {number} nodes values generated so far
 * @property {number} chars characters of string values generated so far
 * @property {number} work schema keywords read so far (allOf merges, branch picks)
 */

/**
 * Counts schema work; throws once a document needs more than MAX_SCHEMA_WORK.
 * @param {Context} ctx
 * @param {number} amount
 */
function spend(ctx, amount) {
  ctx.work += amount;
  if (ctx.work > MAX_SCHEMA_WORK) {
    throw new StructuredLimitError(`response schema is too complex: resolving its $ref, allOf and anyOf takes more than ${MAX_SCHEMA_WORK} steps`);
  }
}

/**
 * @param {number} hops
 */
function checkHops(hops) {
  if (hops > MAX_SCHEMA_HOPS) {
    throw new StructuredLimitError(`response schema nests $ref, allOf and anyOf more than ${MAX_SCHEMA_HOPS} deep (a schema that refers to itself without properties or items in between?)`);
  }
}

/**
 * One JSON-pointer token of a `$ref`, percent-decoded when that is valid.
 * @param {string} raw
 */
function decodePointer(raw) {
  let key = raw;
  try {
    key = decodeURIComponent(raw);
  } catch {
    // A stray `%` (malformed escape) is taken literally.
  }
  return key.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Follows a local `$ref` (`#`, `#/$defs/X`, `#/definitions/X`, any `#/a/b` pointer).
 * @param {unknown} schema
 * @param {Context} ctx
 * @returns {Record<string, any>}
 */
function resolve(schema, ctx) {
  let current = schema;
  for (let hops = 0; isRecord(current) && typeof current.$ref === 'string' && hops < MAX_DEPTH; hops += 1) {
    const ref = current.$ref;
    if (!ref.startsWith('#')) return {};
    /** @type {unknown} */
    let target = ctx.root;
    for (const raw of ref.slice(1).split('/').filter(Boolean)) {
      const key = decodePointer(raw);
      target = isRecord(target) || Array.isArray(target) ? /** @type {any} */ (target)[key] : undefined;
    }
    current = target;
  }
  return isRecord(current) ? current : {};
}

/**
 * The declared type in lower case (Gemini writes "STRING"), taking the first
 * non-null entry of a type list; undefined when the schema declares none.
 * @param {Record<string, any>} schema
 * @returns {string | undefined}
 */
export function declaredType(schema) {
  const list = Array.isArray(schema.type) ? schema.type.map((t) => (typeof t === 'string' ? t.toLowerCase() : t)) : [schema.type];
  const raw = list.find((t) => t !== 'null') ?? list[0];
  return typeof raw === 'string' ? raw.toLowerCase() : undefined;
}

/**
 * The declared type, else one inferred from other keywords (default string).
 * @param {Record<string, any>} schema
 * @returns {string}
 */
function schemaType(schema) {
  const declared = declaredType(schema);
  if (declared) return declared;
  if (isRecord(schema.properties)) return 'object';
  if (schema.items !== undefined || Array.isArray(schema.prefixItems)) return 'array';
  return 'string';
}

/**
 * `allOf` merged into one schema (properties and required lists joined).
 * @param {Record<string, any>} schema
 * @param {Context} ctx
 * @param {number} [hops] allOf levels already merged
 */
function flatten(schema, ctx, hops = 0) {
  if (!Array.isArray(schema.allOf)) return schema;
  checkHops(hops);
  spend(ctx, schema.allOf.length);
  const { allOf, ...rest } = schema;
  /** @type {Record<string, any>} */
  const merged = { ...rest };
  for (const part of allOf.map((s) => flatten(resolve(s, ctx), ctx, hops + 1))) {
    spend(ctx, sizeOf(merged.properties) + sizeOf(part.properties) + sizeOf(merged.required) + sizeOf(part.required) + sizeOf(part));
    merged.properties = { ...merged.properties, ...part.properties };
    merged.required = [...listOf(merged.required), ...listOf(part.required)];
    for (const [k, v] of Object.entries(part)) if (!(k in merged)) merged[k] = v;
  }
  return merged;
}

/**
 * Whether a listed property name can be looked up with `in`: any JSON
 * primitive (an object would be converted, and `{"toString": 1}` throws).
 * @param {unknown} k
 * @returns {k is string | number | boolean | null}
 */
const isKey = (k) => k === null || typeof k !== 'object';

/**
 * The value when it is an array, else an empty list.
 * @param {unknown} value
 * @returns {unknown[]}
 */
const listOf = (value) => (Array.isArray(value) ? value : []);

/**
 * How many entries a spread of the value copies (0 for non-objects).
 * @param {unknown} value
 */
const sizeOf = (value) => (Array.isArray(value) ? value.length : isRecord(value) ? Object.keys(value).length : 0);

/**
 * Picks the schema an instance is generated from: `$ref` followed, `allOf`
 * merged, the first non-null branch of `anyOf`/`oneOf`.
 * @param {unknown} schema
 * @param {Context} ctx
 * @param {number} [hops] branches already followed
 * @returns {Record<string, any>}
 */
function effective(schema, ctx, hops = 0) {
  checkHops(hops);
  const resolved = flatten(resolve(schema, ctx), ctx);
  const branches = resolved.anyOf ?? resolved.oneOf;
  if (!Array.isArray(branches) || branches.length === 0) return resolved;
  const { anyOf: _a, oneOf: _o, ...rest } = resolved;
  spend(ctx, branches.length);
  const pick = branches.find((b) => declaredType(resolve(b, ctx)) !== 'null') ?? branches[0];
  const picked = resolve(pick, ctx);
  spend(ctx, sizeOf(rest) + sizeOf(picked));
  return effective({ ...rest, ...picked }, ctx, hops + 1);
}

/**
 * A number within `minimum`/`maximum` (either `exclusive*` style), preferring 1.
 * @param {Record<string, any>} s
 * @param {boolean} integer
 * @param {number} [offset] added for the i-th item of an array (uniqueItems)
 */
export function numberFor(s, integer, offset = 0) {
  const step = integer ? 1 : 0.5;
  let low = typeof s.minimum === 'number' ? s.minimum : -Infinity;
  if (typeof s.exclusiveMinimum === 'number') low = Math.max(low, s.exclusiveMinimum + step);
  else if (s.exclusiveMinimum === true && Number.isFinite(low)) low += step;
  let high = typeof s.maximum === 'number' ? s.maximum : Infinity;
  if (typeof s.exclusiveMaximum === 'number') high = Math.min(high, s.exclusiveMaximum - step);
  else if (s.exclusiveMaximum === true && Number.isFinite(high)) high -= step;
  let value = Math.min(Math.max(1 + offset, low), high);
  if (integer) value = Math.ceil(value) <= high ? Math.ceil(value) : Math.floor(value);
  if (typeof s.multipleOf === 'number' && s.multipleOf > 0) value = Math.ceil(value / s.multipleOf) * s.multipleOf;
  return value;
}

/**
 * A string of prompt words honouring `format`, `minLength` and `maxLength`.
 * @param {Record<string, any>} s
 * @param {Context} ctx
 */
function stringFor(s, ctx) {
  if (typeof s.format === 'string' && Object.hasOwn(FORMATS, s.format)) return FORMATS[s.format];
  const min = Number.isInteger(s.minLength) ? s.minLength : 0;
  const max = Number.isInteger(s.maxLength) ? s.maxLength : Infinity;
  if (min > MAX_STRING_LENGTH) {
    throw new StructuredLimitError(`response schema asks for a string of ${min} characters (minLength); the simulator generates at most ${MAX_STRING_LENGTH} characters per string`);
  }
  // Words are collected and counted one by one (code points, as before),
  // then joined once: recounting the growing string was quadratic.
  const first = ctx.word();
  const words = [first];
  let length = codePoints(first);
  while (length < min) {
    const word = ctx.word();
    words.push(word);
    length += 1 + codePoints(word);
  }
  const text = words.join(' ');
  const out = length > max ? Array.from(text).slice(0, max).join('') : text;
  ctx.chars += Math.min(length, max);
  if (ctx.chars > MAX_DOCUMENT_CHARS) {
    throw new StructuredLimitError(`the structured document would hold more than ${MAX_DOCUMENT_CHARS} characters of strings (long prompt words, or many long strings); the simulator generates at most ${MAX_DOCUMENT_CHARS} characters of strings per document`);
  }
  return out;
}

/**
 * The number of code points in a string (what `Array.from(text).length`
 * counts) without building the array.
 * @param {string} text
 */
function codePoints(text) {
  const pairs = text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g);
  return text.length - (pairs ? pairs.length : 0);
}

/**
 * @param {unknown} schema
 * @param {Context} ctx
 * @param {number} depth
 * @param {number} [offset] position inside an array, to keep unique items apart
 * @returns {unknown}
 */
function generate(schema, ctx, depth, offset = 0) {
  ctx.nodes += 1;
  if (ctx.nodes > MAX_NODES) {
    throw new StructuredLimitError(`the structured document would hold more than ${MAX_NODES} values (nested arrays multiply their minItems; so do many properties and recursive $refs); the simulator generates at most ${MAX_NODES} values per document`);
  }
  const s = effective(schema, ctx);
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  const type = schemaType(s);
  switch (type) {
    case 'object': {
      /** @type {Record<string, unknown>} */
      const out = {};
      if (depth >= MAX_DEPTH) return out;
      const properties = isRecord(s.properties) ? s.properties : {};
      const order = Array.isArray(s.propertyOrdering) ? s.propertyOrdering.filter((k) => isKey(k) && k in properties) : [];
      const ordered = new Set(order);
      for (const key of [...order, ...Object.keys(properties).filter((k) => !ordered.has(k))]) {
        out[key] = generate(properties[key], ctx, depth + 1);
      }
      return out;
    }
    case 'array': {
      if (depth >= MAX_DEPTH) return [];
      const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
      const out = prefix.map((item, i) => generate(item, ctx, depth + 1, i));
      const itemSchema = Array.isArray(s.items) ? s.additionalItems : s.items;
      const max = Number.isInteger(s.maxItems) ? s.maxItems : Infinity;
      const wanted = Math.min(Math.max(1, Number.isInteger(s.minItems) ? s.minItems : 0), max);
      if (wanted > MAX_ARRAY_ITEMS && itemSchema !== false) {
        throw new StructuredLimitError(`response schema asks for an array of ${wanted} items (minItems); the simulator generates at most ${MAX_ARRAY_ITEMS} items per array`);
      }
      while (out.length < wanted && itemSchema !== false) out.push(generate(itemSchema ?? {}, ctx, depth + 1, out.length));
      return out.slice(0, max);
    }
    case 'integer':
    case 'number':
      return numberFor(s, type === 'integer', offset);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return stringFor(s, ctx);
  }
}

/**
 * A value of the wrong type for the schema (a number where a string is
 * expected, a string anywhere else).
 * @param {Record<string, any>} s
 */
function wrongValue(s) {
  return schemaType(s) === 'string' ? 1 : 'invalid';
}

/**
 * Turns a valid document into one that violates the schema: the first
 * required property is dropped and the first remaining property gets a value
 * of the wrong type; a non-object document is replaced by a wrongly typed value.
 * @param {unknown} schema
 * @param {unknown} value
 * @param {Context} ctx
 */
function violate(schema, value, ctx) {
  const s = effective(schema, ctx);
  if (schemaType(s) !== 'object' || !isRecord(value)) return wrongValue(s);
  const out = { ...value };
  const required = (Array.isArray(s.required) ? s.required : []).filter((k) => isKey(k) && k in out);
  if (required.length > 0) delete out[required[0]];
  const [next] = Object.keys(out);
  const properties = isRecord(s.properties) ? s.properties : {};
  if (next !== undefined) out[next] = wrongValue(effective(properties[next], ctx));
  return required.length > 0 || next !== undefined ? out : wrongValue(s);
}

/**
 * @param {Record<string, any>} schema
 * @param {string[]} words
 * @returns {Context}
 */
function contextFor(schema, words) {
  let next = 0;
  return { root: schema, word: () => (words.length === 0 ? 'text' : words[next++ % words.length] ?? 'text'), nodes: 0, chars: 0, work: 0 };
}

/**
 * Why the simulator will not generate a document for this schema (it asks
 * for more than the caps above), or null. Checked on every request that
 * carries a schema, whatever the reply turns out to be, so the same schema
 * always gets the same answer; string values count as one-letter words here
 * (structuredText still throws StructuredLimitError when long prompt words
 * push a document past MAX_DOCUMENT_CHARS).
 * @param {Record<string, any>} schema
 * @returns {string | null}
 */
export function structuredSchemaProblem(schema) {
  const ctx = contextFor(schema, ['x']);
  try {
    violate(schema, generate(schema, ctx, 0), ctx);
    return null;
  } catch (error) {
    if (error instanceof StructuredLimitError) return error.message;
    throw error;
  }
}

/**
 * The reply text of a structured-output request.
 * @param {Record<string, any> | null} schema the requested schema; null for
 *   schema-less JSON mode, answered with `{"reply": <fallback>}`
 * @param {string} prompt source of the string values (its words, in order, cycling)
 * @param {string} fallback the plain-text reply, used without a schema
 * @param {'valid' | 'invalid' | 'broken'} variant
 * @returns {string}
 * @throws {StructuredLimitError} when the document would exceed a cap
 */
export function structuredText(schema, prompt, fallback, variant) {
  const words = prompt.match(/[\p{L}\p{N}][\p{L}\p{N}'’_-]*/gu) ?? [];
  const ctx = contextFor(schema ?? {}, words);
  const valid = schema ? generate(schema, ctx, 0) : { reply: fallback };
  if (variant === 'broken') return `Sure! Here is the JSON you asked for: ${JSON.stringify(valid).slice(0, -1)}`;
  if (variant === 'invalid') return JSON.stringify(schema ? violate(schema, valid, ctx) : [fallback]);
  return JSON.stringify(valid);
}
