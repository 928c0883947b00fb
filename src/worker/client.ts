/**
 * Main-thread side: the `MeerkatRuntime` API, with async methods, for a
 * runtime living in a Worker. Tools and hooks cross as callbacks (`rpc.ts`);
 * events cross in batches. If the Worker dies, every pending call rejects
 * with `RUNTIME_TRAPPED` instead of hanging.
 * The classes implement the mirrors of `mirror.ts`: their shape is checked
 * against the main-thread classes.
 */
import { checkResolver } from "../auth/registry.js";
import type { ExternalAuthResolver, ExternalAuthResolverOptions } from "../auth/types.js";
import type { AgentEvent, HookPoint } from "../events.js";
import { requireCapabilityIn } from "../capabilities.js";
import { MeerkatError, SessionNotFoundError } from "../errors.js";
import { hookRegistration, type HookContext, type HookHandler, type HookOptions } from "../hooks.js";
import { describe, hookVerdict, jsonData, toolOutcome } from "../callbacks.js";
import { checkSessionConfig, turnOptions } from "../options.js";
import { skillRef, type SkillRef, type SkillSourceInfo, type SkillSourceInput } from "../skills.js";
import { EventChannel, EventStream } from "../stream.js";
import { EventSubscription } from "../subscription.js";
import type {
  Capability,
  HistoryMessage,
  Prompt,
  RunResult,
  SessionConfig,
  SessionInfo,
  ToolHandler,
  ToolInputSchema,
  ToolOptions,
  TurnOptions,
  Usage,
} from "../types.js";
import { fail, isPlainObject, requireFunction, requireObject, requirePrompt, requireString, toJsonText } from "../validate.js";
import { checkDefinition } from "../mob/checks.js";
import { crossMobArgs } from "../mob/cross-args.js";
import { packBytes } from "../mobpack/bytes.js";
import type { MobpackBytes, MobpackInfo, MobpackRuntimeConfig } from "../mobpack/types.js";
import type { MobDefinition, MobSummary } from "../mob/types.js";
import type { DeferredSessionMirror, RuntimeMirror, SessionMirror } from "./mirror.js";
import { WorkerMob } from "./mob.js";
import type { HostReady, SessionState } from "./protocol.js";
import { rebuildElided } from "../elided.js";
import {
  DEFAULT_EVENT_QUEUE_CAPACITY,
  parseBatch,
  pushedSubscription,
  eventTruncation,
  type HostCall,
  type Remote,
} from "./remote.js";
import { compileCore } from "./prefetch.js";
import { VERSION } from "../version.js";
import { connect, type Endpoint, type Peer } from "./rpc.js";

/** A Worker, or any endpoint with error events. */
export type WorkerLike = Endpoint;

/** `connectRuntime` options. */
export interface ConnectOptions {
  /**
   * Start the runtime from this `.mobpack` (`MeerkatRuntime.initFromMobpack`
   * in the Worker). The bytes are transferred, not copied: a `Uint8Array`
   * spanning its whole `ArrayBuffer` (or an `ArrayBuffer`) is detached on
   * this side; a view of part of a buffer is copied first.
   */
  mobpack?: MobpackBytes;
}

/**
 * Start a runtime inside `worker` (which must call `exposeRuntime()`),
 * from `config` alone or, with `options.mobpack`, from a pack.
 */
export async function connectRuntime(
  worker: WorkerLike,
  config: MobpackRuntimeConfig,
  options: ConnectOptions & { mobpack: MobpackBytes },
): Promise<WorkerRuntime & { readonly mobpack: MobpackInfo }>;
export async function connectRuntime(worker: WorkerLike, config: MobpackRuntimeConfig, options?: ConnectOptions): Promise<WorkerRuntime>;
export async function connectRuntime(
  worker: WorkerLike,
  config: MobpackRuntimeConfig,
  options: ConnectOptions = {},
): Promise<WorkerRuntime> {
  if (typeof (worker as { postMessage?: unknown } | null)?.postMessage !== "function") {
    throw new MeerkatError("INVALID_ARGUMENT", "connectRuntime: pass a Worker (new Worker(url, { type: 'module' }))");
  }
  requireObject(config, "connectRuntime: config", "INVALID_CONFIG");
  toJsonText(config, "connectRuntime: config", "INVALID_CONFIG");
  requireObject(options, "connectRuntime: options");
  for (const key of Object.keys(options)) {
    if (key !== "mobpack") fail("INVALID_ARGUMENT", `connectRuntime: unknown option ${JSON.stringify(key)}; expected mobpack`);
  }
  const pack = options.mobpack === undefined ? undefined : movable(packBytes(options.mobpack, "connectRuntime: options.mobpack"));
  if (!pack && config.mobpackTrust !== undefined) {
    fail("INVALID_CONFIG", "connectRuntime: config.mobpackTrust only applies with options.mobpack");
  }
  // Fetched and compiled here while the Worker starts; it only instantiates (prefetch.ts).
  const compiling = compileCore();
  // Its listeners go with the client (rpc.ts): once destroyed or refused, and every call answered.
  const peer = connect(worker, undefined, () => {
    for (const [type, listener] of watch) worker.removeEventListener(type, listener);
    peers.delete(peer);
  });
  // If the Worker dies, every pending call rejects instead of hanging.
  const die = (why: string) => peer.stop(trapped(why), true);
  const watch: Array<[string, (event: Event) => void]> = [
    ["error", (event) => die((event as ErrorEvent).message || "uncaught error in the worker")],
    ["messageerror", () => die("a message could not be deserialized")],
    // A MessagePort's other end going away (Node, recent Chromium: its `close` event).
    ["close", () => die("its end of the channel was closed")],
  ];
  for (const [type, listener] of watch) worker.addEventListener(type, listener);
  const peers = terminateWatch(worker);
  peers.add(peer);
  // One message, sent once the module is compiled: the Worker cannot read it any sooner.
  const args = [config, pack, await compiling, VERSION];
  const ready = (await peer.call("init", args, pack ? [pack.buffer] : []).catch((error: Error) => {
    peer.stop(error, false);
    throw error;
  })) as HostReady;
  // Valid once init has accepted the config.
  const capacity = typeof config.eventQueueCapacity === "number" ? config.eventQueueCapacity : DEFAULT_EVENT_QUEUE_CAPACITY;
  return new WorkerRuntime(peer, ready.capabilities, ready.mobpack, capacity);
}

function trapped(why: string): MeerkatError {
  return new MeerkatError("RUNTIME_TRAPPED", `the runtime worker failed: ${why}; create a new worker and runtime`);
}

/** Per Worker: the peer of each client on it, stopped when the page terminates it. */
const watched = new WeakMap<object, Set<Peer>>();

/**
 * A Worker says nothing when it is terminated: its `terminate` is watched
 * (and still called), wrapped once however many clients it serves in turn;
 * each client's peer is in the returned set while it is attached.
 */
function terminateWatch(worker: WorkerLike): Set<Peer> {
  const known = watched.get(worker);
  if (known) return known;
  const peers = new Set<Peer>();
  watched.set(worker, peers);
  const target = worker as unknown as { terminate?: unknown };
  const own = target.terminate;
  if (typeof own === "function") {
    target.terminate = function (this: unknown, ...args: unknown[]) {
      const error = trapped("it was terminated (worker.terminate())");
      for (const peer of [...peers]) peer.stop(error, true);
      // It drops what it is sent from now on: a later connectRuntime on it fails at once, with the same reason.
      worker.postMessage = () => {
        throw error;
      };
      return own.apply(this, args);
    };
  }
  return peers;
}

/** Bytes whose buffer can be transferred: the caller's own when they span it, else a copy. */
function movable(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const buffer = bytes.buffer;
  const whole = buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength;
  return whole ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
}

export class WorkerRuntime implements RuntimeMirror {
  private readonly remote: Remote;

  /** @internal Use `connectRuntime`. */
  constructor(
    private readonly peer: Peer,
    private readonly capabilityList: Capability[],
    /** The pack the runtime was made from (`options.mobpack`), else `null`. */
    readonly mobpack: MobpackInfo | null = null,
    capacity = DEFAULT_EVENT_QUEUE_CAPACITY,
  ) {
    const call = (method: string, ...args: unknown[]) => peer.call(method, args);
    this.remote = {
      call: call as HostCall,
      requireCapability: (id) => this.requireCapability(id),
      capacity,
      live: (what) => this.live(what),
      stopped: () => peer.stopped,
    };
  }

  get destroyed(): boolean {
    return this.peer.stopped !== undefined;
  }

  /** What this build offers; like every method, refused once the runtime is destroyed. */
  get capabilities(): Capability[] {
    this.live("capabilities");
    return this.capabilityList;
  }

  async createSession(config: SessionConfig = {}): Promise<WorkerSession> {
    this.live("createSession");
    checkSessionConfig(config);
    const id = await this.remote.call("createSession", config);
    return new WorkerSession(id, this.remote);
  }

  async createDeferredSession(config: SessionConfig = {}): Promise<WorkerDeferredSession> {
    this.live("createDeferredSession");
    checkSessionConfig(config);
    const id = await this.remote.call("createDeferredSession", config);
    return new WorkerDeferredSession(new WorkerSession(id, this.remote, "deferred"));
  }

  async registerTool(
    name: string,
    description: string,
    inputSchema: ToolInputSchema,
    handler: ToolHandler,
    options: ToolOptions = {},
  ): Promise<void> {
    this.live("registerTool");
    requireString(name, "registerTool: name");
    requireString(description, "registerTool: description");
    requireObject(inputSchema, "registerTool: inputSchema");
    toJsonText(inputSchema, "registerTool: inputSchema");
    requireFunction(handler, "registerTool: handler");
    requireObject(options, "registerTool: options");
    toJsonText(options, "registerTool: options", "INVALID_TOOL");
    // The outcome is made here, as the main thread's driver makes it (JSON data): what the handler returns may not cross as it is.
    const outcome = (args: Record<string, unknown>) => toolOutcome(name, handler, args);
    await this.remote.call("registerTool", name, description, inputSchema, outcome as never, options);
  }

  async unregisterTool(name: string): Promise<void> {
    this.live("unregisterTool");
    requireString(name, "unregisterTool: name");
    await this.remote.call("unregisterTool", name);
  }

  async registerHook(point: HookPoint, handler: HookHandler, options?: HookOptions): Promise<string> {
    this.live("registerHook");
    return registerRemoteHook(this.remote, point, handler, options, undefined, "registerHook");
  }

  async unregisterHook(hookId: string): Promise<void> {
    this.live("unregisterHook");
    requireString(hookId, "unregisterHook: hookId");
    await this.remote.call("unregisterHook", hookId);
  }

  /**
   * The external auth resolver of this Worker's runtime. It stays on this
   * thread (your login code does not move); the Worker calls it across the
   * bridge and enforces its timeout. `registerExternalAuthResolver(runtime,
   * resolver)` does the same.
   */
  async registerExternalAuthResolver(resolver: ExternalAuthResolver, options?: ExternalAuthResolverOptions): Promise<void> {
    this.live("registerExternalAuthResolver");
    const timeoutMs = checkResolver(resolver, options, "registerExternalAuthResolver");
    // The lease crosses as JSON data, as it reaches the core on the main thread;
    // one that is not JSON crosses as the reason (the Worker refuses it as the main thread would).
    const asJson = async (request: Parameters<ExternalAuthResolver>[0]) => {
      let lease: unknown;
      try {
        lease = await resolver(request);
        return { lease: jsonData(lease) };
      } catch (error) {
        // (Only a lease that is there can fail to be JSON.) A throw crosses as its description.
        if (lease === undefined) fail("AUTH_RESOLVER_FAILED", describe(error));
        return { invalid: describe(error) };
      }
    };
    await this.remote.call("setAuthResolver", asJson as never, timeoutMs);
  }

  /** Forget the resolver; runs that need a lease then fail with `AUTH_RESOLVER_MISSING`. */
  async clearExternalAuthResolver(): Promise<void> {
    this.live("clearExternalAuthResolver");
    await this.remote.call("setAuthResolver", undefined, undefined);
  }

  async addSkillSource(source: SkillSourceInput): Promise<{ sourceUuid: string }> {
    this.live("addSkillSource");
    if (!isPlainObject(source)) fail("INVALID_SKILL_SOURCE", "addSkillSource: pass { skills: [...] } or { url }");
    toJsonText(source, "addSkillSource: source", "INVALID_SKILL_SOURCE");
    return this.remote.call("addSkillSource", source);
  }

  async refreshSkillSource(sourceUuid: string): Promise<void> {
    this.live("refreshSkillSource");
    requireString(sourceUuid, "refreshSkillSource: sourceUuid");
    await this.remote.call("refreshSkillSource", sourceUuid);
  }

  async removeSkillSource(sourceUuid: string): Promise<void> {
    this.live("removeSkillSource");
    requireString(sourceUuid, "removeSkillSource: sourceUuid");
    await this.remote.call("removeSkillSource", sourceUuid);
  }

  async listSkillSources(): Promise<SkillSourceInfo[]> {
    this.live("listSkillSources");
    return this.remote.call("listSkillSources");
  }

  async listSessions(): Promise<SessionInfo[]> {
    this.live("listSessions");
    return this.remote.call("listSessions");
  }

  async createMob(definition: MobDefinition): Promise<WorkerMob> {
    this.live("createMob");
    checkDefinition(definition, "createMob: definition");
    const mobId = await this.remote.call("createMob", definition);
    return new WorkerMob(mobId, this.remote);
  }

  async listMobs(): Promise<MobSummary[]> {
    this.live("listMobs");
    return this.remote.call("listMobs");
  }

  async wireCrossMob(mobA: string, memberA: string, mobB: string, memberB: string): Promise<void> {
    this.live("wireCrossMob");
    const ids = crossMobArgs("wireCrossMob", mobA, memberA, mobB, memberB);
    await this.remote.call("wireCrossMob", ids.mobA, ids.memberA, ids.mobB, ids.memberB, true);
  }

  async unwireCrossMob(mobA: string, memberA: string, mobB: string, memberB: string): Promise<void> {
    this.live("unwireCrossMob");
    const ids = crossMobArgs("unwireCrossMob", mobA, memberA, mobB, memberB);
    await this.remote.call("wireCrossMob", ids.mobA, ids.memberA, ids.mobB, ids.memberB, false);
  }

  /** Throws `CapabilityUnavailableError` unless `id` is available (answered on the page). */
  requireCapability(id: string): void {
    requireCapabilityIn(this.capabilities, id);
  }

  /** Free the runtime inside the Worker (the Worker itself stays yours). */
  async destroy(): Promise<void> {
    if (this.peer.stopped) return;
    await this.remote.call("destroy");
    // Later calls fail fast; calls still under way get their answers.
    this.peer.stop(new MeerkatError("RUNTIME_DESTROYED", "the runtime was destroyed; create a new one with connectRuntime"), false);
  }

  /** As on the main thread: a dead runtime refuses `what` first, arguments or not. */
  private live(what: string): void {
    const why = this.peer.stopped as MeerkatError | undefined;
    if (why) throw new MeerkatError(why.code, `${what}: ${why.message}`);
  }
}

async function registerRemoteHook(
  remote: Remote,
  point: HookPoint,
  handler: HookHandler,
  options: HookOptions | undefined,
  sessionId: string | undefined,
  what: string,
): Promise<string> {
  hookRegistration(point, handler, options, what);
  toJsonText(options ?? {}, `${what}: options`, "INVALID_HOOK");
  // The verdict is made here, as the main thread's driver makes it; a failure crosses as its description.
  const verdict = (ctx: HookContext) => hookVerdict(handler, ctx).catch((error: unknown) => fail("HOOK_DENIED", describe(error)));
  return remote.call("registerHook", point, verdict as never, options, sessionId);
}

const ZERO: Usage = { inputTokens: 0, outputTokens: 0 };

export class WorkerSession implements SessionMirror {
  readonly id: string;
  private state: SessionState;
  /** `destroy()` was called: every call is then refused here, as on the main thread. */
  private gone: Promise<void> | undefined;
  /** What `pollEvents` had left when the session was destroyed (its run's end): its next answer. */
  private tail: Uint8Array | null | undefined;

  /** @internal Use `runtime.createSession`. */
  constructor(
    id: string,
    private readonly remote: Remote,
    /** `deferred` until the first turn of a deferred session has started. */
    private mode: "deferred" | "ready" = "ready",
  ) {
    this.id = id;
    const lastResult: RunResult = { sessionId: id, text: "", turns: 0, toolCalls: 0, usage: ZERO };
    this.state = { usage: ZERO, turns: 0, toolCalls: 0, lastResult };
  }

  get ref(): string | undefined {
    return this.state.lastResult.sessionRef;
  }
  get text(): string {
    return this.state.lastResult.text;
  }
  get usage(): Usage {
    return this.state.usage;
  }
  get turns(): number {
    return this.state.turns;
  }
  get toolCalls(): number {
    return this.state.toolCalls;
  }
  get lastResult(): RunResult {
    return this.state.lastResult;
  }
  get structuredOutput(): unknown {
    return this.state.lastResult.structuredOutput;
  }

  turn(prompt: Prompt, options?: TurnOptions): Promise<RunResult> {
    return this.run(prompt, options, "session.turn");
  }

  /** @internal A destroyed session (or runtime) or bad input throws here, before anything is sent. */
  check(prompt: Prompt, options: TurnOptions | undefined, what: string): void {
    this.usable(what);
    requirePrompt(prompt, `${what}: prompt`);
    toJsonText(prompt, `${what}: prompt`);
    turnOptions(options, what);
  }

  /** @internal Whether a deferred session's first turn was taken (until the Worker refuses it, it counts as taken). */
  get started(): boolean {
    return this.mode === "ready";
  }

  /** @internal The first turn of a deferred session, or an `invokeSkill`. */
  async run(prompt: Prompt, options: TurnOptions | undefined, what: string, skill?: SkillRef): Promise<RunResult> {
    this.check(prompt, options, what);
    const how = this.mode === "deferred" ? "deferred" : skill;
    const call = this.remote.call("turn", this.id, prompt, options, how);
    if (how === "deferred") this.mode = "ready";
    try {
      this.state = await call;
    } catch (error) {
      // The Worker keeps a deferred session whose first turn it refused unstarted; then it has no counters.
      // (Destroyed meanwhile, it has none either, but its turn was taken.)
      if (!(await this.refresh()) && how === "deferred" && !this.gone) this.mode = "deferred";
      throw error;
    }
    return this.state.lastResult;
  }

  /** Iterate the run's events; they arrive in batches from the Worker. */
  stream(prompt: Prompt, options?: TurnOptions): EventStream {
    this.check(prompt, options, "session.stream");
    const channel = new EventChannel();
    const rebuild = rebuildElided();
    const onBatch = async (bytes: Uint8Array) => channel.push(rebuild(parseBatch<AgentEvent>(bytes)));
    this.remote.call("stream", this.id, prompt, options, onBatch).then(
        (state) => {
          this.state = state;
          channel.end(state.lastResult);
        },
        async (error: MeerkatError) => {
          await this.refresh();
          channel.fail(error);
        },
      );
    return new EventStream(this.id, channel);
  }

  async pollEvents(): Promise<AgentEvent[]> {
    const tail = this.tail;
    this.tail = undefined;
    if (tail) return parseBatch<AgentEvent>(tail);
    this.usable("session.pollEvents");
    const bytes = await this.remote.call("pollEvents", this.id);
    return bytes ? parseBatch<AgentEvent>(bytes) : [];
  }

  /** Batches are pushed from the Worker as they come; `poll()` returns what arrived. */
  async subscribeEvents(): Promise<EventSubscription> {
    this.usable("session.subscribeEvents");
    return pushedSubscription<AgentEvent>(
      this.remote,
      (onBatch) => this.remote.call("subscribe", this.id, onBatch),
      rebuildElided() as (parsed: never[]) => AgentEvent[],
      eventTruncation,
    );
  }

  async history(): Promise<HistoryMessage[]> {
    this.usable("session.history");
    return this.remote.call("history", this.id);
  }

  /** Stop the turn in flight; it resolves with stop reason `cancelled`. */
  async interrupt(): Promise<void> {
    this.usable("session.interrupt");
    return this.remote.call("interrupt", this.id);
  }

  async compact(): Promise<void> {
    this.usable("session.compact");
    try {
      this.state = await this.remote.call("compact", this.id);
    } catch (error) {
      await this.refresh();
      throw error;
    }
  }

  async archive(): Promise<void> {
    this.usable("session.archive");
    return this.remote.call("archive", this.id);
  }

  async appendSystemContext(text: string): Promise<void> {
    this.usable("session.appendSystemContext");
    requireString(text, "session.appendSystemContext: text");
    await this.remote.call("appendSystemContext", this.id, text);
  }

  async invokeSkill(ref: SkillRef, prompt: Prompt, options?: TurnOptions): Promise<RunResult> {
    this.remote.requireCapability("skills");
    // Checked here: an undefined ref would cross as a plain turn, a "deferred" one as a deferred start.
    skillRef(ref, "session.invokeSkill: ref");
    return this.run(prompt, options, "session.invokeSkill", ref);
  }

  async registerHook(point: HookPoint, handler: HookHandler, options?: HookOptions): Promise<string> {
    this.usable("session.registerHook");
    return registerRemoteHook(this.remote, point, handler, options, this.id, "session.registerHook");
  }

  /** Forget the session; idempotent (also once the runtime is destroyed or the Worker gone), as on the main thread. */
  async destroy(): Promise<void> {
    if (!this.remote.stopped()) await (this.gone ??= this.remote.call("destroySession", this.id).then((tail) => void (this.tail = tail)));
  }

  /** After a failed run the counters still moved (usage of failed attempts); whether the Worker had them. */
  private async refresh(): Promise<boolean> {
    try {
      this.state = await this.remote.call("state", this.id);
      return true;
    } catch {
      return false; // the session or worker is gone: keep the last known counters
    }
  }

  private usable(what: string): void {
    if (this.gone) {
      throw new SessionNotFoundError("SESSION_NOT_FOUND", `${what}: session ${this.id} was destroyed; create a new one`);
    }
    this.remote.live(what);
  }
}

export class WorkerDeferredSession implements DeferredSessionMirror {
  readonly id: string;

  /** @internal Use `runtime.createDeferredSession`. */
  constructor(private readonly inner: WorkerSession) {
    this.id = inner.id;
  }

  /**
   * Whether the first turn has been started: from `startTurn` on, until the
   * Worker refuses that turn (the main thread refuses it at once).
   */
  get isStarted(): boolean {
    return this.inner.started;
  }

  /** The session, once `startTurn` has been called. */
  get session(): WorkerSession {
    if (!this.isStarted) {
      throw new MeerkatError("INVALID_ARGUMENT", "deferred.session: call deferred.startTurn(prompt) first");
    }
    return this.inner;
  }

  async startTurn(prompt: Prompt, options?: TurnOptions): Promise<RunResult> {
    if (this.isStarted) {
      throw new MeerkatError(
        "INVALID_ARGUMENT",
        "deferred.startTurn: the first turn was already started; use deferred.session.turn() for the next ones",
      );
    }
    // Bad input throws here and leaves the session unstarted.
    return this.inner.run(prompt, options, "deferred.startTurn");
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
