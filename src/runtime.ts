/**
 * `MeerkatRuntime`: one wasm core, its sessions, tools, hooks and skill
 * sources, and the driver that carries out the core's effects.
 */
import { resolverFor } from "./auth/registry.js";
import { CoreHandle, isWasmModule, loadChunk, loadWasm, type WasmModule } from "./core.js";
import { Driver, deadRuntimeError } from "./driver.js";
import { requireCapabilityIn } from "./capabilities.js";
import { MeerkatError } from "./errors.js";
import type { HookPoint } from "./events.js";
import { hookRegistration, type HookHandler, type HookOptions } from "./hooks.js";
import { DeferredSession } from "./deferred.js";
import { crossMobArgs } from "./mob/cross-args.js";
import type { InspectedMobpack, MobpackBytes, MobpackInfo, MobpackRuntimeConfig } from "./mobpack/types.js";
import type { Mob, MobHost } from "./mob/mob.js";
import type { MobDefinition, MobSummary } from "./mob/types.js";
import { checkSessionConfig } from "./options.js";
import { Session, type SessionHost } from "./session.js";
import type { EmbeddedSkill, SkillSourceInfo, SkillSourceInput } from "./skills.js";
import type {
  Capability,
  RuntimeConfig,
  SessionConfig,
  SessionInfo,
  ToolHandler,
  ToolInputSchema,
  ToolOptions,
} from "./types.js";
import { fail, isPlainObject, requireFunction, requireObject, requireString, toJsonText } from "./validate.js";
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
  private readonly hooks = new Map<string, HookHandler>();
  /** Each hook registered on one session → that session: forgotten with it, or when unregistered. */
  private readonly sessionHooks = new Map<string, string>();
  private readonly driver: Driver;
  private readonly host: SessionHost;
  private readonly mobHost: MobHost;
  private capabilityList: Capability[] | undefined;
  private destroyedBy: MeerkatError | undefined;
  private pack: MobpackInfo | null = null;

  private constructor(
    private readonly core: CoreHandle,
    options: RuntimeOptions,
    wasm: WasmModule,
  ) {
    // The resolver is looked up per lease: registering (or clearing) it later applies at once.
    this.driver = new Driver(core, this.tools, this.hooks, options.fetch, () => resolverFor(wasm));
    core.onDeath = (reason) => this.teardown(reason);
    this.host = {
      core,
      driver: this.driver,
      registerHook: (point, handler, hookOptions, session, what) => this.addHook(point, handler, hookOptions, session, what),
      requireCapability: (id) => this.requireCapability(id),
      forget: (id) => {
        this.sessions.delete(id);
        for (const [hookId, session] of this.sessionHooks) {
          if (session === id) this.forgetHook(hookId);
        }
      },
    };
    this.mobHost = { core, driver: this.driver, assertAlive: (what) => this.assertAlive(what) };
  }

  /**
   * Create a runtime from the wasm module namespace
   * (`import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js"`).
   * Loads the module if needed and checks its version.
   */
  static async init(wasm: WasmModule, config: RuntimeConfig, options: RuntimeOptions = {}): Promise<MeerkatRuntime> {
    checkInit(wasm, options, "MeerkatRuntime.init");
    requireObject(config, "MeerkatRuntime.init: config", "INVALID_CONFIG");
    if ("mobpackTrust" in config) {
      fail("INVALID_CONFIG", "MeerkatRuntime.init: config.mobpackTrust only applies to MeerkatRuntime.initFromMobpack");
    }
    const configJson = toJsonText(config, "MeerkatRuntime.init: config", "INVALID_CONFIG");
    await loadWasm(wasm);
    return new MeerkatRuntime(new CoreHandle(wasm, configJson), options, wasm);
  }

  /**
   * Create a runtime from a `.mobpack`: the pack is read and checked, its
   * signature verified (WebCrypto Ed25519) and judged by
   * `config.mobpackTrust` (strict by default: only packs of listed
   * signers), its `config/defaults.toml` fills what `config` leaves unset,
   * and its skills become an embedded skill source. `runtime.mobpack` then
   * holds the pack; `runtime.createMob(runtime.mobpack.definition)` starts
   * its mob.
   */
  static async initFromMobpack(
    wasm: WasmModule,
    mobpackBytes: MobpackBytes,
    config: MobpackRuntimeConfig,
    options: RuntimeOptions = {},
  ): Promise<MeerkatRuntime & { readonly mobpack: MobpackInfo }> {
    const what = "MeerkatRuntime.initFromMobpack";
    checkInit(wasm, options, what);
    // Loaded on first use, with the pack reader's wasm: apps that never open a pack do not ship either.
    const { openPack, packSkillError } = await loadChunk(() => import("./mobpack/pack.js"));
    const pack = await openPack(wasm, mobpackBytes, config, what);
    const runtime = new MeerkatRuntime(new CoreHandle(wasm, pack.configJson), options, wasm);
    try {
      runtime.pack = pack.info(runtime.addSkillSource(pack.skillSource).sourceUuid);
      // `mobpack` is set: the type says so, for `runtime.mobpack.definition`.
      return runtime as MeerkatRuntime & { readonly mobpack: MobpackInfo };
    } catch (error) {
      runtime.destroy();
      throw packSkillError(error);
    }
  }

  /**
   * Read and check a `.mobpack` without trusting or running it: its
   * manifest, definition, skills, defaults, digest, signer and whether its
   * signature verifies.
   */
  static async inspectMobpack(wasm: WasmModule, mobpackBytes: MobpackBytes): Promise<InspectedMobpack> {
    checkWasm(wasm, "MeerkatRuntime.inspectMobpack");
    const { inspectPack } = await loadChunk(() => import("./mobpack/pack.js"));
    return inspectPack(wasm, mobpackBytes, "MeerkatRuntime.inspectMobpack");
  }

  /** The pack this runtime was made from (`initFromMobpack`), else `null`. */
  get mobpack(): MobpackInfo | null {
    return this.pack;
  }

  /** Create a session (synchronous). Model, provider, tools and preloaded skills are checked now. */
  createSession(config: SessionConfig = {}): Session {
    this.assertAlive("createSession");
    checkSessionConfig(config);
    const { sessionId } = this.driver.command({ op: "create_session", config }) as { sessionId: string };
    const session = new Session(sessionId, this.host);
    this.sessions.set(sessionId, session);
    return session;
  }

  /** Reserve a session id now (the config is checked now too); the first turn runs on `startTurn`. */
  createDeferredSession(config: SessionConfig = {}): DeferredSession {
    this.assertAlive("createDeferredSession");
    return new DeferredSession(this.createSession(config));
  }

  /**
   * Register a tool every session can call (unless its config narrows
   * `tools`). Arguments are checked against `inputSchema` before the
   * handler runs; the handler's errors become error results for the model.
   */
  registerTool(
    name: string,
    description: string,
    inputSchema: ToolInputSchema,
    handler: ToolHandler,
    options: ToolOptions = {},
  ): void {
    this.assertAlive("registerTool");
    requireString(name, "registerTool: name");
    requireString(description, "registerTool: description");
    requireObject(inputSchema, "registerTool: inputSchema");
    toJsonText(inputSchema, "registerTool: inputSchema");
    requireFunction(handler, "registerTool: handler");
    requireObject(options, "registerTool: options");
    // Only options here: a `name` (say) in them must not replace the checked argument.
    for (const key in options) {
      if (key !== "timeoutMs" && key !== "readOnly") fail("INVALID_TOOL", `registerTool: options.${key} is not an option; expected timeoutMs, readOnly`);
    }
    toJsonText(options, "registerTool: options", "INVALID_TOOL");
    this.driver.command({ op: "register_tool", tool: { ...options, name, description, inputSchema } });
    this.tools.set(name, handler);
    this.driver.notifyAll(); // each session that offers it has a tool_config_changed
  }

  unregisterTool(name: string): void {
    this.assertAlive("unregisterTool");
    requireString(name, "unregisterTool: name");
    this.driver.command({ op: "unregister_tool", name });
    this.tools.delete(name);
    this.driver.notifyAll();
  }

  /** A hook for every session at `point`; returns its id. */
  registerHook(point: HookPoint, handler: HookHandler, options?: HookOptions): string {
    this.assertAlive("registerHook");
    return this.addHook(point, handler, options, undefined, "registerHook");
  }

  unregisterHook(hookId: string): void {
    this.assertAlive("unregisterHook");
    requireString(hookId, "unregisterHook: hookId");
    this.driver.command({ op: "unregister_hook", hookId });
    this.forgetHook(hookId);
    this.driver.releaseHook(hookId);
  }

  private forgetHook(hookId: string): void {
    this.hooks.delete(hookId);
    this.sessionHooks.delete(hookId);
  }

  /**
   * Add a skill source: embedded skills now (synchronous), or an HTTP
   * source whose JSON index `{ skills: [{ name, description, url | content }] }`
   * is fetched (the promise settles once it is usable).
   */
  addSkillSource(source: { sourceUuid?: string; name?: string; url: string }): Promise<{ sourceUuid: string }>;
  addSkillSource(source: { sourceUuid?: string; name?: string; skills: EmbeddedSkill[] }): { sourceUuid: string };
  addSkillSource(source: SkillSourceInput): { sourceUuid: string } | Promise<{ sourceUuid: string }>;
  addSkillSource(source: SkillSourceInput): { sourceUuid: string } | Promise<{ sourceUuid: string }> {
    this.assertAlive("addSkillSource");
    if (!isPlainObject(source)) fail("INVALID_SKILL_SOURCE", "addSkillSource: pass { skills: [...] } or { url }");
    toJsonText(source, "addSkillSource: source", "INVALID_SKILL_SOURCE");
    const add = () => this.driver.command({ op: "add_skill_source", source }) as { sourceUuid: string; pending: boolean };
    if (!("url" in source)) return { sourceUuid: add().sourceUuid };
    // HTTP sources are read by the core's lazily linked part (with mobs).
    return this.linkPart("addSkillSource").then(async () => {
      const { sourceUuid } = add();
      await this.driver.waitForSource(sourceUuid);
      return { sourceUuid };
    });
  }

  /** Fetch an HTTP source again; its cached skills serve until it is done (and if it fails). */
  async refreshSkillSource(sourceUuid: string): Promise<void> {
    this.assertAlive("refreshSkillSource");
    requireString(sourceUuid, "refreshSkillSource: sourceUuid");
    await this.linkPart("refreshSkillSource");
    // Wait only once the core took it: a refused refresh leaves no waiter.
    this.driver.command({ op: "refresh_skill_source", sourceUuid });
    await this.driver.waitForSource(sourceUuid);
  }

  removeSkillSource(sourceUuid: string): void {
    this.assertAlive("removeSkillSource");
    requireString(sourceUuid, "removeSkillSource: sourceUuid");
    this.driver.command({ op: "remove_skill_source", sourceUuid });
  }

  listSkillSources(): SkillSourceInfo[] {
    this.assertAlive("listSkillSources");
    return this.driver.command({ op: "list_skill_sources" }) as SkillSourceInfo[];
  }

  /** Every live session. */
  listSessions(): SessionInfo[] {
    this.assertAlive("listSessions");
    return this.driver.command({ op: "list_sessions" }) as SessionInfo[];
  }

  /**
   * Create a mob from its definition (checked in full by the core before
   * anything is created: `INVALID_MOB_DEFINITION` names the field).
   */
  async createMob(definition: MobDefinition): Promise<Mob> {
    this.assertAlive("createMob");
    // Mobs load on first use: their class and checks, and the core's mob part.
    const { Mob, checkDefinition } = await loadChunk(() => import("./mob/lazy-mobs.js"));
    checkDefinition(definition, "createMob: definition");
    await this.linkPart("createMob");
    const { mobId } = this.driver.command({ op: "create_mob", definition }) as { mobId: string };
    return new Mob(mobId, this.mobHost);
  }

  /** Every mob with its status and member count (a destroyed one until its id is reused, or its room is needed). */
  async listMobs(): Promise<MobSummary[]> {
    this.assertAlive("listMobs");
    return this.driver.command({ op: "list_mobs" }) as MobSummary[];
  }

  /**
   * Mutual trust between a member of one mob and a member of another: each
   * sees the other in `peers` (as `"<mobId>/<identity>"`) and can message it.
   */
  async wireCrossMob(mobA: string, memberA: string, mobB: string, memberB: string): Promise<void> {
    this.assertAlive("wireCrossMob");
    this.driver.command({ op: "wire_cross_mob", ...crossMobArgs("wireCrossMob", mobA, memberA, mobB, memberB) });
  }

  async unwireCrossMob(mobA: string, memberA: string, mobB: string, memberB: string): Promise<void> {
    this.assertAlive("unwireCrossMob");
    this.driver.command({ op: "unwire_cross_mob", ...crossMobArgs("unwireCrossMob", mobA, memberA, mobB, memberB) });
  }

  /** What this build offers (`Available`) and what a browser cannot have (`NotCompiled`). */
  get capabilities(): Capability[] {
    this.assertAlive("capabilities");
    this.capabilityList ??= this.core.capabilities();
    return this.capabilityList;
  }

  /** Throws `CapabilityUnavailableError` unless `id` is available. */
  requireCapability(id: string): void {
    requireCapabilityIn(this.capabilities, id);
  }

  /** Free the core; turns in flight reject with `RUNTIME_DESTROYED`. Idempotent. */
  destroy(): void {
    this.core.destroy(deadRuntimeError());
  }

  get destroyed(): boolean {
    return this.destroyedBy !== undefined;
  }

  private addHook(
    point: HookPoint,
    handler: HookHandler,
    options: HookOptions | undefined,
    session: string | undefined,
    what: string,
  ): string {
    const hook = hookRegistration(point, handler, options, what);
    toJsonText(hook, `${what}: options`, "INVALID_HOOK");
    const { hookId } = this.driver.command({ op: "register_hook", hook, ...(session ? { session } : {}) }) as {
      hookId: string;
    };
    this.hooks.set(hookId, handler);
    if (session) this.sessionHooks.set(hookId, session);
    return hookId;
  }

  private teardown(reason: MeerkatError): void {
    this.destroyedBy = reason;
    this.driver.shutdown(reason);
    for (const session of [...this.sessions.values()]) session.markDestroyed(reason);
    this.sessions.clear();
  }

  /** The core's lazily linked part (mobs, HTTP skill sources), linked once; `what` is refused if the runtime died meanwhile. */
  private async linkPart(what: string): Promise<void> {
    const { linkMobPart } = await loadChunk(() => import("./mob/lazy-mobs.js"));
    await linkMobPart(this.core);
    this.assertAlive(what);
  }

  private assertAlive(what: string): void {
    if (this.destroyedBy) {
      throw new MeerkatError(this.destroyedBy.code, `${what}: ${this.destroyedBy.message}`);
    }
  }
}

function checkWasm(wasm: WasmModule, what: string): void {
  if (!isWasmModule(wasm)) {
    fail("INVALID_ARGUMENT", `${what}: pass the wasm module namespace: import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js"`);
  }
}

function checkInit(wasm: WasmModule, options: RuntimeOptions, what: string): void {
  checkWasm(wasm, what);
  requireObject(options, `${what}: options`);
  if (options.fetch !== undefined) requireFunction(options.fetch, `${what}: options.fetch`);
}
