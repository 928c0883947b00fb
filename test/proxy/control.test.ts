// @vitest-environment node
// The /_sim control API: scripted behaviours, the request log, reset.
import { beforeEach, describe, expect, it } from 'vitest';
import { API_HEADERS, CHAT_PATH, GEMINI_HEADERS, OPENAI_HEADERS, RESPONSES_PATH, chat, gemini, messages, post, postMessages, responses, resetSim, script } from './clients';
import { simulatedProxy } from './helpers';
// @ts-expect-error: the simulator's modules are plain JavaScript without declarations
import { LOG_BYTES, createSimControl } from '../../proxy/sim/control.mjs';

const proxy = simulatedProxy();
beforeEach(async () => {
  await resetSim(proxy.url);
});

interface Logged { provider: string; method: string; path: string; headers: Record<string, string>; body: unknown }

async function requests(): Promise<Logged[]> {
  return (await (await fetch(`${proxy.url}/_sim/requests`)).json()) as Logged[];
}

async function statusOf(body: unknown): Promise<number> {
  const res = await postMessages(proxy.url, body);
  await res.arrayBuffer();
  return res.status;
}

describe('/_sim control API', () => {
  it('the request log keeps at most LOG_BYTES of bodies (always the newest): any page may post to it', async () => {
    const control = createSimControl();
    const entry = (n: number) => ({ provider: 'anthropic', method: 'POST', path: `/${n}`, headers: {}, body: null });
    for (let n = 0; n < 10; n++) control.record(entry(n), LOG_BYTES / 4);
    control.record(entry(10), LOG_BYTES * 2);
    let sent = '';
    const res = { headersSent: false, destroyed: false, writeHead() {}, end(text: string) { sent = text; } };
    await control.handle({ method: 'GET' } as never, res as never, new URL('http://127.0.0.1/_sim/requests'));
    expect((JSON.parse(sent) as Logged[]).map((e) => e.path)).toEqual(['/10']);
    control.record(entry(11), 1);
    control.record(entry(12), 1);
    await control.handle({ method: 'GET' } as never, res as never, new URL('http://127.0.0.1/_sim/requests'));
    expect((JSON.parse(sent) as Logged[]).map((e) => e.path)).toEqual(['/11', '/12']);
  });

  it('POST /_sim/script queues one behaviour per upcoming request, in order', async () => {
    await script(proxy.url, ['error=429', '', '[[sim:error=500]]']);
    const body = messages('hi');
    expect([await statusOf(body), await statusOf(body), await statusOf(body), await statusOf(body)]).toEqual([429, 200, 500, 200]);
  });

  it('inline markers override scripted directives', async () => {
    await script(proxy.url, ['error=500']);
    expect(await statusOf(messages('[[sim:error=429]]'))).toBe(429);
  });

  it('rejects malformed scripts with 400', async () => {
    for (const bad of ['not json', '{"a":1}', '[1]', '["bogus=1"]', '["error=418"]', '["split=even"]']) {
      const res = await fetch(`${proxy.url}/_sim/script`, { method: 'POST', body: bad });
      expect(res.status, bad).toBe(400);
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    }
  });

  it('GET /_sim/requests shows what clients sent, with credentials redacted', async () => {
    const body = messages('log me', { system: 'sys' });
    await statusOf(body);
    await postMessages(proxy.url, body, { ...API_HEADERS, authorization: 'Bearer secret-token', 'x-api-key': 'sk-ant-secret' }).then((r) => r.text());
    const log = await requests();
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ provider: 'anthropic', method: 'POST', path: '/anthropic/v1/messages', body });
    expect(log[0]?.headers['x-api-key']).toBe('[redacted]');
    expect(log[0]?.headers['anthropic-version']).toBe('2023-06-01');
    expect(log[1]?.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(log)).not.toMatch(/secret|sk-ant/);
  });

  it('scripts apply to whichever provider the next request goes to', async () => {
    await script(proxy.url, ['error=429', 'error=503', 'error=500', 'quota']);
    const statuses = [
      await post(proxy.url, CHAT_PATH, chat('a'), OPENAI_HEADERS),
      await post(proxy.url, '/gemini/v1beta/models/gemini-2.5-flash:generateContent', gemini('b'), GEMINI_HEADERS),
      await post(proxy.url, RESPONSES_PATH, responses('c'), OPENAI_HEADERS),
      await post(proxy.url, CHAT_PATH, chat('d'), OPENAI_HEADERS),
      await post(proxy.url, CHAT_PATH, chat('e'), OPENAI_HEADERS),
    ];
    for (const res of statuses) await res.arrayBuffer();
    expect(statuses.map((r) => r.status)).toEqual([429, 503, 500, 429, 200]);
  });

  it('logs OpenAI and Gemini requests with authorization, x-goog-api-key and key= redacted', async () => {
    await post(proxy.url, CHAT_PATH, chat('log me', { stream: false }), { ...OPENAI_HEADERS, authorization: 'Bearer sk-secret-openai' }).then((r) => r.text());
    await post(proxy.url, RESPONSES_PATH, responses('log me', { stream: false }), { ...OPENAI_HEADERS, authorization: 'Bearer sk-secret-openai' }).then((r) => r.text());
    const path = '/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=AIza-secret-query';
    await post(proxy.url, path, gemini('log me'), { ...GEMINI_HEADERS, 'x-goog-api-key': 'AIza-secret-header' }).then((r) => r.text());
    const log = await requests();
    expect(log.map((l) => [l.provider, l.path])).toEqual([
      ['openai', CHAT_PATH],
      ['openai', RESPONSES_PATH],
      ['gemini', '/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=%5Bredacted%5D'],
    ]);
    expect(log[0]?.headers.authorization).toBe('[redacted]');
    expect(log[2]?.headers['x-goog-api-key']).toBe('[redacted]');
    expect(log[2]?.body).toEqual(gemini('log me'));
    expect(JSON.stringify(log)).not.toMatch(/secret/);
  });

  it('keeps only the last 100 requests; invalid JSON bodies are logged as null', async () => {
    for (let i = 0; i < 103; i += 1) await statusOf(messages(`n${i}`, { stream: false }));
    await postMessages(proxy.url, '{oops').then((r) => r.text());
    const log = await requests();
    expect(log).toHaveLength(100);
    expect(log.at(-1)?.body).toBeNull();
    expect((log[0]?.body as { messages: { content: string }[] }).messages[0]?.content).toBe('n4');
  });

  it('POST /_sim/reset clears the log and pending scripts', async () => {
    await script(proxy.url, ['error=500']);
    await statusOf(messages('x', { stream: false }));
    await script(proxy.url, ['error=500']);
    expect(await (await fetch(`${proxy.url}/_sim/reset`, { method: 'POST' })).json()).toEqual({ ok: true });
    expect(await requests()).toEqual([]);
    expect(await statusOf(messages('x', { stream: false }))).toBe(200);
  });
});
