// @vitest-environment node
// Context compaction on all four APIs: a system prompt saying "Summarize the
// conversation" gets a deterministic summary of the messages before the last
// user turn (proxy/sim/summary.mjs); a user merely asking to summarise gets
// the usual echo, and directives and structured output work as before.
import { describe, expect, it } from 'vitest';
import { historyBody, streamAny, toolsBody, type AnyApi, type HistoryTurn } from './conversations';
import { simulatedProxy } from './helpers';

const proxy = simulatedProxy();

const APIS = ['anthropic', 'chat', 'responses', 'gemini'] as const satisfies readonly AnyApi[];

const SYSTEM = 'You compact agent transcripts. Summarize the conversation so far; keep names, facts and open tasks.';
const REQUEST: HistoryTurn = { role: 'user', text: 'Write the summary now.' };

/** Two weather questions, three tool calls (one turn with two parallel calls), four answers. */
const HISTORY: HistoryTurn[] = [
  { role: 'user', text: "What's the weather in Paris?" },
  { role: 'assistant', text: 'Let me use get_weather.', calls: [{ name: 'get_weather', args: { location: 'Paris' } }] },
  { role: 'tool', results: ['18 °C, sunny'] },
  { role: 'assistant', text: 'It is 18 °C and sunny in Paris.' },
  { role: 'user', text: 'And in Tokyo?\nAlso the time there.' },
  { role: 'assistant', calls: [{ name: 'get_weather', args: { location: 'Tokyo' } }, { name: 'clock', args: { zone: 'Tokyo' } }] },
  { role: 'tool', results: ['rain', '09:00'] },
  { role: 'assistant', text: 'Rainy in Tokyo; it is 09:00.' },
];

const SUMMARY = 'Summary of the earlier conversation (8 messages): the user said "What\'s the weather in Paris?"; '
  + '"And in Tokyo? Also the time there."; the assistant answered 4 times; tools used: get_weather (2 calls), clock (1 call).';

describe.each(APIS)('%s', (api) => {
  const summarise = async (system: string, turns: HistoryTurn[], extra: Record<string, unknown> = {}) => {
    const reply = await streamAny(proxy.url, api, historyBody(api, system, turns, extra));
    expect(reply.status).toBe(200);
    return reply;
  };

  it('summarises prompts, answers and tool calls of the native history, streamed in word pieces', async () => {
    const reply = await summarise(SYSTEM, [...HISTORY, REQUEST]);
    expect(reply.text).toBe(SUMMARY);
    expect(reply.calls).toEqual([]);
    expect(reply.deltas).toBeGreaterThan(10);
    // Deterministic: the same request gives the same summary.
    expect((await summarise(SYSTEM, [...HISTORY, REQUEST])).text).toBe(SUMMARY);
  });

  it('accepts "summarise", any case; tool results just before the request are history', async () => {
    const turns: HistoryTurn[] = [...HISTORY.slice(0, 3), REQUEST];
    const reply = await summarise('SUMMARISE THE CONVERSATION above.', turns);
    // The results are not reported ("get_weather returned: ...") but counted as a turn.
    expect(reply.text).toBe('Summary of the earlier conversation (3 messages): the user said "What\'s the weather in Paris?"; '
      + 'the assistant answered 1 time; tools used: get_weather (1 call).');
  });

  it('quotes the newest 10 prompts, each clipped to 80 characters', async () => {
    const turns: HistoryTurn[] = Array.from({ length: 12 }, (_, i): HistoryTurn[] => [
      { role: 'user', text: `Prompt ${i} ${'x'.repeat(100)}` },
      { role: 'assistant', text: `Answer ${i}` },
    ]).flat();
    const reply = await summarise(SYSTEM, [...turns, REQUEST]);
    const quoted = (i: number) => `"${`Prompt ${i} ${'x'.repeat(100)}`.slice(0, 80)}…"`;
    expect(reply.text).toBe(`Summary of the earlier conversation (24 messages): the user said (the last 10 of 12 prompts) ${
      Array.from({ length: 10 }, (_, i) => quoted(i + 2)).join('; ')}; the assistant answered 12 times; no tools were used.`);
  });

  it('only the system prompt triggers it: "Summarise this" from the user is echoed', async () => {
    const echoed = await summarise('You are helpful.', [{ role: 'user', text: 'Summarise this' }]);
    expect(echoed.text).toBe('You said: Summarise this (1 messages in context)');
    const plain = await streamAny(proxy.url, api, toolsBody(api, 'Summarize the conversation', []));
    expect(plain.text).toBe('You said: Summarize the conversation (1 messages in context)');
  });

  it('directives still apply: deltas=N wins, error=N answers the error', async () => {
    const generated = await summarise(SYSTEM, [...HISTORY, { role: 'user', text: 'Write the summary now. [[sim:deltas=3]]' }]);
    expect(generated.text).toBe('w0 w1 w2');
    const body = historyBody(api, SYSTEM, [...HISTORY, { role: 'user', text: 'Summary please [[sim:error=429]]' }]);
    expect((await streamAny(proxy.url, api, body)).status).toBe(429);
  });
});

describe('summaries with other features', () => {
  it('structured output: the summary becomes the JSON document', async () => {
    const schemaless = await streamAny(proxy.url, 'chat', historyBody('chat', SYSTEM, [...HISTORY, REQUEST], { response_format: { type: 'json_object' } }));
    expect(JSON.parse(schemaless.text)).toEqual({ reply: SUMMARY });
    const schema = { type: 'object', properties: { gist: { type: 'string' } }, required: ['gist'] };
    const gemini = await streamAny(proxy.url, 'gemini', historyBody('gemini', SYSTEM, [...HISTORY, REQUEST], {
      generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema },
    }));
    expect(JSON.parse(gemini.text)).toEqual({ gist: 'Summary' });
  });

  it('offered tools are not called, and a pirate system prompt still says "Arr!"', async () => {
    const tools = toolsBody('anthropic', 'x', [{ name: 'get_weather', parameters: { type: 'object', properties: {} } }]).tools;
    const reply = await streamAny(proxy.url, 'anthropic', historyBody('anthropic', `${SYSTEM} Talk like a pirate.`, [...HISTORY, { role: 'user', text: 'Summarise the weather talk.' }], { tools }));
    expect(reply.calls).toEqual([]);
    expect(reply.text).toBe(`Arr! ${SUMMARY}`);
  });

  it('a request with nothing before it says so', async () => {
    const reply = await streamAny(proxy.url, 'responses', historyBody('responses', SYSTEM, [REQUEST]));
    expect(reply.text).toBe('Summary of the earlier conversation (0 messages): nothing has been said yet.');
  });
});
