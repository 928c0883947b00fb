//! Runtime and session configuration, in the public camelCase shape.
//!
//! Unknown fields are refused (a typo such as `antropicApiKey` must not pass
//! silently); the message names the field and lists the valid ones.

mod budget;
pub mod realms;
mod retry;
mod session;

pub use budget::Budget;
pub use realms::{Binding, DEFAULT_REALM};
pub use retry::RetryPolicy;
pub use session::{CompactionConfig, DEFAULT_KEEP_RECENT_TURNS, SessionConfig, auth_binding, timeout};

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::DEFAULT_LOG_CAPACITY;
use crate::fields::Fields;
use crate::json::{self, Json, Raw};
use crate::provider::{Endpoint, ProviderKind, Secret};

const RUNTIME_FIELDS: &[&str] = &[
    "anthropicApiKey",
    "anthropicBaseUrl",
    "openaiApiKey",
    "openaiBaseUrl",
    "geminiApiKey",
    "geminiBaseUrl",
    "apiKey",
    "baseUrl",
    "model",
    "maxTokens",
    "maxTurns",
    "eventQueueCapacity",
    "maxPromptBytes",
    "retry",
    "realms",
];

/// The validated runtime settings the core works from.
#[derive(Clone, Debug)]
pub struct Settings {
    pub anthropic: Endpoint,
    pub openai: Endpoint,
    pub gemini: Endpoint,
    pub default_model: Option<String>,
    pub max_tokens: u32,
    pub max_turns: u32,
    pub event_queue_capacity: usize,
    pub max_prompt_bytes: usize,
    pub retry: RetryPolicy,
    /// The bindings of `realms` (the default realm's are the fields above).
    pub bindings: Vec<Binding>,
}

pub const DEFAULT_MAX_TOKENS: u32 = 4096;
pub const DEFAULT_MAX_TURNS: u32 = 25;
pub const DEFAULT_MAX_PROMPT_BYTES: usize = 4 * 1024 * 1024;
/// Upper bounds that keep a typo from allocating the machine away.
const MAX_QUEUE_CAPACITY: usize = 10_000_000;
pub(crate) const MAX_PROMPT_LIMIT: usize = 64 * 1024 * 1024;

impl Settings {
    /// Parse and validate a `RuntimeConfig`. Unknown fields are refused (a
    /// typo such as `antropicApiKey` must not pass silently).
    pub fn from_json(text: &str) -> CoreResult<Settings> {
        let value = json::parse(text)
            .map_err(|e| CoreError::new(ErrorCode::InvalidConfig, format!("runtime config is not valid JSON: {e}")))?;
        let f = Fields::new(&value, "runtime config", RUNTIME_FIELDS, ErrorCode::InvalidConfig)?;
        let model = f.string("model")?;
        if let Some(m) = &model {
            check_model(m)?;
        }
        let mut settings = Settings {
            anthropic: endpoint(&f, "anthropicApiKey", "anthropicBaseUrl")?,
            openai: endpoint(&f, "openaiApiKey", "openaiBaseUrl")?,
            gemini: endpoint(&f, "geminiApiKey", "geminiBaseUrl")?,
            default_model: model,
            max_tokens: positive("maxTokens", f.u32("maxTokens")?, DEFAULT_MAX_TOKENS)?,
            max_turns: positive("maxTurns", f.u32("maxTurns")?, DEFAULT_MAX_TURNS)?,
            event_queue_capacity: bounded(
                "eventQueueCapacity",
                f.u64("eventQueueCapacity")?,
                DEFAULT_LOG_CAPACITY,
                MAX_QUEUE_CAPACITY,
            )?,
            max_prompt_bytes: bounded(
                "maxPromptBytes",
                f.u64("maxPromptBytes")?,
                DEFAULT_MAX_PROMPT_BYTES,
                MAX_PROMPT_LIMIT,
            )?,
            retry: match f.get("retry") {
                Some(r) => RetryPolicy::from_json(r, "runtime config.retry", RetryPolicy::default())?,
                None => RetryPolicy::default(),
            },
            bindings: match f.get("realms") {
                Some(r) => realms::parse(r)?,
                None => Vec::new(),
            },
        };
        // The legacy fields fill in for the default model's provider only
        // where its specific field is absent.
        let legacy_target = match &settings.default_model {
            Some(m) => ProviderKind::for_model(m).unwrap_or(ProviderKind::Anthropic),
            None => ProviderKind::Anthropic,
        };
        let legacy = endpoint(&f, "apiKey", "baseUrl")?;
        let endpoint = settings.endpoint_mut(legacy_target);
        if endpoint.api_key.is_none() {
            endpoint.api_key = legacy.api_key;
        }
        if endpoint.base_url.is_none() {
            endpoint.base_url = legacy.base_url;
        }
        Ok(settings)
    }

    pub fn endpoint(&self, kind: ProviderKind) -> &Endpoint {
        match kind {
            ProviderKind::Anthropic => &self.anthropic,
            ProviderKind::OpenAi => &self.openai,
            ProviderKind::Gemini => &self.gemini,
        }
    }

    /// The index of binding `name` of `realm` among `bindings`.
    pub fn binding(&self, realm: &str, name: &str) -> Option<usize> {
        self.bindings.iter().position(|b| b.realm == realm && b.name == name)
    }

    fn endpoint_mut(&mut self, kind: ProviderKind) -> &mut Endpoint {
        match kind {
            ProviderKind::Anthropic => &mut self.anthropic,
            ProviderKind::OpenAi => &mut self.openai,
            ProviderKind::Gemini => &mut self.gemini,
        }
    }
}

/// A provider's key and base URL from the fields that name them.
fn endpoint(f: &Fields<'_, '_>, key: &str, url: &str) -> CoreResult<Endpoint> {
    let api_key = f.str(key)?.map(Secret::new);
    let base_url = f.string(url)?;
    if let Some(u) = &base_url {
        check_base_url(url, u)?;
    }
    Ok(Endpoint { api_key, base_url, bearer: false })
}

fn positive(field: &str, value: Option<u32>, default: u32) -> CoreResult<u32> {
    match value {
        None => Ok(default),
        Some(0) => Err(CoreError::new(ErrorCode::InvalidConfig, format!("{field} must be at least 1"))),
        Some(v) => Ok(v),
    }
}

fn bounded(field: &str, value: Option<u64>, default: usize, max: usize) -> CoreResult<usize> {
    match value {
        None => Ok(default),
        // Compared as given: a value past usize (wasm32's is 32 bits) is quoted, not clamped.
        Some(v) if v >= 1 && usize::try_from(v).is_ok_and(|v| v <= max) => Ok(usize::try_from(v).unwrap_or(max)),
        Some(v) => Err(CoreError::new(
            ErrorCode::InvalidConfig,
            format!("{field} must be an integer from 1 to {max}, got {v}"),
        )),
    }
}

pub(crate) fn check_base_url(field: &str, url: &str) -> CoreResult<()> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() > "http://".len()
        && url.len() <= 2048
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(CoreError::new(
            ErrorCode::InvalidConfig,
            format!("{field} must be an absolute http(s) URL such as \"http://localhost:3100/anthropic\""),
        ))
    }
}

pub fn check_model(model: &str) -> CoreResult<()> {
    let ok = !model.is_empty() && model.len() <= 256 && !model.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(CoreError::new(
            ErrorCode::InvalidConfig,
            "model must be a non-empty name without spaces, such as \"claude-sonnet-4-6\"",
        ))
    }
}

/// A structured-output schema must be a JSON object (a JSON Schema).
pub fn output_schema(value: &Json<'_>, what: &str) -> CoreResult<Raw> {
    if value.as_object().is_none() {
        return Err(CoreError::new(ErrorCode::InvalidConfig, format!("{what} must be a JSON Schema object")));
    }
    crate::schema::check(value).map_err(|why| {
        CoreError::new(ErrorCode::InvalidConfig, format!("{what} is not a usable JSON Schema: {why}"))
    })?;
    Ok(Raw::from_json(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_fields_fill_the_default_provider() {
        let s = Settings::from_json(r#"{"apiKey":"k","baseUrl":"http://127.0.0.1:1/anthropic"}"#).unwrap();
        assert_eq!(s.anthropic.api_key.as_ref().unwrap().expose(), "k");
        let s = Settings::from_json(r#"{"apiKey":"legacy","anthropicApiKey":"specific"}"#).unwrap();
        assert_eq!(s.anthropic.api_key.as_ref().unwrap().expose(), "specific");
    }

    #[test]
    fn typos_and_bad_values_are_refused_with_the_field_named() {
        let e = Settings::from_json(r#"{"antropicApiKey":"k"}"#).unwrap_err();
        assert_eq!(e.code, "INVALID_CONFIG");
        assert!(e.message.contains("antropicApiKey"), "{}", e.message);
        let e = Settings::from_json(r#"{"anthropicBaseUrl":"localhost:3100"}"#).unwrap_err();
        assert!(e.message.contains("anthropicBaseUrl"));
        assert!(Settings::from_json(r#"{"maxTokens":0}"#).is_err());
        assert!(Settings::from_json(r#"{"eventQueueCapacity":-1}"#).is_err());
        assert!(Settings::from_json("[]").is_err());
    }

    #[test]
    fn an_out_of_range_size_is_quoted_as_given() {
        // Past wasm32's usize: quoted, not clamped to 4294967295.
        for (given, quoted) in [("4294967296", "4294967296"), ("1000000000000", "1000000000000"), ("0", "0")] {
            let e = Settings::from_json(&format!(r#"{{"eventQueueCapacity":{given}}}"#)).unwrap_err();
            assert_eq!(e.code, "INVALID_CONFIG");
            assert!(
                e.message.ends_with(&format!("must be an integer from 1 to {MAX_QUEUE_CAPACITY}, got {quoted}")),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn secrets_never_print() {
        let s = Settings::from_json(r#"{"anthropicApiKey":"sk-ant-SECRET"}"#).unwrap();
        assert!(!format!("{s:?}").contains("SECRET"));
    }
}
