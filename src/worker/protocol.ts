/**
 * What crosses the Worker boundary: the host API the Worker exposes (its
 * methods are called by name over `rpc.ts`; callbacks cross as callbacks).
 */
import type { ExternalAuthResolver } from "../auth/types.js";
import type { HookPoint } from "../events.js";
import type { HookContext, HookDecision, HookOptions } from "../hooks.js";
import type { Mob } from "../mob/mob.js";
import type { MemberHandle, MobDefinition, MobSummary } from "../mob/types.js";
import type { MobpackInfo, MobpackRuntimeConfig } from "../mobpack/types.js";
import type { SkillRef, SkillSourceInfo, SkillSourceInput } from "../skills.js";
import type { CompiledCore } from "./prefetch.js";
import type { Thrown } from "./rpc.js";
import type {
  Capability,
  HistoryMessage,
  Prompt,
  RunResult,
  SessionConfig,
  SessionInfo,
  ToolInputSchema,
  ToolOptions,
  ToolOutput,
  TurnOptions,
  Usage,
} from "../types.js";

/**
 * A session's counters, sent back with every finished run. Its text is
 * `lastResult.text` (sent once: a long answer is not cloned twice).
 */
export interface SessionState {
  usage: Usage;
  turns: number;
  toolCalls: number;
  lastResult: RunResult;
}

/** A page callback; called from the Worker, it always answers with a promise. */
export type RemoteToolHandler = (args: Record<string, unknown>) => ToolOutput | Promise<ToolOutput>;
export type RemoteHookHandler = (ctx: HookContext) => HookDecision | Promise<HookDecision>;
/**
 * An event batch crosses as the UTF-8 bytes of a JSON array, read from the
 * core as they are and transferred (not copied); decoded and parsed once on
 * the page. The call settles once the page has taken it.
 */
export type BatchSink = (events: Uint8Array) => Promise<void>;
/**
 * A subscription's sink: batches, then (`gone`) why it ended once its
 * session, mob or runtime went away: the error a poll there would throw.
 */
export type SubscriptionSink = (events: Uint8Array | null, gone?: Thrown) => Promise<void>;

/** `Mob` methods whose arguments and results are plain data: the page calls them by name. */
export const MOB_METHODS = [
  "spawn",
  "retire",
  "respawn",
  "listMembers",
  "memberStatus",
  "wire",
  "unwire",
  "runFlow",
  "flowStatus",
  "cancelFlow",
  "stop",
  "resume",
  "complete",
  "destroy",
  "status",
] as const satisfies ReadonlyArray<keyof Mob>;
export type MobMethod = (typeof MOB_METHODS)[number];

/** `MemberHandle` methods, called by name the same way. */
export const MEMBER_METHODS = ["send", "waitForRun", "status", "history", "interrupt"] as const satisfies ReadonlyArray<
  keyof MemberHandle
>;
export type MemberMethod = (typeof MEMBER_METHODS)[number];

/** The result of `Mob[K]` / `MemberHandle[K]`, as it crosses. */
export type MobResult<K extends MobMethod> = Awaited<ReturnType<Mob[K]>>;
export type MemberResult<K extends MemberMethod> = Awaited<ReturnType<MemberHandle[K]>>;

/** What `init` tells the page. */
export interface HostReady {
  version: string;
  capabilities: Capability[];
  /** The pack the runtime was made from (`connectRuntime(..., { mobpack })`), else `null`. */
  mobpack: MobpackInfo | null;
}

/** The object `exposeRuntime()` exposes inside the Worker. */
export interface RuntimeHost {
  /**
   * `MeerkatRuntime.init`, or `initFromMobpack` when the pack's bytes come
   * along (transferred); `compiled`: the core's wasm, compiled by the page
   * (prefetch.ts), when it could; `version`: the page's package version
   * (a page of another release is refused).
   */
  init(config: MobpackRuntimeConfig, mobpack: Uint8Array | undefined, compiled: CompiledCore | undefined, version: string): Promise<HostReady>;
  registerTool(
    name: string,
    description: string,
    inputSchema: ToolInputSchema,
    handler: RemoteToolHandler,
    options: ToolOptions | undefined,
  ): void;
  unregisterTool(name: string): void;
  registerHook(point: HookPoint, handler: RemoteHookHandler, options: HookOptions | undefined, sessionId?: string): string;
  unregisterHook(hookId: string): void;
  /** The page's external auth resolver (a callback) for this Worker's runtimes, or none. */
  setAuthResolver(resolver: ExternalAuthResolver | undefined, timeoutMs: number | undefined): void;
  addSkillSource(source: SkillSourceInput): Promise<{ sourceUuid: string }>;
  refreshSkillSource(sourceUuid: string): Promise<void>;
  removeSkillSource(sourceUuid: string): void;
  listSkillSources(): SkillSourceInfo[];
  createSession(config: SessionConfig): string;
  createDeferredSession(config: SessionConfig): string;
  /** A turn (`deferred` for a deferred session's first), with the skill added for `invokeSkill`. */
  turn(sessionId: string, prompt: Prompt, options: TurnOptions | undefined, how?: "deferred" | SkillRef): Promise<SessionState>;
  stream(sessionId: string, prompt: Prompt, options: TurnOptions | undefined, onBatch: BatchSink): Promise<SessionState>;
  /** The events since the last poll as a batch's bytes (transferred), or `null` when there are none. */
  pollEvents(sessionId: string): Uint8Array | null;
  /** A subscription whose batches are pushed to `onBatch`; returns its id. */
  subscribe(sessionId: string, onBatch: SubscriptionSink): Promise<number>;
  unsubscribe(subscriptionId: number): void;
  history(sessionId: string): Promise<HistoryMessage[]>;
  interrupt(sessionId: string): Promise<void>;
  compact(sessionId: string): Promise<SessionState>;
  archive(sessionId: string): Promise<void>;
  appendSystemContext(sessionId: string, text: string): void;
  /** The session's counters (the page refreshes them after a failed run). */
  state(sessionId: string): SessionState;
  /** Returns what `pollEvents` had left (its run's end), for the page's next `pollEvents`. */
  destroySession(sessionId: string): Uint8Array | null;
  listSessions(): SessionInfo[];
  createMob(definition: MobDefinition): Promise<string>;
  listMobs(): Promise<MobSummary[]>;
  /** `wireCrossMob` (`wire` true) or `unwireCrossMob`. */
  wireCrossMob(mobA: string, memberA: string, mobB: string, memberB: string, wire: boolean): Promise<void>;
  /** `mob[method](...args)`; the mob's subscriptions have their news before it settles. */
  mobCall<K extends MobMethod>(mobId: string, method: K, args: Parameters<Mob[K]>): Promise<MobResult<K>>;
  /** `mob.member(member)[method](...args)`, likewise. */
  memberCall<K extends MemberMethod>(
    mobId: string,
    member: string,
    method: K,
    args: Parameters<MemberHandle[K]>,
  ): Promise<MemberResult<K>>;
  /** A member's events, pushed to `onBatch`; returns the subscription's id (for `unsubscribe`). */
  subscribeMember(mobId: string, member: string, onBatch: SubscriptionSink): Promise<number>;
  /** A mob's attributed events, pushed to `onBatch`; returns the subscription's id. */
  subscribeMob(mobId: string, onBatch: SubscriptionSink): Promise<number>;
  destroy(): void;
}
