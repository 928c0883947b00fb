// The runtime's Worker: the wasm core and its driver, served to the page.
// The page's connectRuntime compiles ./pkg/meerkat_web_runtime_bg.wasm while
// this Worker starts and hands it over; exposeRuntime() instantiates it.
import { exposeRuntime } from "./dist/rkat-web-worker.js";

exposeRuntime();
