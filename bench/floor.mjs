// The floor: the cheapest correct thing a JS app could do with an Anthropic
// stream. A hand-written SSE parser: streaming UTF-8 decode, line splitting
// (LF or CRLF), `event:`/`data:` fields, one JSON.parse per event, and a
// `{ type: "text_delta", delta }` object per text delta pushed to an array.
// Works in Node and in the browser (no imports).

/** Parse a streaming Response; returns the text_delta events in order. */
export async function floorParse(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const out = [];
  let rest = ""; // an unfinished line carried to the next chunk
  let data = ""; // data lines of the event being read
  let hasData = false;
  let eventName = "";

  const dispatch = () => {
    if (hasData) {
      const msg = JSON.parse(data);
      if (msg.type === "content_block_delta" && msg.delta.type === "text_delta") {
        out.push({ type: "text_delta", delta: msg.delta.text });
      } else if (msg.type === "error" || eventName === "error") {
        throw new Error(`stream error: ${msg.error?.message}`);
      }
    }
    data = "";
    hasData = false;
    eventName = "";
  };

  for (;;) {
    const { done, value } = await reader.read();
    const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
    const buf = rest.length === 0 ? text : rest + text;
    let start = 0;
    for (let nl = buf.indexOf("\n"); nl !== -1; nl = buf.indexOf("\n", start)) {
      const end = nl > start && buf.charCodeAt(nl - 1) === 13 ? nl - 1 : nl; // strip CR of CRLF
      if (end === start) {
        dispatch(); // blank line: end of event
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
    rest = start === 0 ? buf : buf.slice(start);
    if (done) break;
  }
  if (rest.length > 0 || hasData) {
    // A final event without its blank line: dispatch what is complete.
    if (rest.length > 0 && rest.startsWith("data:")) {
      const line = rest.slice(rest.charCodeAt(5) === 32 ? 6 : 5);
      data = hasData ? data + "\n" + line : line;
      hasData = true;
    }
    dispatch();
  }
  return out;
}
