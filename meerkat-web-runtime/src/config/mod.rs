//! Runtime and session configuration, in the public camelCase shape.
//!
//! Unknown fields are refused (a typo such as `antropicApiKey` must not pass
//! silently); the message names the field and lists the valid ones.

use crate::agent::RetryPolicy;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::DEFAULT_QUEUE_CAPACITY;
use crate::fields::Fields;
use crate::json::{self, Json, Raw};
use crate::provider::ProviderKind;

/// A credential: never printed, never serialized back out.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(***)")
    }
}

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
];

/// Resolved credentials and endpoint of one provider.
#[derive(Clone, Debug, Default)]
pub struct Endpoint {
    pub api_key: Option<Secret>,
    pub base_url: Option<String>,
}

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
}

pub const DEFAULT_MAX_TOKENS: u32 = 4096;
pub const DEFAULT_MAX_TURNS: u32 = 25;
pub const DEFAULT_MAX_PROMPT_BYTES: usize = 4 * 1024 * 1024;
/// Upper bounds that keep a typo from allocating the machine away.
const MAX_QUEUE_CAPACITY: usize = 10_000_000;
const MAX_PROMPT_LIMIT: usize = 64 * 1024 * 1024;

impl Settings {
    /// Parse and validate a `RuntimeConfig`. Unknown fields are refused (a
    /// typo such as `antropicApiKey` must not pass silently).
    pub fn from_json(text: &str) -> CoreResult<Settings> {
        let value = json::parse(text)
            .map_err(|e| CoreError::new(ErrorCode::InvalidConfig, format!("runtime config is not valid JSON: {e}")))?;
        let f = Fields::new(&value, "runtime config", RUNTIME_FIELDS, ErrorCode::InvalidConfig)?;
        let secret = |key| f.str(key).map(|s| s.map(Secret::new));
        let url = |key| -> CoreResult<Option<String>> {
            let url = f.string(key)?;
            if let Some(u) = &url {
                check_base_url(key, u)?;
            }
            Ok(url)
        };
        let model = f.string("model")?;
        if let Some(m) = &model {
            check_model(m)?;
        }
        let mut settings = Settings {
            anthropic: Endpoint { api_key: secret("anthropicApiKey")?, base_url: url("anthropicBaseUrl")? },
            openai: Endpoint { api_key: secret("openaiApiKey")?, base_url: url("openaiBaseUrl")? },
            gemini: Endpoint { api_key: secret("geminiApiKey")?, base_url: url("geminiBaseUrl")? },
            default_model: model,
            max_tokens: positive("maxTokens", f.u32("maxTokens")?, DEFAULT_MAX_TOKENS)?,
            max_turns: positive("maxTurns", f.u32("maxTurns")?, DEFAULT_MAX_TURNS)?,
            event_queue_capacity: bounded(
                "eventQueueCapacity",
                f.u64("eventQueueCapacity")?,
                DEFAULT_QUEUE_CAPACITY,
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
        };
        // The legacy fields fill in for the default model's provider only
        // where its specific field is absent.
        let legacy_target = match &settings.default_model {
            Some(m) => ProviderKind::for_model(m).unwrap_or(ProviderKind::Anthropic),
            None => ProviderKind::Anthropic,
        };
        let legacy_key = secret("apiKey")?;
        let legacy_url = url("baseUrl")?;
        let endpoint = settings.endpoint_mut(legacy_target);
        if endpoint.api_key.is_none() {
            endpoint.api_key = legacy_key;
        }
        if endpoint.base_url.is_none() {
            endpoint.base_url = legacy_url;
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

    fn endpoint_mut(&mut self, kind: ProviderKind) -> &mut Endpoint {
        match kind {
            ProviderKind::Anthropic => &mut self.anthropic,
            ProviderKind::OpenAi => &mut self.openai,
            ProviderKind::Gemini => &mut self.gemini,
        }
    }
}

fn positive(field: &str, value: Option<u32>, default: u32) -> CoreResult<u32> {
    match value {
        None => Ok(default),
        Some(0) => Err(CoreError::new(ErrorCode::InvalidConfig, format!("{field} must be at least 1"))),
        Some(v) => Ok(v),
    }
}

fn bounded(field: &str, value: Option<u64>, default: usize, max: usize) -> CoreResult<usize> {
    match value.map(|v| usize::try_from(v).unwrap_or(usize::MAX)) {
        None => Ok(default),
        Some(v) if (1..=max).contains(&v) => Ok(v),
        Some(v) => {
            Err(CoreError::new(ErrorCode::InvalidConfig, format!("{field} must be between 1 and {max}, got {v}")))
        }
    }
}

fn check_base_url(field: &str, url: &str) -> CoreResult<()> {
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

/// Extended-thinking settings of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThinkingConfig {
    pub budget_tokens: u32,
}

const SESSION_FIELDS: &[&str] = &[
    "model",
    "provider",
    "systemPrompt",
    "maxTokens",
    "maxTurns",
    "temperature",
    "thinking",
    "tools",
    "retry",
    "openaiApi",
    "outputSchema",
    "apiKey",
    "baseUrl",
];

/// `SessionConfig` of `runtime.createSession`.
#[derive(Clone, Debug, Default)]
pub struct SessionConfig {
    pub model: Option<String>,
    pub provider: Option<String>,
    pub system_prompt: Option<String>,
    pub max_tokens: Option<u32>,
    pub max_turns: Option<u32>,
    /// Kept as written (validated to lie in 0..=2), sent verbatim.
    pub temperature: Option<Raw>,
    pub thinking: Option<ThinkingConfig>,
    /// Names of registered tools this session may use (default: all).
    pub tools: Option<Vec<String>>,
    /// Overrides the runtime's retry policy, field by field.
    pub retry: Option<RetryPolicy>,
    /// OpenAI only: `"chat"` (Chat Completions, the default) or `"responses"`.
    pub openai_api: Option<String>,
    /// JSON Schema every run's final answer must follow (a turn may override it).
    pub output_schema: Option<Raw>,
}

impl SessionConfig {
    pub fn from_json(value: &Json<'_>, settings: &Settings) -> CoreResult<SessionConfig> {
        let f = Fields::new(value, "session config", SESSION_FIELDS, ErrorCode::InvalidConfig)?;
        if f.get("apiKey").is_some() || f.get("baseUrl").is_some() {
            return Err(CoreError::new(
                ErrorCode::InvalidConfig,
                "SessionConfig takes no apiKey or baseUrl: set anthropicApiKey/anthropicBaseUrl (or the openai/gemini fields) in the runtime config",
            ));
        }
        let thinking = match f.get("thinking") {
            None => None,
            Some(t) => {
                let t = Fields::new(t, "session config.thinking", &["budgetTokens"], ErrorCode::InvalidConfig)?;
                let budget = t.u32("budgetTokens")?.ok_or_else(|| {
                    CoreError::new(ErrorCode::InvalidConfig, "thinking needs budgetTokens (at least 1024)")
                })?;
                Some(ThinkingConfig { budget_tokens: budget })
            }
        };
        let config = SessionConfig {
            model: f.string("model")?,
            provider: f.string("provider")?,
            system_prompt: f.string("systemPrompt")?,
            max_tokens: f.u32("maxTokens")?,
            max_turns: f.u32("maxTurns")?,
            temperature: match f.decimal("temperature", 1000)? {
                Some(t) if t > 2000 => {
                    return Err(CoreError::new(ErrorCode::InvalidConfig, "temperature must be between 0 and 2"));
                }
                Some(_) => f.get("temperature").map(Raw::from_json),
                None => None,
            },
            thinking,
            tools: f.str_list("tools")?,
            openai_api: f.string("openaiApi")?,
            output_schema: f
                .get("outputSchema")
                .map(|s| crate::runtime::output_schema(s, "session config.outputSchema"))
                .transpose()?,
            retry: match f.get("retry") {
                Some(r) => Some(RetryPolicy::from_json(r, "session config.retry", settings.retry)?),
                None => None,
            },
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> CoreResult<()> {
        if let Some(model) = &self.model {
            check_model(model)?;
        }
        for (field, value) in [("maxTokens", self.max_tokens), ("maxTurns", self.max_turns)] {
            if value == Some(0) {
                return Err(CoreError::new(ErrorCode::InvalidConfig, format!("{field} must be at least 1")));
            }
        }
        if let Some(prompt) = &self.system_prompt
            && prompt.len() > MAX_PROMPT_LIMIT
        {
            return Err(CoreError::new(ErrorCode::PromptTooLarge, "systemPrompt is larger than 64 MiB"));
        }
        Ok(())
    }
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
    fn secrets_never_print() {
        let s = Settings::from_json(r#"{"anthropicApiKey":"sk-ant-SECRET"}"#).unwrap();
        assert!(!format!("{s:?}").contains("SECRET"));
    }

    #[test]
    fn session_config_refuses_keys_and_urls() {
        let settings = Settings::from_json("{}").unwrap();
        let parse = |text: &str| SessionConfig::from_json(&json::parse(text).unwrap(), &settings);
        let e = parse(r#"{"model":"claude-x","apiKey":"k"}"#).unwrap_err();
        assert!(e.message.contains("runtime config"));
        assert!(parse(r#"{"temperature":3}"#).is_err());
        assert!(parse(r#"{"model":""}"#).is_err());
        assert!(parse(r#"{"thinking":{}}"#).is_err());
        assert!(parse(r#"{"tools":"clock"}"#).is_err());
        assert_eq!(
            parse(r#"{"model":"claude-x","systemPrompt":"s","temperature":0.5}"#).unwrap().temperature,
            Some(Raw::from_json(&json::parse("0.5").unwrap()))
        );
    }
}
