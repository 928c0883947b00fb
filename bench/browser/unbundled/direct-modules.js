// The package served as it is built (dist/ and pkg/, one file per module, no
// bundler): import, MeerkatRuntime.init, createSession, then "ready".
import { MeerkatRuntime } from "./dist/index.js";
import * as wasm from "./pkg/meerkat_web_runtime.js";

// The bench config (the base URL is never contacted).
const CONFIG = { anthropicApiKey: "x", anthropicBaseUrl: "http://127.0.0.1:9/anthropic", model: "claude-sonnet-4-6" };
const runtime = await MeerkatRuntime.init(wasm, CONFIG);
runtime.createSession();
postMessage("ready");
