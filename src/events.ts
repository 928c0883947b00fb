/**
 * Agent events, exactly as in the SDK reference: discriminated on `type`
 * (snake_case), other fields camelCase. The core emits them in this shape;
 * nothing is mapped on the way.
 */
import type { Usage } from "./types.js";

export type StopReason = "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "content_filter" | "cancelled";
export type BudgetType = "tokens" | "time" | "tool_calls";
export type HookPoint =
  | "run_started"
  | "run_completed"
  | "run_failed"
  | "pre_llm_request"
  | "post_llm_response"
  | "pre_tool_execution"
  | "post_tool_execution"
  | "turn_boundary";

/**
 * What every event carries besides its own fields: its sequence number in
 * the session's event log (increasing; a gap is announced by a
 * `stream_truncated` event).
 */
export interface EventBase {
  seq: number;
}

export interface RunStartedEvent extends EventBase { type: "run_started"; sessionId: string; prompt: string }
export interface RunCompletedEvent extends EventBase { type: "run_completed"; sessionId: string; result: string; usage: Usage }
export interface RunFailedEvent extends EventBase { type: "run_failed"; sessionId: string; error: string }
export interface TurnStartedEvent extends EventBase { type: "turn_started"; turnNumber: number }
export interface TextDeltaEvent extends EventBase { type: "text_delta"; delta: string }
export interface TextCompleteEvent extends EventBase { type: "text_complete"; content: string }
export interface ToolCallRequestedEvent extends EventBase { type: "tool_call_requested"; id: string; name: string; args: unknown }
export interface ToolResultReceivedEvent extends EventBase { type: "tool_result_received"; id: string; name: string; isError: boolean }
export interface TurnCompletedEvent extends EventBase { type: "turn_completed"; stopReason: StopReason; usage: Usage }
export interface ToolExecutionStartedEvent extends EventBase { type: "tool_execution_started"; id: string; name: string }
export interface ToolExecutionCompletedEvent extends EventBase {
  type: "tool_execution_completed";
  id: string;
  name: string;
  result: string;
  isError: boolean;
  durationMs: number;
}
export interface ToolExecutionTimedOutEvent extends EventBase { type: "tool_execution_timed_out"; id: string; name: string; timeoutMs: number }
export interface CompactionStartedEvent extends EventBase {
  type: "compaction_started";
  inputTokens: number;
  estimatedHistoryTokens: number;
  messageCount: number;
}
export interface CompactionCompletedEvent extends EventBase {
  type: "compaction_completed";
  summaryTokens: number;
  messagesBefore: number;
  messagesAfter: number;
}
export interface CompactionFailedEvent extends EventBase { type: "compaction_failed"; error: string }
export interface BudgetWarningEvent extends EventBase {
  type: "budget_warning";
  budgetType: BudgetType;
  used: number;
  limit: number;
  percent: number;
}
/**
 * `textDiscarded`: the failed attempt had streamed `text_delta`s; they are
 * void, and the retried attempt streams the turn's answer from its start.
 * Whoever joins deltas drops those of the turn so far (`collectText` does).
 */
export interface RetryingEvent extends EventBase {
  type: "retrying";
  attempt: number;
  maxAttempts: number;
  error: string;
  delayMs: number;
  textDiscarded?: true;
}
export interface HookStartedEvent extends EventBase { type: "hook_started"; hookId: string; point: HookPoint }
export interface HookCompletedEvent extends EventBase { type: "hook_completed"; hookId: string; point: HookPoint; durationMs: number }
export interface HookFailedEvent extends EventBase { type: "hook_failed"; hookId: string; point: HookPoint; error: string }
export interface HookDeniedEvent extends EventBase {
  type: "hook_denied";
  hookId: string;
  point: HookPoint;
  reasonCode: string;
  message: string;
  payload?: unknown;
}
export interface HookRewriteAppliedEvent extends EventBase {
  type: "hook_rewrite_applied";
  hookId: string;
  point: HookPoint;
  patch: Record<string, unknown>;
}
export interface HookPatchPublishedEvent extends EventBase {
  type: "hook_patch_published";
  hookId: string;
  point: HookPoint;
  envelope: Record<string, unknown>;
}
export interface SkillsResolvedEvent extends EventBase { type: "skills_resolved"; skills: readonly string[]; injectionBytes: number }
export interface SkillResolutionFailedEvent extends EventBase { type: "skill_resolution_failed"; reference: string; error: string }
/** A request this member sent was answered (`interactionId` is the request id). */
export interface InteractionCompleteEvent extends EventBase { type: "interaction_complete"; interactionId: string; result: string }
/** A request this member sent got no answer in time (or could not be delivered). */
export interface InteractionFailedEvent extends EventBase { type: "interaction_failed"; interactionId: string; error: string }
/** What a peer's message is to the comms tools. */
export type CommsKind = "message" | "request" | "response";
/** A peer's message reached this member's inbox (its body goes to the model, not into events). */
export interface MessageReceivedEvent extends EventBase { type: "message_received"; from: string; kind: CommsKind; bytes: number }
export interface ToolConfigChangedPayload {
  operation: "add" | "remove" | "reload";
  target: string;
  status: string;
  persisted: boolean;
  appliedAtTurn?: number;
}
/**
 * A host tool this session offers was registered (`add`) or unregistered
 * (`remove`); `appliedAtTurn` is the first turn whose request reflects it.
 */
export interface ToolConfigChangedEvent extends EventBase { type: "tool_config_changed"; payload: ToolConfigChangedPayload }
/** A reader fell behind: `dropped` events before this one are gone (the `reason` says so too). */
export interface StreamTruncatedEvent extends EventBase { type: "stream_truncated"; reason: string; dropped: number }
/**
 * Forward compatibility: an event type this build does not know. (The core
 * and this package are versioned together, so today's core never sends one.)
 */
export interface UnknownEvent extends EventBase { type: "unknown"; originalType: string; payload: Record<string, unknown> }

export type AgentEvent =
  | RunStartedEvent
  | RunCompletedEvent
  | RunFailedEvent
  | TurnStartedEvent
  | TextDeltaEvent
  | TextCompleteEvent
  | ToolCallRequestedEvent
  | ToolResultReceivedEvent
  | TurnCompletedEvent
  | ToolExecutionStartedEvent
  | ToolExecutionCompletedEvent
  | ToolExecutionTimedOutEvent
  | CompactionStartedEvent
  | CompactionCompletedEvent
  | CompactionFailedEvent
  | BudgetWarningEvent
  | RetryingEvent
  | HookStartedEvent
  | HookCompletedEvent
  | HookFailedEvent
  | HookDeniedEvent
  | HookRewriteAppliedEvent
  | HookPatchPublishedEvent
  | SkillsResolvedEvent
  | SkillResolutionFailedEvent
  | InteractionCompleteEvent
  | InteractionFailedEvent
  | MessageReceivedEvent
  | StreamTruncatedEvent
  | ToolConfigChangedEvent
  | UnknownEvent;

export const isTextDelta = (e: AgentEvent): e is TextDeltaEvent => e.type === "text_delta";
export const isTextComplete = (e: AgentEvent): e is TextCompleteEvent => e.type === "text_complete";
export const isTurnCompleted = (e: AgentEvent): e is TurnCompletedEvent => e.type === "turn_completed";
export const isToolCallRequested = (e: AgentEvent): e is ToolCallRequestedEvent => e.type === "tool_call_requested";
export const isRunCompleted = (e: AgentEvent): e is RunCompletedEvent => e.type === "run_completed";
export const isRunFailed = (e: AgentEvent): e is RunFailedEvent => e.type === "run_failed";
