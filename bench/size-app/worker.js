import { exposeRuntime } from "@rkat/web/worker";

exposeRuntime();
