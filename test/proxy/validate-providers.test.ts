// @vitest-environment node
// Request checks of the simulated OpenAI and Gemini APIs: credentials and
// bodies are refused with each API's own error format, status and wording,
// including what a Gemini model version does not support.
import { describe, expect, it } from 'vitest';
import { CHAT_PATH, GEMINI_HEADERS, GEMINI_WEATHER_TOOL, OPENAI_HEADERS, RESPONSES_PATH, chat, gemini, geminiPath, post, reduceFor, responses } from './clients';
import { ADAPTERS } from './conversations';
import { simulatedProxy } from './helpers';

const proxy = simulatedProxy();

interface OpenAIError { error: { message: string; type: string; param: string | null; code: string | null } }
interface GoogleError { error: { code: number; message: string; status: string; details?: Record<string, unknown>[] } }

async function openAIError(res: Response, status: number): Promise<OpenAIError['error']> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(res.headers.get('x-request-id')).toMatch(/^req_sim_/);
  const text = await res.text();
  expect(text).toMatch(/^\{\n {4}"error": \{\n {8}"message"/); // pretty-printed like e-429-rate-limit.http
  const body = JSON.parse(text) as OpenAIError;
  expect(Object.keys(body.error)).toEqual(['message', 'type', 'param', 'code']);
  return body.error;
}

async function googleError(res: Response, status: number): Promise<GoogleError['error']> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
  const body = (await res.json()) as GoogleError;
  expect(body.error.code).toBe(status);
  return body.error;
}

describe('OpenAI credentials', () => {
  it.each([
    ['no authorization', {}],
    ['a non-Bearer scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an empty bearer token', { authorization: 'Bearer ' }],
    ['only an x-api-key', { 'x-api-key': 'sk-test' }],
  ])('%s → 401 invalid_api_key on both routes', async (_name, headers) => {
    for (const [path, body] of [[CHAT_PATH, chat('hi')], [RESPONSES_PATH, responses('hi')]] as const) {
      const error = await openAIError(await post(proxy.url, path, body, { 'content-type': 'application/json', ...headers }), 401);
      expect(error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key', param: null });
      expect(error.message).toMatch(/Authorization: Bearer/);
    }
  });
});

describe('Chat Completions bodies', () => {
  it.each([
    ['not JSON', '{"model":', null, null, /could not parse the JSON body/],
    ['not an object', '[1]', null, 'invalid_type', /expected a JSON object/],
    ['missing model', { messages: [{ role: 'user', content: 'x' }] }, null, null, /^you must provide a model parameter$/],
    ['missing messages', { model: 'gpt-4.1' }, 'messages', 'missing_required_parameter', /^Missing required parameter: 'messages'\.$/],
    ['empty messages', { model: 'gpt-4.1', messages: [] }, 'messages', 'empty_array', /empty array/],
    ['bad role', { model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', 'invalid_value', /Supported values are/],
    ['missing content', { model: 'm', messages: [{ role: 'user' }] }, 'messages[0].content', 'missing_required_parameter', /content/],
    ['stream not boolean', chat('x', { stream: 'yes' }), 'stream', 'invalid_type', /boolean/],
    ['bad tool name', chat('x', { tools: [{ type: 'function', function: { name: 'bad name' } }] }), 'tools[0].function.name', 'invalid_value', /pattern/],
    ['parameters without a type', chat('x', { tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }), 'tools[0].function.parameters', 'invalid_function_parameters', /^Invalid schema for function 'f': schema must be a JSON Schema of 'type: "object"', got 'type: "None"'\.$/],
    ['array parameters', chat('x', { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'array' } } }] }), 'tools[0].function.parameters', 'invalid_function_parameters', /got 'type: "array"'/],
    ['json_schema without a name', chat('x', { response_format: { type: 'json_schema', json_schema: { schema: {} } } }), 'response_format.json_schema.name', 'missing_required_parameter', /name/],
    ['an array root', chat('x', { response_format: { type: 'json_schema', json_schema: { name: 'output', schema: { type: 'array', items: { type: 'string' } } } } }), 'response_format', null, /^Invalid schema for response_format 'output': schema must be a JSON Schema of 'type: "object"', got 'type: "array"'\.$/],
    ['an enum string root', chat('x', { response_format: { type: 'json_schema', json_schema: { name: 'output', schema: { type: 'string', enum: ['a'] } } } }), 'response_format', null, /got 'type: "string"'/],
    ['an anyOf root', chat('x', { response_format: { type: 'json_schema', json_schema: { name: 'output', schema: { anyOf: [{ type: 'string' }] } } } }), 'response_format', null, /got 'type: "None"'/],
    ['an object root with anyOf', chat('x', { response_format: { type: 'json_schema', json_schema: { name: 'o', schema: { type: 'object', anyOf: [{ required: ['a'] }] } } } }), 'response_format', null, /^Invalid schema for response_format 'o': In context=\(\), 'anyOf' is not permitted\.$/],
    ['orphan tool message', chat([{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'call_1', content: 'r' }]), 'messages.[1].role', null, /must be a response to a preceeding message with 'tool_calls'/],
    ['unanswered tool call', chat([
      { role: 'user', content: 'x' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_a', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'user', content: 'never mind' },
    ]), 'messages.[1].role', null, /call_a/],
    ['unknown directive', chat('hi [[sim:explode]]'), null, null, /unknown sim directive/],
    ['error status the API lacks', chat('hi [[sim:error=529]]'), null, null, /not supported by the simulated openai API/],
  ])('%s → 400', async (_name, body, param, code, message) => {
    const error = await openAIError(await post(proxy.url, CHAT_PATH, body, OPENAI_HEADERS), 400);
    expect(error).toMatchObject({ type: 'invalid_request_error', param, code });
    expect(error.message).toMatch(message);
  });
});

describe('Responses bodies', () => {
  it.each([
    ['missing model', { input: 'x' }, 'model', /^Missing required parameter: 'model'\.$/],
    ['missing input', { model: 'gpt-4.1' }, 'input', /^Missing required parameter: 'input'\.$/],
    ['bad input type', { model: 'gpt-4.1', input: 3 }, 'input', /Invalid type for 'input'/],
    ['bad role', responses([{ role: 'tool', content: 'x' }]), 'input[0].role', /Supported values/],
    ['function_call_output without its call', responses([{ type: 'function_call_output', call_id: 'call_x', output: 'r' }]), 'input', /No tool call found for function call output with call_id call_x\./],
    ['previous_response_id', responses('x', { previous_response_id: 'resp_1' }), 'previous_response_id', /keeps no conversation state/],
    ['bad tool name', responses('x', { tools: [{ type: 'function', name: 'a b' }] }), 'tools[0].name', /pattern/],
    ['parameters without a type', responses('x', { tools: [{ type: 'function', name: 'f', parameters: { properties: {} } }] }), 'tools[0].parameters', /^Invalid schema for function 'f': schema must be a JSON Schema of 'type: "object"', got 'type: "None"'\.$/],
    ['json_schema format without a name', responses('x', { text: { format: { type: 'json_schema', schema: {} } } }), 'text.format.name', /name/],
    ['an array root', responses('x', { text: { format: { type: 'json_schema', name: 'output', schema: { type: 'array', items: { type: 'integer' } } } } }), 'text.format.schema', /^Invalid schema for response_format 'output': schema must be a JSON Schema of 'type: "object"', got 'type: "array"'\.$/],
    ['an anyOf root', responses('x', { text: { format: { type: 'json_schema', name: 'output', schema: { anyOf: [{ type: 'integer' }] } } } }), 'text.format.schema', /got 'type: "None"'/],
  ])('%s → 400', async (_name, body, param, message) => {
    const error = await openAIError(await post(proxy.url, RESPONSES_PATH, body, OPENAI_HEADERS), 400);
    expect(error).toMatchObject({ type: 'invalid_request_error', param });
    expect(error.message).toMatch(message);
  });
});

describe('Gemini', () => {
  it('a missing key → 400 INVALID_ARGUMENT with reason API_KEY_INVALID; key= is accepted instead of the header', async () => {
    const error = await googleError(await post(proxy.url, geminiPath(), gemini('hi'), { 'content-type': 'application/json' }), 400);
    expect(error).toMatchObject({ status: 'INVALID_ARGUMENT', message: 'API key not valid. Please pass a valid API key.' });
    expect(error.details?.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.ErrorInfo')).toMatchObject({ reason: 'API_KEY_INVALID' });
    const empty = await post(proxy.url, geminiPath(), gemini('hi'), { 'content-type': 'application/json', 'x-goog-api-key': '' });
    expect(empty.status).toBe(400);
    await empty.text();
    const query = await post(proxy.url, geminiPath('generateContent', '?key=AIza-in-query'), gemini('hi'), { 'content-type': 'application/json' });
    expect(query.status).toBe(200);
    await query.text();
  });

  const call = { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} } }] };
  const answer = (n: number) => ({ role: 'user', parts: Array.from({ length: n }, () => ({ functionResponse: { name: 'get_weather', response: { result: 'r' } } })) });
  it.each([
    ['not JSON', '{"contents":', /^Invalid JSON payload received\./],
    ['missing contents', {}, /contents is not specified/],
    ['empty contents', { contents: [] }, /contents is not specified/],
    ['bad role', { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] }, /Please use a valid role: user, model\./],
    ['empty parts', { contents: [{ role: 'user', parts: [] }] }, /contents\[0\]\.parts: contents\.parts must not be empty/],
    ['bad function name', gemini('x', { tools: [{ functionDeclarations: [{ name: '1bad name' }] }] }), /Invalid function name/],
    ['bad response mime type', gemini('x', { generationConfig: { responseMimeType: 'text/csv' } }), /allowed mimetypes/],
    ['response without a call turn', { contents: [{ role: 'user', parts: [{ text: 'x' }] }, answer(1)] }, /function response turn comes immediately after a function call turn/],
    ['fewer responses than calls', { contents: [{ role: 'user', parts: [{ text: 'x' }] }, { role: 'model', parts: [...call.parts, ...call.parts] }, answer(1)] }, /number of function response parts is equal/],
    ['unknown directive', gemini('hi [[sim:explode]]'), /unknown sim directive/],
  ])('%s → 400 INVALID_ARGUMENT', async (_name, body, message) => {
    const error = await googleError(await post(proxy.url, geminiPath(), body, GEMINI_HEADERS), 400);
    expect(error.status).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(message);
  });

  it('snake_case field names are accepted like lowerCamelCase ones', async () => {
    const body = { system_instruction: { parts: [{ text: 'Be a pirate' }] }, contents: [{ role: 'user', parts: [{ text: 'ahoy' }] }] };
    const res = await post(proxy.url, geminiPath('generateContent'), body, GEMINI_HEADERS);
    expect(await res.json()).toMatchObject({ candidates: [{ content: { parts: [{ text: 'Arr! You said: ahoy (1 messages in context)' }] } }] });
  });
});

describe('Gemini 3 thought signatures', () => {
  const user = (text: string) => ({ role: 'user', parts: [{ text }] });
  const called = (signature?: string) => ({ role: 'model', parts: [{ text: 'Let me check.' }, { functionCall: { name: 'get_weather', args: {} }, ...(signature ? { thoughtSignature: signature } : {}) }] });
  const answered = { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { result: 'r' } } }] };
  const body = (...contents: unknown[]) => gemini('', { contents });

  it('a call of the current turn replayed without its signature → 400 INVALID_ARGUMENT naming it', async () => {
    const error = await googleError(await post(proxy.url, geminiPath(undefined, undefined, 'gemini-3-pro-preview'), body(user('x'), called(), answered), GEMINI_HEADERS), 400);
    expect(error.status).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/^Function call is missing a thought_signature in functionCall parts\..*`default_api:get_weather` , position 2\./);
  });

  it('with the signature, in an earlier turn, or before Gemini 3, the call needs none', async () => {
    const accepted: [string, unknown][] = [
      ['gemini-3-pro-preview', body(user('x'), called('c2ln'), answered)],
      ['gemini-3-flash-preview', body(user('x'), called(), answered, { role: 'model', parts: [{ text: 'ok' }] }, user('y'))],
      ['gemini-2.5-flash', body(user('x'), called(), answered)],
    ];
    for (const [model, request] of accepted) {
      const res = await post(proxy.url, geminiPath(undefined, undefined, model), request, GEMINI_HEADERS);
      expect(res.status, model).toBe(200);
      await res.text();
    }
  });
});

describe('Gemini JSON mode with function declarations', () => {
  const JSON_MODE = { generationConfig: { responseMimeType: 'application/json' } };
  const WEATHER = "What's the weather in Paris?";
  const UNSUPPORTED = "Function calling with a response mime type: 'application/json' is unsupported";

  it.each(['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.0-flash', 'gemini-2.0-flash-lite-001', 'gemini-1.5-pro'])('%s → 400 INVALID_ARGUMENT, streaming or not', async (model) => {
    for (const verb of ['streamGenerateContent', 'generateContent'] as const) {
      const res = await post(proxy.url, geminiPath(verb, undefined, model), ADAPTERS.gemini.tools(WEATHER, JSON_MODE), GEMINI_HEADERS);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
      // Google's body exactly: no details for this one.
      expect(await res.json()).toEqual({ error: { code: 400, message: UNSUPPORTED, status: 'INVALID_ARGUMENT' } });
    }
    // snake_case spelling, a schema, and a forced call change nothing.
    const snake = gemini(WEATHER, {
      tools: [{ function_declarations: GEMINI_WEATHER_TOOL.functionDeclarations }],
      generation_config: { response_mime_type: 'application/json', response_json_schema: { type: 'object' } },
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });
    const error = await googleError(await post(proxy.url, geminiPath('streamGenerateContent', undefined, model), snake, GEMINI_HEADERS), 400);
    expect(error.message).toBe(UNSUPPORTED);
  });

  it.each(['gemini-3-pro-preview', 'gemini-3-flash-preview', 'gemini-3.1-pro-preview'])('%s accepts it: the call, then a JSON answer', async (model) => {
    const path = geminiPath('streamGenerateContent', undefined, model);
    const first = await post(proxy.url, path, ADAPTERS.gemini.tools(WEATHER, JSON_MODE), GEMINI_HEADERS);
    expect(first.status).toBe(200);
    const call = reduceFor('gemini', await first.text());
    expect(call.tool_calls.map((c) => [c.name, c.arguments])).toEqual([['get_weather', { location: 'Paris' }]]);
    const second = await post(proxy.url, path, { ...ADAPTERS.gemini.followUp(WEATHER, call, ['18 °C, sunny']), ...JSON_MODE }, GEMINI_HEADERS);
    expect(second.status).toBe(200);
    expect(JSON.parse(reduceFor('gemini', await second.text()).text)).toEqual({ reply: 'get_weather returned: 18 °C, sunny.' });
  });

  it('before Gemini 3, JSON mode alone, tools alone, another mime type or an empty declaration list are fine', async () => {
    const bodies = [
      gemini(WEATHER, JSON_MODE),
      ADAPTERS.gemini.tools(WEATHER),
      ADAPTERS.gemini.tools(WEATHER, { generationConfig: { responseMimeType: 'text/plain' } }),
      gemini(WEATHER, { tools: [{ functionDeclarations: [] }], ...JSON_MODE }),
    ];
    for (const body of bodies) {
      const res = await post(proxy.url, geminiPath('generateContent', undefined, 'gemini-2.5-flash'), body, GEMINI_HEADERS);
      expect(res.status).toBe(200);
      await res.text();
    }
    // A name without a version (an alias) is not refused.
    const alias = await post(proxy.url, geminiPath('generateContent', undefined, 'gemini-flash-latest'), ADAPTERS.gemini.tools(WEATHER, JSON_MODE), GEMINI_HEADERS);
    expect(alias.status).toBe(200);
    await alias.text();
  });
});
