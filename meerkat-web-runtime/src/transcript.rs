//! The provider-neutral conversation: what a session remembers.
//!
//! Providers translate this into their wire format when they build a request;
//! nothing here knows about any provider.

use crate::error::{CoreResult, invalid};
use crate::json::{Json, ObjectWriter, Raw, quote, write_array};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
}

/// One piece of a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Text {
        text: String,
    },
    Image {
        media_type: String,
        data: String,
    },
    /// Model reasoning: kept so it can be sent back unmodified on tool-use
    /// continuations, never shown as answer text.
    Thinking {
        thinking: String,
        signature: Option<String>,
    },
    RedactedThinking {
        data: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Raw,
        /// An opaque provider token that must travel back with the call
        /// (Gemini's `thoughtSignature`).
        signature: Option<String>,
    },
    ToolResult {
        tool_use_id: String,
        content: Vec<Part>,
        is_error: bool,
    },
}

impl Part {
    /// Providers refuse empty text parts, so requests leave them out; blank
    /// ones too (Anthropic answers a message whose text is only whitespace
    /// with a 400, and whitespace tells no model anything).
    pub fn is_empty_text(&self) -> bool {
        matches!(self, Part::Text { text } if text.trim().is_empty())
    }

    /// Bytes of text the part sends, and how many images: what a token
    /// estimate counts.
    pub fn weight(&self) -> (u64, u64) {
        match self {
            Part::Text { text } => (text.len() as u64, 0),
            Part::Image { .. } => (0, 1),
            Part::Thinking { thinking, .. } => (thinking.len() as u64, 0),
            Part::RedactedThinking { data } => (data.len() as u64, 0),
            Part::ToolUse { name, input, .. } => ((name.len() + input.as_str().len()) as u64, 0),
            Part::ToolResult { content, .. } => {
                let (mut bytes, mut images) = (16, 0);
                for part in content {
                    let (b, i) = part.weight();
                    bytes += b;
                    images += i;
                }
                (bytes, images)
            }
        }
    }

    /// One part of the history shape (`write_json`'s inverse).
    fn from_history(value: &Json<'_>) -> Result<Part, String> {
        let field = |name: &str| value.get(name).and_then(Json::as_str).map(str::to_string);
        let need = |name: &str| field(name).ok_or_else(|| format!("a part needs a string field {}", quote(name)));
        Ok(match value.get("type").and_then(Json::as_str) {
            Some("text") => Part::Text { text: need("text")? },
            Some("image") => {
                let (media_type, data) = (need("media_type")?, need("data")?);
                check_image(&media_type, &data)?;
                Part::Image { media_type, data }
            }
            Some("thinking") => Part::Thinking { thinking: need("thinking")?, signature: field("signature") },
            Some("redacted_thinking") => Part::RedactedThinking { data: need("data")? },
            Some("tool_use") => match value.get("input") {
                Some(input @ Json::Obj(_)) => Part::ToolUse {
                    id: need("id")?,
                    name: need("name")?,
                    input: Raw::from_json(input),
                    signature: field("signature"),
                },
                _ => return Err("a tool_use part needs an input object".into()),
            },
            Some("tool_result") => {
                let items = value.get("content").and_then(Json::as_array).ok_or("a tool_result needs content")?;
                let content = parts_from_history(items)?;
                let is_error = value.get("is_error").and_then(Json::as_bool).unwrap_or(false);
                Part::ToolResult { tool_use_id: need("tool_use_id")?, content, is_error }
            }
            _ => {
                return Err(
                    "a part's type must be text, image, thinking, redacted_thinking, tool_use or tool_result".into()
                );
            }
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub role: Role,
    pub content: Vec<Part>,
}

impl Message {
    pub fn user(content: Vec<Part>) -> Self {
        Message { role: Role::User, content }
    }

    pub fn assistant(content: Vec<Part>) -> Self {
        Message { role: Role::Assistant, content }
    }

    /// The visible text of the message (text parts joined, no thinking).
    pub fn text(&self) -> String {
        text_of(&self.content)
    }

    /// A user message with content and no tool result: where a turn begins
    /// (and where history may be cut without splitting a call from its
    /// result; steered words beside tool results do not begin one).
    pub fn starts_turn(&self) -> bool {
        self.role == Role::User
            && !self.content.is_empty()
            && !self.content.iter().any(|p| matches!(p, Part::ToolResult { .. }))
    }

    /// `{role, content: [parts]}` as `history()` writes it.
    pub fn from_history(value: &Json<'_>) -> Result<Message, String> {
        let role = match value.get("role").and_then(Json::as_str) {
            Some("user") => Role::User,
            Some("assistant") => Role::Assistant,
            _ => return Err("a message's role must be \"user\" or \"assistant\"".into()),
        };
        let parts = value.get("content").and_then(Json::as_array).ok_or("a message needs a content array")?;
        Ok(Message { role, content: parts_from_history(parts)? })
    }

    /// The history shape: `{role, content:[{type,...}]}` with snake_case tags.
    pub fn write_json(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("role", if self.role == Role::User { "user" } else { "assistant" });
        write_parts(&self.content, o.key("content"));
        o.end();
    }
}

fn parts_from_history(items: &[Json<'_>]) -> Result<Vec<Part>, String> {
    let mut parts = Vec::with_capacity(items.len());
    for item in items {
        parts.push(Part::from_history(item)?);
    }
    Ok(parts)
}

pub fn text_of(parts: &[Part]) -> String {
    let mut out = String::new();
    for part in parts {
        if let Part::Text { text } = part {
            out.push_str(text);
        }
    }
    out
}

fn write_parts(parts: &[Part], out: &mut String) {
    write_array(out, parts, |part, out| {
        let mut o = ObjectWriter::new(out);
        match part {
            Part::Text { text } => {
                o.str("type", "text").str("text", text);
            }
            Part::Image { media_type, data } => {
                o.str("type", "image").str("media_type", media_type).str("data", data);
            }
            Part::Thinking { thinking, signature } => {
                o.str("type", "thinking").str("thinking", thinking).opt_str("signature", signature.as_deref());
            }
            Part::RedactedThinking { data } => {
                o.str("type", "redacted_thinking").str("data", data);
            }
            // The signature travels too: a hook's `messages` patch is read
            // back, and Gemini 3 refuses a call replayed without it.
            Part::ToolUse { id, name, input, signature } => {
                o.str("type", "tool_use").str("id", id).str("name", name).raw("input", input.as_str());
                o.opt_str("signature", signature.as_deref());
            }
            Part::ToolResult { tool_use_id, content, is_error } => {
                o.str("type", "tool_result").str("tool_use_id", tool_use_id);
                write_parts(content, o.key("content"));
                o.bool("is_error", *is_error);
            }
        }
        o.end();
    });
}

/// A prompt as the public API accepts it: `string | ContentBlock[]`.
#[derive(Clone, Debug, PartialEq)]
pub enum Prompt {
    Text(String),
    Blocks(Vec<Part>),
}

impl Prompt {
    pub fn from_json(value: Json<'_>) -> CoreResult<Prompt> {
        match value {
            Json::Str(text) => Ok(Prompt::Text(text.into_owned())),
            Json::Arr(items) => Ok(Prompt::Blocks(content_blocks(items, "prompt")?)),
            other => {
                Err(invalid(format!("the prompt must be a string or an array of content blocks, got {}", other.kind())))
            }
        }
    }

    /// Byte size, for the prompt limit.
    pub fn size(&self) -> usize {
        match self {
            Prompt::Text(t) => t.len(),
            Prompt::Blocks(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Text { text } => text.len(),
                    Part::Image { media_type, data } => media_type.len() + data.len(),
                    _ => 0,
                })
                .sum(),
        }
    }

    /// Nothing a model could answer: no text but blanks, and no image
    /// (Anthropic refuses a blank text block; the others answer noise).
    pub fn is_blank(&self) -> bool {
        match self {
            Prompt::Text(t) => t.trim().is_empty(),
            // Blank text as requests see it; a prompt's blocks are text or images.
            Prompt::Blocks(parts) => parts.iter().all(Part::is_empty_text),
        }
    }

    /// The text of the prompt, for the `run_started` event.
    pub fn text(&self) -> String {
        match self {
            Prompt::Text(t) => t.clone(),
            Prompt::Blocks(parts) => {
                let texts: Vec<&str> = parts
                    .iter()
                    .filter_map(|p| match p {
                        Part::Text { text } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect();
                crate::text::join(&texts, "\n")
            }
        }
    }

    pub fn into_parts(self) -> Vec<Part> {
        match self {
            Prompt::Text(text) => vec![Part::Text { text }],
            Prompt::Blocks(parts) => parts,
        }
    }
}

/// A tool result (as the tool gave it, or as a `post_tool_execution` hook
/// rewrote it) is held to `maxPromptBytes` of text and image data, like
/// a prompt: a larger one would go back with every later request of the
/// session and get each refused (413). The model reads where it was cut.
pub fn cap_tool_result(mut parts: Vec<Part>, max: usize) -> Vec<Part> {
    let mut left = max;
    for at in 0..parts.len() {
        let Some(part) = parts.get_mut(at) else { break };
        let (len, text) = match part {
            Part::Text { text } => (text.len(), Some(text)),
            Part::Image { data, .. } => (data.len(), None),
            _ => (0, None),
        };
        if len <= left {
            left -= len;
            continue;
        }
        let mut keep = at;
        if let Some(text) = text {
            while !text.is_char_boundary(left) {
                left -= 1;
            }
            text.truncate(left);
            keep += 1;
        }
        parts.truncate(keep);
        let note = format!(
            "\n[TRUNCATED: the tool result was longer than {max} bytes (maxPromptBytes); the rest was left out]"
        );
        parts.push(Part::Text { text: note });
        break;
    }
    parts
}

/// The SDK's `ContentBlock[]`: `{type:"text",text}` or
/// `{type:"image",media_type,data}` (base64, no `data:` prefix).
pub fn content_blocks(items: Vec<Json<'_>>, what: &str) -> CoreResult<Vec<Part>> {
    if items.is_empty() {
        return Err(invalid(format!("{what}: the content block array is empty")));
    }
    let mut parts = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        parts.push(content_block(item, what, i)?);
    }
    Ok(parts)
}

fn content_block(mut item: Json<'_>, what: &str, index: usize) -> CoreResult<Part> {
    let kind = item.get("type").and_then(Json::as_str).unwrap_or_default().to_string();
    let mut field = |name: &str| {
        item.take(name)
            .and_then(Json::into_string)
            .ok_or_else(|| invalid(format!("{what}[{index}]: a {kind} block needs a string field {}", quote(name))))
    };
    match kind.as_str() {
        "text" => Ok(Part::Text { text: field("text")? }),
        "image" => {
            let media_type = field("media_type")?;
            let data = field("data")?;
            check_image(&media_type, &data).map_err(|why| invalid(format!("{what}[{index}]: {why}")))?;
            Ok(Part::Image { media_type, data })
        }
        _ => Err(invalid(format!(
            "{what}[{index}] must be {{type:\"text\",text}} or {{type:\"image\",media_type,data}}"
        ))),
    }
}

fn check_image(media_type: &str, data: &str) -> Result<(), String> {
    if !matches!(media_type, "image/png" | "image/jpeg" | "image/gif" | "image/webp") {
        return Err(format!(
            "image media_type must be image/png, image/jpeg, image/gif or image/webp, got {}",
            quote(media_type)
        ));
    }
    let base64 = !data.is_empty() && data.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    if !base64 {
        return Err("image data must be non-empty base64 (without a data: URL prefix)".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hook's `messages` patch comes back in the history shape: a Gemini
    /// call must keep its signature through it (Gemini 3 answers a call
    /// replayed without one with a 400).
    #[test]
    fn the_history_shape_keeps_a_calls_signature() {
        let call = |signature: Option<&str>| {
            Message::assistant(vec![Part::ToolUse {
                id: "c1".into(),
                name: "get_weather".into(),
                input: Raw::empty_object(),
                signature: signature.map(str::to_string),
            }])
        };
        for message in [call(Some("c2ln")), call(None)] {
            let mut text = String::new();
            message.write_json(&mut text);
            let parsed = crate::json::parse(&text).map_err(|e| e.to_string());
            assert_eq!(parsed.and_then(|v| Message::from_history(&v)), Ok(message));
        }
    }
}
