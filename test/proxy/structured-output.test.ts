// @vitest-environment node
// Structured output on all four APIs: a JSON document generated from the
// requested schema, plus `json=invalid` (valid JSON violating the schema) and
// `json=broken` (not JSON at all), so clients can test their schema checks.
import { describe, expect, it } from 'vitest';
import { CHAT_PATH, OPENAI_HEADERS, chat, gemini, geminiPath, GEMINI_HEADERS, headersFor, pathFor, post, postMessages, streamApi, streamTurn } from './clients';
import { ADAPTERS, structuredBody, type AnyApi } from './conversations';
import { simulatedProxy } from './helpers';

const proxy = simulatedProxy();

const SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    temperature: { type: 'number' },
    rainy: { type: 'boolean' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    tags: { type: 'array', items: { type: 'string' } },
    details: { type: 'object', properties: { wind: { type: 'integer' }, note: { type: ['string', 'null'] } }, required: ['wind'], additionalProperties: false },
  },
  required: ['city', 'temperature', 'unit'],
  additionalProperties: false,
};
const PROMPT = 'Weather report for Paris today';
/** Strings are the prompt's words in order; numbers 1, booleans true, enums their first value, arrays one item. */
const EXPECTED = { city: 'Weather', temperature: 1, rainy: true, unit: 'celsius', tags: ['report'], details: { wind: 1, note: 'for' } };

/** The reply text of a streamed structured-output request. */
async function replyText(api: AnyApi, prompt: string, schema: Record<string, unknown> = SCHEMA): Promise<string> {
  const body = structuredBody(api, prompt, schema);
  if (api === 'anthropic') return (await streamTurn(proxy.url, body)).reply.text;
  const { response, reply } = await streamApi(proxy.url, api, body);
  expect(response.status).toBe(200);
  expect(reply.complete).toBe(true);
  return reply.text;
}

describe.each(['anthropic', 'chat', 'responses', 'gemini'] as const)('%s', (api) => {
  it('answers a JSON document generated from the schema', async () => {
    expect(JSON.parse(await replyText(api, PROMPT))).toEqual(EXPECTED);
  });

  it('json=invalid: valid JSON missing a required property, with a wrong type', async () => {
    const doc = JSON.parse(await replyText(api, `${PROMPT} [[sim:json=invalid]]`)) as Record<string, unknown>;
    expect(doc).not.toHaveProperty('city');
    expect(typeof doc.temperature).toBe('string');
    expect(doc).toMatchObject({ unit: 'celsius', rainy: true });
  });

  it('json=broken: text that is not JSON', async () => {
    const text = await replyText(api, `${PROMPT} [[sim:json=broken]]`);
    expect(text.startsWith('Sure! Here is the JSON you asked for: {"city":"Weather"')).toBe(true);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });
});

describe('schema coverage', () => {
  it('follows $ref, const, anyOf, allOf, formats and numeric and length bounds', async () => {
    const schema = {
      type: 'object',
      $defs: { point: { type: 'object', properties: { x: { type: 'integer', minimum: 5 }, y: { type: 'number', exclusiveMaximum: 0 } }, required: ['x', 'y'] } },
      properties: {
        origin: { $ref: '#/$defs/point' },
        kind: { const: 'fixed' },
        label: { anyOf: [{ type: 'null' }, { type: 'string', minLength: 12, maxLength: 14 }] },
        when: { type: 'string', format: 'date-time' },
        points: { type: 'array', items: { $ref: '#/$defs/point' }, minItems: 2, maxItems: 3 },
        both: { allOf: [{ properties: { a: { type: 'boolean' } } }, { properties: { b: { type: 'integer', maximum: 0 } } }] },
      },
    };
    expect(JSON.parse(await replyText('chat', 'Plot alpha beta', schema))).toEqual({
      origin: { x: 5, y: -0.5 }, kind: 'fixed', label: 'Plot alpha bet', when: '2026-01-01T00:00:00Z',
      points: [{ x: 5, y: -0.5 }, { x: 5, y: -0.5 }], both: { a: true, b: 0 },
    });
  });

  it('Gemini responseSchema: upper-case OpenAPI types and propertyOrdering', async () => {
    const responseSchema = {
      type: 'OBJECT',
      properties: { name: { type: 'STRING' }, count: { type: 'INTEGER' }, tags: { type: 'ARRAY', items: { type: 'STRING' } }, mood: { type: 'STRING', enum: ['happy', 'sad'] } },
      propertyOrdering: ['tags', 'name', 'count', 'mood'],
      required: ['name'],
    };
    const body = gemini('Describe Ada', { generationConfig: { responseMimeType: 'application/json', responseSchema } });
    const res = await post(proxy.url, geminiPath('generateContent'), body, GEMINI_HEADERS);
    const text = ((await res.json()) as { candidates: { content: { parts: { text: string }[] } }[] }).candidates[0]?.content.parts[0]?.text;
    expect(text).toBe('{"tags":["Describe"],"name":"Ada","count":1,"mood":"happy"}');
  });

  it('schema-less JSON mode answers {"reply": ...}; json=invalid then gives an array', async () => {
    const plain = await streamApi(proxy.url, 'chat', chat('Hello', { response_format: { type: 'json_object' } }));
    expect(JSON.parse(plain.reply.text)).toEqual({ reply: 'You said: Hello (1 messages in context)' });
    const bad = await streamApi(proxy.url, 'gemini', gemini('Hello [[sim:json=invalid]]', { generationConfig: { responseMimeType: 'application/json' } }));
    expect(JSON.parse(bad.reply.text)).toEqual(['You said: Hello (1 messages in context)']);
  });

  it('tools still get called; the answer after the tool result is JSON; non-streaming too', async () => {
    const weather = { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'] };
    const tools = ADAPTERS.chat.tools("What's the weather in Paris?", { response_format: { type: 'json_schema', json_schema: { name: 'w', schema: weather } } });
    const first = await streamApi(proxy.url, 'chat', tools);
    expect(first.reply.text).toBe('Let me use get_weather.');
    const follow = ADAPTERS.chat.followUp("What's the weather in Paris?", first.reply, ['18 °C, sunny']);
    const second = await streamApi(proxy.url, 'chat', { ...follow, response_format: tools.response_format });
    // After tool results, strings come from the words of the results.
    expect(JSON.parse(second.reply.text)).toEqual({ summary: '18' });
    const json = await post(proxy.url, CHAT_PATH, chat(PROMPT, { stream: false, response_format: { type: 'json_schema', json_schema: { name: 'a', schema: SCHEMA } } }), OPENAI_HEADERS);
    expect(JSON.parse(((await json.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '')).toEqual(EXPECTED);
  });

  it('Anthropic: output_config.format needs a schema; the older output_format works too', async () => {
    const res = await postMessages(proxy.url, { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'x' }], output_config: { format: { type: 'json_schema' } } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('output_config.format.schema');
    const legacy = await streamTurn(proxy.url, { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: PROMPT }], output_format: { type: 'json_schema', schema: SCHEMA } });
    expect(JSON.parse(legacy.reply.text)).toEqual(EXPECTED);
  });
});

/** A structured-output request on any API, posted as is (streaming for all but Anthropic's default). */
async function postStructured(api: AnyApi, prompt: string, schema: Record<string, unknown>): Promise<Response> {
  const body = structuredBody(api, prompt, schema);
  return api === 'anthropic' ? postMessages(proxy.url, body) : post(proxy.url, pathFor(api), body, headersFor(api));
}

/** The 400's message in each API's own error format. */
async function errorMessage(api: AnyApi, res: Response): Promise<string> {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { type?: string; error: { message: string; type?: string; status?: string; code?: number } };
  if (api === 'anthropic') expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  else if (api === 'gemini') expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
  else expect(body.error.type).toBe('invalid_request_error');
  return body.error.message;
}

const nested = (levels: number, minItems: number): Record<string, unknown> =>
  levels === 0 ? { type: 'integer' } : { type: 'array', minItems, items: nested(levels - 1, minItems) };

// Claude's grammar takes none of these constraints: Anthropic refuses them first (below).
describe.each(['chat', 'responses', 'gemini'] as const)('size caps on %s', (api) => {
  it('an array of a billion items is a 400 naming the cap, not an out-of-memory crash', async () => {
    expect(await errorMessage(api, await postStructured(api, PROMPT, { type: 'array', minItems: 1_000_000_000 }))).toContain('at most 100 items per array');
  });

  it('a string of 300,000 characters is a 400 naming the cap, not a quadratic loop', async () => {
    expect(await errorMessage(api, await postStructured(api, PROMPT, { type: 'string', minLength: 300_000 }))).toContain('at most 10000 characters per string');
  });

  it('nested arrays multiply: 300 or even 100 items at three levels is a 400', async () => {
    expect(await errorMessage(api, await postStructured(api, PROMPT, nested(3, 300)))).toContain('at most 100 items per array');
    expect(await errorMessage(api, await postStructured(api, PROMPT, nested(3, 100)))).toContain('at most 10000 values per document');
  });
});

describe.each(['anthropic', 'chat', 'responses', 'gemini'] as const)('schema depth on %s', (api) => {
  it('self-referring allOf and anyOf are a 400, not a stack overflow', async () => {
    expect(await errorMessage(api, await postStructured(api, PROMPT, { allOf: [{ $ref: '#' }] }))).toContain('more than 64 deep');
    expect(await errorMessage(api, await postStructured(api, PROMPT, { anyOf: [{ $ref: '#' }] }))).toContain('more than 64 deep');
  });
});

describe("Anthropic's structured-output grammar", () => {
  it('refuses what it cannot enforce, as the real API does: open objects, bounds, lengths, counts over 1, oneOf', async () => {
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ type: 'object', properties: { a: { type: 'string' } } }, "'additionalProperties' must be false for objects (at '/')"],
      [{ type: 'object', properties: { a: { type: 'object', properties: {}, additionalProperties: true } }, additionalProperties: false }, "(at '/properties/a')"],
      [{ type: 'integer', minimum: 1 }, "'minimum' is not supported"],
      [{ type: 'string', maxLength: 5 }, "'maxLength' is not supported"],
      [{ type: 'array', items: { type: 'string' }, minItems: 2 }, "'minItems' values other than 0 or 1"],
      [{ oneOf: [{ type: 'string' }, { type: 'null' }] }, "'oneOf' is not supported"],
      [{ $defs: { n: { type: 'number', multipleOf: 2 } }, $ref: '#/$defs/n' }, "'multipleOf' is not supported (at '/$defs/n')"],
    ];
    for (const [schema, message] of refused) {
      expect(await errorMessage('anthropic', await postStructured('anthropic', PROMPT, schema)), JSON.stringify(schema)).toContain(message);
    }
    // Data is no schema: an enum or const value may hold any keys.
    const data = { type: 'object', properties: { a: { const: { minimum: 3 } }, b: { enum: [{ oneOf: 1 }] } }, additionalProperties: false };
    expect((await postStructured('anthropic', PROMPT, data)).status).toBe(200);
  });
});

describe('size caps', () => {
  it('schemas at the caps are answered in full', async () => {
    const schema = { type: 'object', properties: { s: { type: 'string', minLength: 10_000 }, a: nested(2, 98), b: { type: 'array', minItems: 100 } } };
    const doc = JSON.parse(await replyText('chat', PROMPT, schema)) as { s: string; a: number[][]; b: string[] };
    expect(doc.s.length).toBeGreaterThanOrEqual(10_000);
    expect(doc.s.startsWith('Weather report for Paris today Weather')).toBe(true);
    // 1 + 1 + (1 + 98 + 98 * 98) + (1 + 100) = 9,806 values, under the 10,000 cap.
    expect(doc.a).toHaveLength(98);
    expect(doc.a.every((row) => row.length === 98)).toBe(true);
    expect(doc.b).toHaveLength(100);
  });

  it('a schema over the caps is a 400 even when the reply is a tool call', async () => {
    const tools = ADAPTERS.chat.tools("What's the weather in Paris?", { response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object', properties: { a: { type: 'array', minItems: 101 } } } } } });
    expect(await errorMessage('chat', await post(proxy.url, CHAT_PATH, tools, OPENAI_HEADERS))).toContain('at most 100 items per array');
  });

  it('recursive $refs that fan out past the node cap are a 400', async () => {
    const properties = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, { $ref: '#' }]));
    expect(await errorMessage('gemini', await postStructured('gemini', PROMPT, { type: 'object', properties }))).toContain('at most 10000 values per document');
  });

  it('long prompt words cannot push a document past its character cap', async () => {
    const word = 'a'.repeat(600_000);
    const schema = { type: 'array', minItems: 2, items: { type: 'string' } };
    expect(await errorMessage('responses', await postStructured('responses', word, schema))).toContain('at most 1000000 characters of strings per document');
    expect(JSON.parse(await replyText('responses', word, { type: 'string' }))).toBe(word);
  });
});
