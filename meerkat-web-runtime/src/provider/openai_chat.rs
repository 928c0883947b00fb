//! OpenAI Chat Completions: request building, streaming parse, errors.
//!
//! Requests go to `{base}/chat/completions` (see `openai_shared` for the
//! base URL convention). Also the dialect most OpenAI-compatible services
//! speak, so the parser is lenient about what it does not need.

use super::openai_shared::{self as shared, MAX_CALLS, write_data_url};
use super::sse::{FastPath, MAX_EVENT_BYTES, SseDecoder, SseEvent, SseHandler, SseStream};
use super::{AssistantTurn, LlmRequest, Provider, StreamParser, TextSink, TurnBuilder};
use crate::effects::HttpRequest;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::StopReason;
use crate::json::{self, ArrayWriter, Json, ObjectWriter, Shape, Use, write_array};
use crate::transcript::{Message, Part, Role, text_of};
use crate::usage::Usage;

pub struct OpenAiChat;

pub fn provider() -> Option<&'static dyn Provider> {
    Some(&OpenAiChat)
}

impl Provider for OpenAiChat {
    fn build_request(&self, req: &LlmRequest<'_>) -> HttpRequest {
        build_request(req)
    }

    fn stream_parser(&self, call_ids: &str) -> Box<dyn StreamParser> {
        Box::new(stream(call_ids))
    }

    fn classify_error(&self, status: u16, headers: &[(String, String)], body: &[u8]) -> CoreError {
        shared::classify_error(status, headers, body)
    }
}

// ---------------------------------------------------------------- request

fn write_image_part(media_type: &str, data: &str, out: &mut String) {
    let mut o = ObjectWriter::new(out);
    o.str("type", "image_url");
    let mut image = ObjectWriter::new(o.key("image_url"));
    write_data_url(media_type, data, image.key("url"));
    image.end();
    o.end();
}

/// User content: a plain string when it is one text, else typed parts.
fn write_user(parts: &[&Part], out: &mut String) {
    let mut o = ObjectWriter::new(out);
    o.str("role", "user");
    if let [Part::Text { text }] = parts {
        o.str("content", text);
    } else {
        write_array(o.key("content"), parts, |part, out| match part {
            Part::Image { media_type, data } => write_image_part(media_type, data, out),
            other => {
                let mut t = ObjectWriter::new(out);
                t.str("type", "text").str("text", text_of(core::slice::from_ref(*other)).as_str());
                t.end();
            }
        });
    }
    o.end();
}

fn write_assistant(content: &[Part], items: &mut ArrayWriter<'_>) {
    let text = text_of(content);
    let has_calls = content.iter().any(|p| matches!(p, Part::ToolUse { .. }));
    if text.is_empty() && !has_calls {
        return; // thinking only: nothing this API can take back
    }
    let mut o = ObjectWriter::new(items.item());
    o.str("role", "assistant");
    if text.is_empty() {
        o.raw("content", "null");
    } else {
        o.str("content", &text);
    }
    if has_calls {
        let mut calls = ArrayWriter::new(o.key("tool_calls"));
        for part in content {
            if let Part::ToolUse { id, name, input, .. } = part {
                let mut c = ObjectWriter::new(calls.item());
                c.str("id", id).str("type", "function");
                let mut f = ObjectWriter::new(c.key("function"));
                // `arguments` is JSON text inside a string, not an object.
                f.str("name", name).str("arguments", input.as_str());
                f.end();
                c.end();
            }
        }
        calls.end();
    }
    o.end();
}

fn write_messages(system: Option<&str>, messages: &[Message], out: &mut String) {
    let mut items = ArrayWriter::new(out);
    if let Some(system) = system {
        let mut o = ObjectWriter::new(items.item());
        o.str("role", "system").str("content", system);
        o.end();
    }
    for message in messages {
        match message.role {
            Role::User => shared::write_user_turn(
                &message.content,
                &mut items,
                ["role", "tool", "tool_call_id", "content"],
                write_user,
            ),
            Role::Assistant => write_assistant(&message.content, &mut items),
        }
    }
    items.end();
}

pub fn build_request(req: &LlmRequest<'_>) -> HttpRequest {
    let mut body = String::with_capacity(1024);
    let mut o = ObjectWriter::new(&mut body);
    o.str("model", req.model).bool("stream", true).raw("stream_options", r#"{"include_usage":true}"#);
    // `max_tokens` is deprecated and refused by the o-series models.
    o.u64("max_completion_tokens", u64::from(req.max_tokens));
    write_messages(req.system_prompt.filter(|s| !s.is_empty()), req.messages, o.key("messages"));
    if !req.tools.is_empty() {
        write_array(o.key("tools"), req.tools, |tool, out| {
            let mut t = ObjectWriter::new(out);
            t.str("type", "function");
            let mut f = ObjectWriter::new(t.key("function"));
            f.str("name", tool.name).str("description", tool.description).raw("parameters", tool.input_schema);
            f.end();
            t.end();
        });
    }
    if let Some(t) = req.temperature {
        o.raw("temperature", t.as_str());
    }
    if let Some(schema) = req.output_schema {
        // Not strict: strict mode demands every property be required and
        // `additionalProperties: false`, which caller schemas need not be;
        // the core validates the answer against the schema itself.
        let mut format = ObjectWriter::new(o.key("response_format"));
        format.str("type", "json_schema");
        let mut js = ObjectWriter::new(format.key("json_schema"));
        js.str("name", "output");
        shared::write_schema(schema, js.key("schema"));
        js.bool("strict", false);
        js.end();
        format.end();
    }
    o.end();
    HttpRequest {
        url: shared::url(req.endpoint, "/chat/completions"),
        method: "POST",
        headers: shared::headers(req.endpoint),
        body,
    }
}

// ---------------------------------------------------------------- stream

#[derive(Debug, Default)]
struct PendingCall {
    id: String,
    name: String,
    arguments: String,
}

/// The byte-fed parser of one response.
pub type ChatStream = SseStream<ChatEvents>;

pub fn stream(call_ids: &str) -> ChatStream {
    SseStream::new(ChatEvents { call_ids: call_ids.to_string(), ..ChatEvents::default() })
}

#[derive(Debug, Default)]
pub struct ChatEvents {
    call_ids: String,
    text: String,
    /// By `tool_calls[].index`; gaps stay `None`.
    calls: Vec<Option<PendingCall>>,
    finish_reason: Option<String>,
    /// The model refused (`delta.refusal`): it says `stop`, we say why.
    refused: bool,
    usage: Usage,
    done: bool,
    pub fast: FastPath,
    shape: Shape,
}

impl SseHandler for ChatEvents {
    fn on_event(&mut self, event: SseEvent<'_>, sink: &mut dyn TextSink) -> CoreResult<()> {
        self.on_event(event, sink)
    }

    fn partial(&mut self) -> AssistantTurn {
        let mut turn = TurnBuilder::default();
        turn.text(core::mem::take(&mut self.text));
        turn.interrupted(self.usage)
    }

    fn finish(&mut self, sse: &mut SseDecoder) -> CoreResult<AssistantTurn> {
        let stray = shared::stray_error(sse);
        if !self.done {
            return Err(stray.unwrap_or_else(|| {
                CoreError::new(ErrorCode::StreamTruncated, "openai stream ended before data: [DONE]").retryable(None)
            }));
        }
        Ok(self.take_turn())
    }
}

impl ChatEvents {
    fn on_event(&mut self, event: SseEvent<'_>, sink: &mut dyn TextSink) -> CoreResult<()> {
        if self.done {
            return Ok(()); // nothing after [DONE] belongs to the answer
        }
        if shared::is_done(event.data) {
            self.done = true;
            return Ok(());
        }
        let mut fields = [None, None];
        if event.name != "error" && self.fast.on() && self.shape.read(event.data, &mut fields).is_some() {
            let [content, finish_reason] = fields;
            return self.apply_choice(content.as_ref().and_then(Json::as_str), finish_reason.as_ref(), sink);
        }
        let wire = json::parse(event.data).map_err(|e| protocol(&format!("an event that is not valid JSON ({e})")))?;
        if wire.as_object().is_none() {
            return Err(protocol(&format!("an event that is {}, not an object", wire.kind())));
        }
        // openai-node throws on any payload with an `error` property.
        if let Some(error) = wire.get("error").filter(|e| !e.is_null()) {
            return Err(shared::stream_error(Some(error)));
        }
        if event.name == "error" {
            return Err(shared::stream_error(Some(&wire)));
        }
        let usage = wire.get("usage").filter(|u| u.as_object().is_some());
        if let Some(usage) = usage {
            self.usage = shared::usage(usage, "prompt_tokens", "completion_tokens", "prompt_tokens_details");
        }
        let choices = match wire.get("choices") {
            None | Some(Json::Null) => return Ok(()),
            Some(Json::Arr(choices)) => choices,
            Some(other) => return Err(protocol(&format!("choices that are {}", other.kind()))),
        };
        // With n > 1 only the first candidate is followed; the usage chunk
        // and some proxies' filter results have no choices at all.
        let Some(choice) = choices.iter().find(|c| c.get("index").and_then(Json::as_u64).unwrap_or(0) == 0) else {
            return Ok(());
        };
        let delta = choice.get("delta");
        if let Some(delta) = delta {
            self.apply_delta(delta, sink)?;
        }
        self.apply_choice(None, choice.get("finish_reason"), sink)?;
        // Text and nothing else: later chunks of this shape take the fast path.
        let field = |name| delta.and_then(|d| d.get(name));
        if usage.is_none()
            && choices.len() == 1
            && field("refusal").and_then(Json::as_str).is_none_or(str::is_empty)
            && field("tool_calls").and_then(Json::as_array).is_none_or(<[_]>::is_empty)
        {
            self.shape.learn(event.data, &wire, PLAIN_CHUNK_USES);
        }
        Ok(())
    }

    /// The text of a choice's delta (`content`, then `refusal`) and its
    /// finish reason: what both paths apply.
    fn apply_choice(
        &mut self,
        text: Option<&str>,
        finish: Option<&Json<'_>>,
        sink: &mut dyn TextSink,
    ) -> CoreResult<()> {
        if let Some(piece) = text.filter(|s| !s.is_empty()) {
            if self.text.len() + piece.len() > MAX_EVENT_BYTES {
                return Err(protocol("more than 16 MiB of text"));
            }
            self.text.push_str(piece);
            sink.text_delta(piece);
        }
        if let Some(reason) = finish.and_then(Json::as_str) {
            self.finish_reason = Some(reason.to_string());
        }
        Ok(())
    }

    fn apply_delta(&mut self, delta: &Json<'_>, sink: &mut dyn TextSink) -> CoreResult<()> {
        // A refusal is the model's answer too: shown, not dropped.
        let refusal = delta.get("refusal").and_then(Json::as_str).filter(|r| !r.is_empty());
        self.refused |= refusal.is_some();
        self.apply_choice(delta.get("content").and_then(Json::as_str), None, sink)?;
        self.apply_choice(refusal, None, sink)?;
        match delta.get("tool_calls") {
            None | Some(Json::Null) => Ok(()),
            Some(Json::Arr(calls)) => calls.iter().try_for_each(|call| self.apply_call(call)),
            Some(other) => Err(protocol(&format!("tool_calls that are {}", other.kind()))),
        }
    }

    fn apply_call(&mut self, call: &Json<'_>) -> CoreResult<()> {
        let field = |name| call.get(name).and_then(Json::as_str).filter(|s| !s.is_empty());
        let function = call.get("function");
        let fn_field = |name| function.and_then(|f| f.get(name)).and_then(Json::as_str);
        let index = match call.get("index") {
            Some(i) => i.as_u64().ok_or_else(|| protocol("a tool call index that is not an integer"))?,
            // Some compatible services omit `index`: a new id starts a new call.
            None => {
                let last = self.calls.iter().rposition(Option::is_some);
                match (last, field("id")) {
                    (Some(at), Some(id)) if self.calls.get(at).and_then(Option::as_ref).is_some_and(|c| c.id != id) => {
                        self.calls.len() as u64
                    }
                    (Some(at), _) => at as u64,
                    (None, _) => 0,
                }
            }
        };
        if index >= MAX_CALLS as u64 {
            return Err(protocol("a tool call index out of range"));
        }
        let index = index as usize;
        if self.calls.len() <= index {
            self.calls.resize_with(index + 1, || None);
        }
        let slot = self
            .calls
            .get_mut(index)
            .ok_or_else(|| CoreError::new(ErrorCode::Internal, "tool call slot missing after resize"))?
            .get_or_insert_with(PendingCall::default);
        // id and name come once, in the first delta; set, never append.
        if let Some(id) = field("id").filter(|_| slot.id.is_empty()) {
            slot.id = id.to_string();
        }
        if let Some(name) = fn_field("name").filter(|n| !n.is_empty() && slot.name.is_empty()) {
            slot.name = name.to_string();
        }
        if let Some(piece) = fn_field("arguments") {
            if slot.arguments.len() + piece.len() > MAX_EVENT_BYTES {
                return Err(protocol("tool arguments larger than 16 MiB"));
            }
            slot.arguments.push_str(piece);
        }
        Ok(())
    }

    fn take_turn(&mut self) -> AssistantTurn {
        let mut turn = TurnBuilder::default();
        turn.text(core::mem::take(&mut self.text));
        for (index, call) in self.calls.drain(..).enumerate() {
            let Some(call) = call else { continue };
            let id = if call.id.is_empty() { format!("{}{index}", self.call_ids) } else { call.id };
            turn.streamed_call(id, call.name, &call.arguments);
        }
        // Anthropic's `refusal` and Gemini's `SAFETY` are content_filter too.
        let wire = match map_stop_reason(self.finish_reason.as_deref()) {
            StopReason::EndTurn if self.refused => StopReason::ContentFilter,
            other => other,
        };
        turn.finish(wire, self.usage)
    }
}

/// The fields the fast path reads: the one choice's text and finish reason.
const CONTENT: u8 = 0;
const FINISH_REASON: u8 = 1;

/// What the general path makes of each value of a plain text chunk (see
/// [`Shape`]): it reads the text and the finish reason, decides on the
/// error, the choice's index, a refusal and tool calls, and never reads
/// the rest (ids, model, padding...; a scalar `usage` or `delta` is
/// nothing to it).
const PLAIN_CHUNK_USES: &[(&[&str], Use)] = &[
    (&["choices", "delta", "content"], Use::Field(CONTENT)),
    (&["choices", "finish_reason"], Use::Field(FINISH_REASON)),
    (&["error"], Use::Checked),
    (&["choices", "index"], Use::Checked),
    (&["choices", "delta", "refusal"], Use::Checked),
    (&["choices", "delta", "tool_calls"], Use::Checked),
];

fn protocol(what: &str) -> CoreError {
    CoreError::new(ErrorCode::StreamProtocol, format!("openai sent {what}"))
}

pub fn map_stop_reason(raw: Option<&str>) -> StopReason {
    match raw {
        Some("tool_calls") | Some("function_call") => StopReason::ToolUse,
        Some("length") => StopReason::MaxTokens,
        Some("content_filter") => StopReason::ContentFilter,
        // stop, and reasons added after this was written
        _ => StopReason::EndTurn,
    }
}

#[cfg(test)]
mod tests;
