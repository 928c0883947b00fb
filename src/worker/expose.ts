/**
 * Worker side: `exposeRuntime()` serves one `MeerkatRuntime` to the page.
 * It calls `Comlink.expose` synchronously (awaiting the wasm first would
 * lose the page's first messages) and loads the wasm inside `init`.
 */
import * as Comlink from "comlink";
import type { WasmModule } from "../core.js";
import { MeerkatError, makeError } from "../errors.js";
import { MeerkatRuntime } from "../runtime.js";
import type { Session } from "../session.js";
import type { SessionConfig } from "../types.js";
import { installErrorTransfer, type RuntimeHost, type SessionState } from "./protocol.js";

/**
 * Serve a runtime over `endpoint` (default: the Worker's global scope).
 * Pass the wasm module namespace, or omit it to load the one shipped with
 * this package.
 */
export function exposeRuntime(wasm?: WasmModule, endpoint?: Comlink.Endpoint): void {
  installErrorTransfer();
  Comlink.expose(createHost(wasm), endpoint ?? (globalThis as unknown as Comlink.Endpoint));
}

function createHost(wasm: WasmModule | undefined): RuntimeHost {
  let runtime: MeerkatRuntime | undefined;
  const sessions = new Map<string, Session>();
  const toolProxies = new Map<string, unknown>();
  // Event batches on their way to the page: a tool call (which travels on
  // another port) waits for them, so the page sees events before the call.
  const deliveries = new Set<Promise<void>>();

  const live = (): MeerkatRuntime => {
    if (!runtime) throw new MeerkatError("RUNTIME_DESTROYED", "the worker runtime is not initialised: call init first");
    return runtime;
  };
  const session = (id: string): Session => {
    const found = sessions.get(id);
    if (!found) throw makeError("SESSION_NOT_FOUND", `no session with id ${JSON.stringify(id)} in this worker`);
    return found;
  };
  const state = (s: Session): SessionState => ({
    text: s.text,
    usage: s.usage,
    turns: s.turns,
    toolCalls: s.toolCalls,
    lastResult: s.lastResult,
  });

  return {
    async init(config) {
      if (runtime && !runtime.destroyed) {
        throw new MeerkatError("INVALID_ARGUMENT", "this worker already serves a runtime; destroy it first");
      }
      const module = wasm ?? ((await import("../../pkg/meerkat_web_runtime.js")) as unknown as WasmModule);
      runtime = await MeerkatRuntime.init(module, config);
      sessions.clear();
      return MeerkatRuntime.version;
    },
    registerTool(name, description, inputSchema, handler) {
      live().registerTool(name, description, inputSchema, async (args) => {
        await Promise.all(deliveries);
        return handler(args);
      });
      toolProxies.set(name, handler);
    },
    unregisterTool(name) {
      live().unregisterTool(name);
      release(toolProxies.get(name));
      toolProxies.delete(name);
    },
    createSession(config: SessionConfig) {
      const created = live().createSession(config);
      sessions.set(created.id, created);
      return created.id;
    },
    async turn(sessionId, prompt) {
      const s = session(sessionId);
      await s.turn(prompt);
      return state(s);
    },
    async stream(sessionId, prompt, onBatch) {
      const s = session(sessionId);
      // Batches cross in order on the callback's port; awaiting the last
      // one before returning guarantees it lands before the result.
      let last: Promise<void> = Promise.resolve();
      const forward = (batch: Parameters<typeof onBatch>[0]) => {
        const delivery = onBatch(batch).catch(() => {}); // a page that went away is not the run's failure
        deliveries.add(delivery);
        void delivery.then(() => deliveries.delete(delivery));
        last = delivery;
      };
      try {
        await s.runStreaming(prompt, "session.stream", forward);
      } finally {
        await last.catch(() => {});
        release(onBatch);
      }
      return state(s);
    },
    pollEvents(sessionId) {
      return session(sessionId).drainJson("session.pollEvents");
    },
    history(sessionId) {
      return session(sessionId).history();
    },
    state(sessionId) {
      return state(session(sessionId));
    },
    async interrupt(sessionId) {
      await session(sessionId).interrupt();
    },
    destroySession(sessionId) {
      session(sessionId).destroy();
      sessions.delete(sessionId);
    },
    listSessions() {
      return live().listSessions();
    },
    destroy() {
      runtime?.destroy();
      sessions.clear();
      for (const proxy of toolProxies.values()) release(proxy);
      toolProxies.clear();
    },
  };
}

/** Close the port behind a callback proxied from the page. */
function release(callback: unknown): void {
  const remote = callback as { [Comlink.releaseProxy]?: () => void } | undefined;
  remote?.[Comlink.releaseProxy]?.();
}
