// One conversation, four wire formats: builders that express the same
// scenario (history, images, system prompt, tools, tool results, structured
// output, whole histories with tool calls) in each API's request shape, so
// behaviour tests run symmetrically.
import {
  CHAT_WEATHER_TOOL, GEMINI_WEATHER_TOOL, RESPONSES_WEATHER_TOOL, chat, gemini, headersFor, messages, pathFor, post, postMessages, reduceFor, responses,
  type Api, type Message,
} from './clients';
import { parseSse, reduceAnthropic, type ProviderReply } from './helpers';

type Json = Record<string, unknown>;
export type Turn = { role: 'user' | 'assistant'; text: string };
export type AnyApi = Api | 'anthropic';

export interface Adapter {
  /** A history of plain text turns. */
  history(turns: Turn[], extra?: Json): Json;
  /** One user turn with text and images of the given media types. */
  image(prompt: string, mediaTypes: string[]): Json;
  /** One user turn under a system prompt. */
  system(prompt: string, system: string): Json;
  /** One user turn with the weather tool (plus `extra` tools) offered. */
  tools(prompt: string, extra?: Json, more?: { name: string; parameters: Json }[]): Json;
  /** The tool-call turn replayed with one result per call. */
  followUp(prompt: string, reply: ProviderReply, results: string[]): Json;
  /** Structured output with this schema. */
  structured(prompt: string, schema: Json): Json;
  /** tool_choice equivalent: force `name`, or none. */
  choice(kind: { name: string } | 'none'): Json;
}

const b64 = (type: string) => (type === 'image/png' ? 'iVBORw0KGgo=' : '/9j/4AAQ');

const chatAdapter: Adapter = {
  history: (turns, extra) => chat(turns.map((t) => ({ role: t.role, content: t.text })), extra),
  image: (prompt, types) => chat([{ role: 'user', content: [{ type: 'text', text: prompt }, ...types.map((t) => ({ type: 'image_url', image_url: { url: `data:${t};base64,${b64(t)}` } }))] }]),
  system: (prompt, system) => chat([{ role: 'system', content: system }, { role: 'user', content: prompt }]),
  tools: (prompt, extra = {}, more = []) => chat(prompt, { tools: [CHAT_WEATHER_TOOL, ...more.map((t) => ({ type: 'function', function: t }))], ...extra }),
  followUp: (prompt, reply, results) => chat([
    { role: 'user', content: prompt },
    { role: 'assistant', content: reply.text || null, tool_calls: reply.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments_json } })) },
    ...reply.tool_calls.map((c, i) => ({ role: 'tool', tool_call_id: c.id, content: results[i] })),
  ], { tools: [CHAT_WEATHER_TOOL] }),
  structured: (prompt, schema) => chat(prompt, { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } } }),
  choice: (kind) => ({ tool_choice: kind === 'none' ? 'none' : { type: 'function', function: { name: kind.name } } }),
};

const responsesAdapter: Adapter = {
  history: (turns, extra) => responses(turns.map((t) => ({ role: t.role, content: t.text })), extra),
  image: (prompt, types) => responses([{ role: 'user', content: [{ type: 'input_text', text: prompt }, ...types.map((t) => ({ type: 'input_image', image_url: `data:${t};base64,${b64(t)}` }))] }]),
  system: (prompt, system) => responses(prompt, { instructions: system }),
  tools: (prompt, extra = {}, more = []) => responses(prompt, { tools: [RESPONSES_WEATHER_TOOL, ...more.map((t) => ({ type: 'function', ...t }))], ...extra }),
  followUp: (prompt, reply, results) => responses([
    { role: 'user', content: prompt },
    ...(reply.text ? [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: reply.text }] }] : []),
    ...reply.tool_calls.map((c) => ({ type: 'function_call', call_id: c.id, name: c.name, arguments: c.arguments_json })),
    ...reply.tool_calls.map((c, i) => ({ type: 'function_call_output', call_id: c.id, output: results[i] })),
  ], { tools: [RESPONSES_WEATHER_TOOL] }),
  structured: (prompt, schema) => responses(prompt, { text: { format: { type: 'json_schema', name: 'answer', schema, strict: true } } }),
  choice: (kind) => ({ tool_choice: kind === 'none' ? 'none' : { type: 'function', name: kind.name } }),
};

const geminiAdapter: Adapter = {
  history: (turns, extra) => gemini(turns.map((t) => ({ role: t.role === 'assistant' ? 'model' : 'user', parts: [{ text: t.text }] })), extra),
  image: (prompt, types) => gemini([{ role: 'user', parts: [{ text: prompt }, ...types.map((t) => ({ inlineData: { mimeType: t, data: b64(t) } }))] }]),
  system: (prompt, system) => gemini(prompt, { systemInstruction: { parts: [{ text: system }] } }),
  tools: (prompt, extra = {}, more = []) => gemini(prompt, { tools: [{ functionDeclarations: [...GEMINI_WEATHER_TOOL.functionDeclarations, ...more] }], ...extra }),
  followUp: (prompt, reply, results) => gemini([
    { role: 'user', parts: [{ text: prompt }] },
    {
      role: 'model',
      parts: [
        ...(reply.text ? [{ text: reply.text }] : []),
        ...reply.tool_calls.map((c) => ({ functionCall: { name: c.name, args: c.arguments }, ...(c.thought_signature ? { thoughtSignature: c.thought_signature } : {}) })),
      ],
    },
    { role: 'user', parts: reply.tool_calls.map((c, i) => ({ functionResponse: { name: c.name, response: { result: results[i] } } })) },
  ], { tools: [GEMINI_WEATHER_TOOL] }),
  structured: (prompt, schema) => gemini(prompt, { generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema } }),
  choice: (kind) => ({
    toolConfig: { functionCallingConfig: kind === 'none' ? { mode: 'NONE' } : { mode: 'ANY', allowedFunctionNames: [kind.name] } },
  }),
};

export const ADAPTERS: Record<Api, Adapter> = { chat: chatAdapter, responses: responsesAdapter, gemini: geminiAdapter };

/** Structured-output request bodies for all four APIs (Anthropic uses `output_config`). */
export function structuredBody(api: AnyApi, prompt: string, schema: Json): Json {
  if (api === 'anthropic') return messages(prompt, { output_config: { format: { type: 'json_schema', schema } } });
  return ADAPTERS[api].structured(prompt, schema);
}

// ---- any tools, whole histories, any API ---------------------------------

/** A tool as every API declares it: name, description, JSON Schema parameters. */
export interface ToolSpec { name: string; description?: string; parameters: Json }

/** The request's `tools` field offering exactly these tools, in any of the four APIs. */
export function nativeTools(api: AnyApi, tools: ToolSpec[]): Json[] {
  const described = tools.map((t) => ({ ...t, description: t.description ?? t.name }));
  switch (api) {
    case 'anthropic': return described.map(({ parameters, ...t }) => ({ ...t, input_schema: parameters }));
    case 'chat': return described.map((t) => ({ type: 'function', function: t }));
    case 'responses': return described.map((t) => ({ type: 'function', ...t }));
    default: return [{ functionDeclarations: described }];
  }
}

/** One user turn offering exactly these tools, in any of the four APIs. */
export function toolsBody(api: AnyApi, prompt: string, tools: ToolSpec[], extra: Json = {}): Json {
  const field = { tools: nativeTools(api, tools), ...extra };
  switch (api) {
    case 'anthropic': return messages(prompt, field);
    case 'chat': return chat(prompt, field);
    case 'responses': return responses(prompt, field);
    default: return gemini(prompt, field);
  }
}

/**
 * A turn of a history: a user prompt, an assistant answer with optional tool
 * calls, or the results of the previous assistant turn's calls (in order).
 */
export type HistoryTurn =
  | { role: 'user'; text: string }
  | { role: 'assistant'; text?: string; calls?: { name: string; args: Json }[] }
  | { role: 'tool'; results: string[] };

type Call = { id: string; name: string; args: Json };

/** The calls of each assistant turn with ids, and for each tool turn the calls it answers. */
function withCallIds(turns: HistoryTurn[]): { turn: HistoryTurn; calls: Call[] }[] {
  let previous: Call[] = [];
  return turns.map((turn, i) => {
    if (turn.role === 'assistant') {
      previous = (turn.calls ?? []).map((c, k) => ({ id: `call_h${i}_${k}`, ...c }));
      return { turn, calls: previous };
    }
    return { turn, calls: turn.role === 'tool' ? previous : [] };
  });
}

function anthropicHistory(turns: HistoryTurn[]): Json[] {
  return withCallIds(turns).map(({ turn, calls }) => {
    if (turn.role === 'user') return { role: 'user', content: turn.text };
    if (turn.role === 'tool') return { role: 'user', content: turn.results.map((r, k) => ({ type: 'tool_result', tool_use_id: calls[k]?.id, content: r })) };
    return {
      role: 'assistant',
      content: [...(turn.text ? [{ type: 'text', text: turn.text }] : []), ...calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.args }))],
    };
  });
}

function chatHistory(turns: HistoryTurn[]): Json[] {
  return withCallIds(turns).flatMap(({ turn, calls }): Json[] => {
    if (turn.role === 'user') return [{ role: 'user', content: turn.text }];
    if (turn.role === 'tool') return turn.results.map((r, k) => ({ role: 'tool', tool_call_id: calls[k]?.id, content: r }));
    const toolCalls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } }));
    return [{ role: 'assistant', content: turn.text ?? null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) }];
  });
}

function responsesHistory(turns: HistoryTurn[]): Json[] {
  return withCallIds(turns).flatMap(({ turn, calls }): Json[] => {
    if (turn.role === 'user') return [{ role: 'user', content: turn.text }];
    if (turn.role === 'tool') return turn.results.map((r, k) => ({ type: 'function_call_output', call_id: calls[k]?.id, output: r }));
    return [
      ...(turn.text ? [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: turn.text }] }] : []),
      ...calls.map((c) => ({ type: 'function_call', call_id: c.id, name: c.name, arguments: JSON.stringify(c.args) })),
    ];
  });
}

function geminiHistory(turns: HistoryTurn[]): Json[] {
  return withCallIds(turns).map(({ turn, calls }) => {
    if (turn.role === 'user') return { role: 'user', parts: [{ text: turn.text }] };
    if (turn.role === 'tool') return { role: 'user', parts: turn.results.map((r, k) => ({ functionResponse: { name: calls[k]?.name, response: { result: r } } })) };
    return { role: 'model', parts: [...(turn.text ? [{ text: turn.text }] : []), ...calls.map((c) => ({ functionCall: { name: c.name, args: c.args } }))] };
  });
}

/** A whole history (tool calls and results in native form) under a system prompt, in any API. */
export function historyBody(api: AnyApi, system: string, turns: HistoryTurn[], extra: Json = {}): Json {
  switch (api) {
    case 'anthropic': return messages(anthropicHistory(turns) as Message[], { system, ...extra });
    case 'chat': return chat([{ role: 'system', content: system }, ...chatHistory(turns)], extra);
    case 'responses': return responses(responsesHistory(turns), { instructions: system, ...extra });
    default: return gemini(geminiHistory(turns), { systemInstruction: { parts: [{ text: system }] }, ...extra });
  }
}

/** What a client of any API sees of a streamed reply: status, text, tool calls (an error body as is). */
export interface AnyReply { status: number; text: string; deltas: number; calls: { name: string; arguments: unknown }[]; error: string | null }

/** Streams one request to any of the four APIs and reduces it like a correct client. */
export async function streamAny(base: string, api: AnyApi, body: Json): Promise<AnyReply> {
  const response = api === 'anthropic' ? await postMessages(base, body) : await post(base, pathFor(api), body, headersFor(api));
  const raw = await response.text();
  if (!response.ok) return { status: response.status, text: '', deltas: 0, calls: [], error: raw };
  if (api === 'anthropic') {
    const reply = reduceAnthropic(parseSse(raw));
    return { status: response.status, text: reply.text, deltas: reply.textDeltas, calls: reply.tool_calls.map((c) => ({ name: c.name, arguments: c.arguments })), error: null };
  }
  const reply = reduceFor(api, raw);
  return { status: response.status, text: reply.text, deltas: reply.deltas, calls: reply.tool_calls.map((c) => ({ name: c.name, arguments: c.arguments })), error: null };
}
