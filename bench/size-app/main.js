// The smallest real consumer: start the runtime in a Worker and run a turn.
import { connectRuntime } from "@rkat/web/worker";

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const runtime = await connectRuntime(worker, { anthropicBaseUrl: "http://127.0.0.1:3100/anthropic" });
const session = await runtime.createSession({ model: "claude-sonnet-4-6" });
for await (const event of session.stream("Hello")) {
  if (event.type === "text_delta") document.body.append(event.delta);
}
