// Shared helpers for the proxy tests: a small, independent SSE parser and an
// Anthropic stream reducer that follows fixtures/providers/anthropic/NOTES.md.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/providers/anthropic/', import.meta.url));

export function fixture(name: string): string {
  return readFileSync(FIXTURES + name, 'utf8');
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Generic SSE parsing: LF/CRLF/CR line ends, comments, multi-line data. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return events;
}

export interface ToolCall {
  index: number;
  id: string;
  name: string;
  arguments_json: string;
  arguments: unknown;
}

export interface Reduced {
  text: string;
  thinking: string | null;
  thinking_signature: string | null;
  tool_calls: ToolCall[];
  stop_reason: string | null;
  usage: Record<string, number>;
  error: { type: string; message: string } | null;
  complete: boolean;
  names: string[];
  textDeltas: number;
  model: string;
  id: string;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json {
  return value !== null && typeof value === 'object' ? (value as Json) : {};
}

/** What a correct client derives from an Anthropic stream (NOTES.md rules). */
export function reduceAnthropic(events: SseEvent[]): Reduced {
  const out: Reduced = {
    text: '', thinking: null, thinking_signature: null, tool_calls: [], stop_reason: null,
    usage: {}, error: null, complete: false, names: [], textDeltas: 0, model: '', id: '',
  };
  const partial = new Map<number, ToolCall>();
  for (const { event, data } of events) {
    out.names.push(event);
    const payload = obj(JSON.parse(data));
    // NOTES.md 1: the name is repeated in data.type and must match.
    if (payload.type !== event) throw new Error(`event ${event} carries type ${String(payload.type)}`);
    switch (payload.type) {
      case 'message_start': {
        const message = obj(payload.message);
        out.model = String(message.model);
        out.id = String(message.id);
        for (const [k, v] of Object.entries(obj(message.usage))) if (typeof v === 'number') out.usage[k] = v;
        break;
      }
      case 'content_block_start': {
        const block = obj(payload.content_block);
        if (block.type === 'tool_use') {
          partial.set(Number(payload.index), {
            index: Number(payload.index), id: String(block.id), name: String(block.name), arguments_json: '', arguments: {},
          });
        }
        if (block.type === 'thinking') out.thinking = '';
        break;
      }
      case 'content_block_delta': {
        const delta = obj(payload.delta);
        if (delta.type === 'text_delta') {
          out.text += String(delta.text);
          out.textDeltas += 1;
        } else if (delta.type === 'thinking_delta') out.thinking = (out.thinking ?? '') + String(delta.thinking);
        else if (delta.type === 'signature_delta') out.thinking_signature = String(delta.signature);
        else if (delta.type === 'input_json_delta') {
          const call = partial.get(Number(payload.index));
          if (call) call.arguments_json += String(delta.partial_json);
        }
        break;
      }
      case 'content_block_stop': {
        const call = partial.get(Number(payload.index));
        if (call) {
          call.arguments = call.arguments_json === '' ? {} : JSON.parse(call.arguments_json);
          out.tool_calls.push(call);
        }
        break;
      }
      case 'message_delta': {
        out.stop_reason = String(obj(payload.delta).stop_reason);
        // NOTES.md 15: cumulative; overwrite, never add.
        for (const [k, v] of Object.entries(obj(payload.usage))) if (typeof v === 'number') out.usage[k] = v;
        break;
      }
      case 'message_stop':
        out.complete = true;
        break;
      case 'error': {
        const error = obj(payload.error);
        out.error = { type: String(error.type), message: String(error.message) };
        break;
      }
      default:
        break;
    }
  }
  return out;
}

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
