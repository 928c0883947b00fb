// Variant of runtime-worker.js: the wasm glue imported statically and
// passed in, so it loads with the worker script instead of on init.
import { exposeRuntime } from "@rkat/web/worker";
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";

exposeRuntime(wasm);
