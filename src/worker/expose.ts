/**
 * Worker side: `exposeRuntime()` serves one `MeerkatRuntime` to the page.
 * It calls `Comlink.expose` synchronously (awaiting the wasm first would
 * lose the page's first messages) and loads the wasm inside `init`.
 */
import * as Comlink from "comlink";
import type { WasmModule } from "../core.js";
import { MeerkatError, makeError } from "../errors.js";
import { MeerkatRuntime, type RuntimeOptions } from "../runtime.js";
import type { Session } from "../session.js";
import type { SessionConfig } from "../types.js";
import { installErrorTransfer, type RuntimeHost, type SessionState } from "./protocol.js";

export interface ExposeOptions {
  /** Where to serve (default: the Worker's global scope). */
  endpoint?: Comlink.Endpoint;
  /** The `fetch` the runtime uses (default: the Worker's). */
  fetch?: typeof fetch;
}

/**
 * Serve a runtime to the page. Pass the wasm module namespace, or omit it to
 * load the one shipped with this package (its download starts right away,
 * in parallel with the page's first message).
 */
export function exposeRuntime(wasm?: WasmModule, options: ExposeOptions = {}): void {
  installErrorTransfer();
  const module: Promise<WasmModule> = wasm
    ? Promise.resolve(wasm)
    : (import("../../pkg/meerkat_web_runtime.js") as Promise<unknown> as Promise<WasmModule>);
  module.catch(() => {}); // reported by init, which awaits it
  const runtimeOptions: RuntimeOptions = options.fetch ? { fetch: options.fetch } : {};
  Comlink.expose(createHost(module, runtimeOptions), options.endpoint ?? (globalThis as unknown as Comlink.Endpoint));
}

function createHost(wasm: Promise<WasmModule>, options: RuntimeOptions): RuntimeHost {
  let runtime: MeerkatRuntime | undefined;
  const sessions = new Map<string, Session>();
  const toolProxies = new Map<string, unknown>();
  // Streams' event batches on their way to the page: a tool call (which
  // travels on another port) waits for them, so the page sees events first.
  const outboxes = new Set<BatchOutbox>();

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
      runtime = await MeerkatRuntime.init(await wasm, config, options);
      sessions.clear();
      return MeerkatRuntime.version;
    },
    registerTool(name, description, inputSchema, handler) {
      live().registerTool(name, description, inputSchema, async (args) => {
        await Promise.all([...outboxes].map((o) => o.drained()));
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
    async turn(sessionId, prompt, options) {
      const s = session(sessionId);
      await s.turn(prompt, options);
      return state(s);
    },
    async stream(sessionId, prompt, options, onBatch) {
      const s = session(sessionId);
      const outbox = new BatchOutbox(onBatch);
      outboxes.add(outbox);
      try {
        await s.runStreaming(prompt, options, "session.stream", (json) => outbox.push(json));
      } finally {
        // The last batch lands before the result (they travel on different ports).
        await outbox.drained();
        outboxes.delete(outbox);
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

/**
 * Sends a stream's event batches to the page one call at a time: while a
 * call is unanswered, new batches queue and go out merged as one. Under
 * load (many small network reads) this turns thousands of round trips into
 * a few; when reads are spaced out each batch still goes at once.
 */
class BatchOutbox {
  private queued: string[] = [];
  private inFlight: Promise<void> | undefined;

  constructor(private readonly send: (eventsJson: string) => Promise<void>) {}

  push(json: string): void {
    this.queued.push(json);
    this.pump();
  }

  /** Resolves once everything pushed so far has been delivered. */
  async drained(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private pump(): void {
    if (this.inFlight || this.queued.length === 0) return;
    const json = mergeEventArrays(this.queued);
    this.queued = [];
    this.inFlight = this.send(json)
      .catch(() => {}) // a page that went away is not the run's failure
      .then(() => {
        this.inFlight = undefined;
        this.pump();
      });
  }
}

/** `["[a,b]", "[c]"]` → `"[a,b,c]"` without parsing. */
function mergeEventArrays(arrays: string[]): string {
  if (arrays.length === 1) return arrays[0] as string;
  return `[${arrays.map((a) => a.slice(1, -1)).filter((inner) => inner.length > 0).join(",")}]`;
}

/** Close the port behind a callback proxied from the page. */
function release(callback: unknown): void {
  const remote = callback as { [Comlink.releaseProxy]?: () => void } | undefined;
  remote?.[Comlink.releaseProxy]?.();
}
