//! What OpenAI's Chat Completions and Responses APIs share: the endpoint
//! and headers, the error body, mid-stream errors and usage.
//!
//! Base URL convention of the official SDK: the base INCLUDES `/v1`
//! (`https://api.openai.com/v1`, or a proxy such as
//! `http://localhost:3100/openai/v1`); requests go to `{base}/chat/completions`
//! or `{base}/responses`.

use super::sse::SseDecoder;
use crate::error::{CoreError, ErrorCode};
use crate::json::{self, ArrayWriter, Json, ObjectWriter, Raw, write_str};
use crate::provider::{Endpoint, ProviderKind, WRAPPER_KEY};
use crate::text;
use crate::transcript::Part;
use crate::usage::Usage;

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// More tool calls than this in one answer is a hostile stream.
pub const MAX_CALLS: usize = 1024;

/// `{base}{path}` for this endpoint.
pub fn url(endpoint: &Endpoint, path: &str) -> String {
    super::join_url(endpoint.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL), path)
}

/// No browser-specific header exists: openai-node's `dangerouslyAllowBrowser`
/// is a client-side guard and sends nothing. Without a key (a proxy that adds
/// it) no `authorization` header is sent at all.
pub fn headers(endpoint: &Endpoint) -> Vec<(String, String)> {
    let mut headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("accept".to_string(), "text/event-stream".to_string()),
    ];
    if let Some(key) = endpoint.key_header("authorization") {
        headers.push(key);
    }
    headers
}

/// The output schema as both APIs take it: an object root as it is; any
/// other root ([`ProviderKind::wraps`]) as `{"type":"object","properties":
/// {"value": schema},"required":["value"],"additionalProperties":false}`,
/// with the schema's `$defs`/`definitions` moved up beside it so that its
/// `#/$defs/...` references still resolve.
#[inline(never)]
pub fn write_schema(schema: &Raw, out: &mut String) {
    let parsed = json::parse(schema.as_str());
    let Some(fields) = parsed.as_ref().ok().filter(|s| ProviderKind::OpenAi.wraps(s)).and_then(Json::as_object) else {
        return out.push_str(schema.as_str());
    };
    let defs = |key: &str| key == "$defs" || key == "definitions";
    let mut o = ObjectWriter::new(out);
    o.str("type", "object");
    let mut properties = ObjectWriter::new(o.key("properties"));
    let mut inner = ObjectWriter::new(properties.key(WRAPPER_KEY));
    for (key, value) in fields.iter().filter(|(key, _)| !defs(key)) {
        inner.json(key, value);
    }
    inner.end();
    properties.end();
    o.raw("required", "[\"value\"]").raw("additionalProperties", "false");
    for (key, value) in fields.iter().filter(|(key, _)| defs(key)) {
        o.json(key, value);
    }
    o.end();
}

/// `data: [DONE]`, the end of a stream (with any whitespace around it).
/// An event object is never that: its first byte spares trimming it.
pub fn is_done(data: &str) -> bool {
    !data.starts_with('{') && data.trim() == "[DONE]"
}

/// An image as the `data:` URL both APIs take in place of a fetchable URL.
pub fn write_data_url(media_type: &str, data: &str, out: &mut String) {
    let mut url = String::with_capacity(media_type.len() + data.len() + 13);
    url.push_str("data:");
    url.push_str(media_type);
    url.push_str(";base64,");
    url.push_str(data);
    write_str(&url, out);
}

/// What a tool result says in text. Neither API takes images in a tool
/// message, so images travel in a user message after the results and the
/// text says so (an empty output reads as "the tool returned nothing").
/// Nor has either an error flag (Anthropic's `is_error`, Gemini's `error`
/// key): a failed call's text says it failed, or the model reads a success.
pub fn tool_result_text(content: &[Part], is_error: bool) -> String {
    let text = crate::transcript::text_of(content);
    let images = content.iter().filter(|p| matches!(p, Part::Image { .. })).count();
    let text =
        if text.is_empty() && images > 0 { format!("({images} image(s) attached in the next message)") } else { text };
    if is_error && !text.starts_with("Error") { format!("Error: {text}") } else { text }
}

/// A user turn as both APIs take it: the tool results first, one item each
/// (`result`: its three keys and the first one's value, which differ
/// between the two APIs), all straight after the assistant's calls (both
/// require that); then the results' images and the rest of the user
/// content as user messages (`write_user`, each API's own).
pub fn write_user_turn(
    content: &[Part],
    items: &mut ArrayWriter<'_>,
    result: [&str; 4],
    write_user: impl Fn(&[&Part], &mut String),
) {
    let [kind, kind_value, id_key, text_key] = result;
    let mut images: Vec<&Part> = Vec::new();
    let mut rest: Vec<&Part> = Vec::new();
    for part in content {
        match part {
            Part::ToolResult { tool_use_id, content, is_error } => {
                let mut o = ObjectWriter::new(items.item());
                o.str(kind, kind_value).str(id_key, tool_use_id).str(text_key, &tool_result_text(content, *is_error));
                o.end();
                images.extend(images_in(content));
            }
            Part::Text { .. } | Part::Image { .. } if !part.is_empty_text() => rest.push(part),
            _ => {}
        }
    }
    if !images.is_empty() {
        write_user(&images, items.item());
    }
    if !rest.is_empty() {
        write_user(&rest, items.item());
    }
}

pub fn images_in(content: &[Part]) -> impl Iterator<Item = &Part> {
    content.iter().filter(|p| matches!(p, Part::Image { .. }))
}

// ---------------------------------------------------------------- usage

/// Both APIs count cached tokens inside the input total; [`Usage`] counts
/// uncached input, so the cached part (and a proxy's `cache_write_tokens`,
/// also a subset) is taken out. `details` is `prompt_tokens_details` or
/// `input_tokens_details`.
pub fn usage(wire: &Json<'_>, input: &str, output: &str, details: &str) -> Usage {
    let count = |name| wire.get(name).and_then(Json::as_u64);
    let detail = |name| wire.get(details).and_then(|d| d.get(name)).and_then(Json::as_u64);
    let cache_read = detail("cached_tokens");
    let cache_write = detail("cache_write_tokens");
    let total = count(input).unwrap_or(0);
    Usage {
        input_tokens: total.saturating_sub(cache_read.unwrap_or(0)).saturating_sub(cache_write.unwrap_or(0)),
        output_tokens: count(output).unwrap_or(0),
        cache_read_tokens: cache_read,
        cache_creation_tokens: cache_write,
    }
}

// ---------------------------------------------------------------- errors

/// `type`, `code` and `message` of an error object. `code` is a string on
/// api.openai.com and sometimes a number on compatible services.
struct ErrorFields<'j> {
    kind: &'j str,
    code: String,
    message: &'j str,
}

fn error_fields<'j>(error: Option<&'j Json<'_>>) -> ErrorFields<'j> {
    let field = |name| error.and_then(|e| e.get(name));
    // `{"error":"text"}` from some compatible services.
    if let Some(Json::Str(message)) = error {
        return ErrorFields { kind: "", code: String::new(), message };
    }
    let code = match field("code") {
        Some(Json::Str(s)) => s.to_string(),
        Some(Json::Num(n)) => n.to_string(),
        _ => String::new(),
    };
    ErrorFields {
        kind: field("type").and_then(Json::as_str).unwrap_or_default(),
        code,
        message: field("message").and_then(Json::as_str).unwrap_or_default(),
    }
}

impl ErrorFields<'_> {
    fn is_empty(&self) -> bool {
        self.kind.is_empty() && self.code.is_empty() && self.message.is_empty()
    }

    fn detail(&self) -> String {
        let mut out = String::new();
        for label in [self.code.as_str(), self.kind] {
            if !label.is_empty() && !text::contains(&out, label) {
                out.push_str(label);
                out.push_str(": ");
            }
        }
        out.push_str(if self.message.is_empty() { "no message" } else { self.message });
        out
    }

    /// Codes that decide the error whatever the status: a 429 can be a
    /// quota (never cured by waiting) or a rate limit (cured by waiting).
    fn decisive(&self) -> Option<(ErrorCode, bool)> {
        let is = |name: &str| self.code == name || self.kind == name;
        Some(if is("insufficient_quota") || is("billing_hard_limit_reached") || is("billing_not_active") {
            (ErrorCode::ProviderQuota, false)
        } else if is("invalid_api_key") || is("authentication_error") || is("permission_error") {
            (ErrorCode::ProviderAuth, false)
        } else if text::contains(&self.code, "overloaded") || text::contains(self.kind, "overloaded") {
            (ErrorCode::ProviderOverloaded, true)
        } else {
            return None;
        })
    }

    /// Everything else known, for errors without a status (mid-stream).
    fn by_kind(&self) -> Option<(ErrorCode, bool)> {
        let is = |name: &str| self.code == name || self.kind == name;
        if let Some(decided) = self.decisive() {
            return Some(decided);
        }
        Some(if is("rate_limit_exceeded") || is("rate_limit_error") || is("requests") || is("tokens") {
            (ErrorCode::ProviderRateLimited, true)
        } else if is("server_error")
            || is("internal_error")
            || is("api_error")
            || is("timeout")
            || is("service_unavailable")
        {
            (ErrorCode::ProviderUnavailable, true)
        } else if is("invalid_request_error") || is("context_length_exceeded") || is("invalid_prompt") {
            (ErrorCode::ProviderBadRequest, false)
        } else {
            return None;
        })
    }
}

fn make(code: ErrorCode, retryable: bool, retry_after: Option<u64>, message: String) -> CoreError {
    let error = CoreError::new(code, message);
    if retryable { error.retryable(retry_after) } else { error }
}

/// An error object that arrived inside a 200 stream: chat's
/// `data: {"error":{...}}`, Responses' `error` event (the object is the
/// event itself or its `error` member) and `response.failed`'s
/// `response.error`. Unknown kinds are not retried: a retry of a request
/// the server rejected for a reason we cannot read would likely fail again.
/// But an error with no kind at all (the documented `error` event with
/// `code: null`, a `response.failed` whose `error` is null) is the server
/// failing on a request it had accepted: a 500.
pub fn stream_error(error: Option<&Json<'_>>) -> CoreError {
    let mut fields = error_fields(error);
    // The documented event holds the fields itself: its `type` is its own.
    if fields.kind == "error" {
        fields.kind = "";
    }
    // (A bare string is a compatible service's prose: no telling what it means.)
    let unexplained = !matches!(error, Some(Json::Str(_))) && fields.kind.is_empty() && fields.code.is_empty();
    let fallback = if unexplained { (ErrorCode::ProviderUnavailable, true) } else { (ErrorCode::ProviderError, false) };
    let (code, retryable) = fields.by_kind().unwrap_or(fallback);
    make(code, retryable, None, format!("openai stream error {}", fields.detail()))
}

/// A body that is not an event stream but a JSON error (a proxy or a
/// compatible service answering 200 with `{"error":{...}}`): the decoder
/// kept its lines as stray text (its last line may lack a line end).
pub fn stray_error(sse: &mut SseDecoder) -> Option<CoreError> {
    sse.end_line().ok()?;
    let lines = sse.take_stray()?;
    let body = json::parse(&lines).ok()?;
    let error = body.get("error").filter(|e| !e.is_null())?;
    Some(stream_error(Some(error)))
}

/// A non-2xx response: `{"error":{"message","type","param","code"}}`.
pub fn classify_error(status: u16, headers: &[(String, String)], body: &[u8]) -> CoreError {
    let retry_after = super::retry_after_ms(headers);
    let text = text::lossy(body);
    let parsed = json::parse(&text).ok();
    let fields = error_fields(parsed.as_ref().and_then(|b| b.get("error")).filter(|e| e.as_object().is_some()));
    if fields.is_empty() {
        let snippet = crate::text::first_chars(&text, 200);
        return super::classify_status("openai", status, snippet, retry_after);
    }
    let detail = fields.detail();
    if let Some((code, retryable)) = fields.decisive() {
        return make(code, retryable, retry_after, format!("openai answered HTTP {status}: {detail}"));
    }
    let by_status = super::classify_status("openai", status, &detail, retry_after);
    match fields.by_kind() {
        // A status outside the table (a proxy's 418, a 200 with an error
        // body): the body's kind is the better guide.
        Some((code, retryable)) if by_status.is(ErrorCode::ProviderError) => {
            make(code, retryable, retry_after, format!("openai answered HTTP {status}: {detail}"))
        }
        _ => by_status,
    }
}

/// Also the harness the chat and responses tests share.
#[cfg(test)]
pub(crate) mod tests;
