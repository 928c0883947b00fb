/**
 * The code samples of the WASM runtime docs ("Initialize runtime", proxy
 * variant; "Create session and run turn"; "Poll events"), verbatim, on the
 * main thread. The e2e suite reads the verdict written at the end.
 */
import { writeVerdict } from "./seed-verdict.js";
import { MeerkatRuntime } from "@rkat/web";
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";

// ---- Initialize runtime (proxy deployments) ----
const runtime = await MeerkatRuntime.init(wasm, {
  anthropicApiKey: "proxy",
  anthropicBaseUrl: "http://localhost:3100/anthropic",
  model: "claude-sonnet-4-6",
});

// ---- Create session and run turn ----
const session = runtime.createSession({
  model: "claude-sonnet-4-6",
});

const result = await session.turn("Hello");
console.log(result.text);

// ---- Poll events ----
for (const event of session.pollEvents()) {
  if (event.type === "text_delta") {
    document.body.innerText += event.delta;
  }
}

writeVerdict({
  ok: true,
  resultText: result.text,
  bodyText: document.body.innerText,
  // Drained by the sample above: nothing should be left.
  eventsLeft: session.pollEvents().length,
});
