// A consumer's runtime worker, exactly as the README has it.
import { exposeRuntime } from "@rkat/web/worker";

exposeRuntime();
