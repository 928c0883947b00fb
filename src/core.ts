/**
 * The wasm boundary seen from TypeScript: loading the module, the version
 * handshake, and one wrapper that turns core replies into values or
 * `MeerkatError`s and a wasm trap into a dead runtime.
 */
import { MeerkatError, makeError } from "./errors.js";
import type { Capability } from "./types.js";
import { VERSION } from "./version.js";

/** An instance of the wasm-bindgen class `Core` (see `pkg/meerkat_web_runtime.d.ts`). */
export interface CoreInstance {
  command(nowMs: number, json: string): string;
  pushBody(nowMs: number, id: number, bytes: Uint8Array): string;
  drainEvents(session: string, reader: number): string;
  drainEventBytes(sessionOrMob: string, reader: number, mob: boolean): Uint8Array;
  free(): void;
}

/** The module namespace of `@rkat/web/wasm/meerkat_web_runtime.js`. */
export interface WasmModule extends WasmGlue {
  Core: {
    new (configJson: string, entropy: Uint8Array): CoreInstance;
    version(): string;
    capabilities(): string;
  };
}

/** What every effect-producing call returns. */
export interface Reply {
  ok?: unknown;
  error?: CoreErrorShape;
  effects: Effect[];
}

/** A `{code, message, details?}` error as the core writes it. */
export interface CoreErrorShape {
  code: string;
  message: string;
  details?: unknown;
}

/**
 * What the core asks the host to do. `sessionId` says whose events may
 * change once the outcome is fed back (absent: a skill source's fetch).
 */
export type Effect =
  | {
      kind: "http";
      id: number;
      sessionId?: string;
      url: string;
      method: string;
      headers: [string, string][];
      body: string;
    }
  | { kind: "http_abort"; id: number }
  | { kind: "timer"; id: number; sessionId?: string; delayMs: number }
  | { kind: "timer_cancel"; id: number }
  | { kind: "tool"; id: number; sessionId: string; callId: string; name: string; args: Record<string, unknown> }
  | { kind: "hook"; id: number; sessionId: string; hookId: string; point: string; ctx: Record<string, unknown> }
  | { kind: "auth"; id: number; realm: string; binding: string; provider: import("./auth/types.js").ProviderName }
  | {
      kind: "run_finished";
      sessionId: string;
      runId: number;
      result?: import("./types.js").RunResult;
      error?: CoreErrorShape;
      totals: { usage: import("./types.js").Usage; turns: number; toolCalls: number };
    }
  | { kind: "skill_source_ready"; sourceUuid: string; error?: CoreErrorShape };

export function isWasmModule(value: unknown): value is WasmModule {
  const core = (value as { Core?: unknown } | null)?.Core;
  return typeof core === "function" && typeof (core as { version?: unknown }).version === "function";
}

export const isNode = (): boolean =>
  typeof process !== "undefined" && typeof process.versions?.node === "string" && typeof window === "undefined";

/** What every wasm-bindgen glue module (`--target web`) offers to load its wasm. */
export interface WasmGlue {
  default?: () => Promise<unknown>;
  initSync?: (input: { module: BufferSource | WebAssembly.Module }) => unknown;
}

/** The instance exports of each core glue loaded: what its parts link to. */
const instances = new WeakMap<WasmModule, WebAssembly.Exports>();

/** Refuse a part of the package built apart (`what`, of version `found`) unless it is of this version (`here`'s). */
export function checkVersion(what: string, found: unknown, here = "@rkat/web"): void {
  if (found !== VERSION) {
    throw new MeerkatError("VERSION_MISMATCH", `${what} is version ${found} but ${here} is ${VERSION}: rebuild (npm run build) or reinstall so both match`);
  }
}

/** A file's bytes, in Node (which cannot `fetch` a `file:` URL). */
export async function readNodeFile(file: URL): Promise<Uint8Array> {
  const fsName = "node:fs/promises";
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import("node:fs/promises");
  return fs.readFile(file);
}

/**
 * Instantiate the agent core's module (`@rkat/web/wasm/meerkat_web_runtime.js`)
 * if it is not yet: in a browser the glue fetches the `.wasm` beside
 * itself; in Node (no `fetch` of `file:` URLs) the bytes are read from
 * pkg/. Both calls are no-ops once loaded (they return the instance's
 * exports again). The module's version is checked against this package's.
 * Returns the instance's exports, once loaded.
 */
export async function loadWasm(wasm: WasmModule): Promise<WebAssembly.Exports | undefined> {
  let exports: unknown;
  try {
    // Once loaded, the glue's calls only return the exports: no need to read the file again.
    if (isNode() && wasm.initSync && !instances.has(wasm)) {
      exports = wasm.initSync({ module: await readNodeFile(new URL("../pkg/meerkat_web_runtime_bg.wasm", import.meta.url)) });
    } else if (wasm.default) {
      exports = await wasm.default();
    }
  } catch (cause) {
    throw new MeerkatError("WASM_INIT_FAILED", `could not instantiate the wasm module: ${String(cause)}`);
  }
  checkVersion("the wasm core", wasm.Core.version());
  if (exports) instances.set(wasm, exports as WebAssembly.Exports);
  return instances.get(wasm);
}

/** 32 bytes from the platform CSPRNG: seeds session ids and retry jitter. */
function entropy(): Uint8Array {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

/**
 * Owns one `Core`. Every call goes through here so that a trap (which
 * poisons the instance) is caught once and turns the runtime dead.
 */
export class CoreHandle {
  private core: CoreInstance | undefined;
  private readonly statics: WasmModule["Core"];
  private deadReason: MeerkatError | undefined;
  /** The core instance's exports: what its parts link to (`src/mob/part.ts`). */
  readonly exports: WebAssembly.Exports | undefined;
  /** Called once when the core dies (trap or destroy). */
  onDeath: ((error: MeerkatError) => void) | undefined;

  constructor(wasm: WasmModule, configJson: string) {
    this.statics = wasm.Core;
    this.exports = instances.get(wasm);
    try {
      this.core = new wasm.Core(configJson, entropy());
    } catch (error) {
      throw toMeerkatError(error);
    }
  }

  get alive(): boolean {
    return this.core !== undefined;
  }

  /** Run a command; returns its reply (errors included, not thrown). */
  command(cmd: object): Reply {
    const text = this.guard((core) => core.command(Date.now(), JSON.stringify(cmd)));
    return JSON.parse(text) as Reply;
  }

  /** The capability table: a static of the module, not a command (see `Core.capabilities` in bindings.rs). */
  capabilities(): Capability[] {
    return JSON.parse(this.guard(() => this.statics.capabilities())) as Capability[];
  }

  /** Feed body bytes; `undefined` when nothing came of it but parsing. */
  pushBody(id: number, bytes: Uint8Array): Reply | undefined {
    const text = this.guard((core) => core.pushBody(Date.now(), id, bytes));
    return text.length === 0 ? undefined : (JSON.parse(text) as Reply);
  }

  /** Events of the session that `reader` has not read, as JSON text (an array). */
  drainEventsJson(session: string, reader = 0): string {
    const text = this.guard((core) => core.drainEvents(session, reader));
    if (text.charCodeAt(0) !== 91 /* [ */) {
      const { error } = JSON.parse(text) as { error: CoreErrorShape };
      throw makeError(error.code, error.message, error.details);
    }
    return text;
  }

  /**
   * Unread events of a session's `reader` (with `mob`: the items of that
   * mob's subscription `reader`) as the UTF-8 bytes of a JSON array, in a
   * buffer of their own; `undefined` when there are none. The Worker host
   * hands them to the page as they are.
   */
  drainEventBytes(target: string, reader: number, mob = false): Uint8Array | undefined {
    const bytes = this.guard((core) => core.drainEventBytes(target, reader, mob));
    if (bytes[0] !== 91 /* [ */) {
      const { error } = JSON.parse(new TextDecoder().decode(bytes)) as { error: CoreErrorShape };
      throw makeError(error.code, error.message, error.details);
    }
    return bytes.length > 2 ? bytes : undefined;
  }

  destroy(reason: MeerkatError): void {
    if (!this.core) return;
    const core = this.core;
    this.core = undefined;
    this.deadReason = reason;
    try {
      core.free();
    } catch {
      // A trapped instance may refuse even this; it is gone either way.
    }
    this.onDeath?.(reason);
  }

  private guard<T>(call: (core: CoreInstance) => T): T {
    if (!this.core) throw this.deadReason ?? new MeerkatError("RUNTIME_DESTROYED", "the runtime was destroyed");
    try {
      return call(this.core);
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError || isReentrancyError(error)) {
        const dead = new MeerkatError(
          "RUNTIME_TRAPPED",
          `the wasm core trapped (${String(error)}); this runtime is dead: create a new one with MeerkatRuntime.init`,
        );
        this.destroy(dead);
        throw dead;
      }
      throw error;
    }
  }
}

/** After a trap, wasm-bindgen refuses further use of the object this way. */
function isReentrancyError(error: unknown): boolean {
  return error instanceof Error && /recursive use of an object|null pointer passed to rust/.test(error.message);
}

/** The core's constructor throws its `{code, message}` as JSON text. */
function toMeerkatError(error: unknown): MeerkatError {
  const text = error instanceof Error ? error.message : String(error);
  try {
    const parsed = JSON.parse(text) as { code?: string; message?: string };
    if (typeof parsed.code === "string") return makeError(parsed.code, parsed.message ?? text);
  } catch {
    // not the core's JSON: fall through
  }
  return new MeerkatError("INTERNAL", text);
}

/**
 * A chunk of the package loaded on first use (mobs, the pack reader). A
 * failed load is typically a deploy that replaced the files under an open
 * page: say so with a code, not the bundler's bare TypeError.
 */
export async function loadChunk<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    throw new MeerkatError(
      "WASM_INIT_FAILED",
      `could not load a part of @rkat/web (${String(cause)}): serve all its files from one build, and reload the page after a new deploy`,
    );
  }
}
