//! Agent events in their final public shape, and the per-session log they
//! are read from.
//!
//! Events are serialized exactly once, straight into the log's buffer, in
//! the shape of the SDK reference (`type` in snake_case, other fields in
//! camelCase, plus a `seq` number), so the TypeScript side does one
//! `JSON.parse` per batch and no mapping at all.

mod log;

pub use log::{DEFAULT_LOG_CAPACITY, DEFAULT_READER, EventLog, ReaderId, write_stream_truncated};

use crate::hooks::HookPoint;
use crate::json::{ObjectWriter, Raw, write_array, write_str};
use crate::usage::Usage;

/// The SDK's `StopReason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    EndTurn,
    ToolUse,
    MaxTokens,
    StopSequence,
    ContentFilter,
    Cancelled,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::EndTurn => "end_turn",
            StopReason::ToolUse => "tool_use",
            StopReason::MaxTokens => "max_tokens",
            StopReason::StopSequence => "stop_sequence",
            StopReason::ContentFilter => "content_filter",
            StopReason::Cancelled => "cancelled",
        }
    }
}

/// The SDK's `BudgetType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetType {
    Tokens,
    Time,
    ToolCalls,
}

impl BudgetType {
    pub const ALL: [BudgetType; 3] = [BudgetType::Tokens, BudgetType::Time, BudgetType::ToolCalls];

    pub fn as_str(self) -> &'static str {
        match self {
            BudgetType::Tokens => "tokens",
            BudgetType::Time => "time",
            BudgetType::ToolCalls => "tool_calls",
        }
    }
}

/// An event written now and logged later, once its sequence number is
/// known: the bus's events for sessions other than the running one (an
/// [`Event`] only borrows its text).
#[derive(Debug, PartialEq)]
pub struct KeptEvent {
    kind: &'static str,
    /// The fields as a JSON object.
    fields: String,
}

/// The events of the SDK reference this core emits. `Retrying`'s
/// `text_discarded`: the failed attempt had streamed text deltas, which the
/// retried one streams again from the start of the turn's answer.
/// `StreamTruncated`'s `dropped`: how many events the gap stands for (the
/// reason says it too).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Event<'a> {
    RunStarted {
        session_id: &'a str,
        prompt: &'a str,
    },
    RunCompleted {
        session_id: &'a str,
        result: &'a str,
        usage: Usage,
    },
    RunFailed {
        session_id: &'a str,
        error: &'a str,
    },
    TurnStarted {
        turn_number: u32,
    },
    TextComplete {
        content: &'a str,
    },
    ToolCallRequested {
        id: &'a str,
        name: &'a str,
        args: &'a Raw,
    },
    ToolResultReceived {
        id: &'a str,
        name: &'a str,
        is_error: bool,
    },
    TurnCompleted {
        stop_reason: StopReason,
        usage: Usage,
    },
    Retrying {
        attempt: u32,
        max_attempts: u32,
        error: &'a str,
        delay_ms: u64,
        text_discarded: bool,
    },
    ToolExecutionStarted {
        id: &'a str,
        name: &'a str,
    },
    ToolExecutionCompleted {
        id: &'a str,
        name: &'a str,
        result: &'a str,
        is_error: bool,
        duration_ms: u64,
    },
    ToolExecutionTimedOut {
        id: &'a str,
        name: &'a str,
        timeout_ms: u64,
    },
    CompactionStarted {
        input_tokens: u64,
        estimated_history_tokens: u64,
        message_count: u64,
    },
    CompactionCompleted {
        summary_tokens: u64,
        messages_before: u64,
        messages_after: u64,
    },
    CompactionFailed {
        error: &'a str,
    },
    BudgetWarning {
        budget_type: BudgetType,
        used: u64,
        limit: u64,
        percent: u64,
    },
    HookStarted {
        hook_id: &'a str,
        point: HookPoint,
    },
    HookCompleted {
        hook_id: &'a str,
        point: HookPoint,
        duration_ms: u64,
    },
    HookFailed {
        hook_id: &'a str,
        point: HookPoint,
        error: &'a str,
    },
    HookDenied {
        hook_id: &'a str,
        point: HookPoint,
        reason_code: &'a str,
        message: &'a str,
        payload: Option<&'a Raw>,
    },
    HookRewriteApplied {
        hook_id: &'a str,
        point: HookPoint,
        patch: &'a Raw,
    },
    HookPatchPublished {
        hook_id: &'a str,
        point: HookPoint,
        envelope: &'a Raw,
    },
    SkillsResolved {
        skills: &'a [String],
        injection_bytes: u64,
    },
    SkillResolutionFailed {
        reference: &'a str,
        error: &'a str,
    },
    StreamTruncated {
        reason: &'a str,
        dropped: u64,
    },
    /// A host tool the session offers was registered (`add`) or
    /// unregistered (`remove`); the run in flight sees it from its next turn.
    ToolConfigChanged {
        operation: &'static str,
        target: &'a str,
        applied_at_turn: u32,
    },
    // Comms, on a member's session.
    MessageReceived {
        from: &'a str,
        kind: &'static str,
        bytes: u64,
    },
    InteractionComplete {
        interaction_id: &'a str,
        result: &'a str,
    },
    InteractionFailed {
        interaction_id: &'a str,
        error: &'a str,
    },
    // A mob's own events (its subscription).
    MemberSpawned {
        member: &'a str,
        role: &'a str,
        session_id: &'a str,
    },
    MemberRetired {
        member: &'a str,
    },
    PeersWired {
        a: &'a str,
        b: &'a str,
    },
    PeersUnwired {
        a: &'a str,
        b: &'a str,
    },
    MessageDelivered {
        from: &'a str,
        to: &'a str,
        kind: &'static str,
        bytes: u64,
    },
    LimitReached {
        limit: &'static str,
        member: &'a str,
        detail: &'a str,
    },
    MobStatusChanged {
        status: &'static str,
    },
}

impl KeptEvent {
    /// An event the mob part writes itself (`flow_step_changed`): `fields`
    /// is a JSON object.
    pub fn new(kind: &'static str, fields: String) -> KeptEvent {
        KeptEvent { kind, fields }
    }
}

impl Event<'_> {
    pub fn kind(&self) -> &'static str {
        match self {
            Event::RunStarted { .. } => "run_started",
            Event::RunCompleted { .. } => "run_completed",
            Event::RunFailed { .. } => "run_failed",
            Event::TurnStarted { .. } => "turn_started",
            Event::TextComplete { .. } => "text_complete",
            Event::ToolCallRequested { .. } => "tool_call_requested",
            Event::ToolResultReceived { .. } => "tool_result_received",
            Event::TurnCompleted { .. } => "turn_completed",
            Event::Retrying { .. } => "retrying",
            Event::ToolExecutionStarted { .. } => "tool_execution_started",
            Event::ToolExecutionCompleted { .. } => "tool_execution_completed",
            Event::ToolExecutionTimedOut { .. } => "tool_execution_timed_out",
            Event::CompactionStarted { .. } => "compaction_started",
            Event::CompactionCompleted { .. } => "compaction_completed",
            Event::CompactionFailed { .. } => "compaction_failed",
            Event::BudgetWarning { .. } => "budget_warning",
            Event::HookStarted { .. } => "hook_started",
            Event::HookCompleted { .. } => "hook_completed",
            Event::HookFailed { .. } => "hook_failed",
            Event::HookDenied { .. } => "hook_denied",
            Event::HookRewriteApplied { .. } => "hook_rewrite_applied",
            Event::HookPatchPublished { .. } => "hook_patch_published",
            Event::SkillsResolved { .. } => "skills_resolved",
            Event::SkillResolutionFailed { .. } => "skill_resolution_failed",
            Event::StreamTruncated { .. } => "stream_truncated",
            Event::ToolConfigChanged { .. } => "tool_config_changed",
            Event::MessageReceived { .. } => "message_received",
            Event::InteractionComplete { .. } => "interaction_complete",
            Event::InteractionFailed { .. } => "interaction_failed",
            Event::MemberSpawned { .. } => "member_spawned",
            Event::MemberRetired { .. } => "member_retired",
            Event::PeersWired { .. } => "peers_wired",
            Event::PeersUnwired { .. } => "peers_unwired",
            Event::MessageDelivered { .. } => "message_delivered",
            Event::LimitReached { .. } => "limit_reached",
            Event::MobStatusChanged { .. } => "mob_status_changed",
        }
    }

    /// `{"type":..,"seq":..,...fields}`.
    pub fn write_json(&self, seq: u64, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("type", self.kind()).u64("seq", seq);
        self.write_fields(&mut o);
        o.end();
    }

    /// Written now, logged later (see [`KeptEvent`]).
    pub fn keep(&self) -> KeptEvent {
        let mut fields = String::new();
        let mut o = ObjectWriter::new(&mut fields);
        self.write_fields(&mut o);
        o.end();
        KeptEvent { kind: self.kind(), fields }
    }

    fn write_fields(&self, o: &mut ObjectWriter<'_>) {
        match self {
            Event::RunStarted { session_id, prompt } => {
                o.str("sessionId", session_id).str("prompt", prompt);
            }
            Event::RunCompleted { session_id, result, usage } => {
                o.str("sessionId", session_id).str("result", result);
                usage.write_json(o.key("usage"));
            }
            Event::RunFailed { session_id, error } => {
                o.str("sessionId", session_id).str("error", error);
            }
            Event::TurnStarted { turn_number } => {
                o.u64("turnNumber", u64::from(*turn_number));
            }
            Event::TextComplete { content } => {
                o.str("content", content);
            }
            Event::ToolCallRequested { id, name, args } => {
                o.str("id", id).str("name", name).raw("args", args.as_str());
            }
            Event::ToolResultReceived { id, name, is_error } => {
                o.str("id", id).str("name", name).bool("isError", *is_error);
            }
            Event::TurnCompleted { stop_reason, usage } => {
                o.str("stopReason", stop_reason.as_str());
                usage.write_json(o.key("usage"));
            }
            Event::Retrying { attempt, max_attempts, error, delay_ms, text_discarded } => {
                o.u64("attempt", u64::from(*attempt)).u64("maxAttempts", u64::from(*max_attempts));
                o.str("error", error).u64("delayMs", *delay_ms);
                if *text_discarded {
                    o.bool("textDiscarded", true);
                }
            }
            Event::ToolExecutionStarted { id, name } => {
                o.str("id", id).str("name", name);
            }
            Event::ToolExecutionCompleted { id, name, result, is_error, duration_ms } => {
                o.str("id", id).str("name", name).str("result", result);
                o.bool("isError", *is_error).u64("durationMs", *duration_ms);
            }
            Event::ToolExecutionTimedOut { id, name, timeout_ms } => {
                o.str("id", id).str("name", name).u64("timeoutMs", *timeout_ms);
            }
            Event::CompactionStarted { input_tokens, estimated_history_tokens, message_count } => {
                o.u64("inputTokens", *input_tokens).u64("estimatedHistoryTokens", *estimated_history_tokens);
                o.u64("messageCount", *message_count);
            }
            Event::CompactionCompleted { summary_tokens, messages_before, messages_after } => {
                o.u64("summaryTokens", *summary_tokens).u64("messagesBefore", *messages_before);
                o.u64("messagesAfter", *messages_after);
            }
            Event::CompactionFailed { error } => {
                o.str("error", error);
            }
            Event::BudgetWarning { budget_type, used, limit, percent } => {
                o.str("budgetType", budget_type.as_str()).u64("used", *used).u64("limit", *limit);
                o.u64("percent", *percent);
            }
            Event::HookStarted { hook_id, point } => {
                o.str("hookId", hook_id).str("point", point.as_str());
            }
            Event::HookCompleted { hook_id, point, duration_ms } => {
                o.str("hookId", hook_id).str("point", point.as_str()).u64("durationMs", *duration_ms);
            }
            Event::HookFailed { hook_id, point, error } => {
                o.str("hookId", hook_id).str("point", point.as_str()).str("error", error);
            }
            Event::HookDenied { hook_id, point, reason_code, message, payload } => {
                o.str("hookId", hook_id).str("point", point.as_str()).str("reasonCode", reason_code);
                o.str("message", message);
                if let Some(payload) = payload {
                    o.raw("payload", payload.as_str());
                }
            }
            Event::HookRewriteApplied { hook_id, point, patch } => {
                o.str("hookId", hook_id).str("point", point.as_str()).raw("patch", patch.as_str());
            }
            Event::HookPatchPublished { hook_id, point, envelope } => {
                o.str("hookId", hook_id).str("point", point.as_str()).raw("envelope", envelope.as_str());
            }
            Event::SkillsResolved { skills, injection_bytes } => {
                write_array(o.key("skills"), *skills, |s, out| write_str(s, out));
                o.u64("injectionBytes", *injection_bytes);
            }
            Event::SkillResolutionFailed { reference, error } => {
                o.str("reference", reference).str("error", error);
            }
            Event::ToolConfigChanged { operation, target, applied_at_turn } => {
                let mut p = ObjectWriter::new(o.key("payload"));
                p.str("operation", operation).str("target", target).str("status", "applied");
                p.raw("persisted", "false").u64("appliedAtTurn", u64::from(*applied_at_turn));
                p.end();
            }
            Event::StreamTruncated { reason, dropped } => {
                o.str("reason", reason).u64("dropped", *dropped);
            }
            Event::MessageReceived { from, kind, bytes } => {
                o.str("from", from).str("kind", kind).u64("bytes", *bytes);
            }
            Event::InteractionComplete { interaction_id, result } => {
                o.str("interactionId", interaction_id).str("result", result);
            }
            Event::InteractionFailed { interaction_id, error } => {
                o.str("interactionId", interaction_id).str("error", error);
            }
            Event::MemberSpawned { member, role, session_id } => {
                o.str("member", member).str("role", role).str("sessionId", session_id);
            }
            Event::MemberRetired { member } => {
                o.str("member", member);
            }
            Event::PeersWired { a, b } | Event::PeersUnwired { a, b } => {
                o.str("a", a).str("b", b);
            }
            Event::MessageDelivered { from, to, kind, bytes } => {
                o.str("from", from).str("to", to).str("kind", kind).u64("bytes", *bytes);
            }
            Event::LimitReached { limit, member, detail } => {
                o.str("limit", limit).str("member", member).str("detail", detail);
            }
            Event::MobStatusChanged { status } => {
                o.str("status", status);
            }
        }
    }
}
