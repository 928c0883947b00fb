// One conversation, four wire formats: builders that express the same
// scenario (history, images, system prompt, tools, tool results, structured
// output) in each API's request shape, so behaviour tests run symmetrically.
import {
  CHAT_WEATHER_TOOL, GEMINI_WEATHER_TOOL, RESPONSES_WEATHER_TOOL, chat, gemini, messages, responses, type Api,
} from './clients';
import type { ProviderReply } from './helpers';

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
