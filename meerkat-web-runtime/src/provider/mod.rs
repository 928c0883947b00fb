//! LLM providers behind one small trait.
//!
//! Each provider module has the same four parts: `build_request`, a byte-fed
//! stream parser (no I/O), `map_stop_reason` and `classify_error`. The agent
//! loop only sees [`HttpRequest`], [`TextSink`] and [`AssistantTurn`]; it
//! never sees a wire format.

pub mod anthropic;
mod endpoint;
pub mod gemini;
pub mod openai_chat;
pub mod openai_responses;
pub mod openai_shared;
pub mod sse;

pub use endpoint::{Endpoint, Secret, ThinkingConfig};

use crate::effects::HttpRequest;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::StopReason;
use crate::json::{self, Json, Raw, decimal_scaled};
use crate::transcript::{Message, Part, Role};
use crate::usage::Usage;

/// A tool as offered to the model.
#[derive(Clone, Copy, Debug)]
pub struct ToolSpec<'a> {
    pub name: &'a str,
    pub description: &'a str,
    /// The JSON Schema of the arguments, as compact JSON text.
    pub input_schema: &'a str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderKind {
    Anthropic,
    OpenAi,
    Gemini,
}

impl ProviderKind {
    /// The provider family a model name belongs to, by its prefix.
    pub fn for_model(model: &str) -> Option<ProviderKind> {
        let m = model.to_ascii_lowercase();
        if m.starts_with("claude") {
            Some(ProviderKind::Anthropic)
        } else if m.starts_with("gpt") || m.starts_with("chatgpt") || is_openai_reasoning(&m) {
            Some(ProviderKind::OpenAi)
        } else if m.starts_with("gemini") {
            Some(ProviderKind::Gemini)
        } else {
            None
        }
    }

    pub fn parse(name: &str) -> Option<ProviderKind> {
        match name {
            "anthropic" => Some(ProviderKind::Anthropic),
            "openai" => Some(ProviderKind::OpenAi),
            "gemini" => Some(ProviderKind::Gemini),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::OpenAi => "openai",
            ProviderKind::Gemini => "gemini",
        }
    }

    /// Does this provider get output schema `schema` inside a wrapper?
    /// OpenAI's structured outputs refuse a root that is not an object, or
    /// is an `anyOf` (400, "schema must be a JSON Schema of 'type:
    /// \"object\"'"); Claude and Gemini take any root. Such a schema goes
    /// as the one property [`WRAPPER_KEY`] of a closed object, and the
    /// answer comes back out of it (`agent::structured::unwrap_turn`).
    pub fn wraps(self, schema: &Json<'_>) -> bool {
        self == ProviderKind::OpenAi
            && (schema.get("type").and_then(Json::as_str) != Some("object") || schema.get("anyOf").is_some())
    }
}

/// The property of the object a wrapped output schema goes in ([`ProviderKind::wraps`]).
pub const WRAPPER_KEY: &str = "value";

/// The wire protocol a session speaks; a provider family can offer several.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireApi {
    AnthropicMessages,
    OpenAiChat,
    OpenAiResponses,
    Gemini,
}

impl WireApi {
    /// The default protocol of a family; OpenAI can also be asked for
    /// `"responses"` (`openaiApi` in the session config).
    pub fn for_family(family: ProviderKind, openai_api: Option<&str>) -> Option<WireApi> {
        Some(match (family, openai_api) {
            (ProviderKind::Anthropic, None) => WireApi::AnthropicMessages,
            (ProviderKind::OpenAi, None | Some("chat")) => WireApi::OpenAiChat,
            (ProviderKind::OpenAi, Some("responses")) => WireApi::OpenAiResponses,
            (ProviderKind::Gemini, None) => WireApi::Gemini,
            _ => return None,
        })
    }

    pub fn family(self) -> ProviderKind {
        match self {
            WireApi::AnthropicMessages => ProviderKind::Anthropic,
            WireApi::OpenAiChat | WireApi::OpenAiResponses => ProviderKind::OpenAi,
            WireApi::Gemini => ProviderKind::Gemini,
        }
    }

    /// The implementation, where this build has one.
    pub fn implementation(self) -> Option<&'static dyn Provider> {
        match self {
            WireApi::AnthropicMessages => Some(&anthropic::Anthropic),
            WireApi::OpenAiChat => openai_chat::provider(),
            WireApi::OpenAiResponses => openai_responses::provider(),
            WireApi::Gemini => gemini::provider(),
        }
    }
}

/// `o1`, `o3-mini`, `o4-mini`...: OpenAI's reasoning models.
fn is_openai_reasoning(m: &str) -> bool {
    let mut chars = m.chars();
    chars.next() == Some('o') && chars.next().is_some_and(|c| c.is_ascii_digit())
}

/// Everything a provider needs to build one request.
pub struct LlmRequest<'a> {
    pub endpoint: &'a Endpoint,
    pub model: &'a str,
    pub system_prompt: Option<&'a str>,
    pub messages: &'a [Message],
    pub tools: &'a [ToolSpec<'a>],
    pub max_tokens: u32,
    pub temperature: Option<&'a Raw>,
    pub thinking: Option<&'a ThinkingConfig>,
    /// JSON Schema the final answer must follow (native structured output).
    pub output_schema: Option<&'a Raw>,
}

/// Receives visible text as it streams.
pub trait TextSink {
    fn text_delta(&mut self, text: &str);
}

/// A tool call the model asked for, with its arguments parsed (or why not).
#[derive(Clone, Debug, PartialEq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    /// The arguments as a JSON object, or why they are unusable.
    pub args: Result<Raw, String>,
}

/// One finished assistant message.
#[derive(Clone, Debug, PartialEq)]
pub struct AssistantTurn {
    pub content: Vec<Part>,
    pub tool_calls: Vec<ToolCall>,
    pub stop_reason: StopReason,
    pub usage: Usage,
}

impl AssistantTurn {
    pub fn text(&self) -> String {
        crate::transcript::text_of(&self.content)
    }

    /// What an interrupted turn keeps (`StreamParser::partial`): the
    /// visible text so far, nothing incomplete.
    pub fn interrupted(texts: impl IntoIterator<Item = String>, usage: Usage) -> AssistantTurn {
        let content = texts.into_iter().filter(|t| !t.is_empty()).map(|text| Part::Text { text }).collect();
        AssistantTurn { content, tool_calls: Vec::new(), stop_reason: StopReason::Cancelled, usage }
    }
}

/// Assembles one assistant message the same way for every wire API: the
/// parts in order, each tool call both as a transcript part and as a call
/// to run, and one rule for the stop reason.
#[derive(Debug, Default)]
pub struct TurnBuilder {
    content: Vec<Part>,
    tool_calls: Vec<ToolCall>,
}

impl TurnBuilder {
    /// A text part (empty text is left out: providers refuse it).
    pub fn text(&mut self, text: String) {
        if !text.is_empty() {
            self.content.push(Part::Text { text });
        }
    }

    /// A part that is neither text nor a tool call (thinking).
    pub fn part(&mut self, part: Part) {
        self.content.push(part);
    }

    /// A call whose arguments streamed as JSON text, parsed once here.
    pub fn streamed_call(&mut self, id: String, name: String, arguments: &str) {
        self.call(id, name, parse_arguments(arguments), None);
    }

    /// A call with its arguments parsed (or why they are unusable). The
    /// transcript keeps `{}` for unusable arguments; the call carries why.
    pub fn call(&mut self, id: String, name: String, args: Result<Raw, String>, signature: Option<String>) {
        let input = args.clone().unwrap_or_else(|_| Raw::empty_object());
        self.content.push(Part::ToolUse { id: id.clone(), name: name.clone(), input, signature });
        self.tool_calls.push(ToolCall { id, name, args });
    }

    /// What an interrupted turn keeps (`StreamParser::partial`): the text
    /// parts given so far; calls (incomplete) are not offered.
    pub fn interrupted(self, usage: Usage) -> AssistantTurn {
        AssistantTurn { content: self.content, tool_calls: Vec::new(), stop_reason: StopReason::Cancelled, usage }
    }

    /// `wire` is the provider's own stop reason. A message that carries
    /// tool calls stopped for them, whatever the wire said: some services
    /// say `stop`/`end_turn`/`STOP` after calls, and the calls are what
    /// the loop acts on.
    pub fn finish(self, wire: StopReason, usage: Usage) -> AssistantTurn {
        let stop_reason = if self.tool_calls.is_empty() { wire } else { StopReason::ToolUse };
        AssistantTurn { content: self.content, tool_calls: self.tool_calls, stop_reason, usage }
    }
}

/// A byte-fed streaming response parser.
pub trait StreamParser {
    /// Feed the next chunk of the response body, cut anywhere.
    fn feed(&mut self, bytes: &[u8], sink: &mut dyn TextSink) -> CoreResult<()>;
    /// The body ended: the whole message, or why it is incomplete.
    fn finish(&mut self, sink: &mut dyn TextSink) -> CoreResult<AssistantTurn>;
    /// What has arrived so far, for an interrupted turn: the visible text
    /// and the usage; no tool calls or thinking (they would be incomplete).
    fn partial(&mut self) -> AssistantTurn;
}

pub trait Provider {
    fn build_request(&self, req: &LlmRequest<'_>) -> HttpRequest;
    /// A parser for one response. `call_ids` prefixes the ids it invents for
    /// tool calls that arrive without one (unique per request).
    fn stream_parser(&self, call_ids: &str) -> Box<dyn StreamParser>;
    /// Turn a non-2xx response into a typed error.
    fn classify_error(&self, status: u16, headers: &[(String, String)], body: &[u8]) -> CoreError;
}

/// Consecutive messages of one role as one turn, with the parts `keep`
/// accepts. A message with none of them is left out when `skip_empty`;
/// otherwise it still ends the turn before it (and may come out empty).
pub fn merge_turns(messages: &[Message], keep: fn(&Part) -> bool, skip_empty: bool) -> Vec<(Role, Vec<&Part>)> {
    let mut merged: Vec<(Role, Vec<&Part>)> = Vec::with_capacity(messages.len());
    for message in messages {
        if skip_empty && !message.content.iter().any(keep) {
            continue;
        }
        if merged.last().is_none_or(|(role, _)| *role != message.role) {
            merged.push((message.role, Vec::new()));
        }
        if let Some((_, content)) = merged.last_mut() {
            content.extend(message.content.iter().filter(|p| keep(p)));
        }
    }
    merged
}

/// Streamed arguments, parsed once at the end. Nothing streamed means `{}`.
pub fn parse_arguments(text: &str) -> Result<Raw, String> {
    if text.trim().is_empty() {
        return Ok(Raw::empty_object());
    }
    match json::parse(text) {
        Ok(v @ Json::Obj(_)) => Ok(Raw::from_json(&v)),
        Ok(other) => Err(format!("tool arguments must be a JSON object, got {}", other.kind())),
        Err(e) => Err(format!("tool arguments are not valid JSON ({e})")),
    }
}

/// Join a configured base URL and a path without doubling slashes.
pub fn join_url(base: &str, path: &str) -> String {
    let mut url = String::with_capacity(base.len() + path.len());
    url.push_str(base.trim_end_matches('/'));
    url.push_str(path);
    url
}

/// Case-insensitive header lookup.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
}

/// `retry-after-ms`, else `retry-after` in seconds, as milliseconds.
pub fn retry_after_ms(headers: &[(String, String)]) -> Option<u64> {
    header(headers, "retry-after-ms")
        .and_then(|v| decimal_scaled(v, 1))
        .or_else(|| header(headers, "retry-after").and_then(|v| decimal_scaled(v, 1000)))
}

/// An HTTP date (IMF-fixdate, `Wed, 21 Oct 2015 07:28:00 GMT`) in Unix
/// milliseconds: `retry-after` may be a date instead of seconds.
pub fn http_date_ms(text: &str) -> Option<u64> {
    let rest = crate::text::split_once(text.trim(), ", ")?.1;
    let mut parts = rest.split(' ');
    let day: u64 = parts.next()?.parse().ok()?;
    let name = parts.next()?;
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = months.iter().position(|m| *m == name)? as u64 + 1;
    let year: u64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':').map(|n| n.parse::<u64>().ok());
    let (h, m, s) = (clock.next()??, clock.next()??, clock.next()??);
    if parts.next() != Some("GMT") || !(1..=31).contains(&day) || year < 1970 || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(((crate::text::unix_days(year, month, day)? * 24 + h) * 60 + m) * 60_000 + s * 1000)
}

/// `retry-after` given as an HTTP date becomes `retry-after-ms` relative to
/// `now_ms`, so the providers' classifiers only ever see durations.
pub fn normalize_retry_after(headers: &mut Vec<(String, String)>, now_ms: f64) {
    if header(headers, "retry-after-ms").is_some() {
        return;
    }
    let Some(date) = header(headers, "retry-after").and_then(http_date_ms) else { return };
    let wait = (date as f64 - now_ms).max(0.0) as u64;
    let mut text = String::new();
    crate::json::write_u64(wait, &mut text);
    headers.push(("retry-after-ms".to_string(), text));
}

/// The error for a status code whose body says nothing we recognise.
pub fn classify_status(provider: &str, status: u16, detail: &str, retry_after: Option<u64>) -> CoreError {
    let (code, retryable) = match status {
        401 | 403 => (ErrorCode::ProviderAuth, false),
        402 => (ErrorCode::ProviderQuota, false),
        400 | 404 | 413 | 422 => (ErrorCode::ProviderBadRequest, false),
        408 | 409 => (ErrorCode::ProviderUnavailable, true),
        429 => (ErrorCode::ProviderRateLimited, true),
        529 => (ErrorCode::ProviderOverloaded, true),
        500..=599 => (ErrorCode::ProviderUnavailable, true),
        _ => (ErrorCode::ProviderError, false),
    };
    let error = CoreError::new(code, format!("{provider} answered HTTP {status}: {detail}"));
    if retryable { error.retryable(retry_after) } else { error }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_map_to_providers() {
        assert_eq!(ProviderKind::for_model("claude-sonnet-4-6"), Some(ProviderKind::Anthropic));
        assert_eq!(ProviderKind::for_model("gpt-5"), Some(ProviderKind::OpenAi));
        assert_eq!(ProviderKind::for_model("o3-mini"), Some(ProviderKind::OpenAi));
        assert_eq!(ProviderKind::for_model("gemini-2.5-pro"), Some(ProviderKind::Gemini));
        assert_eq!(ProviderKind::for_model("llama"), None);
        assert_eq!(ProviderKind::for_model("o"), None);
    }

    #[test]
    fn retry_after_headers() {
        let h = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(retry_after_ms(&h("Retry-After", "17")), Some(17_000));
        assert_eq!(retry_after_ms(&h("retry-after-ms", "250")), Some(250));
        assert_eq!(retry_after_ms(&h("retry-after", "soon")), None);
        assert_eq!(retry_after_ms(&h("retry-after", "-1")), None);
        assert_eq!(join_url("http://h/anthropic/", "/v1/messages"), "http://h/anthropic/v1/messages");
    }

    #[test]
    fn http_dates_become_waits() {
        assert_eq!(http_date_ms("Wed, 21 Oct 2015 07:28:00 GMT"), Some(1_445_412_480_000));
        assert_eq!(http_date_ms("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(http_date_ms("Tue, 29 Feb 2028 23:59:59 GMT"), Some(1_835_481_599_000));
        for bad in [
            "17",
            "",
            "Wed, 21 Foo 2015 07:28:00 GMT",
            "Wed, 21 Oct 2015 07:28:00 PST",
            "Wed, 32 Oct 2015 07:28:00 GMT",
        ] {
            assert_eq!(http_date_ms(bad), None, "{bad}");
        }
        let mut headers = vec![("Retry-After".to_string(), "Wed, 21 Oct 2015 07:28:00 GMT".to_string())];
        normalize_retry_after(&mut headers, 1_445_412_470_000.0);
        assert_eq!(retry_after_ms(&headers), Some(10_000));
        let mut past = vec![("retry-after".to_string(), "Thu, 01 Jan 1970 00:00:00 GMT".to_string())];
        normalize_retry_after(&mut past, 5.0);
        assert_eq!(retry_after_ms(&past), Some(0));
    }
}
