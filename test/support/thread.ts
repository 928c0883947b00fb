/**
 * A real Worker for the page side: a Node `worker_threads` thread that
 * loads the package as built (`dist/worker/index.js`, what `@rkat/web/worker`
 * resolves to) and runs a script, seen through the interface of a browser
 * `Worker`: `message`, `error` (an uncaught error in the thread) and
 * `messageerror` events, and `terminate()`. Nothing else: a browser says
 * nothing when a Worker's thread ends, so neither does this (no `exit`).
 */
import { cpSync, existsSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { afterEach } from "vitest";
import type { WorkerLike } from "@rkat/web/worker";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The newest modification time under `dir`. */
function newest(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    }),
  );
}

/** The thread runs dist/: refuse to test a build older than the sources. */
function assertBuilt(): void {
  if (newest(join(root, "dist")) < newest(join(root, "src"))) {
    throw new Error("dist/ is older than src/: run `npm run build:ts` before these tests");
  }
}

export interface ThreadWorker extends WorkerLike {
  terminate(): Promise<number>;
  /** How many listeners of `type` the page has on it. */
  listenerCount(type: string): number;
}

/**
 * A thread running `script` in an async function, with `exposeRuntime`
 * (the package's, serving on the thread's port unless told otherwise),
 * `parentPort` and `glueUrl` (the wasm glue's URL) in scope. `packageDir`:
 * where the package's `dist/` and `pkg/` are (default: this one).
 */
export function threadWorker(script: string, packageDir = root): ThreadWorker {
  assertBuilt();
  const entry = pathToFileURL(join(packageDir, "dist/worker/index.js")).href;
  const glueUrl = pathToFileURL(join(packageDir, "pkg/meerkat_web_runtime.js")).href;
  const code = `
    const { parentPort } = require("node:worker_threads");
    const glueUrl = ${JSON.stringify(glueUrl)};
    import(${JSON.stringify(entry)}).then(async (pkg) => {
      const exposeRuntime = (wasm, options) => pkg.exposeRuntime(wasm, { endpoint: parentPort, ...options });
      ${script}
    });`;
  const thread = new Worker(code, { eval: true });
  /** Each page listener's handler on the thread, to remove it. */
  const handlers = new Map<EventListenerOrEventListenerObject, (value: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => thread.postMessage(message, transfer as never),
    addEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      if (type !== "message" && type !== "error" && type !== "messageerror") return;
      const call = typeof listener === "function" ? listener : (event: Event) => listener.handleEvent(event);
      const handler = (value: unknown) => {
        const event = type === "message" ? { data: value } : { message: (value as Error | undefined)?.message ?? "", error: value };
        call(event as never);
      };
      handlers.set(listener, handler);
      thread.on(type, handler);
    },
    removeEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      const handler = handlers.get(listener);
      if (handler) thread.off(type, handler);
      handlers.delete(listener);
    },
    listenerCount: (type: string) => thread.listenerCount(type),
    terminate: () => thread.terminate(),
  };
}

/** A thread serving the runtime, as a Worker whose script calls `exposeRuntime()`. */
export function runtimeWorker(): ThreadWorker {
  return threadWorker("exposeRuntime();");
}

/**
 * A thread serving the runtime of another build of the package: this
 * build copied (target/rkat-web-<version>/), its version and its core's
 * set to `version`, as a Worker deployed from another release would be.
 */
export function otherVersionWorker(version: string): ThreadWorker {
  assertBuilt();
  const dir = join(root, "target", `rkat-web-${version}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(root, "dist"), join(dir, "dist"), { recursive: true });
  writeFileSync(join(dir, "dist/version.js"), `export const VERSION = ${JSON.stringify(version)};\nexport const CONTRACT_VERSION = "0.5.0";\n`);
  if (!existsSync(join(dir, "pkg"))) symlinkSync(join(root, "pkg"), join(dir, "pkg"));
  return threadWorker(
    `const glue = await import(glueUrl);
     class Core extends glue.Core { static version() { return ${JSON.stringify(version)}; } }
     exposeRuntime({ ...glue, Core });`,
    dir,
  );
}

/**
 * Threads ended after each test of the suite: the returned function
 * registers one (and hands it back). Call at a suite's top level.
 */
export function endedAfterEachTest(): (thread: ThreadWorker) => ThreadWorker {
  const threads: ThreadWorker[] = [];
  afterEach(async () => {
    await Promise.all(threads.splice(0).map((thread) => thread.terminate()));
  });
  return (thread) => (threads.push(thread), thread);
}
