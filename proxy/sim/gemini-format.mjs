// Gemini wire format for the simulator: request body → neutral conversation,
// and plan → GenerateContentResponse chunks / one whole response, shaped like
// fixtures/providers/gemini/{a-text,b-tool-call}.sse.
import { appendTurn, asString, contentText, isRecord, simMessage, takeDirectives } from './conversation.mjs';
import { fakeSignature, hashId } from './hash.mjs';
import { field } from './gemini-validate.mjs';

/**
 * @typedef {import('./planner.mjs').SimConversation} SimConversation
 * @typedef {import('./planner.mjs').SimMessage} SimMessage
 * @typedef {import('./simulate.mjs').ReplyOutcome} ReplyOutcome
 * @typedef {{ parts: Record<string, unknown>[], final: boolean, chars: number }} ChunkPlan
 */

/**
 * JSON in Google's wire style: `": "` after keys, bare commas
 * (`{"candidates": [{"content": {"parts": [...],"role": "model"}`).
 * @param {unknown} value
 * @returns {string}
 */
export function googleJson(value) {
  if (Array.isArray(value)) return `[${value.map(googleJson).join(',')}]`;
  if (isRecord(value)) return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${googleJson(v)}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * What a functionResponse reports: `response.error` fails, else the
 * `result`/`output`/`content` string, else the whole response as JSON.
 * @param {unknown} response
 */
function responseText(response) {
  if (!isRecord(response)) return contentText(response);
  if (response.error !== undefined) return contentText(response.error);
  const main = response.result ?? response.output ?? response.content;
  return typeof main === 'string' ? main : contentText(main ?? response);
}

/**
 * Converts a validated body. Gemini sends no call ids: calls get synthetic
 * ones, and each functionResponse is matched to the previous turn's calls by
 * name, in order (then by position).
 * @param {Record<string, any>} body
 * @returns {{ conversation: SimConversation, directiveSpecs: string[] }}
 */
export function geminiConversation(body) {
  /** @type {SimMessage[]} */
  const messages = [];
  /** @type {{ id: string, name: string, answered: boolean }[]} */
  let calls = [];
  for (const [t, content] of body.contents.entries()) {
    const sim = simMessage(content.role === 'model' ? 'assistant' : 'user');
    /** @type {string[]} */
    const texts = [];
    for (const part of content.parts) {
      const call = field(part, 'functionCall');
      const response = field(part, 'functionResponse');
      const media = field(part, 'inlineData') ?? field(part, 'fileData');
      if (typeof part.text === 'string' && part.thought !== true) texts.push(part.text);
      else if (isRecord(media)) sim.images.push(asString(field(media, 'mimeType') ?? 'unknown'));
      else if (isRecord(call)) sim.toolUses.push({ id: asString(call.id ?? `gemini_call_${t}_${sim.toolUses.length}`), name: call.name, input: call.args ?? {} });
      else if (isRecord(response)) {
        const match = calls.find((c) => !c.answered && c.name === response.name) ?? calls.find((c) => !c.answered);
        if (match) match.answered = true;
        const isError = isRecord(response.response) && response.response.error !== undefined;
        sim.toolResults.push({ toolUseId: match?.id ?? asString(response.id ?? response.name), name: response.name, text: responseText(response.response), isError });
      }
    }
    sim.text = texts.join('');
    calls = sim.toolUses.map((u) => ({ id: u.id, name: u.name, answered: false }));
    appendTurn(messages, sim);
  }
  const declarations = (Array.isArray(body.tools) ? body.tools : []).flatMap((t) => field(t, 'functionDeclarations') ?? []);
  const config = field(field(body, 'toolConfig'), 'functionCallingConfig');
  const mode = asString(field(config, 'mode') ?? 'AUTO').toUpperCase();
  const allowed = field(config, 'allowedFunctionNames');
  const tools = declarations
    .filter((d) => !Array.isArray(allowed) || allowed.includes(d.name))
    .map((d) => ({ name: d.name, schema: field(d, 'parametersJsonSchema') ?? d.parameters ?? {} }));
  /** @type {SimConversation['toolChoice']} */
  const toolChoice = mode === 'NONE' ? 'none' : mode !== 'ANY' ? 'auto' : tools.length === 1 && tools[0] ? { name: tools[0].name } : 'any';
  const system = field(body, 'systemInstruction');
  const directiveSpecs = takeDirectives(messages);
  const systemText = isRecord(system) && Array.isArray(system.parts) ? system.parts.map((p) => asString(p.text ?? '')).join('\n') : typeof system === 'string' ? system : '';
  return {
    conversation: {
      system: systemText,
      messages,
      tools,
      toolChoice,
      parallelTools: true,
      thinking: false,
      jsonOutput: geminiJsonOutput(body, systemText),
    },
    directiveSpecs,
  };
}

/**
 * Structured output: `responseMimeType: application/json`, with the schema
 * from `responseJsonSchema` (JSON Schema) or `responseSchema` (OpenAPI subset).
 * @param {Record<string, any>} body
 * @param {string} system the system instruction (the schema may be asked for there)
 * @returns {SimConversation['jsonOutput']}
 */
function geminiJsonOutput(body, system) {
  const config = field(body, 'generationConfig');
  if (field(config, 'responseMimeType') !== 'application/json') return schemaAskedInWords(system);
  const schema = field(config, 'responseJsonSchema') ?? field(config, 'responseSchema');
  return { schema: isRecord(schema) ? schema : null };
}

/**
 * A model without JSON mode (Gemini before 3 with tools offered) is asked
 * in the system instruction, as the runtime does: "... follows this JSON
 * Schema:" and the schema on the next line. The simulator obeys, like a
 * real model following instructions.
 * @param {string} system
 * @returns {SimConversation['jsonOutput']}
 */
function schemaAskedInWords(system) {
  const asked = /follows this JSON Schema:\n(\{[\s\S]*\})\s*$/.exec(system);
  if (!asked?.[1]) return undefined;
  try {
    const schema = JSON.parse(asked[1]);
    return { schema: isRecord(schema) ? schema : null };
  } catch {
    return undefined;
  }
}

/** Gemini finishReason for the plan's stop reason (tool calls end with STOP too). */
/** @param {string} stopReason */
const finishReasonOf = (stopReason) => ({ max_tokens: 'MAX_TOKENS', refusal: 'SAFETY' })[stopReason] ?? 'STOP';

/**
 * The parts of each chunk: one text piece per chunk, then all function calls
 * together in the last one (whole, never partial), which carries finishReason.
 * @param {ReplyOutcome} outcome
 * @returns {Generator<ChunkPlan>}
 */
function* chunkPlans(outcome) {
  /** @type {ChunkPlan | undefined} */
  let pending;
  let chars = 0;
  /** @type {Record<string, unknown>[]} */
  const calls = [];
  for (const block of outcome.plan.blocks) {
    if (block.type === 'tool_use') {
      const signature = calls.length === 0 ? { thoughtSignature: fakeSignature(outcome.fingerprint, 'gemini-call').slice(0, 128) } : {};
      calls.push({ functionCall: { name: block.name, args: block.input }, ...signature });
      chars += block.json.length;
    } else if (block.type === 'text') {
      for (const piece of block.pieces()) {
        if (pending) yield pending;
        chars += piece.length;
        pending = { parts: [{ text: piece }], final: false, chars };
      }
    }
  }
  if (calls.length > 0 || !pending) {
    if (pending) yield pending;
    pending = { parts: calls.length > 0 ? calls : [{ text: '' }], final: true, chars };
  }
  yield { ...pending, final: true };
}

/** Each reply's `responseId`, hashed once: the fingerprint is the whole
 * request, so hashing it per chunk made long replies to long requests
 * quadratic (a 300 KB tool result took 15 s to answer). */
/** @type {WeakMap<ReplyOutcome, string>} */
const responseIds = new WeakMap();

/** @param {ReplyOutcome} outcome */
function responseIdOf(outcome) {
  let id = responseIds.get(outcome);
  if (id === undefined) {
    id = `sim${hashId(outcome.fingerprint, 'response', 20)}`;
    responseIds.set(outcome, id);
  }
  return id;
}

/**
 * @param {ReplyOutcome} outcome
 * @param {string} model
 * @param {ChunkPlan} chunk
 */
function responseOf(outcome, model, { parts, final, chars }) {
  const prompt = outcome.inputTokens;
  const { outputTokens } = outcome.plan;
  // usageMetadata carries running totals on every chunk (NOTES 15).
  const candidates = final ? outputTokens : Math.min(outputTokens, Math.max(1, Math.ceil(chars / 4)));
  return {
    candidates: [{ content: { parts, role: 'model' }, ...(final ? { finishReason: finishReasonOf(outcome.plan.stopReason) } : {}), index: 0 }],
    usageMetadata: {
      promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
    },
    modelVersion: model,
    responseId: responseIdOf(outcome),
  };
}

/**
 * The streamed GenerateContentResponse chunks, generated lazily.
 * @param {ReplyOutcome} outcome
 * @param {string} model
 */
export function* geminiChunks(outcome, model) {
  for (const chunk of chunkPlans(outcome)) yield responseOf(outcome, model, chunk);
}

/**
 * The non-streaming response: all text in one part, then the calls.
 * @param {ReplyOutcome} outcome
 * @param {string} model
 */
export function geminiResponse(outcome, model) {
  /** @type {Record<string, unknown>[]} */
  const parts = [];
  let text = '';
  for (const chunk of chunkPlans(outcome)) {
    for (const part of chunk.parts) {
      if (typeof part.text === 'string') text += part.text;
      else parts.push(part);
    }
  }
  return responseOf(outcome, model, { parts: text === '' && parts.length > 0 ? parts : [{ text }, ...parts], final: true, chars: 0 });
}
