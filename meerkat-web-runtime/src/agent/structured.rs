//! Structured output: the final answer parsed as JSON and checked against
//! the run's schema. Mismatches are warnings beside the parsed value, never
//! a failed run: the caller decides what to do with an imperfect answer.

use crate::json::{self, Raw};
use crate::provider::{AssistantTurn, ProviderKind, WRAPPER_KEY};
use crate::results::SchemaWarning;
use crate::schema;
use crate::transcript::Part;

/// Parse `text` (the final answer) and validate it against `schema`.
pub fn check(schema_text: &Raw, text: &str, provider: &'static str) -> (Option<Raw>, Vec<SchemaWarning>) {
    let warn = |path: String, message: String| SchemaWarning { provider, path, message };
    let body = strip_code_fence(text.trim());
    let value = match json::parse(body) {
        Ok(value) => value,
        Err(e) => return (None, vec![warn(String::new(), format!("the answer is not valid JSON: {e}"))]),
    };
    let warnings = match json::parse(schema_text.as_str()) {
        Ok(schema) => schema::validate(&schema, &value).into_iter().map(|v| warn(v.path, v.message)).collect(),
        Err(_) => Vec::new(), // validated as JSON when it was given
    };
    (Some(Raw::from_json(&value)), warnings)
}

/// A final answer to a schema the provider got wrapped
/// ([`ProviderKind::wraps`]) comes out of its wrapper here, before hooks,
/// events, history and the result see it: `{"value":[1,2]}` becomes
/// `[1,2]`, as if the provider had answered the bare value. An answer of
/// another shape is kept as it came, to be checked against the caller's
/// schema like any other (so a mismatch is a warning).
#[inline(never)]
pub fn unwrap_turn(provider: ProviderKind, schema: Option<&Raw>, turn: &mut AssistantTurn) {
    let wraps = schema.and_then(|s| json::parse(s.as_str()).ok()).is_some_and(|s| provider.wraps(&s));
    if !wraps || !turn.tool_calls.is_empty() {
        return;
    }
    let text = turn.text();
    let Ok(answer) = json::parse(strip_code_fence(text.trim())) else { return };
    if let Some([(key, value)]) = answer.as_object()
        && key == WRAPPER_KEY
    {
        // The value in the first text part, the others emptied.
        let mut value = value.to_text();
        for part in &mut turn.content {
            if let Part::Text { text } = part {
                *text = std::mem::take(&mut value);
            }
        }
    }
}

/// Models asked for JSON sometimes still wrap it in a Markdown fence.
fn strip_code_fence(text: &str) -> &str {
    let Some(inner) = text.strip_prefix("```") else { return text };
    let Some(inner) = inner.strip_suffix("```") else { return text };
    // Drop the info string (`json`) on the opening line.
    inner.split_once('\n').map_or(inner, |(_, body)| body).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Raw {
        Raw::from_json(
            &json::parse(r#"{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]}"#).unwrap(),
        )
    }

    #[test]
    fn valid_invalid_and_broken_answers() {
        let (value, warnings) = check(&schema(), " {\"n\": 3} ", "anthropic");
        assert_eq!(value.unwrap().as_str(), r#"{"n":3}"#);
        assert!(warnings.is_empty());

        let (value, warnings) = check(&schema(), r#"{"n":"three"}"#, "openai");
        assert!(value.is_some());
        assert_eq!(warnings.len(), 1);
        assert_eq!((warnings[0].provider, warnings[0].path.as_str()), ("openai", "/n"));

        let (value, warnings) = check(&schema(), "Sure! Here it is: n=3", "gemini");
        assert!(value.is_none());
        assert!(warnings[0].message.starts_with("the answer is not valid JSON"));

        let (value, warnings) = check(&schema(), "```json\n{\"n\": 1}\n```", "anthropic");
        assert!(value.is_some() && warnings.is_empty());
    }
}
