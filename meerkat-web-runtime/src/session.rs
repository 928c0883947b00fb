//! A session: one conversation with its settings, transcript, event log
//! and counters. The run engine (`agent`) drives it; this layer knows
//! nothing of runs.

use crate::config::{Budget, CompactionConfig, DEFAULT_REALM, RetryPolicy, SessionConfig, Settings, check_model};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::EventLog;
use crate::json::{ObjectWriter, Raw, quote, write_u64};
use crate::provider::{ProviderKind, ThinkingConfig, WireApi};
use crate::results::{RunResult, Totals};
use crate::skills::{SkillKey, SkillRegistry};
use crate::tools::{self, CoreTool, ToolRegistry};
use crate::transcript::Message;

#[derive(Debug)]
pub struct Session {
    pub id: String,
    pub model: String,
    pub provider: ProviderKind,
    /// The wire protocol (a family like OpenAI has two).
    pub api: WireApi,
    /// The realm binding (index in `Settings::bindings`) whose endpoint
    /// and credential the requests use; none: the default realm's.
    pub binding: Option<usize>,
    pub system_prompt: Option<String>,
    pub max_tokens: u32,
    pub max_turns: u32,
    pub temperature: Option<Raw>,
    pub thinking: Option<ThinkingConfig>,
    pub tools: Option<Vec<String>>,
    /// The session's own retry policy (else the runtime's).
    pub retry: Option<RetryPolicy>,
    /// Structured output for every run (a turn may override it).
    pub output_schema: Option<Raw>,
    /// Every run's budget (a turn may override it).
    pub budget: Option<Budget>,
    pub tool_timeout_ms: Option<u64>,
    pub read_only: bool,
    pub compaction: Option<CompactionConfig>,
    pub preload_skills: Vec<SkillKey>,
    /// The core tools this session offers.
    pub core_tools: Vec<CoreTool>,
    /// Added to the system prompt by `appendSystemContext`.
    pub system_context: Vec<String>,
    pub transcript: Vec<Message>,
    pub events: EventLog,
    pub totals: Totals,
    /// Boxed: most sessions at any moment are idle, some never ran.
    pub last_result: Option<Box<RunResult>>,
    /// Read-only: history kept, no new turns.
    pub archived: bool,
    pub created_ms: f64,
    pub updated_ms: f64,
}

impl Session {
    /// Resolve a session config against the runtime settings: model,
    /// provider, credentials and tool names must all be usable.
    pub fn create(
        id: String,
        config: SessionConfig,
        settings: &Settings,
        registry: &ToolRegistry,
        skills: &SkillRegistry,
        now_ms: f64,
    ) -> CoreResult<Session> {
        let defaulted = config.model.is_none();
        let model = match config.model.or_else(|| settings.default_model.clone()) {
            Some(m) => m,
            None => {
                return Err(CoreError::new(
                    ErrorCode::ModelRequired,
                    "no model: pass { model: \"claude-sonnet-4-6\" } to createSession or set model in the runtime config",
                ));
            }
        };
        check_model(&model)?;
        let (provider, binding) =
            match bound(&model, config.auth_binding.as_ref(), config.provider.as_deref(), settings)? {
                Some(found) => found,
                None => (resolve_provider(&model, config.provider.as_deref())?, None),
            };
        // The runtime's default model is its provider's: sent to another one,
        // it would fail at the first turn with that provider's 404.
        if defaulted && ProviderKind::for_model(&model).is_some_and(|p| p != provider) {
            return Err(CoreError::new(
                ErrorCode::ModelRequired,
                format!(
                    "provider {} needs a model: the runtime's default, {model}, is not one of its models",
                    provider.name()
                ),
            ));
        }
        let declared = binding.and_then(|i| settings.bindings.get(i));
        if declared.is_none() && settings.endpoint(provider).api_key.is_none() {
            return Err(CoreError::new(
                ErrorCode::ProviderNotConfigured,
                format!(
                    "model {model} needs {}ApiKey in the runtime config (a dummy value works behind rkat-web-proxy)",
                    provider.name()
                ),
            ));
        }
        let openai_api = config.openai_api.as_deref().or(declared.and_then(|b| b.openai_api.as_deref()));
        let api = WireApi::for_family(provider, openai_api).ok_or_else(|| {
            CoreError::new(
                ErrorCode::InvalidConfig,
                "openaiApi is \"chat\" or \"responses\", and applies to OpenAI models only",
            )
        })?;
        if api.implementation().is_none() {
            return Err(CoreError::new(
                ErrorCode::UnsupportedModel,
                format!("the {} provider (model {model}) is not available in this build", provider.name()),
            ));
        }
        if let Some(names) = &config.tools
            && let Some(missing) = names.iter().find(|n| registry.get(n).is_none())
        {
            return Err(tools::not_found(missing));
        }
        for key in &config.preload_skills {
            skills.resolve(key)?;
        }
        if let Some(thinking) = &config.thinking {
            // Claude refuses the pair with a 400, and only at the first turn.
            if provider == ProviderKind::Anthropic && config.temperature.as_ref().is_some_and(|t| t.as_str() != "1") {
                return Err(CoreError::new(
                    ErrorCode::InvalidConfig,
                    "Claude takes no temperature other than 1 with thinking: drop temperature or thinking",
                ));
            }
            let max_tokens = config.max_tokens.unwrap_or(settings.max_tokens);
            if thinking.budget_tokens < 1024 || thinking.budget_tokens >= max_tokens {
                return Err(CoreError::new(
                    ErrorCode::InvalidConfig,
                    format!("thinking.budgetTokens must be at least 1024 and below maxTokens ({max_tokens})"),
                ));
            }
        }
        Ok(Session {
            id,
            model,
            provider,
            api,
            binding,
            system_prompt: config.system_prompt,
            max_tokens: config.max_tokens.unwrap_or(settings.max_tokens),
            max_turns: config.max_turns.unwrap_or(settings.max_turns),
            temperature: config.temperature,
            thinking: config.thinking,
            tools: config.tools,
            retry: config.retry,
            output_schema: config.output_schema,
            budget: config.budget,
            tool_timeout_ms: config.tool_timeout_ms,
            read_only: config.read_only,
            compaction: config.compaction,
            preload_skills: config.preload_skills,
            core_tools: if config.skill_tools { CoreTool::SKILLS.to_vec() } else { Vec::new() },
            system_context: Vec::new(),
            transcript: Vec::new(),
            events: EventLog::new(settings.event_queue_capacity),
            totals: Totals::default(),
            last_result: None,
            archived: false,
            created_ms: now_ms,
            updated_ms: now_ms,
        })
    }

    /// The system prompt of the next request: the configured one, then
    /// appended context, then `extra` (resolved skills).
    pub fn system_prompt(&self, extra: &str) -> Option<String> {
        // A plain loop: an iterator chain here costs the wasm ~0.5 KB.
        let mut out = String::new();
        let mut add = |part: &str| {
            if !part.is_empty() {
                if !out.is_empty() {
                    out.push_str("\n\n");
                }
                out.push_str(part);
            }
        };
        add(self.system_prompt.as_deref().unwrap_or_default());
        for part in &self.system_context {
            add(part);
        }
        add(extra);
        (!out.is_empty()).then_some(out)
    }

    /// Refuse a change to an archived session (a turn, appended context).
    pub fn check_open(&self) -> CoreResult<()> {
        if self.archived {
            return Err(CoreError::new(
                ErrorCode::SessionArchived,
                format!("session {} is archived: its history can be read, but it takes no new turns", self.id),
            ));
        }
        Ok(())
    }

    /// What the native tests' `session_info` command reports.
    #[cfg(any(test, fuzzing))]
    pub fn write_info(&self, running: bool, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("sessionId", &self.id).str("model", &self.model).str("provider", self.provider.name());
        o.bool("running", running).bool("archived", self.archived);
        o.u64("messageCount", self.transcript.len() as u64).u64("queuedEvents", self.events.len() as u64);
        self.totals.write_json(o.key("totals"));
        if let Some(result) = &self.last_result {
            result.write_json(o.key("lastResult"));
        }
        o.end();
    }

    /// The SDK's `SessionInfo`.
    pub fn write_summary(&self, running: bool, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("sessionId", &self.id);
        write_iso8601(self.created_ms, o.key("createdAt"));
        write_iso8601(self.updated_ms, o.key("updatedAt"));
        o.u64("messageCount", self.transcript.len() as u64);
        let usage = &self.totals.usage;
        let total = usage.input_tokens
            + usage.output_tokens
            + usage.cache_creation_tokens.unwrap_or(0)
            + usage.cache_read_tokens.unwrap_or(0);
        o.u64("totalTokens", total).bool("isActive", running);
        o.end();
    }
}

/// Unix milliseconds as `"2026-12-02T18:14:11.000Z"` (a JSON string).
pub fn write_iso8601(ms: f64, out: &mut String) {
    let ms = if ms.is_finite() && ms > 0.0 { ms as u64 } else { 0 };
    let days = ms / 86_400_000;
    let in_day = ms % 86_400_000;
    // Civil date from days since 1970-01-01 (Howard Hinnant's civil_from_days).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let two = |n: u64, out: &mut String| {
        if n < 10 {
            out.push('0');
        }
        write_u64(n, out);
    };
    out.push('"');
    write_u64(year, out);
    for (sep, n) in
        [('-', month), ('-', day), ('T', in_day / 3_600_000), (':', in_day / 60_000 % 60), (':', in_day / 1000 % 60)]
    {
        out.push(sep);
        two(n, out);
    }
    out.push('.');
    let millis = in_day % 1000;
    if millis < 100 {
        out.push('0');
    }
    two(millis, out);
    out.push_str("Z\"");
}

/// The provider and the declared binding (index in `Settings::bindings`;
/// none for the default realm) of the session's `authBinding`, if it has
/// one: the realm and binding must exist (`AUTH_BINDING_NOT_FOUND`), and
/// the model must be one of the binding's provider.
fn bound(
    model: &str,
    auth_binding: Option<&(String, String)>,
    named: Option<&str>,
    settings: &Settings,
) -> CoreResult<Option<(ProviderKind, Option<usize>)>> {
    let Some((realm, name)) = auth_binding else { return Ok(None) };
    let found = if realm == DEFAULT_REALM {
        ProviderKind::parse(name).map(|p| (p, None))
    } else {
        settings.binding(realm, name).and_then(|i| Some((settings.bindings.get(i)?.provider, Some(i))))
    };
    let Some(found) = found else {
        return Err(CoreError::new(
            ErrorCode::AuthBindingNotFound,
            format!("authBinding {realm}/{name} is not declared in the runtime config's realms"),
        ));
    };
    // The model (or the provider named) must be the binding's provider.
    let family = match named {
        Some(p) => ProviderKind::parse(p),
        None => ProviderKind::for_model(model),
    };
    if family.map_or(named.is_some(), |f| f != found.0) {
        return Err(CoreError::new(
            ErrorCode::InvalidConfig,
            format!("authBinding {realm}/{name} reaches {}: model {model} is not one of its models", found.0.name()),
        ));
    }
    Ok(Some(found))
}

fn resolve_provider(model: &str, explicit: Option<&str>) -> CoreResult<ProviderKind> {
    if let Some(name) = explicit {
        return ProviderKind::parse(name).ok_or_else(|| {
            CoreError::new(
                ErrorCode::InvalidConfig,
                format!("provider must be \"anthropic\", \"openai\" or \"gemini\", got {}", quote(name)),
            )
        });
    }
    ProviderKind::for_model(model).ok_or_else(|| {
        CoreError::new(
            ErrorCode::UnsupportedModel,
            format!(
                "cannot tell the provider of model {}: use a claude-*, gpt-*/o*, or gemini-* model, or set provider",
                quote(model)
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        let iso = |ms: f64| {
            let mut out = String::new();
            write_iso8601(ms, &mut out);
            out
        };
        assert_eq!(iso(0.0), "\"1970-01-01T00:00:00.000Z\"");
        assert_eq!(iso(1_445_412_480_007.0), "\"2015-10-21T07:28:00.007Z\"");
        assert_eq!(iso(1_835_481_599_999.0), "\"2028-02-29T23:59:59.999Z\"");
        assert_eq!(iso(f64::NAN), "\"1970-01-01T00:00:00.000Z\"");
    }
}
