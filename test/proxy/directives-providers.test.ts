// @vitest-environment node
// `[[sim:...]]` directives on the OpenAI Chat, OpenAI Responses and Gemini
// simulators: each API's own error formats, broken streams in each API's own
// failure shape, volume, and transport shaping that never changes the bytes.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startProxy, type ProxyServer } from '../../proxy/index';
import {
  APIS, CHAT_PATH, GEMINI_HEADERS, OPENAI_HEADERS, bodyFor, geminiPath, headersFor, pathFor, post, readAll, reduceFor, resetSim, script, streamApi,
} from './clients';
import { SIMULATED, fixture, parseSse } from './helpers';
import { rawPost } from './raw-http';

let proxy: ProxyServer;
const logLines: string[] = [];
beforeAll(async () => {
  proxy = await startProxy({ port: 0, ...SIMULATED, log: (line) => logLines.push(line) });
});
afterAll(async () => {
  await proxy.close();
});
beforeEach(async () => {
  await resetSim(proxy.url);
});

type OpenAIError = { error: { message: string; type: string; param: null; code: string | null } };
type GoogleError = { error: { code: number; message: string; status: string; details?: Record<string, unknown>[] } };

describe('OpenAI error directives (both routes)', () => {
  const paths = [CHAT_PATH, '/openai/v1/responses'];
  const body = (path: string, prompt: string) => bodyFor(path === CHAT_PATH ? 'chat' : 'responses', prompt);

  it('error=429: rate_limit_exceeded with retry-after, retry-after-ms and x-ratelimit headers, like e-429-rate-limit.http', async () => {
    const reference = JSON.parse(fixture('openai/e-429-rate-limit.http').split(/\r?\n\r?\n/)[1] ?? '{}') as OpenAIError;
    for (const path of paths) {
      const res = await post(proxy.url, path, body(path, 'hi [[sim:error=429]]'), OPENAI_HEADERS);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('retry-after-ms')).toBe('1000');
      expect(res.headers.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(res.headers.get('x-ratelimit-reset-requests')).toBe('1s');
      const { error } = (await res.json()) as OpenAIError;
      expect(Object.keys(error)).toEqual(Object.keys(reference.error));
      expect(error).toMatchObject({ type: reference.error.type, code: reference.error.code, param: null });
      expect(error.message).toContain('gpt-4.1');
    }
    const custom = await post(proxy.url, CHAT_PATH, body(CHAT_PATH, '[[sim:error=429,retry-after=7]]'), OPENAI_HEADERS);
    expect([custom.headers.get('retry-after'), custom.headers.get('retry-after-ms')]).toEqual(['7', '7000']);
  });

  it('quota (or error=429,quota): insufficient_quota, without retry hints', async () => {
    for (const marker of ['quota', 'error=429,quota']) {
      const res = await post(proxy.url, CHAT_PATH, body(CHAT_PATH, `[[sim:${marker}]] hi`), OPENAI_HEADERS);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBeNull();
      expect(((await res.json()) as OpenAIError).error).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota', message: expect.stringMatching(/exceeded your current quota/) });
    }
  });

  it.each([
    [400, 'invalid_request_error', null],
    [401, 'invalid_request_error', 'invalid_api_key'],
    [403, 'request_forbidden', 'unsupported_country_region_territory'],
    [404, 'invalid_request_error', 'model_not_found'],
    [500, 'server_error', null],
    [503, 'service_unavailable_error', 'server_is_overloaded'],
  ])('error=%i → %s / %s', async (status, type, code) => {
    for (const path of paths) {
      const res = await post(proxy.url, path, body(path, `hello [[sim:error=${status}]]`), OPENAI_HEADERS);
      expect(res.status).toBe(status);
      expect(((await res.json()) as OpenAIError).error).toMatchObject({ type, code });
    }
  });
});

describe('Gemini error directives', () => {
  const send = async (marker: string) => post(proxy.url, geminiPath(), bodyFor('gemini', `hi [[sim:${marker}]]`), GEMINI_HEADERS);

  it('error=429: RESOURCE_EXHAUSTED with a RetryInfo retryDelay (retry-after=S, default 1s), like e-429-rate-limit.http', async () => {
    const reference = JSON.parse(fixture('gemini/e-429-rate-limit.http').split(/\r?\n\r?\n/)[1] ?? '{}') as GoogleError;
    const res = await send('error=429');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBeNull();
    const { error } = (await res.json()) as GoogleError;
    expect(error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED', message: reference.error.message });
    expect(error.details?.map((d) => d['@type'])).toEqual(reference.error.details?.map((d) => d['@type']));
    expect(error.details?.at(-1)).toEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' });
    const custom = (await (await send('error=429,retry-after=34')).json()) as GoogleError;
    expect(custom.error.details?.at(-1)?.retryDelay).toBe('34s');
  });

  it.each([
    [400, 'INVALID_ARGUMENT', /API key not valid/],
    [401, 'UNAUTHENTICATED', /authentication credentials/],
    [403, 'PERMISSION_DENIED', /permission/],
    [404, 'NOT_FOUND', /models\/gemini-2\.5-flash is not found/],
    [500, 'INTERNAL', /internal error/],
    [503, 'UNAVAILABLE', /^The model is overloaded\. Please try again later\.$/],
    [504, 'DEADLINE_EXCEEDED', /Deadline/],
  ])('error=%i → %s', async (status, name, message) => {
    const res = await send(`error=${status}`);
    expect(res.status).toBe(status);
    const { error } = (await res.json()) as GoogleError;
    expect(error).toMatchObject({ code: status, status: name });
    expect(error.message).toMatch(message);
    if (status === 400) expect(error.details?.[0]).toMatchObject({ reason: 'API_KEY_INVALID' });
  });
});

describe('broken streams', () => {
  const LONG = 'a fairly long prompt to produce several deltas';

  it('chat midstream: three deltas, a data: {"error":...} chunk, no [DONE]; non-streaming gets 503', async () => {
    const { response, raw, reply } = await streamApi(proxy.url, 'chat', bodyFor('chat', `${LONG} [[sim:midstream=overloaded]]`));
    expect(response.status).toBe(200);
    expect(reply.deltas).toBe(3);
    expect(reply.complete).toBe(false);
    expect(reply.error).toEqual({ message: 'Our servers are currently overloaded. Please try again later.', type: 'service_unavailable_error', param: null, code: 'server_is_overloaded' });
    expect(raw.endsWith('"code":"server_is_overloaded"}}\n\n')).toBe(true);
    const plain = await post(proxy.url, CHAT_PATH, bodyFor('chat', `${LONG} [[sim:midstream]]`, { stream: false }), OPENAI_HEADERS);
    expect(plain.status).toBe(503);
    await plain.text();
  });

  it('responses midstream: the documented error event, then response.failed', async () => {
    const { raw, reply } = await streamApi(proxy.url, 'responses', bodyFor('responses', `${LONG} [[sim:midstream]]`));
    expect(reply.deltas).toBe(3);
    expect(reply.complete).toBe(false);
    expect(reply.stop_reason).toBe('failed');
    const events = parseSse(raw);
    const error = JSON.parse(events.at(-2)?.data ?? '{}') as Record<string, unknown>;
    expect(Object.keys(error)).toEqual(['type', 'code', 'message', 'param', 'sequence_number']);
    expect(error).toMatchObject({ type: 'error', code: 'server_is_overloaded', param: null });
    expect(JSON.parse(events.at(-1)?.data ?? '{}')).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: 'server_is_overloaded' } } });
  });

  it('gemini midstream: three chunks, then a bare JSON error object without data:, then the end', async () => {
    const { raw, reply } = await streamApi(proxy.url, 'gemini', bodyFor('gemini', `${LONG} [[sim:midstream]]`));
    expect(reply.events).toBe(3);
    expect(reply.stop_reason).toBeNull();
    expect(reply.error).toEqual({ code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' });
    expect(raw.endsWith('\r\n\r\n{"error": {"code": 503,"message": "The model is overloaded. Please try again later.","status": "UNAVAILABLE"}}\r\n\r\n')).toBe(true);
    // A strict SSE parser never sees it (NOTES 20).
    expect(parseSse(raw).every((e) => e.data.startsWith('{"candidates"'))).toBe(true);
    const plain = await post(proxy.url, geminiPath('generateContent'), bodyFor('gemini', '[[sim:midstream]]'), GEMINI_HEADERS);
    expect(plain.status).toBe(503);
    await plain.text();
  });

  it.each(APIS)('%s truncate: ends before the end marker; truncate=2 after two events', async (api) => {
    const { raw, reply } = await streamApi(proxy.url, api, bodyFor(api, 'cut me [[sim:truncate]]'));
    expect(reply.complete).toBe(false);
    expect(reply.text).not.toBe('');
    if (api === 'chat') expect(reply.usage).not.toBeNull(); // everything but [DONE]
    if (api === 'responses') expect(parseSse(raw).at(-1)?.event).toBe('response.output_item.done');
    if (api === 'gemini') expect(raw).not.toContain('finishReason');
    const short = await streamApi(proxy.url, api, bodyFor(api, 'cut me [[sim:truncate=2]]'));
    expect(api === 'gemini' ? short.reply.events : parseSse(short.raw).length).toBe(2);
  });

  it.each(APIS)('%s stop=max_tokens maps to the API\'s length signal', async (api) => {
    const { raw, reply } = await streamApi(proxy.url, api, bodyFor(api, 'x [[sim:stop=max_tokens]]'));
    expect(reply.stop_reason).toBe({ chat: 'length', responses: 'incomplete', gemini: 'MAX_TOKENS' }[api]);
    if (api === 'responses') expect(raw).toContain('"incomplete_details":{"reason":"max_output_tokens"}');
  });
});

describe.each(APIS)('%s volume and transport', (api) => {
  it('deltas=200 streams exactly 200 text deltas', async () => {
    const { reply } = await streamApi(proxy.url, api, bodyFor(api, '[[sim:deltas=200]]'));
    expect(reply.deltas).toBe(200);
    expect(reply.text).toBe(Array.from({ length: 200 }, (_, i) => `w${i}`).join(' '));
    expect(reply.complete).toBe(true);
    const output = reply.usage?.completion_tokens ?? reply.usage?.output_tokens ?? reply.usage?.candidatesTokenCount;
    expect(output).toBe(200);
  });

  const body = JSON.stringify(bodyFor(api, `Multi-byte text: 18 °C, sunny ☀️ — ${'日本語 🧥 ° '.repeat(12)}`));
  const path = pathFor(api);
  const headers = headersFor(api);

  it('chunk=7 and split=random keep the bytes and change only the cuts', async () => {
    const plain = await rawPost(proxy.port, path, headers, body);
    await script(proxy.url, ['chunk=7', 'split=random', 'split=random']);
    const chunked = await rawPost(proxy.port, path, headers, body);
    expect(chunked.body.equals(plain.body)).toBe(true);
    expect(chunked.chunks.slice(0, -1).every((c) => c.length === 7)).toBe(true);
    const first = await rawPost(proxy.port, path, headers, body);
    const second = await rawPost(proxy.port, path, headers, body);
    expect(first.body.equals(plain.body)).toBe(true);
    expect(first.chunks.map((c) => c.length)).toEqual(second.chunks.map((c) => c.length));
    expect(first.chunks.some((c) => c[0] !== undefined && c[0] >= 0x80 && c[0] < 0xc0)).toBe(true);
    expect(reduceFor(api, first.body.toString('utf8')).text).toContain('☀️ —');
    const inline = await rawPost(proxy.port, path, headers, body.replace('Multi-byte', '[[sim:chunk=7]] Multi-byte'));
    expect(inline.body.toString()).toBe(plain.body.toString());
  });

  it('delay=MS paces the writes', async () => {
    const started = Date.now();
    // Gemini sends one chunk per delta: 4 writes, 3 pauses (the OpenAI formats write more frames).
    const res = await post(proxy.url, path, bodyFor(api, '[[sim:deltas=4,delay=40]]'), headers);
    const { bytes } = await readAll(res);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 40 - 10);
    expect(reduceFor(api, bytes.toString()).deltas).toBe(4);
  });

  it('hang: the first events, then silence until the client aborts; the server stays healthy', async () => {
    const controller = new AbortController();
    const res = await post(proxy.url, path, bodyFor(api, 'wait forever [[sim:hang]]'), headers, { signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    const decoder = new TextDecoder();
    while (!/"(delta|text)":/.test(seen)) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended instead of hanging');
      seen += decoder.decode(value, { stream: true });
    }
    const stalled = await Promise.race([reader.read().then(() => 'data'), new Promise((r) => setTimeout(() => r('stalled'), 150))]);
    expect(stalled).toBe('stalled');
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
    await expect.poll(() => logLines.some((l) => l.includes(path.split('?')[0] ?? path) && l.includes('client closed early')), { timeout: 2000 }).toBe(true);
    expect((await streamApi(proxy.url, api, bodyFor(api, 'still there?'))).reply.complete).toBe(true);
  });
});
