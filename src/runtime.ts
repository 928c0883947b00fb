/**
 * `MeerkatRuntime`: one wasm core, its sessions and tools, and the driver
 * that carries out the core's effects.
 */
import { CoreHandle, isWasmModule, loadWasm, type WasmModule } from "./core.js";
import { Driver, deadRuntimeError } from "./driver.js";
import { MeerkatError } from "./errors.js";
import { Session } from "./session.js";
import type { RuntimeConfig, SessionConfig, ToolHandler, ToolInputSchema } from "./types.js";
import { fail, requireFunction, requireObject, requireString, toJsonText } from "./validate.js";
import { VERSION } from "./version.js";

export interface RuntimeOptions {
  /** The `fetch` the driver uses (default: `globalThis.fetch`). */
  fetch?: typeof fetch;
}

export class MeerkatRuntime {
  /** The package (and wasm core) version. */
  static readonly version = VERSION;

  private readonly sessions = new Map<string, Session>();
  private readonly tools = new Map<string, ToolHandler>();
  private readonly driver: Driver;
  private destroyedBy: MeerkatError | undefined;

  private constructor(
    private readonly core: CoreHandle,
    options: RuntimeOptions,
  ) {
    this.driver = new Driver(core, this.tools, options.fetch);
    core.onDeath = (reason) => this.teardown(reason);
  }

  /**
   * Create a runtime from the wasm module namespace
   * (`import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js"`).
   * Loads the module if needed and checks its version.
   */
  static async init(wasm: WasmModule, config: RuntimeConfig, options: RuntimeOptions = {}): Promise<MeerkatRuntime> {
    if (!isWasmModule(wasm)) {
      fail(
        "INVALID_ARGUMENT",
        'MeerkatRuntime.init: pass the wasm module namespace: import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js"',
      );
    }
    requireObject(config, "MeerkatRuntime.init: config", "INVALID_CONFIG");
    const configJson = toJsonText(config, "MeerkatRuntime.init: config", "INVALID_CONFIG");
    requireObject(options, "MeerkatRuntime.init: options");
    if (options.fetch !== undefined) requireFunction(options.fetch, "MeerkatRuntime.init: options.fetch");
    await loadWasm(wasm);
    return new MeerkatRuntime(new CoreHandle(wasm, configJson), options);
  }

  /** Create a session (synchronous). Model, provider and tools are checked now. */
  createSession(config: SessionConfig = {}): Session {
    this.assertAlive("createSession");
    requireObject(config, "createSession: config", "INVALID_CONFIG");
    toJsonText(config, "createSession: config", "INVALID_CONFIG");
    const { sessionId } = this.driver.command({ op: "create_session", config }) as { sessionId: string };
    const session = new Session(sessionId, this.core, this.driver, (id) => this.sessions.delete(id));
    this.sessions.set(sessionId, session);
    return session;
  }

  /**
   * Register a tool every session can call (unless its config narrows
   * `tools`). The handler's errors become error results for the model.
   */
  registerTool(name: string, description: string, inputSchema: ToolInputSchema, handler: ToolHandler): void {
    this.assertAlive("registerTool");
    requireString(name, "registerTool: name");
    requireString(description, "registerTool: description");
    requireObject(inputSchema, "registerTool: inputSchema");
    toJsonText(inputSchema, "registerTool: inputSchema");
    requireFunction(handler, "registerTool: handler");
    this.driver.command({ op: "register_tool", tool: { name, description, inputSchema } });
    this.tools.set(name, handler);
  }

  unregisterTool(name: string): void {
    this.assertAlive("unregisterTool");
    requireString(name, "unregisterTool: name");
    this.driver.command({ op: "unregister_tool", name });
    this.tools.delete(name);
  }

  /** Ids of the live sessions. */
  listSessions(): string[] {
    this.assertAlive("listSessions");
    return this.driver.command({ op: "list_sessions" }) as string[];
  }

  /** Free the core; turns in flight reject with `RUNTIME_DESTROYED`. Idempotent. */
  destroy(): void {
    this.core.destroy(deadRuntimeError());
  }

  get destroyed(): boolean {
    return this.destroyedBy !== undefined;
  }

  private teardown(reason: MeerkatError): void {
    this.destroyedBy = reason;
    this.driver.shutdown(reason);
    for (const session of [...this.sessions.values()]) session.markDestroyed();
    this.sessions.clear();
  }

  private assertAlive(what: string): void {
    if (this.destroyedBy) {
      throw new MeerkatError(this.destroyedBy.code, `${what}: ${this.destroyedBy.message}`);
    }
  }
}
