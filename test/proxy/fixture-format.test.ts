// @vitest-environment node
// The simulator must speak the wire format of the reference fixtures. First the
// test reducer is checked against the fixtures' expected results, then the
// simulator's output is compared structurally with the fixtures.
import { describe, expect, it } from 'vitest';
import { simulateAnthropic } from '../../proxy/index';
import { WEATHER_TOOL, messages, streamTurn } from './clients';
import { fixture, parseSse, reduceAnthropic, simulatedProxy } from './helpers';

const proxy = simulatedProxy();

function firstData(sse: string, name: string): Record<string, unknown> {
  const found = parseSse(sse).find((e) => e.event === name);
  if (!found) throw new Error(`no ${name} event`);
  return JSON.parse(found.data) as Record<string, unknown>;
}

describe('test reducer matches the fixtures', () => {
  for (const name of ['a-text', 'b-tool-call']) {
    it(`${name}.sse gives ${name}.expected.json`, () => {
      const expected = JSON.parse(fixture(`${name}.expected.json`)) as Record<string, unknown>;
      const reply = reduceAnthropic(parseSse(fixture(`${name}.sse`)));
      expect(reply.text).toBe(expected.text);
      expect(reply.stop_reason).toBe(expected.stop_reason);
      expect(reply.tool_calls).toEqual(expected.tool_calls);
      expect(reply.usage).toMatchObject(expected.usage as Record<string, number>);
      expect(reply.complete).toBe(true);
    });
  }
});

describe('simulated stream has the fixture shape', () => {
  it('text turn: same event sequence and key order as a-text.sse', async () => {
    const { response, raw, reply } = await streamTurn(proxy.url, messages('Hello there, how are you today?'));
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    // Collapse runs of deltas: the sequence must match the fixture's.
    const collapse = (names: string[]) => names.filter((n, i) => !(n === 'content_block_delta' && names[i - 1] === n));
    expect(collapse(reply.names)).toEqual(collapse(reduceAnthropic(parseSse(fixture('a-text.sse'))).names));
    const ours = firstData(raw, 'message_start').message as Record<string, unknown>;
    const theirs = firstData(fixture('a-text.sse'), 'message_start').message as Record<string, unknown>;
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    expect(Object.keys(ours.usage as object)).toEqual(Object.keys(theirs.usage as object));
    expect(Object.keys(firstData(raw, 'message_delta').usage as object)).toEqual(
      Object.keys(firstData(fixture('a-text.sse'), 'message_delta').usage as object),
    );
    // Framing: LF only, ping byte for byte, body ends with message_stop + blank line.
    expect(raw).not.toContain('\r');
    expect(raw).toContain('event: ping\ndata: {"type": "ping"}\n\n');
    expect(raw.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
  });

  it('tool turn: same event sequence as b-tool-call.sse, ping between input_json deltas', async () => {
    const { reply, events } = await streamTurn(proxy.url, messages("What's the weather like in Paris right now?", { tools: [WEATHER_TOOL] }));
    const collapse = (names: string[]) => names.filter((n, i) => !(n === 'content_block_delta' && names[i - 1] === n));
    const fixtureNames = reduceAnthropic(parseSse(fixture('b-tool-call.sse'))).names;
    expect(collapse(reply.names.filter((n) => n !== 'ping'))).toEqual(collapse(fixtureNames.filter((n) => n !== 'ping')));
    const toolDeltas = events.filter((e) => e.event === 'content_block_delta' && e.data.includes('input_json_delta'));
    expect(JSON.parse(toolDeltas[0]?.data ?? '{}')).toMatchObject({ index: 1, delta: { partial_json: '' } });
    expect(toolDeltas.length).toBeGreaterThan(2);
    const toolStart = events.findIndex((e) => e.event === 'content_block_start' && e.data.includes('tool_use'));
    const toolStop = events.findIndex((e, i) => i > toolStart && e.event === 'content_block_stop');
    expect(events.slice(toolStart, toolStop).some((e) => e.event === 'ping')).toBe(true);
    expect(JSON.parse(events[toolStart]?.data ?? '{}')).toMatchObject({ content_block: { type: 'tool_use', input: {} } });
  });

  it('simulateAnthropic() returns the same bytes the server streams', async () => {
    const body = messages('Same bytes ☀️ please', { system: 'be brief' });
    const { raw } = await streamTurn(proxy.url, body);
    const local = simulateAnthropic(body);
    expect(local.ok).toBe(true);
    if (!local.ok) return;
    expect(local.sse).toBe(raw);
    expect(local.message.content).toEqual([{ type: 'text', text: reduceAnthropic(parseSse(raw)).text }]);
    expect(simulateAnthropic({ model: 'x' })).toMatchObject({ ok: false, status: 400, error: { type: 'invalid_request_error' } });
  });
});
