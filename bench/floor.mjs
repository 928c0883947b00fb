// The floor: the cheapest correct thing a JS app could do with an Anthropic
// stream. A hand-written SSE parser: streaming UTF-8 decode, line splitting
// (LF or CRLF), `event:`/`data:` fields, one JSON.parse per event, and a
// `{ type: "text_delta", delta }` object per text delta pushed to an array.
// Works in Node and in the browser (no imports).

/** Parse a streaming Response; returns the text_delta events in order. */
export function floorParse(response) {
  return floorSse(response, (name, data, out) => {
    const msg = JSON.parse(data);
    if (msg.type === "content_block_delta" && msg.delta.type === "text_delta") {
      out.push({ type: "text_delta", delta: msg.delta.text });
    } else if (msg.type === "error" || name === "error") {
      throw new Error(`stream error: ${msg.error?.message}`);
    }
  });
}

// ---------------------------------------------------------------- framing
// One framing loop for every format (streaming decode, LF/CRLF line
// splitting, `event:`/`data:` fields); only what each event means differs.

/**
 * Frame a streaming Response; `onEvent(name, data, out)` per complete event.
 * Returns `out`. An unfinished line is kept as pieces and only new text is
 * scanned for line ends, so a line longer than a chunk (the Responses API's
 * final events repeat the whole answer) costs linear time.
 */
async function floorSse(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const out = [];
  const rest = []; // pieces of an unfinished line, carried to the next chunk
  let data = "";
  let hasData = false;
  let eventName = "";

  for (;;) {
    const { done, value } = await reader.read();
    const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
    let nl = text.indexOf("\n");
    if (nl === -1 && !done) {
      if (text.length > 0) rest.push(text);
      continue;
    }
    let buf = text;
    if (rest.length > 0) {
      rest.push(text);
      buf = rest.join("");
      nl += buf.length - text.length;
      rest.length = 0;
    }
    let start = 0;
    for (; nl !== -1; nl = buf.indexOf("\n", start)) {
      const end = nl > start && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl; // strip CR of CRLF
      if (end === start) {
        if (hasData) onEvent(eventName, data, out); // blank line: end of event
        data = "";
        hasData = false;
        eventName = "";
      } else {
        const c = buf.charCodeAt(start);
        if (c === 100 /* d */ && buf.startsWith("data:", start)) {
          const from = buf.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
          const line = buf.slice(from, end);
          data = hasData ? data + "\n" + line : line;
          hasData = true;
        } else if (c === 101 /* e */ && buf.startsWith("event:", start)) {
          const from = buf.charCodeAt(start + 6) === 32 ? start + 7 : start + 6;
          eventName = buf.slice(from, end);
        }
        // ":" comments, id:, retry: and unknown fields are ignored.
      }
      start = nl + 1;
    }
    if (done) {
      // A final event without its blank line: dispatch what is complete.
      const last = buf.slice(start);
      if (last.startsWith("data:")) {
        const line = last.slice(last.charCodeAt(5) === 32 ? 6 : 5);
        data = hasData ? data + "\n" + line : line;
        hasData = true;
      }
      if (hasData) onEvent(eventName, data, out);
      return out;
    }
    if (start < buf.length) rest.push(buf.slice(start));
  }
}

/** OpenAI Chat Completions: `choices[0].delta.content`; stops at `data: [DONE]`. */
export function floorParseOpenAiChat(response) {
  let finished = false;
  return floorSse(response, (name, data, out) => {
    if (finished) return;
    if (data === "[DONE]") {
      finished = true;
      return;
    }
    const msg = JSON.parse(data);
    if (msg.error || name === "error") throw new Error(`stream error: ${msg.error?.message}`);
    const choice = msg.choices?.[0];
    const content = choice?.delta?.content;
    if (content) out.push({ type: "text_delta", delta: content });
  });
}

/** OpenAI Responses: `delta` of `response.output_text.delta` events. */
export function floorParseOpenAiResponses(response) {
  return floorSse(response, (name, data, out) => {
    const msg = JSON.parse(data);
    if (msg.type === "response.output_text.delta") {
      out.push({ type: "text_delta", delta: msg.delta });
    } else if (msg.type === "error" || msg.type === "response.failed") {
      throw new Error(`stream error: ${msg.message ?? msg.error?.message ?? msg.response?.error?.message}`);
    }
  });
}

/** Gemini: `candidates[0].content.parts[].text` (thought parts left out). */
export function floorParseGemini(response) {
  return floorSse(response, (name, data, out) => {
    const msg = JSON.parse(data);
    if (msg.error) throw new Error(`stream error: ${msg.error.message}`);
    const parts = msg.candidates?.[0]?.content?.parts;
    if (parts) {
      for (const part of parts) {
        if (part.text && !part.thought) out.push({ type: "text_delta", delta: part.text });
      }
    }
  });
}
