// @vitest-environment node
// The simulated OpenAI Chat Completions, OpenAI Responses and Gemini APIs
// answer exactly like the Anthropic simulator: the same reply rules, each in
// its own wire format (streams reduced like a correct client would).
import { describe, expect, it } from 'vitest';
import { APIS, CHAT_PATH, GEMINI_HEADERS, OPENAI_HEADERS, RESPONSES_PATH, bodyFor, geminiPath, post, streamApi, type Api } from './clients';
import { ADAPTERS } from './conversations';
import { type ProviderReply, simulatedProxy } from './helpers';

const proxy = simulatedProxy();

/** Each API's stop reason for a finished text turn and for a tool-call turn. */
const STOPS: Record<Api, { text: string; tools: string }> = {
  chat: { text: 'stop', tools: 'tool_calls' },
  responses: { text: 'completed', tools: 'completed' },
  gemini: { text: 'STOP', tools: 'STOP' },
};

/** Input and output token counts as each API names them. */
function tokens(api: Api, reply: ProviderReply): [number, number] {
  const u = reply.usage ?? {};
  if (api === 'chat') return [Number(u.prompt_tokens), Number(u.completion_tokens)];
  if (api === 'responses') return [Number(u.input_tokens), Number(u.output_tokens)];
  return [Number(u.promptTokenCount), Number(u.candidatesTokenCount)];
}

const WEATHER = "What's the weather like in Paris right now?";
const clock = { name: 'clock', parameters: { type: 'object', properties: { zone: { type: 'string' } } } };

describe.each(APIS)('%s', (api) => {
  const adapter = ADAPTERS[api];
  const turn = async (body: unknown) => {
    const { response, reply } = await streamApi(proxy.url, api, body);
    expect(response.status).toBe(200);
    return reply;
  };

  it('echoes the prompt with the message count; usage from deterministic estimates', async () => {
    const reply = await turn(bodyFor(api, 'Hello there'));
    const text = 'You said: Hello there (1 messages in context)';
    expect(reply.text).toBe(text);
    expect(reply.deltas).toBeGreaterThan(2);
    expect(reply.stop_reason).toBe(STOPS[api].text);
    expect(reply.complete).toBe(true);
    expect(reply.error).toBeNull();
    expect(tokens(api, reply)).toEqual([Math.ceil('Hello there'.length / 4), Math.ceil(text.length / 4)]);
    expect(reply.model).toBe(api === 'gemini' ? 'gemini-2.5-flash' : 'gpt-4.1');
    expect(reply.id).toMatch(api === 'chat' ? /^chatcmpl-sim/ : api === 'responses' ? /^resp_sim_/ : /^sim/);
  });

  it('counts turns, remembers a name, keeps multi-byte characters whole', async () => {
    const history = [
      { role: 'user', text: 'Hi, my name is Ada.' },
      { role: 'assistant', text: 'Nice to meet you, Ada.' },
    ] as const;
    expect((await turn(adapter.history([...history, { role: 'user', text: 'What is my name?' }]))).text).toBe('Your name is Ada.');
    expect((await turn(adapter.history([...history, { role: 'user', text: 'ok' }]))).text).toBe('You said: ok (3 messages in context)');
    expect((await turn(bodyFor(api, '18 °C and sunny ☀️ — pack a jacket 🧥'))).text).toContain('18 °C and sunny ☀️ — pack a jacket 🧥');
  });

  it('mentions images and follows a pirate system prompt', async () => {
    expect((await turn(adapter.image('Look', ['image/png']))).text).toBe('You said: Look (1 messages in context) I see 1 image(s) (image/png).');
    expect((await turn(adapter.image('Both', ['image/png', 'image/jpeg']))).text).toMatch(/I see 2 image\(s\) \(image\/png, image\/jpeg\)\.$/);
    expect((await turn(adapter.system('ahoy', 'You are a pirate.'))).text).toBe('Arr! You said: ahoy (1 messages in context)');
  });

  it('calls the tool named in the prompt, with deterministic ids', async () => {
    const reply = await turn(adapter.tools(WEATHER));
    expect(reply.text).toBe('Let me use get_weather.');
    expect(reply.stop_reason).toBe(STOPS[api].tools);
    expect(reply.tool_calls).toHaveLength(1);
    expect(reply.tool_calls[0]).toMatchObject({ name: 'get_weather', arguments: { location: 'Paris' } });
    const call = reply.tool_calls[0];
    if (api === 'gemini') {
      // Gemini sends no call ids (NOTES 9) but a thoughtSignature to send back.
      expect(call?.id).toBeNull();
      expect(call?.thought_signature).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
    } else {
      expect(call?.id).toMatch(/^call_sim_[A-Za-z0-9]{24}$/);
      expect(call?.arguments_json).toBe('{"location":"Paris"}');
      if (api === 'responses') expect(call?.item_id).toMatch(/^fc_sim_/);
    }
    expect((await turn(adapter.tools(WEATHER))).tool_calls).toEqual(reply.tool_calls);
  });

  it('parallel calls, JSON literal arguments, forced and disabled tool choice', async () => {
    const both = await turn(adapter.tools('Check the weather and the clock in Tokyo', {}, [clock]));
    expect(both.text).toBe('Let me use get_weather and clock.');
    expect(both.tool_calls.map((c) => [c.name, c.arguments])).toEqual([['get_weather', { location: 'Tokyo' }], ['clock', { zone: 'Tokyo' }]]);
    if (api !== 'gemini') expect(new Set(both.tool_calls.map((c) => c.id)).size).toBe(2);
    const literal = await turn(adapter.tools('weather for {"location": "Rome", "unit": "fahrenheit"} thanks'));
    expect(literal.tool_calls[0]?.arguments).toEqual({ location: 'Rome', unit: 'fahrenheit' });
    const forced = await turn(adapter.tools('Hello in Oslo', adapter.choice({ name: 'get_weather' })));
    expect(forced.text).toBe('');
    expect(forced.tool_calls.map((c) => [c.name, c.arguments])).toEqual([['get_weather', { location: 'Oslo' }]]);
    const none = await turn(adapter.tools('weather in Oslo', adapter.choice('none')));
    expect(none.tool_calls).toEqual([]);
    expect(none.stop_reason).toBe(STOPS[api].text);
  });

  it('reports tool results in the follow-up turn', async () => {
    const first = await turn(adapter.tools(WEATHER));
    const reply = await turn(adapter.followUp(WEATHER, first, ['18 °C, sunny']));
    expect(reply.text).toBe('get_weather returned: 18 °C, sunny.');
    expect(reply.tool_calls).toEqual([]);
    expect(reply.stop_reason).toBe(STOPS[api].text);
    const two = await turn(adapter.tools('Check the weather and the clock in Tokyo', {}, [clock]));
    const follow = adapter.followUp('Check the weather and the clock in Tokyo', two, ['rain', '09:00']);
    expect((await turn(follow)).text).toBe('get_weather returned: rain. clock returned: 09:00.');
  });
});

describe('non-streaming requests answer the plain JSON object with the streamed ids', () => {
  it('chat.completion', async () => {
    const body = bodyFor('chat', 'Not streamed');
    const res = await post(proxy.url, CHAT_PATH, { ...body, stream: false }, OPENAI_HEADERS);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-request-id')).toMatch(/^req_sim_/);
    const completion = (await res.json()) as Record<string, unknown>;
    expect(completion).toMatchObject({
      object: 'chat.completion', model: 'gpt-4.1',
      choices: [{ index: 0, message: { role: 'assistant', content: 'You said: Not streamed (1 messages in context)', refusal: null }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 12, total_tokens: 15 },
    });
    expect((await streamApi(proxy.url, 'chat', body)).reply.id).toBe(completion.id);
    const tools = await post(proxy.url, CHAT_PATH, { ...ADAPTERS.chat.tools(WEATHER), stream: false }, OPENAI_HEADERS);
    expect(await tools.json()).toMatchObject({
      choices: [{ message: { content: 'Let me use get_weather.', tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] }, finish_reason: 'tool_calls' }],
    });
  });

  it('Responses object', async () => {
    const body = ADAPTERS.responses.tools(WEATHER);
    const res = await post(proxy.url, RESPONSES_PATH, { ...body, stream: false }, OPENAI_HEADERS);
    expect(res.status).toBe(200);
    const response = (await res.json()) as { id: string; output: Record<string, unknown>[] };
    expect(response).toMatchObject({
      object: 'response', status: 'completed', model: 'gpt-4.1', error: null,
      output: [
        { type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Let me use get_weather.' }] },
        { type: 'function_call', status: 'completed', name: 'get_weather', arguments: '{"location":"Paris"}' },
      ],
      usage: { input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 } },
    });
    const streamed = (await streamApi(proxy.url, 'responses', body)).reply;
    expect(streamed.id).toBe(response.id);
    expect(streamed.tool_calls[0]?.id).toBe(response.output[1]?.call_id);
  });

  it('Gemini :generateContent (text in one part, calls after it)', async () => {
    const body = ADAPTERS.gemini.tools(WEATHER);
    const res = await post(proxy.url, geminiPath('generateContent'), body, GEMINI_HEADERS);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const response = (await res.json()) as { responseId: string };
    expect(response).toMatchObject({
      candidates: [{ content: { role: 'model', parts: [{ text: 'Let me use get_weather.' }, { functionCall: { name: 'get_weather', args: { location: 'Paris' } } }] }, finishReason: 'STOP', index: 0 }],
      modelVersion: 'gemini-2.5-flash',
    });
    expect((await streamApi(proxy.url, 'gemini', body)).reply.id).toBe(response.responseId);
  });
});

describe('Gemini specifics', () => {
  it('a functionResponse with an error reports failure; unmatched names still name the tool', async () => {
    const body = ADAPTERS.gemini.history([{ role: 'user', text: 'weather?' }]);
    const contents = [
      ...(body.contents as unknown[]),
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: {} } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { error: 'city unknown' } } }] },
    ];
    expect((await streamApi(proxy.url, 'gemini', { contents })).reply.text).toBe('get_weather failed: city unknown.');
  });

  it('without alt=sse the stream is one JSON array; the v1 path and a key= parameter work too', async () => {
    const res = await post(proxy.url, geminiPath('streamGenerateContent', ''), bodyFor('gemini', 'Array please'), GEMINI_HEADERS);
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const chunks = JSON.parse(await res.text()) as { candidates: { content: { parts: { text: string }[] } }[] }[];
    expect(chunks.map((c) => c.candidates[0]?.content.parts[0]?.text).join('')).toBe('You said: Array please (1 messages in context)');
    const v1 = await post(proxy.url, '/gemini/v1/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=AIza-query-key', bodyFor('gemini', 'hi'), { 'content-type': 'application/json' });
    expect(v1.status).toBe(200);
    expect((await v1.text()).includes('"modelVersion": "gemini-2.0-flash"')).toBe(true);
  });
});
