//! One LLM turn: the budget check, compaction when due, the request (with
//! any `pre_llm_request` rewrite), its response head and streamed body, a
//! transient failure retried after a timer, and the finished answer.

use super::lease::{self, AfterAuth};
use super::{Flow, Phase, Resume, Run, Step, compaction, finish, hooks, tools};
use crate::effects::Owner;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::{Event, EventLog};
use crate::hooks::HookPoint;
use crate::json::{Json, Raw, decimal_scaled};
use crate::provider::{AssistantTurn, Endpoint, LlmRequest, Secret, StreamParser, TextSink, ToolSpec};
use crate::session::Session;
use crate::transcript::{Message, Part, Role};

/// Error bodies are kept up to this size for classification.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// An HTTP request of a run and how far its response has come.
pub struct HttpCall {
    pub request: u32,
    pub state: HttpState,
    /// The key this request carries, to take out of what its failure says.
    pub credential: Option<Secret>,
    /// The session's text deltas before this request: a retry after it
    /// streamed some says their text is void.
    deltas_before: u64,
}

impl HttpCall {
    pub fn sent(request: u32, endpoint: Endpoint, deltas_before: u64) -> Self {
        HttpCall { request, state: HttpState::AwaitingHead, credential: endpoint.api_key, deltas_before }
    }
}

pub enum HttpState {
    AwaitingHead,
    /// 2xx head received: body bytes go through the provider's parser.
    Streaming(Box<dyn StreamParser>),
    /// Non-2xx head: the body is collected to classify the error.
    ReadingError {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
}

impl core::fmt::Debug for HttpCall {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "HttpCall({})", self.request)
    }
}

/// A `pre_llm_request` rewrite, for the request of the current turn.
#[derive(Debug, Default)]
pub struct RequestPatch {
    pub system: Option<String>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<Raw>,
    pub messages: Option<Vec<Message>>,
}

impl RequestPatch {
    /// The system prompt the request carries: the rewrite's, else the
    /// session's with the run's skills.
    pub fn system(&self, session: &Session, injection: &str) -> Option<String> {
        self.system.clone().or_else(|| session.system_prompt(injection))
    }

    pub fn messages<'a>(&'a self, session: &'a Session) -> &'a [Message] {
        self.messages.as_deref().unwrap_or(&session.transcript)
    }

    pub fn max_tokens(&self, session: &Session) -> u32 {
        self.max_tokens.unwrap_or(session.max_tokens)
    }

    pub fn temperature<'a>(&'a self, session: &'a Session) -> Option<&'a Raw> {
        self.temperature.as_ref().or(session.temperature.as_ref())
    }

    /// `{system?, maxTokens?, temperature?, messages?}`.
    pub fn apply(&mut self, patch: &Json<'_>) -> Result<(), String> {
        if let Some(system) = patch.get("system") {
            self.system = Some(system.as_str().ok_or("patch.system must be a string")?.to_string());
        }
        if let Some(max) = patch.get("maxTokens") {
            let max = max.as_u64().and_then(|m| u32::try_from(m).ok()).filter(|&m| m > 0);
            self.max_tokens = Some(max.ok_or("patch.maxTokens must be a positive integer")?);
        }
        if let Some(t) = patch.get("temperature") {
            let ok = matches!(t, Json::Num(n) if decimal_scaled(n, 1000).is_some_and(|v| v <= 2000));
            if !ok {
                return Err("patch.temperature must be a number from 0 to 2".into());
            }
            self.temperature = Some(Raw::from_json(t));
        }
        if let Some(messages) = patch.get("messages") {
            let items = messages.as_array().ok_or("patch.messages must be an array of history messages")?;
            let mut parsed = Vec::with_capacity(items.len());
            for item in items {
                parsed.push(Message::from_history(item).map_err(|why| format!("patch.messages: {why}"))?);
            }
            // Providers refuse a request without messages; the hook hears why instead.
            if parsed.is_empty() {
                return Err("patch.messages must hold at least one message".into());
            }
            self.messages = Some(parsed);
        }
        Ok(())
    }
}

/// A `post_llm_response` rewrite: `{text}` replaces the answer's text.
pub fn patch_response(turn: &mut AssistantTurn, patch: &Json<'_>) -> Result<(), String> {
    let Some(text) = patch.get("text") else { return Ok(()) };
    let text = text.as_str().ok_or("patch.text must be a string")?.to_string();
    let first = turn.content.iter().position(|p| matches!(p, Part::Text { .. }));
    turn.content.retain(|p| !matches!(p, Part::Text { .. }));
    let at = first.unwrap_or(0).min(turn.content.len());
    turn.content.insert(at, Part::Text { text });
    Ok(())
}

/// Start an LLM turn: budget first, then compaction if due, then the
/// `pre_llm_request` hooks.
pub(super) fn begin_turn(st: &mut Step<'_, '_>, run: &mut Run) -> Flow {
    take_steered(st, run);
    run.patch = RequestPatch::default();
    run.compacted_this_turn = false;
    if let Some(ended) = out_of_budget(st, run) {
        return ended;
    }
    if let Some(plan) = compaction::due(st, run) {
        return compaction::start(st, run, plan);
    }
    pre_request(st, run)
}

/// Between two LLM turns (a safe boundary: no tool is running), the host's
/// steered words join the turn's input, after the tool results.
fn take_steered(st: &mut Step<'_, '_>, run: &Run) {
    if run.llm_turns == 0 || st.steer.is_empty() {
        return;
    }
    let steered = core::mem::take(st.steer);
    match st.session.transcript.last_mut() {
        Some(last) if last.role == Role::User => last.content.extend(steered),
        _ => st.session.transcript.push(Message::user(steered)),
    }
}

pub(super) fn pre_request(st: &mut Step<'_, '_>, run: &mut Run) -> Flow {
    hooks::enter(st, run, HookPoint::PreLlmRequest, Resume::Send)
}

/// Send the turn's request (`new_turn`), or again after a transient failure
/// (or a 401); first its lease, when the session's binding has none usable.
pub(super) fn send(st: &mut Step<'_, '_>, run: &mut Run, new_turn: bool) -> Flow {
    let Some(endpoint) = lease::endpoint(st, run) else {
        return lease::wait(st, run, AfterAuth::Send { new_turn });
    };
    let session = &*st.session;
    let Some(provider) = session.api.implementation() else {
        let error = CoreError::new(ErrorCode::UnsupportedModel, "provider unavailable");
        return finish::fail(st, run, error);
    };
    let tools = st.ctx.tools.visible(session.tools.as_deref(), &session.core_tools);
    let specs: Vec<ToolSpec<'_>> = tools.iter().map(|t| t.spec()).collect();
    let patch = &run.patch;
    let system = patch.system(session, &run.injection);
    let request = provider.build_request(&LlmRequest {
        endpoint: &endpoint,
        model: &session.model,
        system_prompt: system.as_deref(),
        messages: patch.messages(session),
        tools: &specs,
        max_tokens: patch.max_tokens(session),
        temperature: patch.temperature(session),
        thinking: session.thinking.as_ref(),
        output_schema: run.output_schema.as_ref(),
    });
    let owner = Owner::Session(session.id.clone());
    let id = st.ctx.out.http(owner, request, st.ctx.now_ms);
    run.phase = Phase::Llm(HttpCall::sent(id, endpoint, st.session.events.text_deltas));
    if new_turn {
        run.llm_turns += 1;
        run.attempt = 0;
        run.auth_retried = false;
        st.session.events.push(&Event::TurnStarted { turn_number: run.llm_turns });
    }
    Flow::Wait
}

/// The backoff timer fired: the same request again, unless the budget is
/// used up meanwhile (a retry is a request like any other).
pub(super) fn resend(st: &mut Step<'_, '_>, run: &mut Run) -> Flow {
    out_of_budget(st, run).unwrap_or_else(|| send(st, run, false))
}

/// No request (a turn's, a retry, the one after a compaction) starts once
/// the run's tokens or time are used up: `Some` when the run ended here.
pub(super) fn out_of_budget(st: &mut Step<'_, '_>, run: &mut Run) -> Option<Flow> {
    let elapsed_ms = st.ctx.now_ms - run.started_ms;
    let exhausted = run.budget.before_request(&run.usage, elapsed_ms, &mut st.session.events)?;
    let error = finish::budget_error(st, run, exhausted);
    Some(finish::fail(st, run, error))
}

/// The call an outcome quotes must be the one this run waits on.
fn call_mut(run: &mut Run, id: u32) -> Option<&mut HttpCall> {
    match &mut run.phase {
        Phase::Llm(call) | Phase::Compacting { call, .. } if call.request == id => Some(call),
        _ => None,
    }
}

fn not_in_flight(st: &Step<'_, '_>, id: u32) -> CoreError {
    CoreError::new(ErrorCode::UnknownEffect, format!("request {id} is not in flight for session {}", st.session.id))
}

pub(super) fn on_head(
    st: &mut Step<'_, '_>,
    run: &mut Run,
    id: u32,
    status: u16,
    mut headers: Vec<(String, String)>,
) -> CoreResult<Flow> {
    let now_ms = st.ctx.now_ms;
    let Some(provider) = st.session.api.implementation() else {
        return Err(CoreError::new(ErrorCode::Internal, "session provider has no implementation"));
    };
    let Some(call) = call_mut(run, id) else { return Err(not_in_flight(st, id)) };
    if !matches!(call.state, HttpState::AwaitingHead) {
        return Err(CoreError::new(ErrorCode::UnknownEffect, format!("request {id} already has its response head")));
    }
    crate::provider::normalize_retry_after(&mut headers, now_ms);
    call.state = if (200..300).contains(&status) {
        // Providers that send calls without ids (Gemini) name them after the request.
        HttpState::Streaming(provider.stream_parser(&format!("call_{id}_")))
    } else {
        HttpState::ReadingError { status, headers, body: Vec::new() }
    };
    Ok(Flow::Wait)
}

/// Body bytes: parsed as they come (text deltas go straight to the log).
/// `Some(error)` when the stream broke.
pub(super) fn feed(run: &mut Run, events: &mut EventLog, id: u32, bytes: &[u8]) -> CoreResult<Option<CoreError>> {
    let (call, sink): (&mut HttpCall, &mut dyn TextSink) = match &mut run.phase {
        Phase::Llm(call) if call.request == id => (call, events),
        // A summary is not the user's answer: nothing of it streams.
        Phase::Compacting { call, .. } if call.request == id => (call, &mut Quiet),
        _ => {
            return Err(CoreError::new(ErrorCode::UnknownEffect, format!("request {id} is not in flight")));
        }
    };
    match &mut call.state {
        HttpState::Streaming(parser) => Ok(parser.feed(bytes, sink).err()),
        HttpState::ReadingError { body, .. } => {
            let room = MAX_ERROR_BODY.saturating_sub(body.len());
            body.extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
            Ok(None)
        }
        HttpState::AwaitingHead => {
            Err(CoreError::new(ErrorCode::UnknownEffect, format!("request {id} has no response head yet")))
        }
    }
}

/// Discards text (the summary request's).
struct Quiet;

impl TextSink for Quiet {
    fn text_delta(&mut self, _text: &str) {}
}

pub(super) fn on_end(st: &mut Step<'_, '_>, run: &mut Run, id: u32) -> CoreResult<Flow> {
    let Some(provider) = st.session.api.implementation() else {
        return Err(CoreError::new(ErrorCode::Internal, "session provider has no implementation"));
    };
    let Some(call) = call_mut(run, id) else { return Err(not_in_flight(st, id)) };
    let status = match call.state {
        HttpState::ReadingError { status, .. } => status,
        _ => 0,
    };
    let outcome = match &mut call.state {
        HttpState::Streaming(parser) => parser.finish(&mut Quiet),
        HttpState::ReadingError { status, headers, body } => {
            // Before the provider's message cuts the body: a cut key would not match.
            if let Some(key) = &call.credential {
                key.redact_bytes(body);
            }
            Err(provider.classify_error(*status, headers, body))
        }
        HttpState::AwaitingHead => {
            Err(CoreError::new(ErrorCode::NetworkError, "the response ended before its head arrived").retryable(None))
        }
    };
    // The credential was refused: HTTP 401, or Gemini's 400 for a bad key
    // (API_KEY_INVALID, classified PROVIDER_AUTH).
    let unauthorized =
        status == 401 || (status == 400 && outcome.as_ref().is_err_and(|e| e.is(ErrorCode::ProviderAuth)));
    if unauthorized && lease::refused(st, run) {
        // The lease was refused: the same request once more with a fresh one.
        return Ok(match core::mem::replace(&mut run.phase, Phase::Starting) {
            Phase::Compacting { plan, .. } => compaction::start(st, run, plan),
            _ => send(st, run, false),
        });
    }
    if matches!(run.phase, Phase::Compacting { .. }) {
        return Ok(compaction::finished(st, run, outcome));
    }
    Ok(match outcome {
        Ok(turn) => received(st, run, turn),
        Err(mut error) => {
            if unauthorized && lease::leased(st).is_some() {
                error.message.push_str(" (a fresh lease from the external auth resolver was refused too)");
            }
            failed(st, run, error)
        }
    })
}

pub(super) fn on_error(st: &mut Step<'_, '_>, run: &mut Run, id: u32, message: &str) -> CoreResult<Flow> {
    let Some(call) = call_mut(run, id) else { return Err(not_in_flight(st, id)) };
    // A fetch that refuses a header value may quote it: redacted before the cut.
    let mut message = message.to_string();
    if let Some(key) = &call.credential {
        key.redact(&mut message);
    }
    let message = crate::text::first_chars(&message, 500);
    let error = CoreError::new(ErrorCode::NetworkError, format!("the request to the provider failed: {message}"))
        .retryable(None);
    if matches!(run.phase, Phase::Compacting { .. }) {
        return Ok(compaction::finished(st, run, Err(error)));
    }
    Ok(failed(st, run, error))
}

/// This attempt failed: wait and retry if the error is transient and the
/// policy allows, else fail the run.
pub(super) fn failed(st: &mut Step<'_, '_>, run: &mut Run, error: CoreError) -> Flow {
    if matches!(run.phase, Phase::Compacting { .. }) {
        return compaction::finished(st, run, Err(error));
    }
    let policy = st.session.retry.unwrap_or(st.ctx.settings.retry);
    let attempt = run.attempt + 1;
    match policy.delay(attempt, &error, st.ctx.rng) {
        Some(delay_ms) => {
            // The answer starts over: what this attempt streamed is void.
            let text_discarded =
                matches!(&run.phase, Phase::Llm(call) if call.deltas_before != st.session.events.text_deltas);
            run.attempt = attempt;
            let timer = st.ctx.out.timer(Owner::Session(st.session.id.clone()), delay_ms, st.ctx.now_ms);
            run.phase = Phase::BackingOff { timer };
            st.session.events.push(&Event::Retrying {
                attempt,
                max_attempts: policy.max_retries,
                error: &error.message,
                delay_ms,
                text_discarded,
            });
            Flow::Wait
        }
        None => {
            let mut error = error;
            if let Some(hint) = error.retry_after_ms.filter(|&h| error.retryable && h > policy.max_delay_ms) {
                error.message = format!(
                    "{} (the provider asked to wait {hint} ms, longer than retry.maxDelayMs {})",
                    error.message, policy.max_delay_ms
                );
            }
            if run.attempt > 0 {
                error.message = format!("{} (after {} retries)", error.message, run.attempt);
            }
            finish::fail(st, run, error)
        }
    }
}

/// A whole answer arrived: the `post_llm_response` hooks see it first.
fn received(st: &mut Step<'_, '_>, run: &mut Run, mut turn: AssistantTurn) -> Flow {
    run.phase = Phase::Starting;
    super::structured::unwrap_turn(st.session.provider, run.output_schema.as_ref(), &mut turn);
    hooks::enter(st, run, HookPoint::PostLlmResponse, Resume::Response(Box::new(turn)))
}

/// Record the (possibly rewritten) answer; run its tools or finish.
pub(super) fn record(st: &mut Step<'_, '_>, run: &mut Run, turn: AssistantTurn) -> Flow {
    let text = turn.text();
    let events = &mut st.session.events;
    if !text.is_empty() {
        events.push(&Event::TextComplete { content: &text });
    }
    events.push(&Event::TurnCompleted { stop_reason: turn.stop_reason, usage: turn.usage });
    if !turn.content.is_empty() {
        st.session.transcript.push(Message::assistant(turn.content));
    }
    run.usage.add(&turn.usage);
    run.completed_turns += 1;
    run.last_text = text;
    run.budget.observe_tokens(&run.usage, &mut st.session.events);
    if !turn.tool_calls.is_empty() {
        return tools::dispatch(st, run, turn.tool_calls);
    }
    // The host steered words into this run while its last request was out
    // (`send` answered with this run's id): one more request carries them,
    // so this run, not a later one, answers them. Within maxTurns only;
    // past it they wait for the next run.
    if !st.steer.is_empty() && run.llm_turns < st.session.max_turns {
        return hooks::enter(st, run, HookPoint::TurnBoundary, Resume::NextTurn);
    }
    finish::complete(st, run)
}
