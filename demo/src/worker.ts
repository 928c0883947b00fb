// The runtime's Worker: serves a MeerkatRuntime (wasm core + driver) to the page.
import { exposeRuntime } from "@rkat/web/worker";

exposeRuntime();
