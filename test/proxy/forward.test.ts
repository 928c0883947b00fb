// @vitest-environment node
// Forward mode against a fake upstream on 127.0.0.1: the real key replaces the
// client's, browser headers are stripped, and responses stream through as-is.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startProxy, type ProxyServer } from '../../proxy/index';
import { API_HEADERS, messages } from './clients';
import { deadUrl, fixture, parseSse, recordingUpstream, reduceAnthropic, type Seen } from './helpers';

const REAL_KEY = 'sk-ant-REAL-key-0123456789';

type Behaviour = (res: ServerResponse, seen: Seen) => void | Promise<void>;

let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
let upstreamUrl: string;
let behaviour: Behaviour;
let seen: Seen[];
const logLines: string[] = [];
let proxy: ProxyServer;

beforeAll(async () => {
  upstream = await recordingUpstream((res, entry) => behaviour(res, entry));
  seen = upstream.seen;
  upstreamUrl = upstream.url;
  proxy = await startProxy({ port: 0, anthropicApiKey: REAL_KEY, anthropicUpstream: upstreamUrl, openaiApiKey: '', geminiApiKey: '', log: (l) => logLines.push(l) });
});

afterAll(async () => {
  await proxy.close();
  await upstream.close();
  // The key must never reach the log.
  expect(logLines.length).toBeGreaterThan(0);
  expect(logLines.join('\n')).not.toContain(REAL_KEY);
});

beforeEach(() => {
  seen.length = 0;
});

const browserHeaders = {
  ...API_HEADERS,
  'x-api-key': 'client-placeholder-key',
  authorization: 'Bearer client-token',
  origin: 'http://localhost:5173',
  referer: 'http://localhost:5173/app',
  cookie: 'session=abc',
  'anthropic-dangerous-direct-browser-access': 'true',
  'anthropic-beta': 'some-beta-2025-01-01',
};

describe('forward mode', () => {
  it('reports forward mode', async () => {
    const mode = { anthropic: 'forward', openai: 'simulated', gemini: 'simulated' };
    expect(proxy.mode).toEqual(mode);
    expect(await (await fetch(`${proxy.url}/health`)).json()).toEqual({ ok: true, mode });
  });

  it('replaces the key, strips browser headers, keeps path, query and body', async () => {
    behaviour = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_up_1', 'access-control-allow-origin': 'https://elsewhere.example' });
      res.end('{"ok":"from upstream"}');
    };
    const body = JSON.stringify(messages('hello upstream'));
    const res = await fetch(`${proxy.url}/anthropic/v1/messages?beta=true`, { method: 'POST', headers: browserHeaders, body });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"ok":"from upstream"}');
    expect(res.headers.get('request-id')).toBe('req_up_1');
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-expose-headers')).toContain('request-id');

    const got = seen[0];
    if (!got) throw new Error('upstream saw nothing');
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/v1/messages?beta=true');
    expect(got.body).toBe(body);
    expect(got.headers['x-api-key']).toBe(REAL_KEY);
    expect(got.headers['anthropic-version']).toBe('2023-06-01');
    expect(got.headers['anthropic-beta']).toBe('some-beta-2025-01-01');
    expect(got.headers['content-type']).toBe('application/json');
    for (const name of ['authorization', 'origin', 'referer', 'cookie', 'anthropic-dangerous-direct-browser-access']) {
      expect(got.headers[name], name).toBeUndefined();
    }
    expect(got.headers.host).toBe(new URL(upstreamUrl).host);
  });

  it('streams an SSE body through chunk by chunk, byte for byte', async () => {
    const sse = fixture('a-text.sse');
    const frames = sse.split(/(?<=\n\n)/);
    let release = () => {};
    const released = new Promise<void>((resolve) => { release = resolve; });
    behaviour = async (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': 'req_up_2' });
      res.write(frames[0]);
      // Hold the rest until the client has seen the first frame: a buffering proxy would deadlock here.
      await released;
      for (const frame of frames.slice(1)) res.write(frame);
      res.end();
    };
    const res = await fetch(`${proxy.url}/anthropic/v1/messages`, { method: 'POST', headers: browserHeaders, body: JSON.stringify(messages('stream')) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const parts: Buffer[] = [];
    const first = await reader.read();
    parts.push(Buffer.from(first.value ?? new Uint8Array()));
    expect(Buffer.concat(parts).toString()).toContain('message_start');
    release();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(Buffer.from(value));
    }
    const text = Buffer.concat(parts).toString('utf8');
    expect(text).toBe(sse);
    expect(reduceAnthropic(parseSse(text)).complete).toBe(true);
  });

  it('passes upstream errors through with their retry hints', async () => {
    behaviour = (res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '17' });
      res.end('{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}');
    };
    const res = await fetch(`${proxy.url}/anthropic/v1/messages`, { method: 'POST', headers: browserHeaders, body: '{}' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('17');
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error');
  });

  it('forwards GET and keeps an upstream path prefix', async () => {
    behaviour = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('[]');
    };
    const prefixed = await startProxy({ port: 0, anthropicApiKey: REAL_KEY, anthropicUpstream: `${upstreamUrl}/base/` });
    try {
      const res = await fetch(`${prefixed.url}/anthropic/v1/models?limit=2`);
      expect(await res.text()).toBe('[]');
      expect(seen[0]).toMatchObject({ method: 'GET', url: '/base/v1/models?limit=2' });
      expect(seen[0]?.headers['x-api-key']).toBe(REAL_KEY);
    } finally {
      await prefixed.close();
    }
  });

  it('a client abort closes the upstream request', async () => {
    let upstreamClosed = false;
    behaviour = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: ping\ndata: {"type": "ping"}\n\n');
      res.on('close', () => { upstreamClosed = true; });
    };
    const controller = new AbortController();
    const res = await fetch(`${proxy.url}/anthropic/v1/messages`, { method: 'POST', headers: browserHeaders, body: '{}', signal: controller.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await expect.poll(() => upstreamClosed, { timeout: 2000 }).toBe(true);
    expect((await fetch(`${proxy.url}/health`)).status).toBe(200);
  });

  it('an unreachable upstream gives 502 api_error without leaking the key', async () => {
    const lines: string[] = [];
    const broken = await startProxy({ port: 0, anthropicApiKey: REAL_KEY, anthropicUpstream: await deadUrl(), log: (l) => lines.push(l) });
    try {
      const res = await fetch(`${broken.url}/anthropic/v1/messages`, { method: 'POST', headers: browserHeaders, body: '{}' });
      expect(res.status).toBe(502);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      expect((JSON.parse(text) as { error: { message: string } }).error.message).toMatch(/^proxy could not reach upstream: /);
      expect(text).not.toContain(REAL_KEY);
      expect(lines.join('\n')).toContain('POST /anthropic/v1/messages 502');
      expect(lines.join('\n')).not.toContain(REAL_KEY);
    } finally {
      await broken.close();
    }
  });
});

describe('who may use the key', () => {
  const post = (headers: Record<string, string>) =>
    fetch(`${proxy.url}/anthropic/v1/messages`, { method: 'POST', headers: { ...API_HEADERS, ...headers }, body: '{}' });

  beforeEach(() => {
    behaviour = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    };
  });

  it('serves loopback origins and origin-less clients', async () => {
    expect((await post({ origin: 'http://localhost:5173' })).status).toBe(200);
    expect((await post({ origin: 'http://127.0.0.1:4173' })).status).toBe(200);
    expect((await post({})).status).toBe(200);
    expect(seen.length).toBe(3);
  });

  it('refuses other sites without reaching upstream or leaking the key', async () => {
    const res = await post({ origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain('RKAT_PROXY_ALLOWED_ORIGINS');
    expect(text).not.toContain(REAL_KEY);
    expect(seen.length).toBe(0);
  });

  const preflight = (origin: string) =>
    fetch(`${proxy.url}/anthropic/v1/messages`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
    });

  it('answers the preflight of a refused origin with 403, so the browser never sends the request', async () => {
    const res = await preflight('https://evil.example');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
    const text = await res.text();
    expect(text).toContain('RKAT_PROXY_ALLOWED_ORIGINS');
    expect(text).not.toContain(REAL_KEY);
    expect(seen.length).toBe(0);
  });

  it('allows the preflight of loopback origins', async () => {
    const res = await preflight('http://localhost:5173');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type,x-api-key');
  });

  it('refuses a non-loopback Host (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${proxy.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { ...API_HEADERS, host: 'attacker.example:3100' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(403);
    expect(seen.length).toBe(0);
  });

  it('refuses a request relayed for another machine, whatever its Origin (a reverse proxy in front)', async () => {
    const relayed: Record<string, string>[] = [
      { 'x-forwarded-for': '203.0.113.7' },
      { 'x-forwarded-for': '127.0.0.1, 10.0.0.5' }, // a forged loopback entry, then the address the reverse proxy saw
      { 'x-real-ip': '192.168.1.20' },
      { forwarded: 'for=127.0.0.1, for="[2001:db8::17]:4711";proto=https' },
      { forwarded: 'for=unknown' },
    ];
    for (const headers of relayed) {
      for (const origin of [undefined, 'http://localhost:5173']) {
        const res = await post({ ...headers, ...(origin ? { origin } : {}) });
        expect(res.status, JSON.stringify(headers)).toBe(403);
        if (origin) expect(res.headers.get('access-control-allow-origin')).toBeNull();
        expect(await res.text()).toMatch(/relayed for another machine/);
      }
    }
    expect(seen.length).toBe(0);
    // A proxy on this machine (a dev server's, with xfwd) passes.
    const local: Record<string, string>[] = [{ 'x-forwarded-for': '127.0.0.1' }, { 'x-forwarded-for': '::1, ::ffff:127.0.0.1' }, { forwarded: 'for="[::1]:5173";proto=http' }];
    for (const headers of local) {
      expect((await post({ ...headers, origin: 'http://localhost:5173' })).status, JSON.stringify(headers)).toBe(200);
    }
  });

  it('allows origins listed explicitly', async () => {
    const listed = await startProxy({
      port: 0,
      anthropicApiKey: REAL_KEY,
      anthropicUpstream: upstreamUrl,
      allowedOrigins: ['https://app.example'],
    });
    try {
      const res = await fetch(`${listed.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { ...API_HEADERS, origin: 'https://app.example' },
        body: '{}',
      });
      expect(res.status).toBe(200);
    } finally {
      await listed.close();
    }
  });
});
