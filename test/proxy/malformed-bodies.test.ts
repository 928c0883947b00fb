// @vitest-environment node
// Bodies of the wrong shape, from any web page that can reach the simulator:
// each is a 400 in the API's own error format, never a 500 or a dropped stream.
import { describe, expect, it } from 'vitest';
import { API_HEADERS, CHAT_PATH, GEMINI_HEADERS, OPENAI_HEADERS, RESPONSES_PATH, chat, gemini, geminiPath, messages, post, responses } from './clients';
import { simulatedProxy } from './helpers';

const proxy = simulatedProxy();

type Json = Record<string, unknown>;
interface GoogleError { error: { code: number; message: string; status: string } }

const u = [{ role: 'user', parts: [{ text: 'hi' }] }];

describe.each(['generateContent', 'streamGenerateContent'] as const)('Gemini %s', (verb) => {
  it.each([
    ['functionDeclarations true', { contents: u, tools: [{ functionDeclarations: true }] }, /Invalid value at 'tools\[0\]\.function_declarations'.*, true$/],
    ['functionDeclarations a string', { contents: u, tools: [{ functionDeclarations: 'abc' }] }, /Invalid value at 'tools\[0\]\.function_declarations'.*, "abc"$/],
    ['a declaration named false', { contents: u, tools: [{ functionDeclarations: [{ name: false }] }] }, /function_declarations\[0\]\.name: Invalid function name/],
    ['a null system instruction part', { contents: u, systemInstruction: { parts: [null] } }, /Invalid value at 'system_instruction\.parts\[0\]'.*Part\), null$/],
    ['a null part', { contents: [{ role: 'user', parts: [null] }] }, /Invalid value at 'contents\[0\]\.parts\[0\]'.*Part\), null$/],
    ['a part that is a list', { contents: [{ role: 'user', parts: [[]] }] }, /Invalid value at 'contents\[0\]\.parts\[0\]'.*Part\), list$/],
    ['text that is an object', { contents: u, systemInstruction: { parts: [{ text: { toString: 1 } }] } }, /Invalid value at 'system_instruction\.parts\[0\]\.text' \(TYPE_STRING\), object$/],
  ])('%s → 400 INVALID_ARGUMENT', async (_name, body, message) => {
    const res = await post(proxy.url, geminiPath(verb, undefined, 'gemini-3-pro'), body, GEMINI_HEADERS);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as GoogleError;
    expect(error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(error.message).toMatch(message);
  });
});

/** Every simulated route: path, headers, a small valid body carrying `extra`. */
const ROUTES = {
  anthropic: ['/anthropic/v1/messages', API_HEADERS, (extra: Json) => messages('hi', extra)],
  chat: [CHAT_PATH, OPENAI_HEADERS, (extra: Json) => chat('hi', extra)],
  responses: [RESPONSES_PATH, OPENAI_HEADERS, (extra: Json) => responses('hi', extra)],
  geminiGenerate: [geminiPath('generateContent'), GEMINI_HEADERS, (extra: Json) => gemini('hi', extra)],
  geminiStream: [geminiPath('streamGenerateContent', '?alt=sse'), GEMINI_HEADERS, (extra: Json) => gemini('hi', extra)],
} as const satisfies Record<string, readonly [string, Record<string, string>, (extra: Json) => Json]>;

/** A JSON text nesting arrays `depth` deep. */
const nestedArrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe.each(Object.entries(ROUTES))('%s', (_route, [path, headers, body]) => {
  it('a body nested 20,000 deep is a 400, not a stack overflow', async () => {
    const text = JSON.stringify(body({ metadata_extra: 'DEEP' })).replace('"DEEP"', nestedArrays(20_000));
    const res = await post(proxy.url, path, text, headers);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('more than 256 levels deep');
  });

  it('nesting up to 256 levels is accepted', async () => {
    const text = JSON.stringify(body({ metadata_extra: 'DEEP' })).replace('"DEEP"', nestedArrays(250));
    const res = await post(proxy.url, path, text, headers);
    expect(res.status).toBe(200);
    await res.text();
  });
});

/** `String()` throws on a JSON object with its own `toString` or `valueOf` key. */
const UNPRINTABLE = { toString: 1, valueOf: 1 };

describe('values String() cannot convert', () => {
  it.each([
    ['an image media_type', 'anthropic', messages([{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: UNPRINTABLE, data: 'AA' } }] }]), 200],
    ['a tool_choice name', 'anthropic', messages('hi', { tool_choice: { type: 'tool', name: UNPRINTABLE } }), 200],
    ['a message role', 'responses', responses([{ role: UNPRINTABLE, content: 'hi' }]), 400],
    ['a message role', 'chat', chat([{ role: UNPRINTABLE, content: 'hi' }]), 400],
    ['a tool name', 'chat', chat('hi', { tools: [{ type: 'function', function: { name: UNPRINTABLE } }] }), 400],
    ['an unanswered tool call id', 'chat', chat([{ role: 'user', content: 'hi' }, { role: 'assistant', content: null, tool_calls: [{ id: UNPRINTABLE, type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'user', content: 'x' }]), 400],
    ['a tool-call id', 'chat', chat([{ role: 'user', content: 'hi' }, { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: UNPRINTABLE, arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'ok' }]), 200],
    ['a function-calling mode', 'geminiGenerate', gemini('hi', { toolConfig: { functionCallingConfig: { mode: UNPRINTABLE } } }), 200],
    ['an inline data mime type', 'geminiStream', gemini([{ role: 'user', parts: [{ inlineData: { mimeType: UNPRINTABLE, data: 'AA' } }] }]), 200],
  ] as const)('%s on %s → %s', async (_what, route, body, status) => {
    const [path, headers] = ROUTES[route];
    const res = await post(proxy.url, path, body, headers);
    expect(res.status).toBe(status);
    await res.text();
  });
});

describe('structured-output schemas of the wrong shape', () => {
  const ask = (schema: unknown) => post(proxy.url, CHAT_PATH, chat('alpha beta', { stream: false, response_format: { type: 'json_schema', json_schema: { name: 'a', schema } } }), OPENAI_HEADERS);
  const content = async (res: Response): Promise<unknown> => {
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    return JSON.parse(body.choices[0]?.message.content ?? '');
  };

  it.each([
    ['propertyOrdering holding an object', { properties: { a: { type: 'integer' } }, propertyOrdering: [UNPRINTABLE, 'a'] }, { a: 1 }],
    ['an allOf part whose required is a number', { allOf: [{ properties: { a: { type: 'integer' } }, required: 5 }] }, { a: 1 }],
    ['a $ref with a malformed percent escape', { properties: { a: { $ref: '#/%E0' } } }, { a: 'alpha' }],
    ['a type list holding an object', { properties: { a: { type: [UNPRINTABLE, 'integer'] } } }, { a: 'alpha' }],
    ['format naming an Object method', { properties: { a: { type: 'string', format: 'toString' } } }, { a: 'alpha' }],
  ])('%s', async (_what, schema, expected) => {
    expect(await content(await ask({ type: 'object', ...schema }))).toEqual(expected);
  });

  it('json=invalid with required naming an object', async () => {
    const schema = { type: 'object', properties: { a: { type: 'integer' } }, required: [UNPRINTABLE] };
    const res = await post(proxy.url, CHAT_PATH, chat('alpha [[sim:json=invalid]]', { stream: false, response_format: { type: 'json_schema', json_schema: { name: 'a', schema } } }), OPENAI_HEADERS);
    expect(await content(res)).toEqual({ a: 'invalid' });
  });
});
