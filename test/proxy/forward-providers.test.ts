// @vitest-environment node
// Forward mode for OpenAI and Gemini against a fake upstream on 127.0.0.1:
// the real key replaces the client's (Bearer / x-goog-api-key), client
// credentials (including Gemini's `key=` parameter) never travel on or reach
// a log, and the origin guard applies as for Anthropic.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startProxy, type ProxyServer } from '../../proxy/index';
import { CHAT_PATH, chat, gemini, post } from './clients';
import { deadUrl, fixture, parseSse, recordingUpstream, reduceChat, reduceGemini, type Seen } from './helpers';

const OPENAI_KEY = 'sk-proj-REAL-openai-key-0123456789';
const GEMINI_KEY = 'AIzaSy-REAL-gemini-key-0123456789';
const CLIENT_KEY = 'AIza-client-side-key';

let behaviour: (res: ServerResponse) => void;
let seen: Seen[];
const logLines: string[] = [];
let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
let upstreamUrl: string;
let proxy: ProxyServer;

beforeAll(async () => {
  upstream = await recordingUpstream((res) => behaviour(res));
  seen = upstream.seen;
  upstreamUrl = upstream.url;
  proxy = await startProxy({
    port: 0, anthropicApiKey: '', openaiApiKey: OPENAI_KEY, openaiUpstream: upstreamUrl, geminiApiKey: GEMINI_KEY, geminiUpstream: `${upstreamUrl}/`,
    log: (line) => logLines.push(line),
  });
});

afterAll(async () => {
  await proxy.close();
  await upstream.close();
  // Neither key, the client's key, nor any key= query ever reaches the log.
  const log = logLines.join('\n');
  expect(logLines.length).toBeGreaterThan(0);
  for (const secret of [OPENAI_KEY, GEMINI_KEY, CLIENT_KEY, 'key=']) expect(log).not.toContain(secret);
});

beforeEach(() => {
  seen.length = 0;
  behaviour = (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  };
});

const browser = { 'content-type': 'application/json', origin: 'http://localhost:5173', referer: 'http://localhost:5173/', cookie: 'sid=1' };

describe('OpenAI forward mode', () => {
  it('reports the modes', async () => {
    expect(proxy.mode).toEqual({ anthropic: 'simulated', openai: 'forward', gemini: 'forward' });
  });

  it('sends Bearer <real key> instead of the client\'s token, strips browser headers, relays the stream', async () => {
    const sse = fixture('openai/chat/a-text.sse');
    behaviour = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': 'req_up' });
      res.end(sse);
    };
    const body = JSON.stringify(chat('hello upstream'));
    const res = await post(proxy.url, CHAT_PATH, body, { ...browser, authorization: 'Bearer sk-client-placeholder', 'openai-organization': 'org-1' });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toBe(sse);
    expect(reduceChat(parseSse(text)).complete).toBe(true);
    expect(res.headers.get('x-request-id')).toBe('req_up');
    const got = seen[0];
    expect(got).toMatchObject({ method: 'POST', url: '/v1/chat/completions', body });
    expect(got?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(got?.headers['openai-organization']).toBe('org-1');
    for (const name of ['origin', 'referer', 'cookie', 'x-api-key']) expect(got?.headers[name], name).toBeUndefined();
  });

  it('defaults to https://api.openai.com with /openai/v1/... → /v1/...', async () => {
    const providers = '../../proxy/providers.mjs';
    const forward = '../../proxy/forward.mjs';
    const { PROVIDERS } = (await import(providers)) as { PROVIDERS: { id: string; defaultUpstream: string; credentialQuery: string[] }[] };
    const { upstreamUrl: join } = (await import(forward)) as { upstreamUrl: (u: string, rest: string, search: string, strip?: string[]) => URL };
    const openai = PROVIDERS.find((p) => p.id === 'openai');
    expect(String(join(openai?.defaultUpstream ?? '', '/v1/chat/completions', ''))).toBe('https://api.openai.com/v1/chat/completions');
    const google = PROVIDERS.find((p) => p.id === 'gemini');
    expect(String(join(google?.defaultUpstream ?? '', '/v1beta/models/m:generateContent', '?key=k&alt=sse', google?.credentialQuery)))
      .toBe('https://generativelanguage.googleapis.com/v1beta/models/m:generateContent?alt=sse');
  });

  it('refuses foreign origins with an OpenAI-shaped 403 before reaching upstream', async () => {
    const res = await post(proxy.url, CHAT_PATH, '{}', { 'content-type': 'application/json', origin: 'https://evil.example', authorization: 'Bearer x' });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: null } });
    expect(text).toContain('RKAT_PROXY_ALLOWED_ORIGINS');
    expect(text).not.toContain(OPENAI_KEY);
    expect(seen).toHaveLength(0);
  });
});

describe('Gemini forward mode', () => {
  const path = '/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent';

  it('sends x-goog-api-key <real key>, drops the client\'s header, authorization and key= parameter, keeps the rest', async () => {
    const sse = fixture('gemini/a-text.sse');
    behaviour = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse);
    };
    const body = JSON.stringify(gemini('hello upstream'));
    const res = await post(proxy.url, `${path}?key=${CLIENT_KEY}&alt=sse`, body, { ...browser, 'x-goog-api-key': CLIENT_KEY, authorization: 'Bearer ya29.token', 'x-goog-api-client': 'genai-js/1.0' });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toBe(sse);
    expect(reduceGemini(text).complete).toBe(true);
    const got = seen[0];
    expect(got).toMatchObject({ method: 'POST', url: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', body });
    expect(got?.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(got?.headers['x-goog-api-client']).toBe('genai-js/1.0');
    for (const name of ['authorization', 'origin', 'cookie']) expect(got?.headers[name], name).toBeUndefined();
    expect(JSON.stringify(got)).not.toContain(CLIENT_KEY);
  });

  it('leaves queries without a key byte for byte', async () => {
    await (await post(proxy.url, `${path}?alt=sse&x=a%20b+c`, '{}', { 'content-type': 'application/json' })).text();
    await (await post(proxy.url, `${path}?key=${CLIENT_KEY}`, '{}', { 'content-type': 'application/json' })).text();
    expect(seen.map((s) => s.url)).toEqual([`/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&x=a%20b+c`, '/v1beta/models/gemini-2.5-flash:streamGenerateContent']);
  });

  it('refuses foreign origins and a non-loopback Host with a Google-shaped 403', async () => {
    const res = await post(proxy.url, `${path}?alt=sse`, '{}', { 'content-type': 'application/json', origin: 'https://evil.example', 'x-goog-api-key': CLIENT_KEY });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${proxy.url}${path}`, { method: 'POST', headers: { host: 'rebound.example:3100' } });
      req.on('response', (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(403);
    expect(seen).toHaveLength(0);
  });

  it('an unreachable upstream gives a Google-shaped 502 without the key', async () => {
    const dead = await deadUrl();
    const broken = await startProxy({ port: 0, geminiApiKey: GEMINI_KEY, geminiUpstream: dead, openaiApiKey: OPENAI_KEY, openaiUpstream: dead });
    try {
      const res = await post(broken.url, `${path}?alt=sse&key=${CLIENT_KEY}`, '{}', { 'content-type': 'application/json' });
      expect(res.status).toBe(502);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ error: { code: 502, status: 'UNAVAILABLE', message: expect.stringMatching(/^proxy could not reach upstream/) } });
      for (const secret of [GEMINI_KEY, CLIENT_KEY]) expect(text).not.toContain(secret);
      const openai = await post(broken.url, CHAT_PATH, '{}', { 'content-type': 'application/json' });
      expect(openai.status).toBe(502);
      expect(await openai.json()).toMatchObject({ error: { type: 'server_error' } });
    } finally {
      await broken.close();
    }
  });
});
