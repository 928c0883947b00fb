// @vitest-environment node
// `[[sim:...]]` directives: errors, broken streams, volume, and transport
// shaping. Transport directives must never change the bytes, only their cuts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startProxy, type ProxyServer } from '../../proxy/index';
import { API_HEADERS, messages, postMessages, readAll, resetSim, script, streamTurn } from './clients';
import { SIMULATED, fixture, parseSse, reduceAnthropic } from './helpers';
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

interface ErrorBody { type: string; error: { type: string; message: string }; request_id: string }

describe('error directives', () => {
  it('error=429: rate_limit_error with retry-after: 1, like e-429-rate-limit.http', async () => {
    const res = await postMessages(proxy.url, messages('hi [[sim:error=429]]'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('access-control-expose-headers')).toContain('retry-after');
    expect(res.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    const body = (await res.json()) as ErrorBody;
    const reference = JSON.parse(fixture('e-429-rate-limit.http').split(/\r?\n\r?\n/)[1] ?? '{}') as ErrorBody;
    expect(body.error).toEqual(reference.error);
    expect(body.request_id).toBe(res.headers.get('request-id'));
    const custom = await postMessages(proxy.url, messages('[[sim:error=429,retry-after=7]]'));
    expect(custom.headers.get('retry-after')).toBe('7');
  });

  it.each([
    [401, 'authentication_error'],
    [400, 'invalid_request_error'],
    [500, 'api_error'],
    [529, 'overloaded_error'],
  ])('error=%i → %s', async (status, type) => {
    const res = await postMessages(proxy.url, messages(`hello [[sim:error=${status}]]`));
    expect(res.status).toBe(status);
    expect(((await res.json()) as ErrorBody).error.type).toBe(type);
  });

  it('error=529 has status line 529', async () => {
    const raw = await rawPost(proxy.port, '/anthropic/v1/messages', API_HEADERS, JSON.stringify(messages('[[sim:error=529]]')));
    expect(raw.head.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 529 /);
  });
});

describe('broken streams', () => {
  it('midstream=overloaded: a few deltas, then an error event and no message_stop', async () => {
    const { response, raw, reply } = await streamTurn(proxy.url, messages('a fairly long prompt to produce several deltas [[sim:midstream=overloaded]]'));
    expect(response.status).toBe(200);
    expect(reply.textDeltas).toBe(3);
    expect(reply.complete).toBe(false);
    expect(reply.names.at(-1)).toBe('error');
    expect(raw.endsWith('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')).toBe(true);
  });

  it('truncate: ends before message_stop; truncate=N ends after N events', async () => {
    const { reply } = await streamTurn(proxy.url, messages('cut me [[sim:truncate]]'));
    expect(reply.names.at(-1)).toBe('message_delta');
    expect(reply.complete).toBe(false);
    const short = await streamTurn(proxy.url, messages('cut me [[sim:truncate=3]]'));
    expect(short.reply.names).toEqual(['message_start', 'content_block_start', 'ping']);
  });

  it('stop=max_tokens forces the stop reason', async () => {
    expect((await streamTurn(proxy.url, messages('x [[sim:stop=max_tokens]]'))).reply.stop_reason).toBe('max_tokens');
  });
});

describe('volume and transport', () => {
  it('deltas=1000 streams exactly 1000 text deltas', async () => {
    const { reply } = await streamTurn(proxy.url, messages('[[sim:deltas=1000]]'));
    expect(reply.textDeltas).toBe(1000);
    expect(reply.text).toBe(Array.from({ length: 1000 }, (_, i) => `w${i}`).join(' '));
    expect(reply.usage.output_tokens).toBe(1000);
    expect(reply.complete).toBe(true);
  });

  // Plenty of multi-byte characters, so that pseudo-random cuts land inside some.
  const body = JSON.stringify(messages(`Multi-byte text: 18 °C, sunny ☀️ — pack a light jacket, ${'日本語 🧥 ° '.repeat(12)}`));
  const path = '/anthropic/v1/messages';

  it('chunk=7 gives byte-identical bodies, written 7 bytes at a time', async () => {
    const plain = await rawPost(proxy.port, path, API_HEADERS, body);
    await script(proxy.url, ['chunk=7']);
    const chunked = await rawPost(proxy.port, path, API_HEADERS, body);
    expect(chunked.body.equals(plain.body)).toBe(true);
    expect(chunked.chunks.slice(0, -1).every((c) => c.length === 7)).toBe(true);
    expect(chunked.chunks.at(-1)?.length).toBeLessThanOrEqual(7);
    // An inline marker is invisible in the reply, so the bytes match too.
    const inline = await rawPost(proxy.port, path, API_HEADERS, body.replace('Multi-byte', '[[sim:chunk=7]] Multi-byte'));
    expect(inline.body.toString()).toBe(plain.body.toString());
  });

  it('split=random gives byte-identical bodies with reproducible cuts inside UTF-8 and between LFs', async () => {
    const plain = await rawPost(proxy.port, path, API_HEADERS, body);
    await script(proxy.url, ['split=random', 'split=random']);
    const first = await rawPost(proxy.port, path, API_HEADERS, body);
    const second = await rawPost(proxy.port, path, API_HEADERS, body);
    expect(first.body.equals(plain.body)).toBe(true);
    expect(first.chunks.map((c) => c.length)).toEqual(second.chunks.map((c) => c.length));
    expect(new Set(first.chunks.map((c) => c.length)).size).toBeGreaterThan(5);
    const isContinuation = (byte: number | undefined) => byte !== undefined && byte >= 0x80 && byte < 0xc0;
    expect(first.chunks.some((c) => isContinuation(c[0]))).toBe(true);
    expect(first.chunks.some((c, i) => c.at(-1) === 0x0a && first.chunks[i + 1]?.[0] === 0x0a)).toBe(true);
    // A client with a streaming decoder still recovers the same reply.
    expect(reduceAnthropic(parseSse(first.body.toString('utf8'))).text).toContain('☀️ — pack');
  });

  it('delay=MS paces the writes (combined with chunk)', async () => {
    const started = Date.now();
    const res = await postMessages(proxy.url, messages('[[sim:deltas=5,delay=30]]'));
    const { bytes } = await readAll(res);
    // 11 events → 10 pauses of 30 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(reduceAnthropic(parseSse(bytes.toString())).textDeltas).toBe(5);
    const combined = await rawPost(proxy.port, path, API_HEADERS, JSON.stringify(messages('hi [[sim:chunk=7,delay=5]]')));
    expect(combined.chunks.slice(0, -1).every((c) => c.length === 7)).toBe(true);
    expect(reduceAnthropic(parseSse(combined.body.toString())).text).toBe('You said: hi (1 messages in context)');
  });

  it('hang: head and first events, then a stall until the client aborts; the server stays healthy', async () => {
    const controller = new AbortController();
    const res = await postMessages(proxy.url, messages('wait forever [[sim:hang]]'), API_HEADERS, { signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    const decoder = new TextDecoder();
    while (!seen.includes('content_block_delta')) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended instead of hanging');
      seen += decoder.decode(value, { stream: true });
    }
    const stalled = await Promise.race([reader.read().then(() => 'data'), new Promise((r) => setTimeout(() => r('stalled'), 150))]);
    expect(stalled).toBe('stalled');
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
    await expect.poll(() => logLines.some((l) => l.includes('client closed early')), { timeout: 2000 }).toBe(true);
    expect((await fetch(`${proxy.url}/health`)).status).toBe(200);
    expect((await streamTurn(proxy.url, messages('still there?'))).reply.complete).toBe(true);
  });

  it('close() does not wait for a hanging stream', async () => {
    const other = await startProxy({ port: 0, ...SIMULATED });
    const res = await postMessages(other.url, messages('[[sim:hang]]'));
    expect(res.status).toBe(200);
    await other.close();
    await expect(res.text()).rejects.toThrow();
  });
});
