//! Anthropic Messages API: request building, streaming parse, errors.
//!
//! Base URL convention of the official SDK: the origin without `/v1`
//! (`https://api.anthropic.com`, or a proxy such as
//! `http://localhost:3100/anthropic`); requests go to `{base}/v1/messages`.

use std::borrow::Cow;

use super::sse::{SseDecoder, SseEvent, SseHandler, SseStream};
use super::{AssistantTurn, LlmRequest, Provider, StreamParser, TextSink, TurnBuilder};
use crate::effects::HttpRequest;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::StopReason;
use crate::json::{self, Json, ObjectWriter, write_array};
use crate::transcript::{Message, Part, Role};
use crate::usage::Usage;

pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
pub const API_VERSION: &str = "2023-06-01";
/// More content blocks than this in one message is a hostile stream.
const MAX_BLOCKS: usize = 4096;

pub struct Anthropic;

impl Provider for Anthropic {
    fn build_request(&self, req: &LlmRequest<'_>) -> HttpRequest {
        build_request(req)
    }

    fn stream_parser(&self, _call_ids: &str) -> Box<dyn StreamParser> {
        Box::new(stream())
    }

    fn classify_error(&self, status: u16, headers: &[(String, String)], body: &[u8]) -> CoreError {
        classify_error(status, headers, body)
    }
}

// ---------------------------------------------------------------- request

fn write_part(part: &Part, out: &mut String) {
    let mut o = ObjectWriter::new(out);
    match part {
        Part::Text { text } => {
            o.str("type", "text").str("text", text);
        }
        Part::Image { media_type, data } => {
            o.str("type", "image");
            let mut source = ObjectWriter::new(o.key("source"));
            source.str("type", "base64").str("media_type", media_type).str("data", data);
            source.end();
        }
        Part::Thinking { thinking, signature } => {
            o.str("type", "thinking")
                .str("thinking", thinking)
                .str("signature", signature.as_deref().unwrap_or_default());
        }
        Part::RedactedThinking { data } => {
            o.str("type", "redacted_thinking").str("data", data);
        }
        Part::ToolUse { id, name, input, .. } => {
            o.str("type", "tool_use").str("id", id).str("name", name).raw("input", input.as_str());
        }
        Part::ToolResult { tool_use_id, content, is_error } => {
            o.str("type", "tool_result").str("tool_use_id", tool_use_id);
            write_array(o.key("content"), content.iter().filter(|p| !p.is_empty_text()), write_part);
            o.bool("is_error", *is_error);
        }
    }
    o.end();
}

/// Consecutive messages of one role become one message (the API would merge
/// them anyway; doing it here keeps tool results first in their turn). A
/// message left with nothing to send (only blank text) is skipped, so the
/// turns around it merge too.
fn write_messages(messages: &[Message], out: &mut String) {
    let merged = super::merge_turns(messages, |p| !p.is_empty_text(), true);
    write_array(out, merged, |(role, content), out| {
        let mut o = ObjectWriter::new(out);
        o.str("role", if role == Role::User { "user" } else { "assistant" });
        write_array(o.key("content"), content, write_part);
        o.end();
    });
}

pub fn build_request(req: &LlmRequest<'_>) -> HttpRequest {
    let mut body = String::with_capacity(1024);
    let mut o = ObjectWriter::new(&mut body);
    o.str("model", req.model).u64("max_tokens", u64::from(req.max_tokens)).bool("stream", true);
    o.opt_str("system", req.system_prompt.filter(|s| !s.is_empty()));
    write_messages(req.messages, o.key("messages"));
    if !req.tools.is_empty() {
        write_array(o.key("tools"), req.tools, |tool, out| {
            let mut t = ObjectWriter::new(out);
            t.str("name", tool.name).str("description", tool.description).raw("input_schema", tool.input_schema);
            t.end();
        });
    }
    if let Some(t) = req.temperature {
        o.raw("temperature", t.as_str());
    }
    if let Some(schema) = req.output_schema {
        // Structured outputs (GA): the final answer is JSON following `schema`.
        let mut config = ObjectWriter::new(o.key("output_config"));
        let mut format = ObjectWriter::new(config.key("format"));
        format.str("type", "json_schema");
        // Parsed when the turn was accepted: it is JSON.
        if let Ok(schema) = json::parse(schema.as_str()) {
            schema::write_strict(&schema, format.key("schema"));
        }
        format.end();
        config.end();
    }
    if let Some(thinking) = req.thinking {
        let mut t = ObjectWriter::new(o.key("thinking"));
        t.str("type", "enabled").u64("budget_tokens", u64::from(thinking.budget_tokens));
        t.end();
    }
    o.end();

    let base = req.endpoint.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
    let mut headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("accept".to_string(), "text/event-stream".to_string()),
        ("anthropic-version".to_string(), API_VERSION.to_string()),
        ("anthropic-dangerous-direct-browser-access".to_string(), "true".to_string()),
    ];
    if let Some(key) = req.endpoint.key_header("x-api-key") {
        headers.push(key);
    }
    HttpRequest { url: super::join_url(base, "/v1/messages"), method: "POST", headers, body }
}

// ---------------------------------------------------------------- stream

#[derive(Debug)]
enum Block {
    Text(String),
    Thinking {
        text: String,
        signature: Option<String>,
    },
    RedactedThinking(String),
    ToolUse {
        id: String,
        name: String,
        json: String,
    },
    /// A block type we do not know (server tools...): skipped.
    Other,
}

/// The byte-fed parser of one response.
pub type AnthropicStream = SseStream<AnthropicEvents>;

pub fn stream() -> AnthropicStream {
    SseStream::new(AnthropicEvents::default())
}

#[derive(Debug, Default)]
pub struct AnthropicEvents {
    blocks: Vec<Option<Block>>,
    usage: Usage,
    stop_reason: Option<String>,
    started: bool,
    stopped: bool,
}

impl SseHandler for AnthropicEvents {
    fn on_event(&mut self, event: SseEvent<'_>, sink: &mut dyn TextSink) -> CoreResult<()> {
        self.on_event(event, sink)
    }

    fn partial(&mut self) -> AssistantTurn {
        let mut turn = TurnBuilder::default();
        for block in self.blocks.drain(..) {
            if let Some(Block::Text(text)) = block {
                turn.text(text);
            }
        }
        turn.interrupted(self.usage)
    }

    fn finish(&mut self, _sse: &mut SseDecoder) -> CoreResult<AssistantTurn> {
        if !self.stopped {
            let what = if self.started { "before message_stop" } else { "before any message_start" };
            return Err(
                CoreError::new(ErrorCode::StreamTruncated, format!("anthropic stream ended {what}")).retryable(None)
            );
        }
        Ok(self.take_turn())
    }
}

impl AnthropicEvents {
    fn on_event(&mut self, event: SseEvent<'_>, sink: &mut dyn TextSink) -> CoreResult<()> {
        if self.stopped {
            // The message is whole; a gateway's trailing `data: [DONE]` or
            // anything else after message_stop belongs to no message.
            return Ok(());
        }
        if let Some((index, kind, piece)) = compact_delta(event.data) {
            return self.apply_piece(index, kind, &piece, sink);
        }
        let wire = json::parse(event.data).map_err(|e| {
            CoreError::new(ErrorCode::StreamProtocol, format!("anthropic sent an event that is not valid JSON ({e})"))
        })?;
        // `data.type` is authoritative; the `event:` name is the fallback.
        let kind = wire.get("type").and_then(Json::as_str).unwrap_or(event.name);
        let index = match wire.get("index") {
            None => None,
            Some(i) => Some(i.as_u64().ok_or_else(|| protocol("a block index that is not an integer"))?),
        };
        match kind {
            "message_start" => {
                // One response is one message: a second start would make the
                // new message's blocks overwrite the old ones by index.
                if self.started {
                    return Err(protocol("a second message_start inside one message"));
                }
                self.started = true;
                if let Some(usage) = wire.get("message").and_then(|m| m.get("usage")) {
                    self.merge_usage(usage);
                }
            }
            "content_block_start" => {
                let block = wire.get("content_block").map(start_block).unwrap_or(Block::Other);
                if let Block::Text(text) = &block
                    && !text.is_empty()
                {
                    sink.text_delta(text);
                }
                *self.slot(index)? = Some(block);
            }
            "content_block_delta" => {
                if let Some(delta) = wire.get("delta") {
                    self.apply_delta(index, delta, sink)?;
                }
            }
            "message_delta" => {
                if let Some(reason) = wire.get("delta").and_then(|d| d.get("stop_reason")).and_then(Json::as_str) {
                    self.stop_reason = Some(reason.to_string());
                }
                if let Some(usage) = wire.get("usage") {
                    self.merge_usage(usage);
                }
            }
            "message_stop" => self.stopped = true,
            "error" => return Err(stream_error(wire.get("error"))),
            // content_block_stop (arguments are parsed once, at the end),
            // ping, and event types added after this was written.
            _ => {}
        }
        Ok(())
    }

    fn slot(&mut self, index: Option<u64>) -> CoreResult<&mut Option<Block>> {
        let index = match index {
            Some(i) if i < MAX_BLOCKS as u64 => i as usize,
            Some(_) => return Err(protocol("a block index out of range")),
            None => self.blocks.len(),
        };
        if index >= MAX_BLOCKS {
            return Err(protocol("too many content blocks"));
        }
        if self.blocks.len() <= index {
            self.blocks.resize_with(index + 1, || None);
        }
        self.blocks.get_mut(index).ok_or_else(|| CoreError::new(ErrorCode::Internal, "block slot missing after resize"))
    }

    fn apply_delta(&mut self, index: Option<u64>, delta: &Json<'_>, sink: &mut dyn TextSink) -> CoreResult<()> {
        let Some(kind) = delta.get("type").and_then(Json::as_str) else { return Ok(()) };
        let field = DELTA_FIELDS.iter().find(|(k, _)| *k == kind).map(|(_, f)| *f);
        let piece = field.and_then(|f| delta.get(f)).and_then(Json::as_str).unwrap_or_default();
        self.apply_piece(index, kind, piece, sink)
    }

    fn apply_piece(&mut self, index: Option<u64>, kind: &str, piece: &str, sink: &mut dyn TextSink) -> CoreResult<()> {
        match (kind, self.slot(index)?) {
            ("text_delta", Some(Block::Text(text))) => {
                text.push_str(piece);
                sink.text_delta(piece);
            }
            ("input_json_delta", Some(Block::ToolUse { json, .. })) => {
                if json.len() + piece.len() > super::sse::MAX_EVENT_BYTES {
                    return Err(protocol("tool arguments larger than 16 MiB"));
                }
                json.push_str(piece);
            }
            ("thinking_delta", Some(Block::Thinking { text, .. })) => text.push_str(piece),
            ("signature_delta", Some(Block::Thinking { signature, .. })) => *signature = Some(piece.to_string()),
            (_, None) => return Err(protocol("a delta for a content block that never started")),
            // citations and future delta kinds
            _ => {}
        }
        Ok(())
    }

    /// Counters are cumulative totals: overwrite when present, never add.
    fn merge_usage(&mut self, wire: &Json<'_>) {
        let count = |name| wire.get(name).and_then(Json::as_u64);
        let u = &mut self.usage;
        if let Some(v) = count("input_tokens") {
            u.input_tokens = v;
        }
        if let Some(v) = count("output_tokens") {
            u.output_tokens = v;
        }
        if let Some(v) = count("cache_creation_input_tokens") {
            u.cache_creation_tokens = Some(v);
        }
        if let Some(v) = count("cache_read_input_tokens") {
            u.cache_read_tokens = Some(v);
        }
    }

    fn take_turn(&mut self) -> AssistantTurn {
        let mut turn = TurnBuilder::default();
        for block in self.blocks.drain(..) {
            let Some(block) = block else { continue };
            match block {
                Block::Text(text) => turn.text(text),
                Block::Thinking { text, signature } => turn.part(Part::Thinking { thinking: text, signature }),
                Block::RedactedThinking(data) => turn.part(Part::RedactedThinking { data }),
                Block::ToolUse { id, name, json } => turn.streamed_call(id, name, &json),
                Block::Other => {}
            }
        }
        turn.finish(map_stop_reason(self.stop_reason.as_deref()), self.usage)
    }
}

/// Each delta kind and the field that carries its piece.
const DELTA_FIELDS: &[(&str, &str)] = &[
    ("text_delta", "text"),
    ("input_json_delta", "partial_json"),
    ("thinking_delta", "thinking"),
    ("signature_delta", "signature"),
];

/// The hot path. The API streams every delta in one compact shape,
/// `{"type":"content_block_delta","index":N,"delta":{"type":K,"<field>":"..."}}`;
/// reading it directly avoids building a tree per token. Any other shape
/// (other key order, extra fields, spaces) returns `None` and takes the
/// general path, so this only ever agrees with it.
fn compact_delta(data: &str) -> Option<(Option<u64>, &'static str, Cow<'_, str>)> {
    let rest = data.strip_prefix(r#"{"type":"content_block_delta","index":"#)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let number = rest.get(..digits)?;
    if digits == 0 || (digits > 1 && number.starts_with('0')) {
        return None;
    }
    let index = number.parse().ok()?;
    let rest = rest.get(digits..)?.strip_prefix(r#","delta":{"type":""#)?;
    let (kind, field) = DELTA_FIELDS.iter().find(|(kind, _)| rest.starts_with(kind))?;
    let rest = rest.get(kind.len()..)?.strip_prefix(r#"",""#)?.strip_prefix(field)?.strip_prefix(r#"":"#)?;
    let (piece, rest) = json::parse_string_prefix(rest).ok()?;
    (rest.trim_end_matches([' ', '\t']) == "}}").then_some((Some(index), kind, piece))
}

fn protocol(what: &str) -> CoreError {
    CoreError::new(ErrorCode::StreamProtocol, format!("anthropic sent {what}"))
}

fn start_block(block: &Json<'_>) -> Block {
    let field = |name| block.get(name).and_then(Json::as_str).unwrap_or_default().to_string();
    match block.get("type").and_then(Json::as_str) {
        Some("text") => Block::Text(field("text")),
        Some("thinking") => {
            let signature = field("signature");
            Block::Thinking { text: field("thinking"), signature: (!signature.is_empty()).then_some(signature) }
        }
        Some("redacted_thinking") => Block::RedactedThinking(field("data")),
        Some("tool_use") => Block::ToolUse { id: field("id"), name: field("name"), json: String::new() },
        _ => Block::Other,
    }
}

pub fn map_stop_reason(raw: Option<&str>) -> StopReason {
    match raw {
        Some("tool_use") => StopReason::ToolUse,
        Some("max_tokens") | Some("model_context_window_exceeded") => StopReason::MaxTokens,
        Some("stop_sequence") => StopReason::StopSequence,
        Some("refusal") => StopReason::ContentFilter,
        // end_turn, pause_turn, and reasons added after this was written
        _ => StopReason::EndTurn,
    }
}

// ---------------------------------------------------------------- errors

fn code_for_type(kind: &str) -> Option<(ErrorCode, bool)> {
    Some(match kind {
        "authentication_error" | "permission_error" => (ErrorCode::ProviderAuth, false),
        "billing_error" => (ErrorCode::ProviderQuota, false),
        "invalid_request_error" | "not_found_error" | "request_too_large" => (ErrorCode::ProviderBadRequest, false),
        "rate_limit_error" => (ErrorCode::ProviderRateLimited, true),
        "overloaded_error" => (ErrorCode::ProviderOverloaded, true),
        "api_error" | "timeout_error" | "conflict_error" => (ErrorCode::ProviderUnavailable, true),
        _ => return None,
    })
}

/// `error.type` and `error.message` of an error object.
fn error_fields<'j>(error: Option<&'j Json<'_>>) -> (&'j str, &'j str) {
    let field = |name| error.and_then(|e| e.get(name)).and_then(Json::as_str).unwrap_or_default();
    (field("type"), field("message"))
}

/// A mid-stream `error` event.
fn stream_error(error: Option<&Json<'_>>) -> CoreError {
    let (kind, message) = error_fields(error);
    let (code, retryable) = code_for_type(kind).unwrap_or((ErrorCode::ProviderError, false));
    let error = CoreError::new(code, format!("anthropic stream error {kind}: {message}"));
    if retryable { error.retryable(None) } else { error }
}

pub fn classify_error(status: u16, headers: &[(String, String)], body: &[u8]) -> CoreError {
    let retry_after = super::retry_after_ms(headers);
    let text = crate::text::lossy(body);
    let parsed = json::parse(&text).ok();
    let (kind, message) = error_fields(parsed.as_ref().and_then(|b| b.get("error")));
    if kind.is_empty() {
        let snippet = crate::text::first_chars(&text, 200);
        return super::classify_status("anthropic", status, snippet, retry_after);
    }
    let detail = format!("{kind}: {message}");
    match code_for_type(kind) {
        Some((code, retryable)) => {
            let error = CoreError::new(code, format!("anthropic answered HTTP {status}: {detail}"));
            if retryable { error.retryable(retry_after) } else { error }
        }
        None => super::classify_status("anthropic", status, &detail, retry_after),
    }
}

mod schema;
#[cfg(test)]
mod tests;
