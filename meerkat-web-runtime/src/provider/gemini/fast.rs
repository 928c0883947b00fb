//! Gemini's fast path: the chunks of a text stream (one candidate, one
//! visible text part, the running usage), read by their
//! [`Shape`](crate::json::Shape) once the general path has read one.

use super::{GeminiEvents, usage_of};
use crate::error::CoreResult;
use crate::json::{Json, Use};
use crate::provider::TextSink;

/// The counts of `usageMetadata` that make a usage (see `read_usage`).
pub(super) const USAGE_COUNTS: [&str; 5] = [
    "promptTokenCount",
    "cachedContentTokenCount",
    "toolUsePromptTokenCount",
    "candidatesTokenCount",
    "thoughtsTokenCount",
];

/// The fields the fast path reads; the usage counts follow, in
/// `USAGE_COUNTS`' order.
const TEXT: u8 = 0;
const FINISH_REASON: u8 = 1;
const USAGE: u8 = 2;

/// What the general path makes of each value of a plain text chunk (see
/// [`Shape`](crate::json::Shape)): it reads the text, the finish reason and the usage counts,
/// decides on the part's `thought` and on a block reason, and never reads
/// the rest (role, index, the other counts and their details, the model
/// version, the response id).
const PLAIN_CHUNK_USES: &[(&[&str], Use)] = &[
    (&["candidates", "content", "parts", "text"], Use::Field(TEXT)),
    (&["candidates", "finishReason"], Use::Field(FINISH_REASON)),
    (&["usageMetadata", USAGE_COUNTS[0]], Use::Field(USAGE)),
    (&["usageMetadata", USAGE_COUNTS[1]], Use::Field(USAGE + 1)),
    (&["usageMetadata", USAGE_COUNTS[2]], Use::Field(USAGE + 2)),
    (&["usageMetadata", USAGE_COUNTS[3]], Use::Field(USAGE + 3)),
    (&["usageMetadata", USAGE_COUNTS[4]], Use::Field(USAGE + 4)),
    (&["candidates", "content", "parts", "thought"], Use::Checked),
    (&["promptFeedback", "blockReason"], Use::Checked),
];

impl GeminiEvents {
    /// Read `data` as the general path would if it has the shape of the
    /// last plain chunk; whether it had.
    pub(super) fn read_plain(&mut self, data: &str, sink: &mut dyn TextSink) -> CoreResult<bool> {
        let mut fields: [Option<Json<'_>>; 7] = Default::default();
        if self.shape.read(data, &mut fields).is_none() {
            return Ok(false);
        }
        let field = |i: u8| fields.get(usize::from(i)).and_then(Option::as_ref);
        let count = |i: u8| field(USAGE + i).and_then(Json::as_u64).unwrap_or(0);
        self.usage = usage_of([count(0), count(1), count(2), count(3), count(4)]);
        if let Some(text) = field(TEXT).and_then(Json::as_str) {
            self.on_visible(text, sink)?;
        }
        if let Some(reason) = field(FINISH_REASON).and_then(Json::as_str) {
            self.finish_reason = Some(reason.to_string());
        }
        Ok(true)
    }

    /// After the general path read a chunk: if that was all text (one
    /// candidate with one visible text part, and the usage), later chunks
    /// of its shape take the fast path. (A block reason is fine: it stays
    /// the same in those chunks, and only whether there is one counts.)
    pub(super) fn learn_plain(
        &mut self,
        data: &str,
        wire: &Json<'_>,
        candidates: &[Json<'_>],
        parts: Option<&[Json<'_>]>,
    ) {
        let visible = |part: &Json<'_>| {
            part.get("functionCall").is_none() && part.get("thought").and_then(Json::as_bool) != Some(true)
        };
        if wire.get("usageMetadata").is_some()
            && candidates.len() == 1
            && matches!(parts, Some([part]) if visible(part))
        {
            self.shape.learn(data, wire, PLAIN_CHUNK_USES);
        }
    }
}

#[cfg(test)]
mod tests;
