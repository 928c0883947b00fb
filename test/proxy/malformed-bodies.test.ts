// @vitest-environment node
// Bodies of the wrong shape, from any web page that can reach the simulator:
// each is a 400 in the API's own error format, never a 500 or a dropped stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyServer } from '../../proxy/index';
import { GEMINI_HEADERS, geminiPath, post } from './clients';
import { SIMULATED } from './helpers';

let proxy: ProxyServer;
beforeAll(async () => {
  proxy = await startProxy({ port: 0, ...SIMULATED });
});
afterAll(async () => {
  await proxy.close();
});

interface GoogleError { error: { code: number; message: string; status: string } }

const u = [{ role: 'user', parts: [{ text: 'hi' }] }];

describe.each(['generateContent', 'streamGenerateContent'] as const)('Gemini %s', (verb) => {
  it.each([
    ['functionDeclarations true', { contents: u, tools: [{ functionDeclarations: true }] }, /Invalid value at 'tools\[0\]\.function_declarations'.*, true$/],
    ['functionDeclarations a string', { contents: u, tools: [{ functionDeclarations: 'abc' }] }, /Invalid value at 'tools\[0\]\.function_declarations'.*, "abc"$/],
    ['a declaration named false', { contents: u, tools: [{ functionDeclarations: [{ name: false }] }] }, /function_declarations\[0\]\.name: Invalid function name/],
    ['a null system instruction part', { contents: u, systemInstruction: { parts: [null] } }, /Invalid value at 'system_instruction\.parts\[0\]'.*Part\), null$/],
    ['a null part', { contents: [{ role: 'user', parts: [null] }] }, /Invalid value at 'contents\[0\]\.parts\[0\]'.*Part\), null$/],
    ['a part that is a list', { contents: [{ role: 'user', parts: [[]] }] }, /Invalid value at 'contents\[0\]\.parts\[0\]'.*Part\), list$/],
    ['text that is an object', { contents: u, systemInstruction: { parts: [{ text: { toString: 1 } }] } }, /Invalid value at 'system_instruction\.parts\[0\]\.text' \(TYPE_STRING\), object$/],
  ])('%s → 400 INVALID_ARGUMENT', async (_name, body, message) => {
    const res = await post(proxy.url, geminiPath(verb, undefined, 'gemini-3-pro'), body, GEMINI_HEADERS);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as GoogleError;
    expect(error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(error.message).toMatch(message);
  });
});
