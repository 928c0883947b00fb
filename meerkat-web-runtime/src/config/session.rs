//! `SessionConfig` of `runtime.createSession`, in the public camelCase shape.

use super::{Budget, MAX_PROMPT_LIMIT, RetryPolicy, Settings, check_model, output_schema};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::fields::Fields;
use crate::json::{Json, Raw};
use crate::provider::ThinkingConfig;
use crate::skills::{SkillKey, skill_keys};

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
    "budget",
    "toolTimeoutMs",
    "readOnly",
    "compaction",
    "preloadSkills",
    "skillTools",
    "authBinding",
    "apiKey",
    "baseUrl",
];

/// Longest tool timeout accepted (a day): beyond that it is a typo.
const MAX_TIMEOUT_MS: u64 = 24 * 60 * 60 * 1000;

/// When and how a session's history is summarised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompactionConfig {
    /// Estimated input tokens that trigger compaction (default: a share of
    /// the model's context window).
    pub threshold_tokens: Option<u64>,
    /// User turns kept verbatim, the current one included.
    pub keep_recent_turns: u32,
}

pub const DEFAULT_KEEP_RECENT_TURNS: u32 = 3;

impl CompactionConfig {
    pub fn from_json(value: &Json<'_>, what: &'static str) -> CoreResult<CompactionConfig> {
        let f = Fields::new(value, what, &["thresholdTokens", "keepRecentTurns"], ErrorCode::InvalidConfig)?;
        let bad = |message: String| CoreError::new(ErrorCode::InvalidConfig, message);
        let threshold_tokens = match f.u64("thresholdTokens")? {
            Some(t) if !(1..=100_000_000).contains(&t) => {
                return Err(bad(format!("{what}.thresholdTokens must be between 1 and 100000000, got {t}")));
            }
            other => other,
        };
        // Read as u64 so a huge value gets the real bounds in its message.
        let keep_recent_turns = match f.u64("keepRecentTurns")? {
            None => DEFAULT_KEEP_RECENT_TURNS,
            Some(k) if (1..=1000).contains(&k) => k as u32,
            Some(k) => return Err(bad(format!("{what}.keepRecentTurns must be between 1 and 1000, got {k}"))),
        };
        Ok(CompactionConfig { threshold_tokens, keep_recent_turns })
    }
}

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
    /// Every run's budget (a turn may override it).
    pub budget: Option<Budget>,
    /// Default timeout of host tools without their own.
    pub tool_timeout_ms: Option<u64>,
    /// Only tools registered as `readOnly` may run.
    pub read_only: bool,
    /// Automatic compaction (absent: only `session.compact()`).
    pub compaction: Option<CompactionConfig>,
    /// Skills put in the system prompt of every request.
    pub preload_skills: Vec<SkillKey>,
    /// Offer the core's `browse_skills` and `load_skill` tools.
    pub skill_tools: bool,
    /// `authBinding: {realm, binding}`: the realm binding whose endpoint
    /// and credential the session uses (absent: the default realm's).
    pub auth_binding: Option<(String, String)>,
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
        let preload_skills = match f.get("preloadSkills") {
            None => Vec::new(),
            Some(Json::Arr(items)) => skill_keys(items, "session config.preloadSkills", ErrorCode::InvalidConfig)?,
            Some(other) => {
                return Err(CoreError::new(
                    ErrorCode::InvalidConfig,
                    format!("session config.preloadSkills must be an array of skill references, got {}", other.kind()),
                ));
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
                .map(|s| output_schema(s, "session config.outputSchema"))
                .transpose()?,
            retry: match f.get("retry") {
                Some(r) => Some(RetryPolicy::from_json(r, "session config.retry", settings.retry)?),
                None => None,
            },
            budget: f.get("budget").map(|b| Budget::from_json(b, "session config.budget")).transpose()?,
            tool_timeout_ms: timeout(&f, "toolTimeoutMs", "session config")?,
            read_only: f.bool("readOnly")?.unwrap_or(false),
            compaction: f
                .get("compaction")
                .map(|c| CompactionConfig::from_json(c, "session config.compaction"))
                .transpose()?,
            preload_skills,
            skill_tools: f.bool("skillTools")?.unwrap_or(false),
            auth_binding: f.get("authBinding").map(|b| auth_binding(b, f.code())).transpose()?,
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

/// `authBinding: {realm, binding}` (checked against the realms when the
/// session is created).
pub fn auth_binding(value: &Json<'_>, code: ErrorCode) -> CoreResult<(String, String)> {
    let f = Fields::new(value, "authBinding", &["realm", "binding"], code)?;
    Ok((f.req_str("realm")?.to_string(), f.req_str("binding")?.to_string()))
}

/// A timeout in milliseconds: 1 ms to a day.
pub fn timeout(f: &Fields<'_, '_>, key: &str, what: &str) -> CoreResult<Option<u64>> {
    match f.u64(key)? {
        Some(ms) if !(1..=MAX_TIMEOUT_MS).contains(&ms) => Err(CoreError::new(
            f.code(),
            format!("{what}.{key} must be between 1 and {MAX_TIMEOUT_MS} milliseconds, got {ms}"),
        )),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

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

    #[test]
    fn new_settings_are_validated() {
        let settings = Settings::from_json("{}").unwrap();
        let parse = |text: &str| SessionConfig::from_json(&json::parse(text).unwrap(), &settings);
        let ok = parse(r#"{"toolTimeoutMs":500,"readOnly":true,"compaction":{"keepRecentTurns":2},"skillTools":true}"#)
            .unwrap();
        assert_eq!((ok.tool_timeout_ms, ok.read_only, ok.skill_tools), (Some(500), true, true));
        assert_eq!(ok.compaction.unwrap(), CompactionConfig { threshold_tokens: None, keep_recent_turns: 2 });
        for bad in [
            r#"{"toolTimeoutMs":0}"#,
            r#"{"toolTimeoutMs":-5}"#,
            r#"{"readOnly":"yes"}"#,
            r#"{"compaction":{"thresholdTokens":0}}"#,
            r#"{"compaction":{"keepRecentTurns":0}}"#,
            r#"{"compaction":{"keepRecentTurns":10000000000}}"#,
            r#"{"compaction":{"keep":1}}"#,
            r#"{"compaction":true}"#,
            r#"{"budget":{"tokens":-1}}"#,
            r#"{"preloadSkills":"x"}"#,
            r#"{"preloadSkills":["no-slash"]}"#,
            r#"{"preloadSkills":[{"sourceUuid":"a"}]}"#,
        ] {
            assert_eq!(parse(bad).unwrap_err().code, "INVALID_CONFIG", "{bad}");
        }
        // The real bounds, however far off the value is.
        let huge = parse(r#"{"compaction":{"keepRecentTurns":10000000000}}"#).unwrap_err().message.to_string();
        assert!(huge.contains("between 1 and 1000"), "{huge}");
    }
}
