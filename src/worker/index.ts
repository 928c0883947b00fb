/**
 * `@rkat/web/worker`: run the runtime in a Web Worker.
 *
 * In the Worker:      `exposeRuntime()`
 * On the main thread: `const runtime = await connectRuntime(worker, config)`
 */
export { exposeRuntime } from "./expose.js";
export type { ExposeOptions } from "./expose.js";
export { connectRuntime, WorkerDeferredSession, WorkerRuntime, WorkerSession } from "./client.js";
export type { ConnectOptions, WorkerLike } from "./client.js";
export { WorkerMemberHandle, WorkerMob } from "./mob.js";
