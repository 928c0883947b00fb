// Shared helpers for the proxy tests: a small, independent SSE parser and
// stream reducers that follow each provider's fixtures/providers/*/NOTES.md,
// and a recording fake upstream for forward mode.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { startProxy, type ProxyServer } from '../../proxy/index';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/providers/anthropic/', import.meta.url));

/** A file of fixtures/providers/anthropic/, or of another provider with a `openai/chat/...` path. */
export function fixture(name: string): string {
  const path = /^(openai|gemini)\//.test(name) ? new URL(`../../fixtures/providers/${name}`, import.meta.url) : FIXTURES + name;
  return readFileSync(path, 'utf8');
}

/** startProxy options that simulate every provider whatever the environment holds. */
export const SIMULATED = { anthropicApiKey: '', openaiApiKey: '', geminiApiKey: '' } as const;

/**
 * A proxy with every provider simulated, started before the file's tests
 * and closed after them; read its address in a test.
 */
export function simulatedProxy(): Pick<ProxyServer, 'url' | 'port' | 'mode'> {
  let server: ProxyServer | undefined;
  beforeAll(async () => {
    server = await startProxy({ port: 0, ...SIMULATED });
  });
  afterAll(async () => {
    await server?.close();
  });
  const started = (): ProxyServer => {
    if (!server) throw new Error('simulatedProxy: read it inside a test, once it has started');
    return server;
  };
  return {
    get url() {
      return started().url;
    },
    get port() {
      return started().port;
    },
    get mode() {
      return started().mode;
    },
  };
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

export interface ProviderReply {
  text: string;
  tool_calls: { index: number; id: string | null; name: string; arguments_json: string | null; arguments: unknown; item_id?: string; thought_signature?: string }[];
  stop_reason: string | null;
  usage: Json | null;
  error: Json | null;
  complete: boolean;
  /** Content deltas (text or argument fragments) seen, and events/chunks in all. */
  deltas: number;
  events: number;
  id: string;
  model: string;
}

const emptyReply = (): ProviderReply => ({ text: '', tool_calls: [], stop_reason: null, usage: null, error: null, complete: false, deltas: 0, events: 0, id: '', model: '' });

function parseArgs(json: string): unknown {
  return json === '' ? {} : JSON.parse(json);
}

/** OpenAI Chat Completions (NOTES 5-13): data-only chunks, tool calls by index, [DONE]. */
export function reduceChat(events: SseEvent[]): ProviderReply {
  const out = emptyReply();
  const calls = new Map<number, ProviderReply['tool_calls'][number]>();
  for (const { event, data } of events) {
    if (event !== 'message') throw new Error(`chat streams are data-only, got event: ${event}`);
    out.events += 1;
    if (data === '[DONE]') {
      out.complete = true;
      continue;
    }
    const chunk = obj(JSON.parse(data));
    if (chunk.error) {
      out.error = obj(chunk.error);
      continue;
    }
    out.id = String(chunk.id);
    out.model = String(chunk.model);
    if (chunk.usage) out.usage = obj(chunk.usage);
    for (const choice of (chunk.choices ?? []) as Json[]) {
      const delta = obj(choice.delta);
      if (typeof delta.content === 'string' && delta.content !== '') {
        out.text += delta.content;
        out.deltas += 1;
      }
      for (const tc of (delta.tool_calls ?? []) as Json[]) {
        const index = Number(tc.index);
        const fn = obj(tc.function);
        const call = calls.get(index) ?? { index, id: '', name: '', arguments_json: '', arguments: {} };
        if (typeof tc.id === 'string') call.id = tc.id;
        if (typeof fn.name === 'string') call.name = fn.name;
        if (typeof fn.arguments === 'string' && fn.arguments !== '') {
          call.arguments_json += fn.arguments;
          out.deltas += 1;
        }
        calls.set(index, call);
      }
      if (typeof choice.finish_reason === 'string') out.stop_reason = choice.finish_reason;
    }
  }
  out.tool_calls = [...calls.values()].sort((a, b) => a.index - b.index).map((c) => ({ ...c, arguments: parseArgs(c.arguments_json ?? '') }));
  return out;
}

/** OpenAI Responses (NOTES 15-22): typed events numbered from 0, usage on the terminal response. */
export function reduceResponses(events: SseEvent[]): ProviderReply {
  const out = emptyReply();
  const calls = new Map<string, ProviderReply['tool_calls'][number]>();
  for (const { event, data } of events) {
    const payload = obj(JSON.parse(data));
    if (payload.type !== event) throw new Error(`event ${event} carries type ${String(payload.type)}`);
    if (payload.sequence_number !== out.events) throw new Error(`sequence_number ${String(payload.sequence_number)} where ${out.events} was due`);
    out.events += 1;
    const response = obj(payload.response);
    const item = obj(payload.item);
    switch (event) {
      case 'response.created':
        out.id = String(response.id);
        out.model = String(response.model);
        break;
      case 'response.output_item.added':
        if (item.type === 'function_call') {
          calls.set(String(item.id), { index: Number(payload.output_index), item_id: String(item.id), id: String(item.call_id), name: String(item.name), arguments_json: '', arguments: {} });
        }
        break;
      case 'response.output_text.delta':
        out.text += String(payload.delta);
        out.deltas += 1;
        break;
      case 'response.function_call_arguments.delta': {
        const call = calls.get(String(payload.item_id));
        if (call) call.arguments_json += String(payload.delta);
        out.deltas += 1;
        break;
      }
      case 'response.completed':
      case 'response.incomplete':
        out.stop_reason = String(response.status);
        out.usage = obj(response.usage);
        out.complete = true;
        break;
      case 'response.failed':
        out.stop_reason = 'failed';
        out.error ??= obj(response.error);
        break;
      case 'error':
        out.error = payload.error ? obj(payload.error) : { code: payload.code, message: payload.message };
        break;
      default:
        break;
    }
  }
  out.tool_calls = [...calls.values()].map((c) => ({ ...c, arguments: parseArgs(c.arguments_json ?? '') }));
  return out;
}

/**
 * Gemini (NOTES 2-20) from the raw body: data-only events with any line end,
 * whole functionCall parts, the last finishReason and usageMetadata, and a
 * bare JSON error object outside `data:` lines.
 */
export function reduceGemini(raw: string): ProviderReply {
  const out = emptyReply();
  for (const block of raw.split(/\r\n\r\n|\n\n|\r\r/)) {
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line.startsWith('{')) {
        out.error = obj(obj(JSON.parse(line)).error);
        continue;
      }
      if (!line.startsWith('data:')) continue;
      out.events += 1;
      const chunk = obj(JSON.parse(line.slice(5)));
      out.id = String(chunk.responseId);
      out.model = String(chunk.modelVersion);
      if (chunk.usageMetadata) out.usage = obj(chunk.usageMetadata);
      const candidate = obj((chunk.candidates as unknown[] | undefined)?.[0]);
      for (const [index, part] of ((obj(candidate.content).parts ?? []) as Json[]).entries()) {
        if (typeof part.text === 'string' && part.thought !== true) {
          out.text += part.text;
          if (part.text !== '') out.deltas += 1;
        }
        const call = part.functionCall ? obj(part.functionCall) : null;
        if (call) {
          const signature = typeof part.thoughtSignature === 'string' ? { thought_signature: part.thoughtSignature } : {};
          out.tool_calls.push({ index, id: (call.id as string | undefined) ?? null, name: String(call.name), arguments: call.args, arguments_json: null, ...signature });
        }
      }
      if (typeof candidate.finishReason === 'string') out.stop_reason = candidate.finishReason;
    }
  }
  out.complete = out.stop_reason !== null && out.error === null;
  return out;
}

/** A request the fake upstream got: its whole body as text. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A fake provider on 127.0.0.1 that records every request (`seen`, body
 * read whole) and hands it to `answer`. `close()` drops its connections.
 */
export async function recordingUpstream(
  answer: (res: ServerResponse, seen: Seen) => void | Promise<void>,
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts).toString('utf8') };
      seen.push(entry);
      void answer(res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url, seen, close };
}

/** The address of a port on 127.0.0.1 that was free a moment ago and has nobody listening. */
export async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
  return url;
}
