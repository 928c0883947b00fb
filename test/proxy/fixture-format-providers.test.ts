// @vitest-environment node
// The OpenAI and Gemini simulators speak the wire formats of the reference
// fixtures. First the test reducers are checked against each fixture's
// expected results, then the simulators' streams are compared with them.
import { describe, expect, it } from 'vitest';
import { bodyFor, streamApi } from './clients';
import { ADAPTERS } from './conversations';
import { fixture, parseSse, type ProviderReply, reduceChat, reduceGemini, reduceResponses, simulatedProxy } from './helpers';

const proxy = simulatedProxy();

type Json = Record<string, unknown>;
const data = (raw: string, i: number): Json => JSON.parse(parseSse(raw).filter((e) => e.data !== '[DONE]').at(i)?.data ?? '{}') as Json;
const collapse = (names: string[]) => names.filter((n, i) => !(n.endsWith('.delta') && names[i - 1] === n));

describe('test reducers match the fixtures', () => {
  const cases: [string, (raw: string) => ProviderReply, (call: Json) => Json][] = [
    ['openai/chat/a-text', (raw) => reduceChat(parseSse(raw)), (c) => c],
    ['openai/chat/b-tool-call', (raw) => reduceChat(parseSse(raw)), (c) => c],
    ['openai/responses/a-text', (raw) => reduceResponses(parseSse(raw)), ({ output_index, ...c }) => ({ index: output_index, ...c })],
    ['openai/responses/b-tool-call', (raw) => reduceResponses(parseSse(raw)), ({ output_index, ...c }) => ({ index: output_index, ...c })],
    ['gemini/a-text', reduceGemini, ({ part_index, ...c }) => ({ index: part_index, ...c })],
    ['gemini/b-tool-call', reduceGemini, ({ part_index, ...c }) => ({ index: part_index, ...c })],
  ];
  it.each(cases)('%s.sse gives %s.expected.json', (name, reduce, toOurs) => {
    const expected = JSON.parse(fixture(`${name}.expected.json`)) as Json & { tool_calls: Json[] };
    const reply = reduce(fixture(`${name}.sse`));
    expect(reply.text).toBe(expected.text);
    expect(reply.stop_reason).toBe(expected.stop_reason);
    expect(reply.usage).toEqual(expected.usage);
    expect(reply.id).toBe(expected.response_id);
    expect(reply.model).toBe(expected.model);
    expect(reply.tool_calls).toEqual(expected.tool_calls.map(toOurs));
    expect(reply.complete).toBe(true);
  });
});

describe('Chat Completions stream has the fixture shape', () => {
  it('text: data-only LF frames, role chunk first, finish chunk, usage chunk with choices [], [DONE]', async () => {
    const { response, raw } = await streamApi(proxy.url, 'chat', bodyFor('chat', 'Hello there, how are you today?'));
    const reference = fixture('openai/chat/a-text.sse');
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(raw).not.toContain('\r');
    expect(raw).not.toMatch(/^event:/m);
    expect(raw.endsWith('\n\ndata: [DONE]\n\n')).toBe(true);
    expect(Object.keys(data(raw, 0))).toEqual(Object.keys(data(reference, 0)));
    expect(data(raw, 0).choices).toEqual(data(reference, 0).choices);
    expect(data(raw, -2).choices).toEqual(data(reference, -2).choices); // {delta: {}, finish_reason: 'stop'}
    const usage = data(raw, -1);
    expect(usage.choices).toEqual([]);
    expect(Object.keys(usage.usage as Json)).toEqual(Object.keys(data(reference, -1).usage as Json));
    expect(Object.keys((usage.usage as Json).completion_tokens_details as Json)).toEqual(['reasoning_tokens', 'audio_tokens', 'accepted_prediction_tokens', 'rejected_prediction_tokens']);
  });

  it('without include_usage there is no usage at all; include_obfuscation: false drops the padding', async () => {
    const { raw, reply } = await streamApi(proxy.url, 'chat', bodyFor('chat', 'hi', { stream_options: { include_obfuscation: false } }));
    expect(raw).not.toContain('"usage"');
    expect(raw).not.toContain('obfuscation');
    expect(reply.complete).toBe(true);
  });

  it('tool call: a tool-only turn opens with role, content null and the call head, then argument fragments only', async () => {
    const { raw } = await streamApi(proxy.url, 'chat', ADAPTERS.chat.tools('weather in Paris', ADAPTERS.chat.choice({ name: 'get_weather' })));
    const reference = fixture('openai/chat/b-tool-call.sse');
    const first = (data(raw, 0).choices as Json[])[0]?.delta as Json;
    expect(Object.keys(first)).toEqual(Object.keys((data(reference, 0).choices as Json[])[0]?.delta as Json));
    expect(first).toMatchObject({ role: 'assistant', content: null, refusal: null, tool_calls: [{ index: 0, type: 'function', function: { name: 'get_weather', arguments: '' } }] });
    const second = (data(raw, 1).choices as Json[])[0]?.delta as { tool_calls: Json[] };
    expect(Object.keys(second.tool_calls[0] ?? {})).toEqual(['index', 'function']);
    expect((data(raw, -2).choices as Json[])[0]).toMatchObject({ delta: {}, finish_reason: 'tool_calls' });
  });
});

describe('Responses stream has the fixture shape', () => {
  it('text: the same event sequence, numbered from 0, no [DONE]', async () => {
    const { response, raw, reply } = await streamApi(proxy.url, 'responses', bodyFor('responses', 'Hello there, how are you today?', { instructions: 'Be brief.' }));
    const reference = fixture('openai/responses/a-text.sse');
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const names = (text: string) => parseSse(text).map((e) => e.event);
    expect(collapse(names(raw))).toEqual(collapse(names(reference)));
    expect(raw).not.toContain('[DONE]');
    expect(reply.events).toBe(parseSse(raw).length);
    const created = data(raw, 0).response as Json;
    expect(Object.keys(created)).toEqual(Object.keys(data(reference, 0).response as Json));
    expect(created).toMatchObject({ status: 'in_progress', usage: null, instructions: 'Be brief.' });
    const delta = (text: string) => parseSse(text).find((e) => e.event === 'response.output_text.delta')?.data ?? '{}';
    expect(Object.keys(JSON.parse(delta(raw)) as Json)).toEqual(Object.keys(JSON.parse(delta(reference)) as Json));
    const usage = (text: string) => Object.keys((data(text, -1).response as Json).usage as Json);
    expect(usage(raw)).toEqual(usage(reference));
  });

  it('tool call: the fixture\'s function_call event sequence with fc_ item ids and call_ ids', async () => {
    const { raw, reply } = await streamApi(proxy.url, 'responses', ADAPTERS.responses.tools('weather in Paris', ADAPTERS.responses.choice({ name: 'get_weather' })));
    const reference = fixture('openai/responses/b-tool-call.sse');
    const names = (text: string) => parseSse(text).map((e) => e.event);
    expect(collapse(names(raw))).toEqual(collapse(names(reference)));
    const added = (text: string) => JSON.parse(parseSse(text)[2]?.data ?? '{}') as Json;
    expect(Object.keys(added(raw))).toEqual(Object.keys(added(reference)));
    expect(Object.keys(added(raw).item as Json)).toEqual(Object.keys(added(reference).item as Json));
    expect(reply.tool_calls[0]).toMatchObject({ item_id: expect.stringMatching(/^fc_/), id: expect.stringMatching(/^call_/), arguments: { location: 'Paris' } });
    expect(reply.stop_reason).toBe('completed');
  });
});

describe('Gemini stream has the fixture shape', () => {
  it('text: CRLF-framed data-only events, Google JSON style, running usage, finishReason on the last chunk only', async () => {
    const { response, raw, reply } = await streamApi(proxy.url, 'gemini', bodyFor('gemini', 'Hello there, how are you today?'));
    const reference = fixture('gemini/a-text.sse');
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(raw.split('\r\n\r\n').slice(0, -1).every((frame) => /^data: \{"candidates": \[\{"content": \{"parts": \[\{"text": /.test(frame) && !frame.includes('\n'))).toBe(true);
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
    const chunks = parseSse(raw).map((e) => JSON.parse(e.data) as Json & { candidates: Json[]; usageMetadata: Json });
    const ref = parseSse(reference).map((e) => JSON.parse(e.data) as Json & { candidates: Json[] });
    expect(Object.keys(chunks[0] ?? {})).toEqual(Object.keys(ref[0] ?? {}));
    expect(Object.keys(chunks.at(-1)?.candidates[0] ?? {})).toEqual(Object.keys(ref.at(-1)?.candidates[0] ?? {}));
    expect(chunks.filter((c) => c.candidates[0]?.finishReason !== undefined)).toHaveLength(1);
    const counts = chunks.map((c) => Number(c.usageMetadata.candidatesTokenCount));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(reply.usage).toMatchObject({ promptTokenCount: 8, totalTokenCount: 8 + (counts.at(-1) ?? 0) });
  });

  it('tool call: whole functionCall parts in the last chunk, no id, finishReason STOP', async () => {
    const { raw } = await streamApi(proxy.url, 'gemini', ADAPTERS.gemini.tools('weather in Paris', ADAPTERS.gemini.choice({ name: 'get_weather' })));
    const reference = fixture('gemini/b-tool-call.sse');
    const only = (text: string) => parseSse(text).map((e) => JSON.parse(e.data) as { candidates: { content: { parts: Json[] }; finishReason: string }[] });
    const ours = only(raw);
    expect(ours).toHaveLength(1);
    const part = ours[0]?.candidates[0]?.content.parts[0] ?? {};
    expect(Object.keys(part)).toEqual(Object.keys(only(reference)[0]?.candidates[0]?.content.parts[0] ?? {}));
    expect(part.functionCall).toEqual({ name: 'get_weather', args: { location: 'Paris' } });
    expect(ours[0]?.candidates[0]?.finishReason).toBe('STOP');
  });
});
