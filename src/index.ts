/**
 * @rkat/web: a complete LLM agent runtime for the browser.
 *
 * Curated exports only; the wasm module itself is imported by the caller
 * from `@rkat/web/wasm/meerkat_web_runtime.js`.
 */
export { MeerkatRuntime } from "./runtime.js";
export type { RuntimeOptions } from "./runtime.js";
export { Session } from "./session.js";
export { DeferredSession } from "./deferred.js";
export { EventStream } from "./stream.js";
export { EventSubscription } from "./subscription.js";
export { Mob } from "./mob/mob.js";
export type {
  AttributedMobEvent,
  FlowRunState,
  FlowStepChangedEvent,
  FlowStepState,
  LimitReachedEvent,
  MemberHandle,
  MemberRetiredEvent,
  MemberSendOptions,
  MemberSendResult,
  MemberSpawnedEvent,
  MemberState,
  MemberStatus,
  MessageDeliveredEvent,
  MobDefinition,
  MobEvent,
  MobFlowDefinition,
  MobFlowStatus,
  MobFlowStep,
  MobLifecycleAction,
  MobLimits,
  MobMember,
  MobProfile,
  MobRuntimeMode,
  MobStatus,
  MobStatusChangedEvent,
  MobSummary,
  PeersUnwiredEvent,
  PeersWiredEvent,
  SpawnedMember,
  SpawnFailure,
  SpawnResult,
  SpawnSpec,
} from "./mob/types.js";
export { clearExternalAuthResolver, registerExternalAuthResolver } from "./auth/registry.js";
export type { AuthResolverTarget } from "./auth/registry.js";
export { withAuthBinding } from "./auth/binding.js";
export type {
  AuthBinding,
  AuthLease,
  AuthResolverRequest,
  ExternalAuthResolver,
  ExternalAuthResolverOptions,
  ProviderName,
  RealmBindingConfig,
  RealmConfig,
} from "./auth/types.js";
export type {
  InspectedMobpack,
  MobpackBytes,
  MobpackDefaults,
  MobpackInfo,
  MobpackManifest,
  MobpackRuntimeConfig,
  MobpackSkill,
  MobpackTrust,
} from "./mobpack/types.js";
export { HOOK_POINTS } from "./hooks.js";
export type { HookContext, HookDecision, HookHandler, HookOptions, HookRequest } from "./hooks.js";
export type {
  EmbeddedSkill,
  SkillKey,
  SkillQuarantineDiagnostic,
  SkillRef,
  SkillRuntimeDiagnostics,
  SkillSourceInfo,
  SkillSourceInput,
  SourceHealthSnapshot,
} from "./skills.js";
export {
  MeerkatError,
  CapabilityUnavailableError,
  SessionNotFoundError,
  SkillNotFoundError,
  ProviderError,
  ERROR_CODES,
} from "./errors.js";
export type { ErrorCode, CapabilityHint } from "./errors.js";
export { CONTRACT_VERSION, VERSION } from "./version.js";
export {
  isTextDelta,
  isTextComplete,
  isTurnCompleted,
  isToolCallRequested,
  isRunCompleted,
  isRunFailed,
} from "./events.js";
export type {
  AgentEvent,
  EventBase,
  StopReason,
  BudgetType,
  HookPoint,
  RunStartedEvent,
  RunCompletedEvent,
  RunFailedEvent,
  TurnStartedEvent,
  TextDeltaEvent,
  TextCompleteEvent,
  ToolCallRequestedEvent,
  ToolResultReceivedEvent,
  TurnCompletedEvent,
  ToolExecutionStartedEvent,
  ToolExecutionCompletedEvent,
  ToolExecutionTimedOutEvent,
  CompactionStartedEvent,
  CompactionCompletedEvent,
  CompactionFailedEvent,
  BudgetWarningEvent,
  RetryingEvent,
  HookStartedEvent,
  HookCompletedEvent,
  HookFailedEvent,
  HookDeniedEvent,
  HookRewriteAppliedEvent,
  HookPatchPublishedEvent,
  SkillsResolvedEvent,
  SkillResolutionFailedEvent,
  InteractionCompleteEvent,
  InteractionFailedEvent,
  MessageReceivedEvent,
  CommsKind,
  StreamTruncatedEvent,
  ToolConfigChangedEvent,
  ToolConfigChangedPayload,
  UnknownEvent,
} from "./events.js";
export type {
  Usage,
  RunResult,
  SessionInfo,
  Capability,
  Budget,
  CompactionConfig,
  ToolOptions,
  SchemaWarning,
  ContentBlock,
  Prompt,
  TurnOptions,
  RuntimeConfig,
  RetryPolicy,
  SessionConfig,
  ToolHandler,
  ToolInputSchema,
  ToolOutput,
  HistoryMessage,
  HistoryPart,
} from "./types.js";
export type { WasmModule } from "./core.js";
/** The SDK reference's names for two of these: its session options are this runtime's `SessionConfig`. */
export type { SessionConfig as SessionOptions } from "./types.js";
/** The SDK reference's name for a mob subscription's item. */
export type { AttributedMobEvent as AttributedEvent } from "./mob/types.js";
