// The benchmark's input: a streaming body in the exact shape of the
// provider fixtures (fixtures/providers/anthropic/a-text.sse, and the
// OpenAI Chat, OpenAI Responses and Gemini a-text.sse), with N text deltas,
// pre-generated as bytes and cut into network-like chunks.
// Works in Node and in the browser (no imports).

export const EVENT_COUNT = 20_000;

// Short pieces; several carry multi-byte UTF-8 (é 2 B, — 3 B, ☀️ 3+3 B,
// 👋 4 B), and a few need JSON escapes (quote, newline).
const PIECES = [
  "Paris", " is", " mild", " this", " week", ":", " around", " 18 °C", " and", " mostly",
  " sunny ☀️", " —", " pack", " a", " light", " jacket", " for", " the", " evenings.", " Café",
  " crème", " brûlée", " naïve", " résumé", " 👋", " said \"hi\"", "\n", " 42", " ok", ",",
];

/** Deterministic PRNG (mulberry32), so every run and every realm builds the same body. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The `count` deltas: 1 to 3 pieces each. */
export function makeDeltas(count = EVENT_COUNT, seed = 42) {
  const next = rng(seed);
  const deltas = new Array(count);
  for (let i = 0; i < count; i++) {
    let d = "";
    const n = 1 + Math.floor(next() * 3);
    for (let k = 0; k < n; k++) d += PIECES[Math.floor(next() * PIECES.length)];
    deltas[i] = d;
  }
  return deltas;
}

const MESSAGE_START =
  '{"type":"message_start","message":{"model":"claude-sonnet-4-5-20250929","id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":36,"cache_creation_input_tokens":0,"cache_read_input_tokens":1792,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":1,"service_tier":"standard"}}}';

function event(name, data) {
  return `event: ${name}\ndata: ${data}\n\n`;
}

/** The SSE text of a response streaming `deltas` as one text block. */
export function makeSseText(deltas) {
  const parts = [
    event("message_start", MESSAGE_START),
    event("content_block_start", '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'),
    event("ping", '{"type": "ping"}'),
  ];
  for (const d of deltas) {
    parts.push(
      event(
        "content_block_delta",
        `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(d)}}}`,
      ),
    );
  }
  parts.push(
    event("content_block_stop", '{"type":"content_block_stop","index":0}'),
    event(
      "message_delta",
      `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":36,"cache_creation_input_tokens":0,"cache_read_input_tokens":1792,"output_tokens":${deltas.length}}}`,
    ),
    event("message_stop", '{"type":"message_stop"}'),
  );
  return parts.join("");
}

// ---------------------------------------------------------------- OpenAI Chat Completions
// The shape of fixtures/providers/openai/chat/a-text.sse: data-only chunks
// (no `event:` line), a role chunk with empty content, one chunk per text
// delta, a finish_reason chunk with an empty delta, the usage chunk
// (`choices: []`, stream_options.include_usage) and `data: [DONE]`.

const CHAT_HEAD =
  '{"id":"chatcmpl-C7kTq1vXo9RlzSx5YJgPz0mH3aQeN","object":"chat.completion.chunk","created":1756728000,"model":"gpt-4.1-2025-04-14","service_tier":"default","system_fingerprint":"fp_b3f1157249","choices":[';

/**
 * The API's `obfuscation` padding (random characters that hide the token
 * length), from its own PRNG so the deltas stay those of makeDeltas().
 */
function obfuscation(next) {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let s = "";
  const n = 2 + Math.floor(next() * 13);
  for (let i = 0; i < n; i++) s += chars[Math.floor(next() * chars.length)];
  return s;
}

const dataOnly = (data) => `data: ${data}\n\n`;

/** The SSE text of a Chat Completions stream of `deltas`. */
export function makeOpenAiChatSse(deltas, seed = 42) {
  const pad = rng(seed ^ 0x5bd1e995);
  const chunk = (choices, usage = "null") => dataOnly(`${CHAT_HEAD}${choices}],"usage":${usage},"obfuscation":"${obfuscation(pad)}"}`);
  const parts = [chunk('{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}')];
  for (const d of deltas) {
    parts.push(chunk(`{"index":0,"delta":{"content":${JSON.stringify(d)}},"logprobs":null,"finish_reason":null}`));
  }
  parts.push(
    chunk('{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}'),
    dataOnly(
      `${CHAT_HEAD}],"usage":{"prompt_tokens":1864,"completion_tokens":${deltas.length},"total_tokens":${1864 + deltas.length},"prompt_tokens_details":{"cached_tokens":1792,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"obfuscation":"${obfuscation(pad)}"}`,
    ),
    dataOnly("[DONE]"),
  );
  return parts.join("");
}

// ---------------------------------------------------------------- OpenAI Responses
// The shape of fixtures/providers/openai/responses/a-text.sse: `event:` +
// `data:` with a `sequence_number`, created/in_progress/item/part events,
// one response.output_text.delta per delta, then output_text.done,
// content_part.done, output_item.done and response.completed, which (as on
// the wire) repeat the whole text four times.

const RESP_ID = "resp_68b5a1f0c3e4819c9d2b7a6e5f4d3c2b0a1e2f3d4c5b6a79";
const RESP_ITEM = "msg_68b5a1f1a2b4819cae3f9d8c7b6a5e4f0a1e2f3d4c5b6a79";

function responseObject(status, serviceTier, output, usage) {
  return `{"id":"${RESP_ID}","object":"response","created_at":1756728100,"status":"${status}","background":false,"error":null,"incomplete_details":null,"instructions":"You are a concise travel assistant. Use the get_weather tool for current conditions.","max_output_tokens":1024,"max_tool_calls":null,"model":"gpt-4.1-2025-04-14","output":${output},"parallel_tool_calls":true,"previous_response_id":null,"prompt_cache_key":null,"reasoning":{"effort":null,"summary":null},"safety_identifier":null,"service_tier":"${serviceTier}","store":true,"temperature":1.0,"text":{"format":{"type":"text"},"verbosity":"medium"},"tool_choice":"auto","tools":[{"type":"function","description":"Get the current weather for a city.","name":"get_weather","parameters":{"type":"object","properties":{"location":{"type":"string","description":"City name, e.g. Paris"},"unit":{"type":"string","enum":["celsius","fahrenheit"],"description":"Temperature unit"}},"required":["location"]},"strict":false}],"top_logprobs":0,"top_p":1.0,"truncation":"disabled","usage":${usage},"user":null,"metadata":{}}`;
}

/** The SSE text of a Responses API stream of `deltas`. */
export function makeOpenAiResponsesSse(deltas, seed = 42) {
  const pad = rng(seed ^ 0x27d4eb2f);
  let seq = 0;
  const ev = (type, fields) => event(type, `{"type":"${type}","sequence_number":${seq++},${fields}}`);
  const text = JSON.stringify(deltas.join(""));
  const part = `{"type":"output_text","annotations":[],"logprobs":[],"text":${text}}`;
  const item = `{"id":"${RESP_ITEM}","type":"message","status":"completed","content":[${part}],"role":"assistant"}`;
  const where = `"item_id":"${RESP_ITEM}","output_index":0,"content_index":0`;
  const parts = [
    ev("response.created", `"response":${responseObject("in_progress", "auto", "[]", "null")}`),
    ev("response.in_progress", `"response":${responseObject("in_progress", "auto", "[]", "null")}`),
    ev("response.output_item.added", `"output_index":0,"item":{"id":"${RESP_ITEM}","type":"message","status":"in_progress","content":[],"role":"assistant"}`),
    ev("response.content_part.added", `${where},"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}`),
  ];
  for (const d of deltas) {
    parts.push(ev("response.output_text.delta", `${where},"delta":${JSON.stringify(d)},"logprobs":[],"obfuscation":"${obfuscation(pad)}"`));
  }
  parts.push(
    ev("response.output_text.done", `${where},"text":${text},"logprobs":[]`),
    ev("response.content_part.done", `${where},"part":${part}`),
    ev("response.output_item.done", `"output_index":0,"item":${item}`),
    ev(
      "response.completed",
      `"response":${responseObject("completed", "default", `[${item}]`, `{"input_tokens":1864,"input_tokens_details":{"cached_tokens":1792},"output_tokens":${deltas.length},"output_tokens_details":{"reasoning_tokens":0},"total_tokens":${1864 + deltas.length}}`)}`,
    ),
  );
  return parts.join("");
}

// ---------------------------------------------------------------- Gemini
// The shape of fixtures/providers/gemini/a-text.sse: CRLF-framed data-only
// events, each a whole GenerateContentResponse in the API's `": "` style,
// with running usageMetadata; the last one carries finishReason STOP. No
// [DONE]: the body just ends.

/** The SSE text of a Gemini streamGenerateContent?alt=sse stream of `deltas`. */
export function makeGeminiSse(deltas) {
  const parts = [];
  const last = deltas.length - 1;
  deltas.forEach((d, i) => {
    const finish = i === last ? '"finishReason": "STOP",' : "";
    const tokens = i + 1;
    parts.push(
      `data: {"candidates": [{"content": {"parts": [{"text": ${JSON.stringify(d)}}],"role": "model"},${finish}"index": 0}],"usageMetadata": {"promptTokenCount": 1864,"candidatesTokenCount": ${tokens},"totalTokenCount": ${1864 + tokens + 120},"cachedContentTokenCount": 1792,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 1864}],"cacheTokensDetails": [{"modality": "TEXT","tokenCount": 1792}],"thoughtsTokenCount": 120},"modelVersion": "gemini-2.5-flash","responseId": "q3vCaJ2bA8iNnvgPk8Sl0Qc"}\r\n\r\n`,
    );
  });
  return parts.join("");
}

/** SSE text generator per wire format (ids as in providers.mjs). */
export const SSE_TEXT = {
  anthropic: makeSseText,
  "openai-chat": makeOpenAiChatSse,
  "openai-responses": makeOpenAiResponsesSse,
  gemini: makeGeminiSse,
};

/**
 * Body bytes plus what a correct consumer must reconstruct from them. Every
 * wire format carries the same deltas, so the expected text is identical.
 */
export function makeBody(count = EVENT_COUNT, seed = 42, format = "anthropic") {
  const deltas = makeDeltas(count, seed);
  const bytes = new TextEncoder().encode(SSE_TEXT[format](deltas, seed));
  return { bytes, count, expectedText: deltas.join(""), format };
}

/** Cut bytes into chunks of `size` bytes (views on fresh copies, like network reads). */
export function cutEvery(bytes, size) {
  const chunks = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size));
  return chunks;
}

/** Cut bytes at the given offsets (sorted, in 1..length-1). */
export function cutAt(bytes, offsets) {
  const chunks = [];
  let start = 0;
  for (const at of offsets) {
    chunks.push(bytes.slice(start, at));
    start = at;
  }
  chunks.push(bytes.slice(start));
  return chunks;
}

/**
 * A fresh stream over the chunks: one chunk per read, nothing read ahead
 * (highWaterMark 0), the way a network body hands out what has arrived.
 */
export function chunkStream(chunks) {
  let i = 0;
  return new ReadableStream(
    {
      pull(controller) {
        if (i < chunks.length) controller.enqueue(chunks[i++]);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

export function sseResponse(chunks) {
  return new Response(chunkStream(chunks), {
    status: 200,
    headers: { "content-type": "text/event-stream; charset=utf-8" },
  });
}

/** Byte ranges [start, end) of the first occurrence of each distinct multi-byte character. */
export function multiByteSpans(bytes, limit = 16) {
  const seen = new Set();
  const spans = [];
  for (let i = 0; i < bytes.length && spans.length < limit; ) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    if (len > 1) {
      const key = Array.from(bytes.subarray(i, i + len)).join(",");
      if (!seen.has(key)) {
        seen.add(key);
        spans.push([i, i + len]);
      }
    }
    i += len;
  }
  return spans;
}
