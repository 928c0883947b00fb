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

export interface RunStartedEvent { type: "run_started"; sessionId: string; prompt: string }
export interface RunCompletedEvent { type: "run_completed"; sessionId: string; result: string; usage: Usage }
export interface RunFailedEvent { type: "run_failed"; sessionId: string; error: string }
export interface TurnStartedEvent { type: "turn_started"; turnNumber: number }
export interface TextDeltaEvent { type: "text_delta"; delta: string }
export interface TextCompleteEvent { type: "text_complete"; content: string }
export interface ToolCallRequestedEvent { type: "tool_call_requested"; id: string; name: string; args: unknown }
export interface ToolResultReceivedEvent { type: "tool_result_received"; id: string; name: string; isError: boolean }
export interface TurnCompletedEvent { type: "turn_completed"; stopReason: StopReason; usage: Usage }
export interface ToolExecutionStartedEvent { type: "tool_execution_started"; id: string; name: string }
export interface ToolExecutionCompletedEvent {
  type: "tool_execution_completed";
  id: string;
  name: string;
  result: string;
  isError: boolean;
  durationMs: number;
}
export interface ToolExecutionTimedOutEvent { type: "tool_execution_timed_out"; id: string; name: string; timeoutMs: number }
export interface CompactionStartedEvent {
  type: "compaction_started";
  inputTokens: number;
  estimatedHistoryTokens: number;
  messageCount: number;
}
export interface CompactionCompletedEvent {
  type: "compaction_completed";
  summaryTokens: number;
  messagesBefore: number;
  messagesAfter: number;
}
export interface CompactionFailedEvent { type: "compaction_failed"; error: string }
export interface BudgetWarningEvent {
  type: "budget_warning";
  budgetType: BudgetType;
  used: number;
  limit: number;
  percent: number;
}
export interface RetryingEvent { type: "retrying"; attempt: number; maxAttempts: number; error: string; delayMs: number }
export interface HookStartedEvent { type: "hook_started"; hookId: string; point: HookPoint }
export interface HookCompletedEvent { type: "hook_completed"; hookId: string; point: HookPoint; durationMs: number }
export interface HookFailedEvent { type: "hook_failed"; hookId: string; point: HookPoint; error: string }
export interface HookDeniedEvent {
  type: "hook_denied";
  hookId: string;
  point: HookPoint;
  reasonCode: string;
  message: string;
  payload?: unknown;
}
export interface HookRewriteAppliedEvent {
  type: "hook_rewrite_applied";
  hookId: string;
  point: HookPoint;
  patch: Record<string, unknown>;
}
export interface HookPatchPublishedEvent {
  type: "hook_patch_published";
  hookId: string;
  point: HookPoint;
  envelope: Record<string, unknown>;
}
export interface SkillsResolvedEvent { type: "skills_resolved"; skills: readonly string[]; injectionBytes: number }
export interface SkillResolutionFailedEvent { type: "skill_resolution_failed"; reference: string; error: string }
export interface InteractionCompleteEvent { type: "interaction_complete"; interactionId: string; result: string }
export interface InteractionFailedEvent { type: "interaction_failed"; interactionId: string; error: string }
export interface ToolConfigChangedPayload {
  operation: "add" | "remove" | "reload";
  target: string;
  status: string;
  persisted: boolean;
  appliedAtTurn?: number;
}
export interface ToolConfigChangedEvent { type: "tool_config_changed"; payload: ToolConfigChangedPayload }
export interface StreamTruncatedEvent { type: "stream_truncated"; reason: string }
/**
 * Forward compatibility: an event type this build does not know. (The core
 * and this package are versioned together, so today's core never sends one.)
 */
export interface UnknownEvent { type: "unknown"; originalType: string; payload: Record<string, unknown> }

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
  | StreamTruncatedEvent
  | ToolConfigChangedEvent
  | UnknownEvent;

export const isTextDelta = (e: AgentEvent): e is TextDeltaEvent => e.type === "text_delta";
export const isTextComplete = (e: AgentEvent): e is TextCompleteEvent => e.type === "text_complete";
export const isTurnCompleted = (e: AgentEvent): e is TurnCompletedEvent => e.type === "turn_completed";
export const isToolCallRequested = (e: AgentEvent): e is ToolCallRequestedEvent => e.type === "tool_call_requested";
export const isRunCompleted = (e: AgentEvent): e is RunCompletedEvent => e.type === "run_completed";
export const isRunFailed = (e: AgentEvent): e is RunFailedEvent => e.type === "run_failed";
