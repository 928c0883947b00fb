// @vitest-environment node
// CORS, /health and unknown routes.
import { describe, expect, it } from 'vitest';
import { startProxy } from '../../proxy/index';
import { API_HEADERS, messages, postMessages } from './clients';
import { SIMULATED, simulatedProxy } from './helpers';

const proxy = simulatedProxy();

const EXPOSED = 'retry-after, retry-after-ms, request-id, x-request-id';

describe('CORS', () => {
  it('preflight echoes Origin and requested headers', async () => {
    const res = await fetch(`${proxy.url}/anthropic/v1/messages`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-api-key,anthropic-version,x-stainless-os',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type,x-api-key,anthropic-version,x-stainless-os');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('vary')).toMatch(/origin/i);
  });

  it('preflight allows the OpenAI and Gemini credential headers', async () => {
    for (const [path, requested] of [
      ['/openai/v1/chat/completions', 'authorization,content-type,x-stainless-lang'],
      ['/openai/v1/responses', 'authorization,content-type,openai-organization'],
      ['/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent', 'content-type,x-goog-api-key,x-goog-api-client'],
    ]) {
      const res = await fetch(`${proxy.url}${path}?alt=sse`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': requested ?? '' },
      });
      expect(res.status, path).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(res.headers.get('access-control-allow-headers')).toBe(requested);
    }
    const fallback = (await fetch(`${proxy.url}/gemini/x`, { method: 'OPTIONS' })).headers.get('access-control-allow-headers') ?? '';
    for (const h of ['authorization', 'x-goog-api-key', 'x-goog-api-client', 'openai-organization', 'openai-project']) expect(fallback).toContain(h);
  });

  it('preflight without Origin or header list answers * and a default list', async () => {
    const res = await fetch(`${proxy.url}/anything`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const allowed = res.headers.get('access-control-allow-headers') ?? '';
    for (const h of ['content-type', 'x-api-key', 'anthropic-version', 'anthropic-dangerous-direct-browser-access', 'accept', 'authorization']) {
      expect(allowed).toContain(h);
    }
  });

  it('every other response carries allow-origin and expose-headers', async () => {
    const origin = { origin: 'http://127.0.0.1:8080' };
    const responses = [
      await postMessages(proxy.url, messages('hi'), { ...API_HEADERS, ...origin }),
      await postMessages(proxy.url, messages('hi'), { 'content-type': 'application/json', ...origin }),
      await fetch(`${proxy.url}/health`, { headers: origin }),
      await fetch(`${proxy.url}/nope`, { headers: origin }),
      await fetch(`${proxy.url}/_sim/requests`, { headers: origin }),
    ];
    for (const res of responses) {
      await res.arrayBuffer();
      expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8080');
      expect(res.headers.get('access-control-expose-headers')).toBe(EXPOSED);
    }
  });
});

describe('routes', () => {
  it('GET /health reports the mode', async () => {
    const mode = { anthropic: 'simulated', openai: 'simulated', gemini: 'simulated' };
    expect(proxy.mode).toEqual(mode);
    expect(proxy.url).toBe(`http://127.0.0.1:${proxy.port}`);
    expect(await (await fetch(`${proxy.url}/health`)).json()).toEqual({ ok: true, mode });
  });

  it('unknown paths give a 404 JSON error', async () => {
    for (const [method, path] of [['GET', '/nope'], ['GET', '/anthropic/v1/models'], ['GET', '/anthropic/v1/messages'], ['POST', '/mistral/v1/chat/completions']] as const) {
      const res = await fetch(`${proxy.url}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(((await res.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
    }
  });

  it('unknown routes under a provider prefix answer 404 in that API\'s error format', async () => {
    const openai = await fetch(`${proxy.url}/openai/v1/embeddings`, { method: 'POST', body: '{}' });
    expect(openai.status).toBe(404);
    expect(await openai.json()).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: null } });
    const gemini = await fetch(`${proxy.url}/gemini/v1beta/models/gemini-2.5-flash:countTokens`, { method: 'POST', body: '{}' });
    expect(gemini.status).toBe(404);
    expect(await gemini.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    const get = await fetch(`${proxy.url}/openai/v1/chat/completions`);
    expect(get.status).toBe(404);
  });

  it('refuses to bind a non-loopback address', async () => {
    await expect(startProxy({ port: 0, host: '0.0.0.0', ...SIMULATED })).rejects.toThrow(/loopback/);
  });
});
