//! A session: one conversation with its settings, transcript, event log
//! and counters. The run engine (`agent`) drives it; this layer knows
//! nothing of runs.

use crate::config::{Budget, CompactionConfig, RetryPolicy, SessionConfig, Settings, check_model};
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
    pub last_result: Option<RunResult>,
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
        let provider = resolve_provider(&model, config.provider.as_deref())?;
        if settings.endpoint(provider).api_key.is_none() {
            return Err(CoreError::new(
                ErrorCode::ProviderNotConfigured,
                format!(
                    "model {model} needs {}ApiKey in the runtime config (a dummy value works behind rkat-web-proxy)",
                    provider.name()
                ),
            ));
        }
        let api = WireApi::for_family(provider, config.openai_api.as_deref()).ok_or_else(|| {
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
        let parts: Vec<&str> = self
            .system_prompt
            .iter()
            .map(String::as_str)
            .chain(self.system_context.iter().map(String::as_str))
            .chain(Some(extra))
            .filter(|p| !p.is_empty())
            .collect();
        (!parts.is_empty()).then(|| crate::text::join(&parts, "\n\n"))
    }

    /// What `session_info` reports; `running` comes from the run engine.
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
