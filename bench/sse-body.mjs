// The benchmark's input: an Anthropic Messages streaming body in the exact
// shape of fixtures/providers/anthropic/a-text.sse, with N text_delta events,
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

/** Body bytes plus what a correct consumer must reconstruct from them. */
export function makeBody(count = EVENT_COUNT, seed = 42) {
  const deltas = makeDeltas(count, seed);
  const bytes = new TextEncoder().encode(makeSseText(deltas));
  return { bytes, count, expectedText: deltas.join("") };
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
