//! Agent events in their final public shape, and the per-session queue.
//!
//! Events are serialized exactly once, straight into the queue's buffer, in
//! the shape of the SDK reference (`type` in snake_case, other fields in
//! camelCase), so the TypeScript side does one `JSON.parse` per batch and no
//! mapping at all.

use crate::json::{ObjectWriter, Raw, write_str};
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

/// The events of the SDK reference this core emits.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    RunStarted { session_id: String, prompt: String },
    RunCompleted { session_id: String, result: String, usage: Usage },
    RunFailed { session_id: String, error: String },
    TurnStarted { turn_number: u32 },
    TextComplete { content: String },
    ToolCallRequested { id: String, name: String, args: Raw },
    ToolResultReceived { id: String, name: String, is_error: bool },
    TurnCompleted { stop_reason: StopReason, usage: Usage },
    Retrying { attempt: u32, max_attempts: u32, error: String, delay_ms: u64 },
    ToolExecutionStarted { id: String, name: String },
    ToolExecutionCompleted { id: String, name: String, result: String, is_error: bool, duration_ms: u64 },
    StreamTruncated { reason: String },
}

impl Event {
    /// Terminal events are always admitted, even into a full queue, so a late
    /// poller still learns how the run ended.
    fn is_terminal(&self) -> bool {
        matches!(self, Event::RunCompleted { .. } | Event::RunFailed { .. })
    }

    pub fn write_json(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        match self {
            Event::RunStarted { session_id, prompt } => {
                o.str("type", "run_started").str("sessionId", session_id).str("prompt", prompt);
            }
            Event::RunCompleted { session_id, result, usage } => {
                o.str("type", "run_completed").str("sessionId", session_id).str("result", result);
                usage.write_json(o.key("usage"));
            }
            Event::RunFailed { session_id, error } => {
                o.str("type", "run_failed").str("sessionId", session_id).str("error", error);
            }
            Event::TurnStarted { turn_number } => {
                o.str("type", "turn_started").u64("turnNumber", u64::from(*turn_number));
            }
            Event::TextComplete { content } => {
                o.str("type", "text_complete").str("content", content);
            }
            Event::ToolCallRequested { id, name, args } => {
                o.str("type", "tool_call_requested").str("id", id).str("name", name).raw("args", args.as_str());
            }
            Event::ToolResultReceived { id, name, is_error } => {
                o.str("type", "tool_result_received").str("id", id).str("name", name).bool("isError", *is_error);
            }
            Event::TurnCompleted { stop_reason, usage } => {
                o.str("type", "turn_completed").str("stopReason", stop_reason.as_str());
                usage.write_json(o.key("usage"));
            }
            Event::Retrying { attempt, max_attempts, error, delay_ms } => {
                o.str("type", "retrying").u64("attempt", u64::from(*attempt));
                o.u64("maxAttempts", u64::from(*max_attempts)).str("error", error).u64("delayMs", *delay_ms);
            }
            Event::ToolExecutionStarted { id, name } => {
                o.str("type", "tool_execution_started").str("id", id).str("name", name);
            }
            Event::ToolExecutionCompleted { id, name, result, is_error, duration_ms } => {
                o.str("type", "tool_execution_completed").str("id", id).str("name", name).str("result", result);
                o.bool("isError", *is_error).u64("durationMs", *duration_ms);
            }
            Event::StreamTruncated { reason } => {
                o.str("type", "stream_truncated").str("reason", reason);
            }
        }
        o.end();
    }
}

/// Default capacity: enough for a long streamed answer between two polls.
pub const DEFAULT_QUEUE_CAPACITY: usize = 65_536;

/// A bounded queue of serialized events.
///
/// When full it drops new events (terminal ones excepted) and, at drain time,
/// puts one `stream_truncated` event where the gap began, saying how many
/// were lost: the consumer always knows the stream has a hole.
#[derive(Debug)]
pub struct EventQueue {
    buf: String,
    len: usize,
    capacity: usize,
    dropped: u64,
    gap_at: Option<usize>,
}

impl EventQueue {
    pub fn new(capacity: usize) -> Self {
        EventQueue { buf: String::new(), len: 0, capacity: capacity.max(1), dropped: 0, gap_at: None }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0 && self.dropped == 0
    }

    pub fn push(&mut self, event: &Event) {
        if self.admit(event.is_terminal()) {
            self.separator();
            event.write_json(&mut self.buf);
        }
    }

    /// The hot path: one `text_delta` without building an `Event`.
    pub fn push_text_delta(&mut self, delta: &str) {
        if self.admit(false) {
            self.separator();
            self.buf.push_str(r#"{"type":"text_delta","delta":"#);
            write_str(delta, &mut self.buf);
            self.buf.push('}');
        }
    }

    fn admit(&mut self, terminal: bool) -> bool {
        if self.len < self.capacity || terminal {
            self.len += 1;
            return true;
        }
        if self.gap_at.is_none() {
            self.gap_at = Some(self.buf.len());
        }
        self.dropped += 1;
        false
    }

    fn separator(&mut self) {
        if !self.buf.is_empty() {
            self.buf.push(',');
        }
    }

    /// Take every queued event as one JSON array.
    pub fn drain_json(&mut self) -> String {
        let body = core::mem::take(&mut self.buf);
        let mut out = String::with_capacity(body.len() + 2);
        out.push('[');
        match self.gap_at.take() {
            // The marker sits where the gap began. Past the start, `at` is
            // right before the next event's separator comma.
            Some(at) => {
                let before = body.get(..at).unwrap_or(&body);
                let after = body.get(at..).unwrap_or_default();
                out.push_str(before);
                if at > 0 {
                    out.push(',');
                }
                let reason = format!(
                    "{} events were dropped because the queue holds at most {}; poll more often or raise eventQueueCapacity",
                    self.dropped, self.capacity
                );
                Event::StreamTruncated { reason }.write_json(&mut out);
                if at == 0 && !after.is_empty() {
                    out.push(',');
                }
                out.push_str(after);
            }
            None => out.push_str(&body),
        }
        out.push(']');
        self.len = 0;
        self.dropped = 0;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn parse(json: &str) -> Vec<Value> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn shapes_match_the_sdk_reference() {
        let mut q = EventQueue::new(10);
        q.push(&Event::TurnStarted { turn_number: 1 });
        q.push_text_delta("h\"i\n");
        q.push(&Event::TurnCompleted {
            stop_reason: StopReason::EndTurn,
            usage: Usage { input_tokens: 1, output_tokens: 2, ..Usage::default() },
        });
        let v = parse(&q.drain_json());
        assert_eq!(v[0], serde_json::json!({"type":"turn_started","turnNumber":1}));
        assert_eq!(v[1], serde_json::json!({"type":"text_delta","delta":"h\"i\n"}));
        assert_eq!(v[2]["stopReason"], "end_turn");
        assert_eq!(v[2]["usage"]["inputTokens"], 1);
        assert_eq!(q.drain_json(), "[]");
    }

    #[test]
    fn overflow_marks_the_gap_and_keeps_terminal_events() {
        let mut q = EventQueue::new(3);
        for i in 0..10 {
            q.push_text_delta(&i.to_string());
        }
        q.push(&Event::RunCompleted { session_id: "s".into(), result: "r".into(), usage: Usage::default() });
        let v = parse(&q.drain_json());
        let types: Vec<&str> = v.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["text_delta", "text_delta", "text_delta", "stream_truncated", "run_completed"]);
        assert!(v[3]["reason"].as_str().unwrap().starts_with("7 events were dropped"));
        // After a drain the queue accepts events again.
        q.push_text_delta("x");
        assert_eq!(parse(&q.drain_json()).len(), 1);
    }

    #[test]
    fn overflow_at_the_end_and_at_the_start() {
        let mut q = EventQueue::new(1);
        q.push_text_delta("a");
        q.push_text_delta("b");
        let v = parse(&q.drain_json());
        assert_eq!(v.len(), 2);
        assert_eq!(v[1]["type"], "stream_truncated");

        let mut q = EventQueue::new(1);
        q.push_text_delta("a");
        let _ = q.drain_json();
        q.len = 1; // simulate a full queue with nothing buffered yet
        q.push_text_delta("b");
        q.push(&Event::RunFailed { session_id: "s".into(), error: "e".into() });
        let v = parse(&q.drain_json());
        assert_eq!(v[0]["type"], "stream_truncated");
        assert_eq!(v[1]["type"], "run_failed");
    }
}
