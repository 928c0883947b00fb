// A runtime worker served as the package is built (dist/, pkg/), as the
// `rkat mob web build` site had it: the page calls connectRuntime.
import { exposeRuntime } from "./dist/worker/index.js";

exposeRuntime();
