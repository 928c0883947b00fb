// @vitest-environment node
// Structured output on all four APIs: a JSON document generated from the
// requested schema, plus `json=invalid` (valid JSON violating the schema) and
// `json=broken` (not JSON at all), so clients can test their schema checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyServer } from '../../proxy/index';
import { CHAT_PATH, OPENAI_HEADERS, chat, gemini, geminiPath, GEMINI_HEADERS, post, postMessages, streamApi, streamTurn } from './clients';
import { ADAPTERS, structuredBody, type AnyApi } from './conversations';
import { SIMULATED } from './helpers';

let proxy: ProxyServer;
beforeAll(async () => {
  proxy = await startProxy({ port: 0, ...SIMULATED });
});
afterAll(async () => {
  await proxy.close();
});

const SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    temperature: { type: 'number' },
    rainy: { type: 'boolean' },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    tags: { type: 'array', items: { type: 'string' } },
    details: { type: 'object', properties: { wind: { type: 'integer' }, note: { type: ['string', 'null'] } }, required: ['wind'] },
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
