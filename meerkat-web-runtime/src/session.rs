//! A session: one conversation with its settings, transcript, event queue
//! and (at most one) run in progress.

use crate::agent::{RetryPolicy, Run};
use crate::config::{SessionConfig, Settings, ThinkingConfig, check_model};
use crate::effects::{RunResult, Totals};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::EventQueue;
use crate::json::{ObjectWriter, Raw, quote};
use crate::provider::{ProviderKind, WireApi};
use crate::tools::{self, ToolRegistry};
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
    pub transcript: Vec<Message>,
    pub events: EventQueue,
    pub run: Option<Run>,
    pub totals: Totals,
    pub last_result: Option<RunResult>,
}

impl Session {
    /// Resolve a session config against the runtime settings: model,
    /// provider, credentials and tool names must all be usable.
    pub fn create(
        id: String,
        config: SessionConfig,
        settings: &Settings,
        registry: &ToolRegistry,
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
            transcript: Vec::new(),
            events: EventQueue::new(settings.event_queue_capacity),
            run: None,
            totals: Totals::default(),
            last_result: None,
        })
    }

    /// What `session_info` reports.
    pub fn write_info(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("sessionId", &self.id).str("model", &self.model).str("provider", self.provider.name());
        o.bool("running", self.run.is_some());
        o.u64("messageCount", self.transcript.len() as u64).u64("queuedEvents", self.events.len() as u64);
        self.totals.write_json(o.key("totals"));
        if let Some(result) = &self.last_result {
            result.write_json(o.key("lastResult"));
        }
        o.end();
    }
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
