// @vitest-environment node
// Simulated Anthropic Messages API: validation and the deterministic replies.
import { describe, expect, it } from 'vitest';
import { API_HEADERS, WEATHER_TOOL, messages, postMessages, streamTurn, type Message } from './clients';
import { simulatedProxy } from './helpers';

const proxy = simulatedProxy();

async function expectError(res: Response, status: number, type: string, message?: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json');
  const requestId = res.headers.get('request-id');
  expect(requestId).toMatch(/^req_sim_/);
  const body = (await res.json()) as { type: string; error: { type: string; message: string }; request_id: string };
  expect(body).toMatchObject({ type: 'error', error: { type }, request_id: requestId });
  if (message) expect(body.error.message).toMatch(message);
}

const tool = (name: string, properties: Record<string, unknown> = {}, required?: string[]) => ({
  name, description: name, input_schema: { type: 'object', properties, ...(required ? { required } : {}) },
});

describe('validation', () => {
  it('missing x-api-key → 401 authentication_error; a bearer token is accepted instead', async () => {
    const { 'x-api-key': _key, ...noKey } = API_HEADERS;
    await expectError(await postMessages(proxy.url, messages('hi'), noKey), 401, 'authentication_error', /x-api-key/);
    const bearer = await postMessages(proxy.url, messages('hi'), { ...noKey, authorization: 'Bearer oauth-token' });
    expect(bearer.status).toBe(200);
    await bearer.text();
  });

  it('missing anthropic-version → 400', async () => {
    const { 'anthropic-version': _v, ...headers } = API_HEADERS;
    await expectError(await postMessages(proxy.url, messages('hi'), headers), 400, 'invalid_request_error', /anthropic-version/);
  });

  it.each([
    ['not JSON', '{"model":', /not valid JSON/],
    ['missing model', { max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, /^model/],
    ['missing max_tokens', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, /^max_tokens: Field required/],
    ['max_tokens 0', { model: 'm', max_tokens: 0, messages: [{ role: 'user', content: 'x' }] }, /^max_tokens/],
    ['max_tokens 1.5', { model: 'm', max_tokens: 1.5, messages: [{ role: 'user', content: 'x' }] }, /^max_tokens/],
    ['empty messages', { model: 'm', max_tokens: 10, messages: [] }, /^messages/],
    ['bad role', { model: 'm', max_tokens: 10, messages: [{ role: 'system', content: 'x' }] }, /messages\.0\.role/],
    ['bad tool name', messages('x', { tools: [tool('bad name')] }), /tools\.0\.name/],
    ['a tool schema without a type', messages('x', { tools: [{ name: 'f', input_schema: { properties: {} } }] }), /^tools\.0\.input_schema\.type: Field required$/],
    ['a tool schema that is not an object', messages('x', { tools: [{ name: 'f', input_schema: { type: 'array' } }] }), /^tools\.0\.input_schema\.type: Input should be 'object'$/],
    ['thinking budget too small', messages('x', { thinking: { type: 'enabled', budget_tokens: 100 } }), /budget_tokens/],
    ['thinking with a temperature', messages('x', { max_tokens: 4096, temperature: 0.2, thinking: { type: 'enabled', budget_tokens: 2048 } }), /temperature. may only be set to 1/],
    ['orphan tool_result', messages([{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'r' }] }]), /tool_use_id/],
    ['an empty text block', messages([{ role: 'user', content: [{ type: 'text', text: '' }] }]), /^messages: text content blocks must be non-empty$/],
    ['an empty text block in a tool_result', messages([
      { role: 'user', content: 'x' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '' }] }] },
    ]), /^messages: text content blocks must be non-empty$/],
    ['a whitespace-only user message', messages(' \n'), /^messages: text content blocks must contain non-whitespace text$/],
    ['a whitespace-only text beside an image', messages([{ role: 'user', content: [{ type: 'text', text: ' ' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] }]), /non-whitespace text/],
    ['a whitespace-only assistant text mid-conversation', messages([
      { role: 'user', content: 'x' }, { role: 'assistant', content: [{ type: 'text', text: '\n\n' }] }, { role: 'user', content: 'y' },
    ]), /non-whitespace text/],
    ['an empty content list', messages([{ role: 'user', content: [] }]), /^messages\.0: all messages must have non-empty content except for the optional final assistant message$/],
    ['unknown directive', messages('hi [[sim:explode]]'), /unknown sim directive/],
  ])('%s → 400 invalid_request_error', async (_name, body, message) => {
    await expectError(await postMessages(proxy.url, body), 400, 'invalid_request_error', message);
  });

  it('whitespace beside real text, and an empty final assistant message, are accepted', async () => {
    for (const conversation of [
      [{ role: 'user', content: [{ type: 'text', text: ' ' }, { type: 'text', text: 'hi' }] }],
      [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [] }],
    ] as Message[][]) {
      const res = await postMessages(proxy.url, messages(conversation));
      expect(res.status).toBe(200);
      await res.text();
    }
  });
});

describe('text replies', () => {
  it('echoes the prompt with the message count, usage from deterministic estimates', async () => {
    const { reply } = await streamTurn(proxy.url, messages('Hello there'));
    const text = 'You said: Hello there (1 messages in context)';
    expect(reply.text).toBe(text);
    expect(reply.textDeltas).toBeGreaterThan(2);
    expect(reply.stop_reason).toBe('end_turn');
    expect(reply.complete).toBe(true);
    expect(reply.usage).toMatchObject({
      input_tokens: Math.ceil('Hello there'.length / 4),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: Math.ceil(text.length / 4),
    });
    expect(reply.model).toBe('claude-sonnet-4-5');
    expect(reply.id).toMatch(/^msg_sim_/);
  });

  it('keeps multi-byte characters whole inside each text delta', async () => {
    const { events, reply } = await streamTurn(proxy.url, messages('18 °C and sunny ☀️ — pack a jacket 🧥'));
    expect(reply.text).toContain('18 °C and sunny ☀️ — pack a jacket 🧥');
    for (const e of events.filter((x) => x.event === 'content_block_delta')) expect(e.data).not.toContain('\uFFFD');
  });

  it('remembers a name from an earlier user turn', async () => {
    const history: Message[] = [
      { role: 'user', content: 'Hi, my name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
    ];
    expect((await streamTurn(proxy.url, messages(history))).reply.text).toBe('Your name is Ada.');
  });

  it('mentions images of the last user message', async () => {
    const png = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } };
    const jpeg = { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } };
    const one = await streamTurn(proxy.url, messages([{ role: 'user', content: [{ type: 'text', text: 'Look' }, png] }]));
    expect(one.reply.text).toBe('You said: Look (1 messages in context) I see 1 image(s) (image/png).');
    const two = await streamTurn(proxy.url, messages([{ role: 'user', content: [png, jpeg, { type: 'text', text: 'Both' }] }]));
    expect(two.reply.text).toMatch(/I see 2 image\(s\) \(image\/png, image\/jpeg\)\.$/);
  });

  it('a pirate system prompt (string or blocks) prefixes "Arr! "', async () => {
    const plain = await streamTurn(proxy.url, messages('ahoy', { system: 'You are a pirate.' }));
    expect(plain.reply.text).toBe('Arr! You said: ahoy (1 messages in context)');
    const blocks = await streamTurn(proxy.url, messages('ahoy', { system: [{ type: 'text', text: 'Talk like a Pirate', cache_control: { type: 'ephemeral' } }] }));
    expect(blocks.reply.text.startsWith('Arr! ')).toBe(true);
  });

  it('thinking: a thinking block (deltas then signature) comes before the text', async () => {
    const { events, reply } = await streamTurn(proxy.url, messages('Think first', { max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 } }));
    expect(reply.thinking).toContain('Think first');
    expect(reply.thinking_signature).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
    expect(reply.text).toBe('You said: Think first (1 messages in context)');
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => JSON.parse(e.data) as { index: number; content_block: unknown });
    expect(starts[0]).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } });
    expect(starts[1]).toMatchObject({ index: 1, content_block: { type: 'text' } });
    const firstStop = events.findIndex((e) => e.event === 'content_block_stop');
    expect(events[firstStop - 1]?.data).toContain('signature_delta');
  });

  it('stream: false returns one JSON Message with the same content', async () => {
    const body = messages('Not streamed', { stream: false });
    const res = await postMessages(proxy.url, body);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('request-id')).toMatch(/^req_sim_/);
    const message = (await res.json()) as Record<string, unknown>;
    expect(message).toMatchObject({
      type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', stop_reason: 'end_turn', stop_sequence: null,
      content: [{ type: 'text', text: 'You said: Not streamed (1 messages in context)' }],
      usage: { input_tokens: 3, output_tokens: Math.ceil('You said: Not streamed (1 messages in context)'.length / 4) },
    });
    const streamed = await streamTurn(proxy.url, { ...body, stream: true });
    expect(streamed.reply.id).toBe(message.id);
  });
});

describe('tool calls', () => {
  it('selects get_weather from "weather" and takes the city after "in"', async () => {
    const { reply } = await streamTurn(proxy.url, messages("What's the weather like in Paris right now?", { tools: [WEATHER_TOOL] }));
    expect(reply.text).toBe('Let me use get_weather.');
    expect(reply.stop_reason).toBe('tool_use');
    expect(reply.tool_calls).toHaveLength(1);
    expect(reply.tool_calls[0]).toMatchObject({ index: 1, name: 'get_weather', arguments: { location: 'Paris' }, arguments_json: '{"location": "Paris"}' });
    expect(reply.tool_calls[0]?.id).toMatch(/^toolu_sim_[A-Za-z0-9]+$/);
    // Deterministic: the same request gives the same id.
    const again = await streamTurn(proxy.url, messages("What's the weather like in Paris right now?", { tools: [WEATHER_TOOL] }));
    expect(again.reply.tool_calls[0]?.id).toBe(reply.tool_calls[0]?.id);
  });

  it('matches name parts of at least 4 letters on word boundaries', async () => {
    const tools = [tool('calc', { expression: { type: 'string' } }, ['expression']), tool('clock'), WEATHER_TOOL];
    const names = async (prompt: string) => (await streamTurn(proxy.url, messages(prompt, { tools }))).reply.tool_calls.map((c) => c.name);
    expect(await names('Please calculate 2+2')).toEqual([]);
    expect(await names('use calc on 2+2')).toEqual(['calc']);
    expect(await names('what does the CLOCK say')).toEqual(['clock']);
    expect(await names('call get_weather please')).toEqual(['get_weather']);
  });

  it('two mentioned tools give two parallel tool_use blocks', async () => {
    const tools = [WEATHER_TOOL, tool('clock', { zone: { type: 'string' } })];
    const { reply } = await streamTurn(proxy.url, messages('Check the weather and the clock in Tokyo', { tools }));
    expect(reply.text).toBe('Let me use get_weather and clock.');
    expect(reply.tool_calls.map((c) => [c.index, c.name, c.arguments])).toEqual([
      [1, 'get_weather', { location: 'Tokyo' }],
      [2, 'clock', { zone: 'Tokyo' }],
    ]);
    expect(new Set(reply.tool_calls.map((c) => c.id)).size).toBe(2);
  });

  it('uses a JSON object literal from the prompt, else values per schema type', async () => {
    const literal = await streamTurn(proxy.url, messages('weather for {"location": "Rome", "unit": "fahrenheit"} thanks', { tools: [WEATHER_TOOL] }));
    expect(literal.reply.tool_calls[0]?.arguments).toEqual({ location: 'Rome', unit: 'fahrenheit' });
    const kinds = tool('settings_tool', {
      mode: { type: 'string', enum: ['fast', 'slow'] }, count: { type: 'integer' }, ratio: { type: 'number' },
      on: { type: 'boolean' }, tags: { type: 'array' }, extra: { type: 'object' }, label: { type: ['string', 'null'] },
    });
    const schema = await streamTurn(proxy.url, messages('change the settings now', { tools: [kinds] }));
    // label: the last word that is neither a stop word ("now") nor part of a tool name ("settings").
    expect(schema.reply.tool_calls[0]?.arguments).toEqual({ mode: 'fast', count: 1, ratio: 1, on: true, tags: [], extra: {}, label: 'change' });
  });

  it('honours tool_choice: a forced tool skips the preamble, none disables tools', async () => {
    const forced = await streamTurn(proxy.url, messages('Hello in Oslo', { tools: [WEATHER_TOOL], tool_choice: { type: 'tool', name: 'get_weather' } }));
    expect(forced.reply.text).toBe('');
    expect(forced.reply.names.filter((n) => n === 'content_block_start')).toHaveLength(1);
    expect(forced.reply.tool_calls[0]).toMatchObject({ index: 0, name: 'get_weather', arguments: { location: 'Oslo' } });
    const none = await streamTurn(proxy.url, messages('weather in Oslo', { tools: [WEATHER_TOOL], tool_choice: { type: 'none' } }));
    expect(none.reply.tool_calls).toEqual([]);
    expect(none.reply.stop_reason).toBe('end_turn');
  });

  it('a tool with no arguments streams only the empty fragment', async () => {
    const { reply } = await streamTurn(proxy.url, messages('read the clock', { tools: [tool('clock')] }));
    expect(reply.tool_calls[0]).toMatchObject({ name: 'clock', arguments_json: '', arguments: {} });
  });

  it('reports tool results using the tool name of the matching tool_use', async () => {
    const first = await streamTurn(proxy.url, messages("What's the weather like in Paris right now?", { tools: [WEATHER_TOOL] }));
    const call = first.reply.tool_calls[0];
    if (!call) throw new Error('expected a tool call');
    const history: Message[] = [
      { role: 'user', content: "What's the weather like in Paris right now?" },
      { role: 'assistant', content: [{ type: 'text', text: first.reply.text }, { type: 'tool_use', id: call.id, name: call.name, input: call.arguments }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '18 °C, sunny' }] },
    ];
    const { reply } = await streamTurn(proxy.url, messages(history, { tools: [WEATHER_TOOL] }));
    expect(reply.text).toBe('get_weather returned: 18 °C, sunny.');
    expect(reply.stop_reason).toBe('end_turn');
    expect(reply.tool_calls).toEqual([]);
  });

  it('rejects a tool_use that is not answered in the next user turn', async () => {
    const history: Message[] = [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} }] },
      { role: 'user', content: 'never mind' },
    ];
    const res = await postMessages(proxy.url, messages(history, { tools: [WEATHER_TOOL] }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('toolu_a');
  });
});
