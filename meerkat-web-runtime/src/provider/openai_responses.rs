//! OpenAI Responses API: request building, streaming parse, errors.
//!
//! Requests go to `{base}/responses` (see `openai_shared` for the base URL
//! convention). Stateless use: the whole history is sent every time, nothing
//! refers to a stored response.

use super::openai_shared::{self as shared, MAX_CALLS, write_data_url};
use super::sse::{FastPath, MAX_EVENT_BYTES, SseDecoder, SseEvent, SseHandler, SseStream};
use super::{AssistantTurn, LlmRequest, Provider, StreamParser, TextSink, TurnBuilder};
use crate::effects::HttpRequest;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::StopReason;
use crate::json::{self, ArrayWriter, Json, ObjectWriter, Shape, Use, write_array};
use crate::transcript::{Message, Part, Role, text_of};
use crate::usage::Usage;

pub struct OpenAiResponses;

pub fn provider() -> Option<&'static dyn Provider> {
    Some(&OpenAiResponses)
}

impl Provider for OpenAiResponses {
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

/// A user message: a plain string when it is one text, else typed parts.
fn write_user(parts: &[&Part], out: &mut String) {
    let mut o = ObjectWriter::new(out);
    o.str("role", "user");
    if let [Part::Text { text }] = parts {
        o.str("content", text);
    } else {
        write_array(o.key("content"), parts, |part, out| {
            let mut p = ObjectWriter::new(out);
            match part {
                Part::Image { media_type, data } => {
                    p.str("type", "input_image");
                    write_data_url(media_type, data, p.key("image_url"));
                }
                other => {
                    p.str("type", "input_text").str("text", text_of(core::slice::from_ref(*other)).as_str());
                }
            }
            p.end();
        });
    }
    o.end();
}

fn write_assistant(content: &[Part], items: &mut ArrayWriter<'_>) {
    let text = text_of(content);
    if !text.is_empty() {
        // The string form is accepted for assistant items too (request.md);
        // the typed form would need `output_text` parts.
        let mut o = ObjectWriter::new(items.item());
        o.str("role", "assistant").str("content", &text);
        o.end();
    }
    for part in content {
        if let Part::ToolUse { id, name, input, .. } = part {
            let mut o = ObjectWriter::new(items.item());
            o.str("type", "function_call").str("call_id", id).str("name", name).str("arguments", input.as_str());
            o.end();
        }
    }
}

fn write_input(messages: &[Message], out: &mut String) {
    let mut items = ArrayWriter::new(out);
    for message in messages {
        match message.role {
            Role::User => shared::write_user_turn(
                &message.content,
                &mut items,
                ["type", "function_call_output", "call_id", "output"],
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
    // The runtime sends the whole conversation every time and never refers
    // to a stored response, so nothing needs keeping on OpenAI's side.
    o.str("model", req.model).bool("stream", true).bool("store", false);
    o.opt_str("instructions", req.system_prompt.filter(|s| !s.is_empty()));
    o.u64("max_output_tokens", u64::from(req.max_tokens));
    write_input(req.messages, o.key("input"));
    if !req.tools.is_empty() {
        write_array(o.key("tools"), req.tools, |tool, out| {
            let mut t = ObjectWriter::new(out);
            // Explicitly not strict: strict schemas must list every property
            // as required with `additionalProperties: false`.
            t.str("type", "function")
                .str("name", tool.name)
                .str("description", tool.description)
                .raw("parameters", tool.input_schema)
                .bool("strict", false);
            t.end();
        });
    }
    if let Some(t) = req.temperature {
        o.raw("temperature", t.as_str());
    }
    if let Some(schema) = req.output_schema {
        let mut text = ObjectWriter::new(o.key("text"));
        let mut format = ObjectWriter::new(text.key("format"));
        format.str("type", "json_schema").str("name", "output");
        shared::write_schema(schema, format.key("schema"));
        format.bool("strict", false);
        format.end();
        text.end();
    }
    o.end();
    HttpRequest {
        url: shared::url(req.endpoint, "/responses"),
        method: "POST",
        headers: shared::headers(req.endpoint),
        body,
    }
}

// ---------------------------------------------------------------- stream

#[derive(Debug, Default)]
struct PendingCall {
    /// The `fc_` item id the argument events refer to.
    item_id: String,
    output_index: Option<u64>,
    /// The `call_` id a `function_call_output` must quote.
    call_id: String,
    name: String,
    arguments: String,
}

#[derive(Debug)]
enum Terminal {
    Completed,
    Incomplete(String),
}

/// A message output item. One response can hold several (a preamble
/// and the answer, say); their texts are separate paragraphs.
#[derive(Debug, Default)]
struct TextItem {
    item_id: String,
    output_index: Option<u64>,
    /// `phase: "commentary"`: the model thinking aloud between tool calls,
    /// not part of the answer.
    commentary: bool,
    text: String,
}

/// The byte-fed parser of one response.
pub type ResponsesStream = SseStream<ResponsesEvents>;

pub fn stream(call_ids: &str) -> ResponsesStream {
    SseStream::new(ResponsesEvents { call_ids: call_ids.to_string(), ..ResponsesEvents::default() })
}

#[derive(Debug, Default)]
pub struct ResponsesEvents {
    call_ids: String,
    items: Vec<TextItem>,
    /// Bytes of answer text so far (the bound on a hostile stream).
    text_bytes: usize,
    calls: Vec<PendingCall>,
    usage: Usage,
    terminal: Option<Terminal>,
    /// A refusal part streamed: the response completes, we say why.
    refused: bool,
    pub fast: FastPath,
    shape: Shape,
}

impl SseHandler for ResponsesEvents {
    fn on_event(&mut self, event: SseEvent<'_>, sink: &mut dyn TextSink) -> CoreResult<()> {
        self.on_event(event, sink)
    }

    fn partial(&mut self) -> AssistantTurn {
        let mut turn = TurnBuilder::default();
        turn.text(self.answer_text());
        turn.interrupted(self.usage)
    }

    fn finish(&mut self, sse: &mut SseDecoder) -> CoreResult<AssistantTurn> {
        let stray = shared::stray_error(sse);
        match self.terminal.take() {
            Some(terminal) => Ok(self.take_turn(terminal)),
            None => Err(stray.unwrap_or_else(|| {
                CoreError::new(
                    ErrorCode::StreamTruncated,
                    "openai stream ended before response.completed or response.incomplete",
                )
                .retryable(None)
            })),
        }
    }
}

/// Answer paragraphs (message items) are joined by a blank line.
const PARAGRAPH: &str = "\n\n";

impl ResponsesEvents {
    fn on_event(&mut self, event: SseEvent<'_>, sink: &mut dyn TextSink) -> CoreResult<()> {
        // Proxies add a `[DONE]`; nothing after the terminal event matters.
        if self.terminal.is_some() || shared::is_done(event.data) {
            return Ok(());
        }
        let mut fields = [None, None, None];
        let wire;
        let (item_id, output_index, piece) = if self.fast.on() && self.shape.read(event.data, &mut fields).is_some() {
            let [delta, item_id, output_index] = &fields;
            (str_field(item_id), output_index.as_ref().and_then(Json::as_u64), str_field(delta))
        } else {
            wire = json::parse(event.data).map_err(|e| protocol(&format!("an event that is not valid JSON ({e})")))?;
            match self.on_general(&wire, event)? {
                Some(text) => text,
                None => return Ok(()),
            }
        };
        self.on_text(item_id, output_index, piece, sink)
    }

    /// An event read with a tree, handled; or a text delta, read for
    /// `on_text` (what the fast path reads without a tree).
    fn on_general<'w>(&mut self, wire: &'w Json<'_>, event: SseEvent<'_>) -> CoreResult<Option<TextDelta<'w>>> {
        if wire.as_object().is_none() {
            return Err(protocol(&format!("an event that is {}, not an object", wire.kind())));
        }
        // `data.type` is authoritative; the `event:` name is the fallback.
        let kind = wire.get("type").and_then(Json::as_str).unwrap_or(event.name);
        let field = |name| wire.get(name).and_then(Json::as_str).unwrap_or_default();
        match kind {
            TEXT_DELTA | REFUSAL_DELTA => {
                self.refused |= kind == REFUSAL_DELTA;
                // Later deltas of this shape take the fast path (when the
                // type is in the data: the event name is no part of a shape).
                if wire.get("type").and_then(Json::as_str).is_some() {
                    self.shape.learn(event.data, wire, TEXT_DELTA_USES);
                }
                let output_index = wire.get("output_index").and_then(Json::as_u64);
                return Ok(Some((field("item_id"), output_index, field("delta"))));
            }
            "response.output_item.added" | "response.output_item.done" => {
                let item = wire.get("item");
                let output_index = wire.get("output_index").and_then(Json::as_u64);
                match item.and_then(|i| i.get("type")).and_then(Json::as_str) {
                    Some("function_call") => self.on_call_item(item, output_index, kind.ends_with(".done"))?,
                    Some("message") => self.on_message_item(item, output_index)?,
                    _ => {}
                }
            }
            "response.function_call_arguments.delta" => {
                let piece = field("delta");
                let call = self.call_for(wire)?;
                if call.arguments.len() + piece.len() > MAX_EVENT_BYTES {
                    return Err(protocol("tool arguments larger than 16 MiB"));
                }
                call.arguments.push_str(piece);
            }
            "response.function_call_arguments.done" => {
                let call = self.call_for(wire)?;
                if let Some(arguments) = wire.get("arguments").and_then(Json::as_str) {
                    call.arguments = arguments.to_string();
                }
                if let Some(name) = wire.get("name").and_then(Json::as_str).filter(|_| call.name.is_empty()) {
                    call.name = name.to_string();
                }
            }
            "response.completed" | "response.incomplete" => {
                let response = wire.get("response");
                if let Some(usage) = response.and_then(|r| r.get("usage")).filter(|u| u.as_object().is_some()) {
                    self.usage = shared::usage(usage, "input_tokens", "output_tokens", "input_tokens_details");
                }
                self.terminal = Some(if kind == "response.completed" {
                    Terminal::Completed
                } else {
                    let reason = response.and_then(|r| r.get("incomplete_details")).and_then(|d| d.get("reason"));
                    Terminal::Incomplete(reason.and_then(Json::as_str).unwrap_or_default().to_string())
                });
            }
            "response.failed" => {
                return Err(shared::stream_error(wire.get("response").and_then(|r| r.get("error"))));
            }
            // Documented shape: the fields on the event; captured: nested.
            "error" => {
                let nested = wire.get("error").filter(|e| e.as_object().is_some());
                return Err(shared::stream_error(nested.or(Some(wire))));
            }
            // created, in_progress, content parts, reasoning, annotations,
            // hosted tools, and event types added after this was written.
            _ => {}
        }
        Ok(None)
    }

    /// A message item: remember its phase, so its text is read right.
    fn on_message_item(&mut self, item: Option<&Json<'_>>, output_index: Option<u64>) -> CoreResult<()> {
        let field = |name| item.and_then(|i| i.get(name)).and_then(Json::as_str).unwrap_or_default();
        let commentary = field("phase") == "commentary";
        let at = self.text_item(field("id"), output_index)?;
        if let Some(text_item) = self.items.get_mut(at) {
            text_item.commentary = commentary;
        }
        Ok(())
    }

    /// The message item an event refers to (by `item_id`, else by
    /// `output_index`), created if it was never announced.
    fn text_item(&mut self, item_id: &str, output_index: Option<u64>) -> CoreResult<usize> {
        let found = self.items.iter().position(|i| {
            (!item_id.is_empty() && i.item_id == item_id) || (item_id.is_empty() && i.output_index == output_index)
        });
        if let Some(at) = found {
            return Ok(at);
        }
        if self.items.len() >= MAX_CALLS {
            return Err(protocol("too many message items"));
        }
        self.items.push(TextItem { item_id: item_id.to_string(), output_index, ..TextItem::default() });
        Ok(self.items.len() - 1)
    }

    /// A text delta: streamed and kept unless its item is commentary; the
    /// first text of a later answer item starts a new paragraph.
    fn on_text(
        &mut self,
        item_id: &str,
        output_index: Option<u64>,
        piece: &str,
        sink: &mut dyn TextSink,
    ) -> CoreResult<()> {
        if self.text_bytes + piece.len() > MAX_EVENT_BYTES {
            return Err(protocol("more than 16 MiB of text"));
        }
        // The hot path: deltas keep coming for the item the last one was for.
        let last = self.items.len().checked_sub(1);
        let at = match last.and_then(|at| self.items.get(at).map(|i| (at, i))) {
            Some((at, i))
                if (!item_id.is_empty() && crate::text::same(&i.item_id, item_id))
                    || (item_id.is_empty() && i.output_index == output_index) =>
            {
                at
            }
            _ => self.text_item(item_id, output_index)?,
        };
        let Some(item) = self.items.get(at) else { return Ok(()) };
        if item.commentary || piece.is_empty() {
            return Ok(());
        }
        if item.text.is_empty() && self.items.iter().take(at).any(|i| !i.commentary && !i.text.is_empty()) {
            sink.text_delta(PARAGRAPH);
        }
        if let Some(item) = self.items.get_mut(at) {
            item.text.push_str(piece);
        }
        self.text_bytes += piece.len();
        sink.text_delta(piece);
        Ok(())
    }

    /// The answer: the non-commentary items' text, one paragraph each.
    fn answer_text(&mut self) -> String {
        let mut answer = String::new();
        for item in self.items.iter().filter(|i| !i.commentary && !i.text.is_empty()) {
            if !answer.is_empty() {
                answer.push_str(PARAGRAPH);
            }
            answer.push_str(&item.text);
        }
        self.items.clear();
        answer
    }

    /// `output_item.added` starts a call; `.done` confirms it (and stands in
    /// for the start when a proxy drops the earlier events).
    fn on_call_item(&mut self, item: Option<&Json<'_>>, output_index: Option<u64>, done: bool) -> CoreResult<()> {
        let field = |name| item.and_then(|i| i.get(name)).and_then(Json::as_str).unwrap_or_default();
        let item_id = field("id");
        let existing = self.calls.iter().position(|c| {
            (!item_id.is_empty() && c.item_id == item_id) || (item_id.is_empty() && c.output_index == output_index)
        });
        let at = match existing {
            Some(at) => at,
            None => {
                if self.calls.len() >= MAX_CALLS {
                    return Err(protocol("too many function calls"));
                }
                self.calls.push(PendingCall { item_id: item_id.to_string(), output_index, ..PendingCall::default() });
                self.calls.len() - 1
            }
        };
        let Some(call) = self.calls.get_mut(at) else { return Ok(()) };
        if call.call_id.is_empty() {
            call.call_id = field("call_id").to_string();
        }
        if call.name.is_empty() {
            call.name = field("name").to_string();
        }
        // Empty when the item starts, whole when it is done.
        if let Some(arguments) = item.and_then(|i| i.get("arguments")).and_then(Json::as_str)
            && (done || call.arguments.is_empty())
        {
            call.arguments = arguments.to_string();
        }
        Ok(())
    }

    /// The call an argument event refers to: by `item_id`, else by
    /// `output_index`.
    fn call_for(&mut self, wire: &Json<'_>) -> CoreResult<&mut PendingCall> {
        let item_id = wire.get("item_id").and_then(Json::as_str).filter(|s| !s.is_empty());
        let output_index = wire.get("output_index").and_then(Json::as_u64);
        let by_id = item_id.and_then(|id| self.calls.iter().position(|c| c.item_id == id));
        let found =
            by_id.or_else(|| output_index.and_then(|i| self.calls.iter().position(|c| c.output_index == Some(i))));
        match found.and_then(|at| self.calls.get_mut(at)) {
            Some(call) => Ok(call),
            None => Err(protocol("function call arguments for an item that never started")),
        }
    }

    fn take_turn(&mut self, terminal: Terminal) -> AssistantTurn {
        let mut turn = TurnBuilder::default();
        turn.text(self.answer_text());
        for (index, call) in self.calls.drain(..).enumerate() {
            let id = if call.call_id.is_empty() { format!("{}{index}", self.call_ids) } else { call.call_id };
            turn.streamed_call(id, call.name, &call.arguments);
        }
        // There is no tool stop status: a turn with calls ends `completed`.
        let wire = match terminal {
            // Anthropic's `refusal` and Gemini's `SAFETY` are content_filter too.
            Terminal::Completed if self.refused => StopReason::ContentFilter,
            Terminal::Completed => StopReason::EndTurn,
            Terminal::Incomplete(reason) => map_incomplete_reason(&reason),
        };
        turn.finish(wire, self.usage)
    }
}

const TEXT_DELTA: &str = "response.output_text.delta";
const REFUSAL_DELTA: &str = "response.refusal.delta";

/// A text delta's item id, output index and piece.
type TextDelta<'a> = (&'a str, Option<u64>, &'a str);

/// The fields the fast path reads from a text delta.
const DELTA: u8 = 0;
const ITEM_ID: u8 = 1;
const OUTPUT_INDEX: u8 = 2;

/// What the general path makes of each value of a text delta (see
/// [`Shape`]): it reads the piece and where it goes, decides on the type,
/// and never reads the rest (sequence numbers, logprobs, padding...).
const TEXT_DELTA_USES: &[(&[&str], Use)] = &[
    (&["delta"], Use::Field(DELTA)),
    (&["item_id"], Use::Field(ITEM_ID)),
    (&["output_index"], Use::Field(OUTPUT_INDEX)),
    (&["type"], Use::Checked),
];

/// A field read as the general path reads a string: absent or not a
/// string is empty.
fn str_field<'j>(value: &'j Option<Json<'_>>) -> &'j str {
    value.as_ref().and_then(Json::as_str).unwrap_or_default()
}

fn protocol(what: &str) -> CoreError {
    CoreError::new(ErrorCode::StreamProtocol, format!("openai sent {what}"))
}

/// `incomplete_details.reason`. Any incomplete answer was cut short, so an
/// unknown reason reads as running out of tokens rather than a normal end.
pub fn map_incomplete_reason(reason: &str) -> StopReason {
    match reason {
        "content_filter" => StopReason::ContentFilter,
        _ => StopReason::MaxTokens,
    }
}

#[cfg(test)]
mod tests;
