//! Gemini `streamGenerateContent?alt=sse`: request building and streaming parse
//! (its errors: `errors.rs`).
//!
//! Base URL convention of the official SDK: the origin without the version
//! (`https://generativelanguage.googleapis.com`, or a proxy such as
//! `http://localhost:3100/gemini`); requests go to
//! `{base}/v1beta/models/{model}:streamGenerateContent?alt=sse`.

use super::sse::{FastPath, SseDecoder, SseEvent, SseHandler, SseStream};
use super::{AssistantTurn, LlmRequest, Provider, StreamParser, TextSink, TurnBuilder};
use crate::effects::HttpRequest;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::StopReason;
use crate::json::{self, ArrayWriter, Json, ObjectWriter, Raw, Shape, write_array};
use crate::transcript::{Message, Part, Role, text_of};
use crate::usage::Usage;

pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com";
/// More content blocks than this in one message is a hostile stream.
const MAX_BLOCKS: usize = 4096;
/// Stray (non-SSE) text kept while waiting for a bare JSON error to complete.
const MAX_STRAY: usize = 64 * 1024;

pub struct Gemini;

pub fn provider() -> Option<&'static dyn Provider> {
    Some(&Gemini)
}

impl Provider for Gemini {
    fn build_request(&self, req: &LlmRequest<'_>) -> HttpRequest {
        build_request(req)
    }

    fn stream_parser(&self, call_ids: &str) -> Box<dyn StreamParser> {
        Box::new(stream(call_ids))
    }

    fn classify_error(&self, status: u16, headers: &[(String, String)], body: &[u8]) -> CoreError {
        classify_error(status, headers, body)
    }
}

// ---------------------------------------------------------------- request

/// Thinking is not sent back: Gemini keeps no thought history, only the
/// signatures on function calls. Empty text parts are refused by the API.
fn is_sendable(part: &Part) -> bool {
    match part {
        Part::Thinking { .. } | Part::RedactedThinking { .. } => false,
        _ => !part.is_empty_text(),
    }
}

/// Gemini matches a `functionResponse` by name, which our results do not
/// carry: take it from the call with that id (searching back, as the call
/// is normally just before its result).
fn tool_name<'m>(history: &'m [Message], id: &'m str) -> &'m str {
    for message in history.iter().rev() {
        for part in &message.content {
            if let Part::ToolUse { id: call, name, .. } = part
                && call == id
            {
                return name;
            }
        }
    }
    id
}

/// `gap`: the part follows another text part of its content, and starts
/// with a blank line (see `write_contents`).
fn write_part(part: &Part, history: &[Message], gap: bool, out: &mut String) {
    let mut o = ObjectWriter::new(out);
    match part {
        Part::Text { text } if gap => {
            o.str("text", &format!("\n\n{text}"));
        }
        Part::Text { text } => {
            o.str("text", text);
        }
        Part::Image { media_type, data } => {
            let mut inline = ObjectWriter::new(o.key("inlineData"));
            inline.str("mimeType", media_type).str("data", data);
            inline.end();
        }
        Part::ToolUse { name, input, signature, .. } => {
            let mut call = ObjectWriter::new(o.key("functionCall"));
            call.str("name", name).raw("args", input.as_str());
            call.end();
            // Gemini 3 refuses a replayed call that lost its signature.
            o.opt_str("thoughtSignature", signature.as_deref());
        }
        Part::ToolResult { tool_use_id, content, is_error } => {
            let mut result = ObjectWriter::new(o.key("functionResponse"));
            result.str("name", tool_name(history, tool_use_id));
            let mut response = ObjectWriter::new(result.key("response"));
            response.str(if *is_error { "error" } else { "result" }, &text_of(content));
            response.end();
            result.end();
        }
        Part::Thinking { .. } | Part::RedactedThinking { .. } => {}
    }
    o.end();
}

/// Consecutive messages of one role become one content (Gemini wants
/// turns to alternate). Images returned by tools go right after the last
/// `functionResponse` of the turn: `response` holds only JSON, and the
/// responses must stay together to pair with the calls in order.
fn write_contents(messages: &[Message], out: &mut String) {
    let merged = super::merge_turns(messages, is_sendable, true);
    write_array(out, &merged, |(role, parts), out| {
        let mut o = ObjectWriter::new(out);
        o.str("role", if *role == Role::User { "user" } else { "model" });
        let split = parts.iter().rposition(|p| matches!(p, Part::ToolResult { .. })).map_or(0, |last| last + 1);
        let (results, after) = parts.split_at(split);
        // Plain loops: an iterator chain here costs the wasm ~1 KB.
        let mut items = ArrayWriter::new(o.key("parts"));
        for part in results {
            write_part(part, messages, false, items.item());
        }
        for part in results {
            if let Part::ToolResult { content, .. } = part {
                for image in content.iter().filter(|p| matches!(p, Part::Image { .. })) {
                    write_part(image, messages, false, items.item());
                }
            }
        }
        // A content's text parts may be read as one run of text (how Gemini
        // joins them is not documented): without a blank line between them
        // a compaction summary, a peer's message and the host's words run
        // together, and a peer's "[message from ...]" no longer begins a line.
        let mut after_text = false;
        for part in after {
            let text = matches!(part, Part::Text { .. });
            write_part(part, messages, after_text && text, items.item());
            after_text = text;
        }
        items.end();
        o.end();
    });
}

/// The model goes into the URL path: an optional `models/` prefix is
/// accepted as in the SDK, and anything outside the unreserved set is
/// escaped so a model name cannot change the URL.
fn model_path(model: &str) -> String {
    let model = model.strip_prefix("models/").unwrap_or(model);
    let mut out = String::with_capacity(model.len());
    for b in model.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0xf)]));
        }
    }
    out
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// What the system instruction says when JSON mode cannot be used.
pub const JSON_INSTRUCTION: &str =
    "Answer with a single JSON document (no prose, no code fence) that follows this JSON Schema:";

/// Models before Gemini 3 refuse JSON mode together with function
/// declarations (HTTP 400 "Function calling with a response mime type:
/// 'application/json' is unsupported"). With tools offered to such a model
/// the schema goes into the system instruction instead, and the core checks
/// the answer against it (as it does whatever the provider did).
fn json_mode_allowed(req: &LlmRequest<'_>) -> bool {
    req.tools.is_empty() || generation(req.model).is_none_or(|major| major >= 3)
}

/// The major version of a `gemini-<N>...` model name, when it has one.
fn generation(model: &str) -> Option<u32> {
    let name = model.strip_prefix("models/").unwrap_or(model);
    let prefix = "gemini-";
    let rest = name
        .get(prefix.len()..)
        .filter(|_| name.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix)))?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    rest.get(..digits)?.parse().ok()
}

pub fn build_request(req: &LlmRequest<'_>) -> HttpRequest {
    let mut body = String::with_capacity(1024);
    let mut o = ObjectWriter::new(&mut body);
    let json_mode = json_mode_allowed(req);
    // Without JSON mode the model is asked in words instead.
    let asked;
    let system = match req.output_schema.filter(|_| !json_mode) {
        Some(schema) => {
            asked = format!(
                "{}{}{JSON_INSTRUCTION}\n{}",
                req.system_prompt.unwrap_or_default(),
                if req.system_prompt.is_some_and(|s| !s.is_empty()) { "\n\n" } else { "" },
                schema.as_str()
            );
            Some(asked.as_str())
        }
        None => req.system_prompt,
    };
    if let Some(system) = system.filter(|s| !s.is_empty()) {
        let mut s = ObjectWriter::new(o.key("systemInstruction"));
        write_array(s.key("parts"), [system], |text, out| {
            let mut p = ObjectWriter::new(out);
            p.str("text", text);
            p.end();
        });
        s.end();
    }
    write_contents(req.messages, o.key("contents"));
    if !req.tools.is_empty() {
        write_array(o.key("tools"), [req.tools], |tools, out| {
            let mut t = ObjectWriter::new(out);
            write_array(t.key("functionDeclarations"), tools, |tool, out| {
                // `parameters` is an OpenAPI subset that refuses parts of
                // JSON Schema (`additionalProperties`, `$ref`, `oneOf`...);
                // our tool schemas are JSON Schema, which
                // `parametersJsonSchema` takes as is.
                let mut d = ObjectWriter::new(out);
                d.str("name", tool.name)
                    .str("description", tool.description)
                    .raw("parametersJsonSchema", tool.input_schema);
                d.end();
            });
            t.end();
        });
    }
    let mut g = ObjectWriter::new(o.key("generationConfig"));
    g.u64("maxOutputTokens", u64::from(req.max_tokens));
    if let Some(t) = req.temperature {
        g.raw("temperature", t.as_str());
    }
    if let Some(schema) = req.output_schema.filter(|_| json_mode) {
        // JSON Schema again, hence `responseJsonSchema` over `responseSchema`.
        g.str("responseMimeType", "application/json").raw("responseJsonSchema", schema.as_str());
    }
    if let Some(thinking) = req.thinking {
        let mut t = ObjectWriter::new(g.key("thinkingConfig"));
        t.u64("thinkingBudget", u64::from(thinking.budget_tokens)).bool("includeThoughts", true);
        t.end();
    }
    g.end();
    o.end();

    let base = req.endpoint.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
    let path = format!("/v1beta/models/{}:streamGenerateContent?alt=sse", model_path(req.model));
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    // The header, not `?key=`: a key in the URL ends up in logs and history.
    if let Some(key) = req.endpoint.key_header("x-goog-api-key") {
        headers.push(key);
    }
    HttpRequest { url: super::join_url(base, &path), method: "POST", headers, body }
}

// ---------------------------------------------------------------- stream

#[derive(Debug)]
enum Block {
    Text(String),
    Thought { text: String, signature: Option<String> },
    Call { id: String, name: String, args: Result<Raw, String>, signature: Option<String> },
}

/// The byte-fed parser of one response.
pub type GeminiStream = SseStream<GeminiEvents>;

pub fn stream(call_ids: &str) -> GeminiStream {
    SseStream::new(GeminiEvents { call_ids: call_ids.to_string(), ..GeminiEvents::default() })
}

#[derive(Debug, Default)]
pub struct GeminiEvents {
    call_ids: String,
    calls: usize,
    blocks: Vec<Block>,
    usage: Usage,
    finish_reason: Option<String>,
    block_reason: Option<String>,
    /// Non-SSE lines, kept until they form a JSON value (a bare error).
    stray: String,
    pub fast: FastPath,
    shape: Shape,
}

impl SseHandler for GeminiEvents {
    fn on_event(&mut self, event: SseEvent<'_>, sink: &mut dyn TextSink) -> CoreResult<()> {
        self.on_data(event.data, sink)
    }

    fn after_chunk(&mut self, sse: &mut SseDecoder) -> CoreResult<()> {
        sse.take_stray().map_or(Ok(()), |lines| self.on_stray(&lines))
    }

    fn partial(&mut self) -> AssistantTurn {
        let mut turn = TurnBuilder::default();
        for block in self.blocks.drain(..) {
            if let Block::Text(text) = block {
                turn.text(text);
            }
        }
        turn.interrupted(self.usage)
    }

    fn finish(&mut self, sse: &mut SseDecoder) -> CoreResult<AssistantTurn> {
        // A bare error is often the last line, without a line end.
        sse.end_line()?;
        self.after_chunk(sse)?;
        if self.finish_reason.is_none() && self.block_reason.is_none() {
            let mut message = "gemini stream ended before any finishReason".to_string();
            if !self.stray.is_empty() {
                let snippet = crate::text::first_chars(&self.stray, 200);
                message.push_str(&format!(" (unparsed text: {})", json::quote(snippet)));
            }
            return Err(CoreError::new(ErrorCode::StreamTruncated, message).retryable(None));
        }
        // The model botched a tool call and none reached us: nothing to run
        // and no answer. Asked again, it usually gets the call right.
        if let Some(reason @ ("MALFORMED_FUNCTION_CALL" | "UNEXPECTED_TOOL_CALL" | "TOO_MANY_TOOL_CALLS")) =
            self.finish_reason.as_deref()
        {
            let message = format!("gemini ended the turn with {reason}: the model's tool call could not be used");
            return Err(CoreError::new(ErrorCode::ProviderError, message).retryable(None));
        }
        Ok(self.take_turn())
    }
}

impl GeminiEvents {
    fn on_data(&mut self, data: &str, sink: &mut dyn TextSink) -> CoreResult<()> {
        // Blank, a proxy's `[DONE]` (OpenAI's end marker, which some
        // gateways add to every stream), or read on the fast path (see
        // `fast`): nothing more to do.
        let skipped = !data.starts_with('{') && matches!(data.trim(), "" | "[DONE]");
        if skipped || (self.fast.on() && self.read_plain(data, sink)?) {
            return Ok(());
        }
        let wire = json::parse(data).map_err(|e| protocol(&format!("an event that is not valid JSON ({e})")))?;
        if wire.as_object().is_none() {
            return Err(protocol(&format!("an event that is {}, not an object", wire.kind())));
        }
        if let Some(error) = wire.get("error") {
            return Err(stream_error(error));
        }
        // Running totals on every chunk: the last one wins, never a sum.
        if let Some(usage) = wire.get("usageMetadata") {
            self.usage = read_usage(usage);
        }
        if let Some(reason) = wire.get("promptFeedback").and_then(|f| f.get("blockReason")).and_then(Json::as_str) {
            self.block_reason = Some(reason.to_string());
        }
        // One candidate is all we ask for.
        let candidates = wire.get("candidates").and_then(Json::as_array).unwrap_or_default();
        let Some(candidate) = candidates.first() else { return Ok(()) };
        let parts = candidate.get("content").and_then(|c| c.get("parts")).and_then(Json::as_array);
        for part in parts.unwrap_or_default() {
            self.on_part(part, sink)?;
        }
        // Older models repeat STOP on every chunk: keep the last, read on.
        if let Some(reason) = candidate.get("finishReason").and_then(Json::as_str) {
            self.finish_reason = Some(reason.to_string());
        }
        self.learn_plain(data, &wire, candidates, parts);
        Ok(())
    }

    fn on_part(&mut self, part: &Json<'_>, sink: &mut dyn TextSink) -> CoreResult<()> {
        let signature = part.get("thoughtSignature").and_then(Json::as_str).filter(|s| !s.is_empty()).map(String::from);
        if let Some(call) = part.get("functionCall") {
            // Calls arrive whole and without ids (`functionCall.id` is not
            // set by the Gemini API), so the id is ours and unique per request.
            let id = format!("{}{}", self.call_ids, self.calls);
            self.calls += 1;
            let name = call.get("name").and_then(Json::as_str).unwrap_or_default().to_string();
            let args = match call.get("args") {
                None | Some(Json::Null) => Ok(Raw::empty_object()),
                Some(args @ Json::Obj(_)) => Ok(Raw::from_json(args)),
                Some(other) => Err(format!("tool arguments must be a JSON object, got {}", other.kind())),
            };
            return self.push(Block::Call { id, name, args, signature });
        }
        // inlineData, executableCode and other kinds we never ask for.
        let Some(text) = part.get("text").and_then(Json::as_str) else { return Ok(()) };
        if part.get("thought").and_then(Json::as_bool) == Some(true) {
            if let Some(Block::Thought { text: thought, signature: sig }) = self.blocks.last_mut() {
                thought.push_str(text);
                if signature.is_some() {
                    *sig = signature;
                }
                return Ok(());
            }
            return self.push(Block::Thought { text: text.to_string(), signature });
        }
        // A signature on a visible text part is dropped: only calls must
        // carry theirs back (request.md), and text has nowhere to keep one.
        self.on_visible(text, sink)
    }

    fn on_visible(&mut self, text: &str, sink: &mut dyn TextSink) -> CoreResult<()> {
        if text.is_empty() {
            return Ok(());
        }
        sink.text_delta(text);
        if let Some(Block::Text(visible)) = self.blocks.last_mut() {
            visible.push_str(text);
            return Ok(());
        }
        self.push(Block::Text(text.to_string()))
    }

    fn push(&mut self, block: Block) -> CoreResult<()> {
        if self.blocks.len() >= MAX_BLOCKS {
            return Err(protocol("too many content parts"));
        }
        self.blocks.push(block);
        Ok(())
    }

    /// Gemini reports a mid-stream failure as a bare JSON object, maybe
    /// pretty-printed over several lines. Lines are gathered until they
    /// parse; a line that can never start valid JSON is dropped.
    fn on_stray(&mut self, lines: &str) -> CoreResult<()> {
        if self.stray.len() + lines.len() > MAX_STRAY {
            self.stray.clear();
            return Ok(());
        }
        if !self.stray.is_empty() {
            self.stray.push('\n');
        }
        self.stray.push_str(lines);
        loop {
            let error = match json::parse(&self.stray) {
                Ok(value) => value.get("error").map(stream_error),
                // Failing only at the end: the value may still be completed.
                Err(e) if e.offset >= self.stray.len() => return Ok(()),
                Err(_) => {
                    match self.stray.find('\n') {
                        Some(at) => self.stray = self.stray.get(at + 1..).unwrap_or_default().to_string(),
                        None => self.stray.clear(),
                    }
                    continue;
                }
            };
            self.stray.clear();
            return error.map_or(Ok(()), Err);
        }
    }

    fn take_turn(&mut self) -> AssistantTurn {
        let mut turn = TurnBuilder::default();
        for block in self.blocks.drain(..) {
            match block {
                Block::Text(text) => turn.text(text),
                Block::Thought { text, signature } => turn.part(Part::Thinking { thinking: text, signature }),
                Block::Call { id, name, args, signature } => turn.call(id, name, args, signature),
            }
        }
        // finishReason is STOP for calls too: the builder lets the calls decide.
        let wire = if self.block_reason.is_some() {
            StopReason::ContentFilter
        } else {
            map_stop_reason(self.finish_reason.as_deref())
        };
        turn.finish(wire, self.usage)
    }
}

fn protocol(what: &str) -> CoreError {
    CoreError::new(ErrorCode::StreamProtocol, format!("gemini sent {what}"))
}

/// `promptTokenCount` includes the cached tokens and `candidatesTokenCount`
/// excludes thoughts; missing counters are 0. Tool-use prompt tokens (from
/// built-in tools) are input too, so the parts add up to `totalTokenCount`.
fn read_usage(wire: &Json<'_>) -> Usage {
    let count = |i: usize| fast::USAGE_COUNTS.get(i).and_then(|n| wire.get(n)).and_then(Json::as_u64).unwrap_or(0);
    usage_of([count(0), count(1), count(2), count(3), count(4)])
}

/// The same from the counts, in `fast::USAGE_COUNTS`' order.
fn usage_of([prompt, cached, tool_prompt, candidates, thoughts]: [u64; 5]) -> Usage {
    Usage {
        input_tokens: prompt.saturating_sub(cached).saturating_add(tool_prompt),
        output_tokens: candidates.saturating_add(thoughts),
        // Implicit caching applies to every request, so 0 is a real count.
        cache_read_tokens: Some(cached),
        cache_creation_tokens: None,
    }
}

pub fn map_stop_reason(raw: Option<&str>) -> StopReason {
    match raw {
        Some("MAX_TOKENS") => StopReason::MaxTokens,
        Some("SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII") => StopReason::ContentFilter,
        Some(r) if r.starts_with("IMAGE_") => StopReason::ContentFilter,
        // STOP, LANGUAGE, OTHER, NO_IMAGE and reasons added later end the
        // turn (a botched tool call is an error: see `finish`).
        _ => StopReason::EndTurn,
    }
}

mod errors;
mod fast;
#[cfg(test)]
mod tests;

pub use errors::classify_error;
use errors::stream_error;
