// @vitest-environment node
// Forward mode against a hostile or broken upstream on 127.0.0.1: a key the
// upstream echoes never reaches the browser, and what the proxy passes on in
// either direction is limited to what the exchange needs.
import { request, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { Transform } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startProxy, type ProxyServer } from '../../proxy/index';
import { API_HEADERS, messages } from './clients';
import { recordingUpstream, SIMULATED, type Seen } from './helpers';
import { rawExchange } from './raw-http';

const REAL_KEY = 'sk-ant-REAL-key-0123456789';

// forward.mjs has no type declarations (it is not public API): load it untyped.
const FORWARD = new URL('../../proxy/forward.mjs', import.meta.url).href;
const { keyScrubber } = (await import(FORWARD)) as { keyScrubber: (secret: string) => Transform };

type Behaviour = (res: ServerResponse, seen: Seen) => void | Promise<void>;

let upstream: Awaited<ReturnType<typeof recordingUpstream>>;
let upstreamUrl: string;
let behaviour: Behaviour;
let seen: Seen[];
let proxy: ProxyServer;

beforeAll(async () => {
  upstream = await recordingUpstream((res, entry) => behaviour(res, entry));
  seen = upstream.seen;
  upstreamUrl = upstream.url;
  proxy = await startProxy({ port: 0, anthropicApiKey: REAL_KEY, anthropicUpstream: upstreamUrl, openaiApiKey: '', geminiApiKey: '' });
});

afterAll(async () => {
  await proxy.close();
  await upstream.close();
});

beforeEach(() => {
  seen.length = 0;
  behaviour = (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  };
});

const browserHeaders = { ...API_HEADERS, 'x-api-key': 'proxy', origin: 'http://localhost:5173' };
const postMessages = (headers: Record<string, string> = browserHeaders, base = proxy.url) =>
  fetch(`${base}/anthropic/v1/messages`, { method: 'POST', headers, body: '{}', redirect: 'manual' });

/** A request through node:http, which (unlike fetch) may set any Host. */
function rawRequest(url: string, method: string, headers: Record<string, string>, body = ''): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (p: Buffer) => parts.push(p));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Everything a Transform emits for these input pieces, as one string. */
async function scrub(secret: string, pieces: string[]): Promise<string> {
  const transform = keyScrubber(secret);
  const out: Buffer[] = [];
  transform.on('data', (part: Buffer) => out.push(part));
  const ended = new Promise((resolve) => transform.on('end', resolve));
  for (const piece of pieces) transform.write(Buffer.from(piece));
  transform.end();
  await ended;
  return Buffer.concat(out).toString('utf8');
}

describe('a key echoed by the upstream', () => {
  it('is redacted in response header values, including a redirect Location', async () => {
    behaviour = (res) => {
      res.writeHead(302, { location: `https://upstream.example/login?key=${REAL_KEY}`, 'x-debug-key': `Bearer ${REAL_KEY}`, 'content-length': '0' });
      res.end();
    };
    const res = await postMessages();
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://upstream.example/login?key=[redacted]');
    expect(res.headers.get('x-debug-key')).toBe('Bearer [redacted]');
    for (const [, value] of res.headers) expect(value).not.toContain(REAL_KEY);
  });

  it('is redacted in the status line\'s reason phrase', async () => {
    behaviour = (res) => {
      res.writeHead(401, `Unauthorized (key ${REAL_KEY})`, { 'content-type': 'application/json' });
      res.end('{}');
    };
    const res = await postMessages();
    expect(res.status).toBe(401);
    expect(res.statusText).toBe('Unauthorized (key [redacted])');
  });

  it('is redacted in the body, and the upstream content-length is dropped', async () => {
    const body = JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: `invalid api key: Bearer ${REAL_KEY}` } });
    behaviour = (res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    };
    const res = await postMessages();
    expect(res.status).toBe(401);
    expect(res.headers.get('content-length')).toBeNull();
    const text = await res.text();
    expect(text).not.toContain(REAL_KEY);
    expect(JSON.parse(text)).toMatchObject({ error: { message: 'invalid api key: Bearer [redacted]' } });
  });

  it('is redacted in a compressed body too', async () => {
    const { gzipSync } = await import('node:zlib');
    behaviour = (res) => {
      res.writeHead(400, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(`{"error":"bad key ${REAL_KEY}"}`));
    };
    const res = await postMessages({ ...browserHeaders, 'accept-encoding': 'gzip' });
    expect(seen[0]?.headers['accept-encoding']).toBe('identity');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.text()).toBe('{"error":"bad key [redacted]"}');
  });

  it('a body in a coding the proxy cannot check gives 502, and the upstream call is stopped, not drained', async () => {
    let closed = () => {};
    const upstreamClosed = new Promise<void>((resolve) => { closed = resolve; });
    behaviour = (res) => {
      res.on('close', closed);
      // A stream that would go on (and bill) long after the client got its 502.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'zstd' });
      res.write(`data: ${REAL_KEY}\n\n`);
    };
    const res = await postMessages();
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringContaining('content-encoding "zstd"') } });
    expect(text).not.toContain(REAL_KEY);
    await upstreamClosed;
  });

  it('does not hold back SSE: each event reaches the client before the upstream goes on', async () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => { release = resolve; });
    const first = `event: ping\ndata: {"echo":"${REAL_KEY}"}\n\n`;
    behaviour = async (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(first);
      await released;
      res.end('event: done\ndata: {}\n\n');
    };
    const res = await postMessages();
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.endsWith('\n\n')) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended before the first event');
      text += Buffer.from(value).toString('utf8');
    }
    expect(text).toBe('event: ping\ndata: {"echo":"[redacted]"}\n\n');
    release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    expect(text).toBe('event: ping\ndata: {"echo":"[redacted]"}\n\nevent: done\ndata: {}\n\n');
  });

  it('is found across every split of the stream into writes', async () => {
    const text = `a${REAL_KEY}b ${REAL_KEY.slice(0, 9)}c ${REAL_KEY}${REAL_KEY} sk-ant-`;
    const expected = 'a[redacted]b sk-ant-REc [redacted][redacted] sk-ant-';
    expect(await scrub(REAL_KEY, [text])).toBe(expected);
    expect(await scrub(REAL_KEY, [...text])).toBe(expected);
    for (let at = 0; at <= text.length; at += 1) {
      expect(await scrub(REAL_KEY, [text.slice(0, at), text.slice(at)]), `split at ${at}`).toBe(expected);
    }
  });

  it('a repeated prefix inside the key is handled', async () => {
    expect(await scrub('aaaaaaab', ['aaaa', 'aaaa', 'aaab', 'x'])).toBe('aaaa[redacted]x');
  });
});

describe('requests without an Origin', () => {
  const noOrigin = { ...API_HEADERS, 'x-api-key': 'proxy' };

  it('are refused when the browser marks them cross-site (an <img>, <script> or link on another site)', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${proxy.url}/anthropic/v1/messages`, {
        method, headers: { ...noOrigin, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' }, ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(res.status, method).toBe(403);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
    }
    expect(seen).toHaveLength(0);
  });

  it('are served from tools (no sec-fetch-site), typed URLs, and the same origin or site', async () => {
    for (const site of [undefined, 'none', 'same-origin', 'same-site']) {
      const res = await postMessages({ ...noOrigin, ...(site ? { 'sec-fetch-site': site } : {}) });
      expect(res.status, site).toBe(200);
      await res.arrayBuffer();
    }
    expect(seen).toHaveLength(4);
  });
});

describe('methods', () => {
  it('only GET and POST are forwarded; others get 405 in the API\'s error format', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${proxy.url}/anthropic/v1/messages`, { method, headers: browserHeaders, body: '{}' });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST');
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    }
    expect(seen).toHaveLength(0);
    expect((await postMessages()).status).toBe(200);
  });
});

describe('refused origins', () => {
  it('get no access-control-allow-origin, so the page cannot read the answer', async () => {
    const res = await postMessages({ ...browserHeaders, origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect((await postMessages()).headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });
});

describe('the /_sim control API', () => {
  let sim: ProxyServer;
  beforeAll(async () => {
    sim = await startProxy({ port: 0, ...SIMULATED });
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    await fetch(`${sim.url}/_sim/reset`, { method: 'POST' });
  });
  const evil = { origin: 'https://evil.example' };

  it('does not show recorded prompts to another site', async () => {
    await fetch(`${sim.url}/anthropic/v1/messages`, { method: 'POST', headers: API_HEADERS, body: JSON.stringify(messages('my secret prompt', { stream: false })) }).then((r) => r.text());
    for (const base of [sim.url, proxy.url]) {
      const res = await fetch(`${base}/_sim/requests`, { headers: evil });
      expect(res.status, base).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const text = await res.text();
      expect(text).not.toContain('my secret prompt');
      expect(text).toContain('RKAT_PROXY_ALLOWED_ORIGINS');
    }
    const crossSite = await fetch(`${sim.url}/_sim/requests`, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const rebound = await rawRequest(`${sim.url}/_sim/requests`, 'GET', { host: 'attacker.example:3100' });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('my secret prompt');
    const own = await fetch(`${sim.url}/_sim/requests`, { headers: { origin: 'http://localhost:5173' } });
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(await own.text()).toContain('my secret prompt');
  });

  it('takes no script or reset from another site (a text/plain POST needs no preflight)', async () => {
    const res = await fetch(`${sim.url}/_sim/script`, { method: 'POST', headers: { ...evil, 'content-type': 'text/plain' }, body: '["error=500"]' });
    expect(res.status).toBe(403);
    expect((await fetch(`${sim.url}/_sim/reset`, { method: 'POST', headers: evil })).status).toBe(403);
    const preflight = await fetch(`${sim.url}/_sim/script`, { method: 'OPTIONS', headers: { ...evil, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    const next = await fetch(`${sim.url}/anthropic/v1/messages`, { method: 'POST', headers: API_HEADERS, body: JSON.stringify(messages('hi', { stream: false })) });
    expect(next.status).toBe(200);
  });

  it('simulated provider routes still answer any origin (they spend no key)', async () => {
    const res = await fetch(`${sim.url}/anthropic/v1/messages`, { method: 'POST', headers: { ...API_HEADERS, ...evil }, body: JSON.stringify(messages('hi', { stream: false })) });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://evil.example');
  });
});

describe('an upstream that stops answering', () => {
  const OPENAI_KEY = 'sk-proj-REAL-openai-key-0123456789';
  let impatient: ProxyServer;
  beforeAll(async () => {
    impatient = await startProxy({
      port: 0, anthropicApiKey: REAL_KEY, anthropicUpstream: upstreamUrl, openaiApiKey: OPENAI_KEY, openaiUpstream: upstreamUrl, geminiApiKey: '',
      upstreamHeadTimeoutMs: 50, upstreamIdleTimeoutMs: 50,
    });
  });
  afterAll(async () => {
    await impatient.close();
  });

  /** Upstream behaviour that answers nothing; resolves `closed` when the proxy gives up on it. */
  function silent(writeHead: boolean) {
    let closed = () => {};
    const gaveUp = new Promise<void>((resolve) => { closed = resolve; });
    behaviour = (res) => {
      res.on('close', closed);
      if (writeHead) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('event: ping\ndata: {}\n\n');
      }
    };
    return gaveUp;
  }

  it('gives 504 in the API\'s error format when no response head comes', async () => {
    const gaveUp = silent(false);
    const res = await postMessages(browserHeaders, impatient.url);
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'timeout_error', message: expect.stringMatching(/no response/) } });
    await gaveUp;
    const openaiGaveUp = silent(false);
    const openai = await fetch(`${impatient.url}/openai/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer proxy' }, body: '{}' });
    expect(openai.status).toBe(504);
    expect(await openai.json()).toMatchObject({ error: { type: 'server_error', param: null, code: null } });
    await openaiGaveUp;
  });

  it('cuts a stream that goes silent, so the client sees it fail', async () => {
    const gaveUp = silent(true);
    const res = await postMessages(browserHeaders, impatient.url);
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value ?? new Uint8Array()).toString()).toContain('event: ping');
    await expect((async () => { for (;;) if ((await reader.read()).done) return; })()).rejects.toThrow();
    await gaveUp;
  });

  it('refuses timeouts that are not positive numbers', async () => {
    for (const upstreamHeadTimeoutMs of [0, -1, Number.NaN, Infinity]) {
      await expect(startProxy({ port: 0, upstreamHeadTimeoutMs })).rejects.toThrow(/upstreamHeadTimeoutMs/);
    }
  });
});

describe('headers passed on', () => {
  it('the upstream\'s Vary is merged with the proxy\'s vary: origin', async () => {
    for (const upstreamVary of ['Accept-Encoding', 'Origin, Accept-Encoding']) {
      behaviour = (res) => {
        res.writeHead(200, { 'content-type': 'application/json', vary: upstreamVary });
        res.end('{}');
      };
      const res = await postMessages();
      const vary = (res.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());
      expect(vary.sort(), upstreamVary).toEqual(['accept-encoding', 'origin']);
    }
  });

  it('client addresses are not sent upstream and upstream cookies not sent to the browser', async () => {
    behaviour = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['__cf_bm=abc; HttpOnly', 'other=1'] });
      res.end('{}');
    };
    // As a dev server's proxy on this machine sets them (a remote client is refused: forward.test.ts).
    const res = await postMessages({
      ...browserHeaders, 'x-forwarded-for': '127.0.0.1', 'x-forwarded-host': 'a.example', 'x-forwarded-proto': 'https', forwarded: 'for="[::1]:5173"', 'x-real-ip': '127.0.0.1',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    for (const name of ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'x-real-ip']) {
      expect(seen[0]?.headers[name], name).toBeUndefined();
    }
  });
});

describe('request framing', () => {
  it('a chunked body on a GET reaches the upstream as that request\'s body, never as a request of its own', async () => {
    // Unframed, these bytes would be a second request on the proxy's
    // connection to the upstream, with a method the proxy refuses.
    const smuggled = 'DELETE /v1/files/file_1 HTTP/1.1\r\nhost: api.anthropic.com\r\n\r\n';
    const res = await rawExchange(proxy.port, [
      'GET /anthropic/v1/models HTTP/1.1', 'host: 127.0.0.1', 'transfer-encoding: chunked', 'connection: close', '',
      `${Buffer.byteLength(smuggled).toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`,
    ].join('\r\n'));
    expect(res.status).toBe(200);
    expect(seen.map((s) => s.method)).toEqual(['GET']);
    expect(seen[0]?.body).toBe(smuggled);
  });
});

describe('upstream headers that set state or policy for an origin', () => {
  it('do not reach the browser, which would apply them to the proxy\'s origin (127.0.0.1, every port)', async () => {
    const policy = {
      'clear-site-data': '"cookies", "storage"',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'alt-svc': 'h3=":443"; ma=86400',
      nel: '{"report_to":"default","max_age":86400}',
      'report-to': '{"group":"default","max_age":86400,"endpoints":[{"url":"https://reports.example/"}]}',
      'reporting-endpoints': 'default="https://reports.example/"',
    };
    behaviour = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_1', ...policy });
      res.end('{}');
    };
    const res = await postMessages();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req_1');
    for (const name of Object.keys(policy)) expect(res.headers.get(name), name).toBeNull();
  });
});

describe('configuration refused at start', () => {
  it('a key with whitespace or control characters, naming where it came from but not the key', async () => {
    for (const key of ['sk-ant-secret-key\r', ' sk-ant-secret-key', 'sk-ant secret-key', 'sk-ant-secret\u0000key', 'sk-ant-sécret-key']) {
      const started = startProxy({ port: 0, ...SIMULATED, anthropicApiKey: key });
      await expect(started).rejects.toThrow(/anthropicApiKey/);
      await expect(started).rejects.not.toThrow(/secret/);
    }
  });

  it('allowed origins are compared as origins: case and default ports do not matter', async () => {
    const listed = await startProxy({
      port: 0, anthropicApiKey: REAL_KEY, anthropicUpstream: upstreamUrl, allowedOrigins: ['https://App.Example.com:443/', ' http://tool.example:8080 '],
    });
    try {
      for (const origin of ['https://app.example.com', 'http://tool.example:8080']) {
        const res = await postMessages({ ...browserHeaders, origin }, listed.url);
        expect(res.status, origin).toBe(200);
        expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      }
      expect((await postMessages({ ...browserHeaders, origin: 'http://app.example.com' }, listed.url)).status).toBe(403);
    } finally {
      await listed.close();
    }
  });

  it('an upstream the key may not go to: not an http(s) base URL, or plain http off this machine', async () => {
    const refused: [string, RegExp][] = [
      ['api.anthropic.com', /http\(s\) base URL/],
      ['ftp://api.anthropic.com', /http\(s\) base URL/],
      ['https://user:pw@api.anthropic.com', /http\(s\) base URL/],
      ['https://api.anthropic.com/?x=1', /http\(s\) base URL/],
      ['http://api.anthropic.com', /unencrypted/],
      ['http://192.168.1.10:4000', /unencrypted/],
      ['http://127.0.0.1.example.com', /unencrypted/],
    ];
    for (const [anthropicUpstream, reason] of refused) {
      const started = startProxy({ port: 0, ...SIMULATED, anthropicApiKey: REAL_KEY, anthropicUpstream });
      await expect(started, anthropicUpstream).rejects.toThrow(reason);
      await expect(started, anthropicUpstream).rejects.toThrow(/anthropicUpstream/);
      await expect(started).rejects.not.toThrow(REAL_KEY);
    }
    for (const anthropicUpstream of ['https://gateway.example/anthropic', 'http://localhost:4000', 'http://[::1]:4000']) {
      const started = await startProxy({ port: 0, ...SIMULATED, anthropicApiKey: REAL_KEY, anthropicUpstream });
      await started.close();
    }
  });

  it('allowed origins that are not origins', async () => {
    for (const entry of ['*', 'app.example.com', 'https://app.example.com/app', 'file:///tmp/x.html', 'null']) {
      await expect(startProxy({ port: 0, ...SIMULATED, allowedOrigins: [entry] }), entry).rejects.toThrow(/allowedOrigins/);
    }
  });
});
