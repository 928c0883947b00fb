/**
 * A model that always answers its peers: a minimal Anthropic SSE server
 * whose model, told "ping NAME" or sent "[message from NAME (role)]: ...",
 * messages NAME back, every time. Two autonomous members on it ping-pong
 * until a storm limit stops them (the simulated provider answers peers
 * briefly, so its conversations end on their own and cannot test that).
 * Anything else it answers with `said: <the last user words>`. `hold` may
 * keep an answer back until the test lets it go (to act while a request is
 * known to be in flight, without timing).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface PingPong {
  url: string;
  /** Requests served so far. */
  requests: number;
  close(): Promise<void>;
}

type Block = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown };

function stream(res: http.ServerResponse, blocks: Block[], stop: string): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  const event = (name: string, data: object) => res.write(`event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`);
  const usage = { input_tokens: 10, output_tokens: 1 };
  event("message_start", {
    message: { id: "msg_pp", type: "message", role: "assistant", model: "claude-sonnet-4-6", content: [], stop_reason: null, stop_sequence: null, usage },
  });
  blocks.forEach((block, index) => {
    if (block.type === "text") {
      event("content_block_start", { index, content_block: { type: "text", text: "" } });
      event("content_block_delta", { index, delta: { type: "text_delta", text: block.text } });
    } else {
      event("content_block_start", { index, content_block: { type: "tool_use", id: block.id, name: block.name, input: {} } });
      event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) } });
    }
    event("content_block_stop", { index });
  });
  event("message_delta", { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 5 } });
  event("message_stop", {});
  res.end();
}

interface Part {
  type: string;
  text?: string;
}

export interface PingPongOptions {
  /** Awaited before answering a request with `text` as its last user words. */
  hold?: (text: string) => Promise<void>;
  /** What its messages say ("ping" unless given). */
  body?: string;
}

/** Start the server on a free port. */
export function startPingPong(options: PingPongOptions = {}): Promise<PingPong> {
  let calls = 0;
  const state: PingPong = { url: "", requests: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    let data = "";
    req.on("data", (chunk: Buffer) => (data += chunk.toString()));
    req.on("end", async () => {
      state.requests += 1;
      const body = JSON.parse(data || "{}") as { messages?: Array<{ content: string | Part[] }> };
      const last = body.messages?.at(-1)?.content ?? [];
      const parts: Part[] = typeof last === "string" ? [{ type: "text", text: last }] : last;
      // After its tool call (delivered or refused), the model ends its turn.
      if (parts.some((p) => p.type === "tool_result")) return stream(res, [{ type: "text", text: "sent." }], "end_turn");
      const text = parts.map((p) => p.text ?? "").join("\n");
      await options.hold?.(text);
      const to = /\[message from (\S+) \(/.exec(text)?.[1] ?? /^ping (\S+)/m.exec(text)?.[1];
      if (to === undefined) return stream(res, [{ type: "text", text: `said: ${text}` }], "end_turn");
      const call: Block = { type: "tool_use", id: `toolu_pp_${++calls}`, name: "send_message", input: { to, body: options.body ?? "ping" } };
      stream(res, [call], "tool_use");
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      state.close = () => new Promise((done) => server.close(() => done()));
      resolve(state);
    });
  });
}
