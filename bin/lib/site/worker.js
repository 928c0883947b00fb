// The runtime's Worker: the wasm core and its driver, served to the page.
// exposeRuntime() loads ./pkg/meerkat_web_runtime_bg.wasm beside the glue.
import { exposeRuntime } from "./dist/worker/index.js";

exposeRuntime();
