// As expose-modules.js, with the single-file Worker build (dist/rkat-web-worker.js).
import { exposeRuntime } from "./dist/rkat-web-worker.js";

exposeRuntime();
