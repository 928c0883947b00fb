// Request helpers for the proxy tests: body builders, posting and
// stream-and-reduce for each simulated API (Anthropic Messages, OpenAI Chat
// Completions and Responses, Gemini).
import {
  parseSse, reduceAnthropic, reduceChat, reduceGemini, reduceResponses, type ProviderReply, type Reduced, type SseEvent,
} from './helpers';

type Json = Record<string, unknown>;

export const API_HEADERS: Record<string, string> = {
  'content-type': 'application/json',
  'x-api-key': 'sk-ant-test-client-key',
  'anthropic-version': '2023-06-01',
};

export const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Get the current weather for a city.',
  input_schema: {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'City name, e.g. Paris' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'], description: 'Temperature unit' },
    },
    required: ['location'],
  },
};

export type Message = { role: 'user' | 'assistant'; content: unknown };

/** A Messages request body with one user message (or a whole history). */
export function messages(content: string | Message[], extra: Json = {}): Json {
  const history = typeof content === 'string' ? [{ role: 'user', content }] : content;
  return { model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, messages: history, ...extra };
}

export async function postMessages(base: string, body: unknown, headers: Record<string, string> = API_HEADERS, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}/anthropic/v1/messages`, {
    method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body), ...init,
  });
}

/** Streams a request and reduces the events. */
export async function streamTurn(base: string, body: unknown): Promise<{ response: Response; raw: string; events: SseEvent[]; reply: Reduced }> {
  const response = await postMessages(base, body);
  const raw = await response.text();
  const events = parseSse(raw);
  return { response, raw, events, reply: reduceAnthropic(events) };
}

/** Reads a whole body as bytes, also reporting how many reads it took. */
export async function readAll(response: Response): Promise<{ bytes: Buffer; reads: number[] }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const parts: Buffer[] = [];
  const reads: number[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(Buffer.from(value));
    reads.push(value.byteLength);
  }
  return { bytes: Buffer.concat(parts), reads };
}

export async function script(base: string, directives: string[]): Promise<void> {
  const res = await fetch(`${base}/_sim/script`, { method: 'POST', body: JSON.stringify(directives) });
  if (!res.ok) throw new Error(`script failed: ${res.status} ${await res.text()}`);
}

export async function resetSim(base: string): Promise<void> {
  await fetch(`${base}/_sim/reset`, { method: 'POST' });
}

// ---- OpenAI and Gemini -------------------------------------------------

export const OPENAI_HEADERS: Record<string, string> = { 'content-type': 'application/json', authorization: 'Bearer sk-test-client-key' };
export const GEMINI_HEADERS: Record<string, string> = { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-test-client-key' };

const { name, description, input_schema: parameters } = WEATHER_TOOL;
export const CHAT_WEATHER_TOOL = { type: 'function', function: { name, description, parameters } };
export const RESPONSES_WEATHER_TOOL = { type: 'function', name, description, parameters, strict: false };
export const GEMINI_WEATHER_TOOL = { functionDeclarations: [{ name, description, parameters }] };

export const CHAT_PATH = '/openai/v1/chat/completions';
export const RESPONSES_PATH = '/openai/v1/responses';

/** `/gemini/v1beta/models/<model>:<verb>`, with `?alt=sse` for streaming unless a query is given. */
export function geminiPath(verb: 'streamGenerateContent' | 'generateContent' = 'streamGenerateContent', query?: string, model = 'gemini-2.5-flash'): string {
  return `/gemini/v1beta/models/${model}:${verb}${query ?? (verb === 'streamGenerateContent' ? '?alt=sse' : '')}`;
}

/** A streaming Chat Completions body (usage chunk requested). */
export function chat(content: string | Json[], extra: Json = {}): Json {
  const history = typeof content === 'string' ? [{ role: 'user', content }] : content;
  return { model: 'gpt-4.1', stream: true, stream_options: { include_usage: true }, messages: history, ...extra };
}

/** A streaming Responses body. */
export function responses(input: string | Json[], extra: Json = {}): Json {
  return { model: 'gpt-4.1', stream: true, input, ...extra };
}

/** A Gemini body (the model is in the path). */
export function gemini(contents: string | Json[], extra: Json = {}): Json {
  return { contents: typeof contents === 'string' ? [{ role: 'user', parts: [{ text: contents }] }] : contents, ...extra };
}

export type Api = 'chat' | 'responses' | 'gemini';
export const APIS: Api[] = ['chat', 'responses', 'gemini'];

/** The body of a one-prompt request for an API. */
export function bodyFor(api: Api, prompt: string, extra: Json = {}): Json {
  return api === 'chat' ? chat(prompt, extra) : api === 'responses' ? responses(prompt, extra) : gemini(prompt, extra);
}

export const pathFor = (api: Api): string => (api === 'chat' ? CHAT_PATH : api === 'responses' ? RESPONSES_PATH : geminiPath());
export const headersFor = (api: Api): Record<string, string> => (api === 'gemini' ? GEMINI_HEADERS : OPENAI_HEADERS);

export async function post(base: string, path: string, body: unknown, headers: Record<string, string>, init: RequestInit = {}): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body), ...init });
}

/** Reduces a raw streamed body the way a correct client of that API would. */
export function reduceFor(api: Api, raw: string): ProviderReply {
  return api === 'chat' ? reduceChat(parseSse(raw)) : api === 'responses' ? reduceResponses(parseSse(raw)) : reduceGemini(raw);
}

/** Streams one request to an API and reduces the body. */
export async function streamApi(base: string, api: Api, body: unknown, headers = headersFor(api)): Promise<{ response: Response; raw: string; reply: ProviderReply }> {
  const response = await post(base, pathFor(api), body, headers);
  const raw = await response.text();
  return { response, raw, reply: reduceFor(api, raw) };
}
