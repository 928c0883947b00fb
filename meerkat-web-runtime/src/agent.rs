//! The agent loop as a state machine over one session's run.
//!
//! user message → `http` effect → head → body bytes (parsed as they come)
//! → end → tool calls? → `tool` effects → results → next `http` → … until
//! the model stops, the run fails, or `maxTurns` is reached. Every input is a
//! function here; every output is an effect or a queued event.

use crate::config::Settings;
use crate::effects::{Effect, Outbox, RunResult};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::{Event, EventQueue};
use crate::json::{Json, Raw, quote};
use crate::provider::{AssistantTurn, LlmRequest, StreamParser, TextSink, ToolCall};
use crate::session::Session;
use crate::tools::ToolRegistry;
use crate::transcript::{Message, Part, Prompt};
use crate::usage::Usage;

/// Error bodies are kept up to this size for classification.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Where a run is.
pub enum Phase {
    /// Request sent, waiting for the response head.
    AwaitingHead { request: u32 },
    /// 2xx head received: body bytes go through the provider's parser.
    Streaming { request: u32, parser: Box<dyn StreamParser> },
    /// Non-2xx head: the body is collected to classify the error.
    ReadingError { request: u32, status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Tool calls out; each slot fills as its result arrives.
    AwaitingTools { pending: Vec<PendingTool> },
}

impl core::fmt::Debug for Phase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Phase::AwaitingHead { request } => write!(f, "AwaitingHead({request})"),
            Phase::Streaming { request, .. } => write!(f, "Streaming({request})"),
            Phase::ReadingError { request, status, .. } => write!(f, "ReadingError({request}, {status})"),
            Phase::AwaitingTools { pending } => write!(f, "AwaitingTools({})", pending.len()),
        }
    }
}

#[derive(Debug)]
pub struct PendingTool {
    /// Effect id, or `None` when the result was decided without the host.
    effect: Option<u32>,
    call_id: String,
    name: String,
    result: Option<(Vec<Part>, bool)>,
}

#[derive(Debug)]
pub struct Run {
    pub phase: Phase,
    llm_turns: u32,
    tool_calls: u32,
    usage: Usage,
    /// Transcript length before the prompt: a run that fails before any
    /// answer is rolled back to here, so a retry starts clean.
    transcript_mark: usize,
    last_text: String,
}

/// Everything outside the session that a step may read or write.
pub struct Ctx<'a> {
    pub settings: &'a Settings,
    pub tools: &'a ToolRegistry,
    pub out: &'a mut Outbox,
    pub now_ms: f64,
}

impl TextSink for EventQueue {
    fn text_delta(&mut self, text: &str) {
        if !text.is_empty() {
            self.push_text_delta(text);
        }
    }
}

/// Begin a run: validate, record the prompt, send the first request.
pub fn start_turn(ctx: &mut Ctx<'_>, session: &mut Session, prompt: Prompt) -> CoreResult<()> {
    if session.run.is_some() {
        return Err(CoreError::new(
            ErrorCode::SessionBusy,
            format!("session {} already has a turn in flight; await it (or interrupt it) first", session.id),
        ));
    }
    validate_prompt(&prompt, ctx.settings.max_prompt_bytes)?;
    let prompt_text = prompt.text();
    let mark = session.transcript.len();
    session.transcript.push(Message::user(prompt.into_parts()));
    session.run = Some(Run {
        phase: Phase::AwaitingHead { request: 0 },
        llm_turns: 0,
        tool_calls: 0,
        usage: Usage::default(),
        transcript_mark: mark,
        last_text: String::new(),
    });
    session.events.push(&Event::RunStarted { session_id: session.id.clone(), prompt: prompt_text });
    send_request(ctx, session);
    Ok(())
}

fn validate_prompt(prompt: &Prompt, max_bytes: usize) -> CoreResult<()> {
    let size = prompt.size();
    if size > max_bytes {
        return Err(CoreError::new(
            ErrorCode::PromptTooLarge,
            format!("the prompt is {size} bytes; the limit is {max_bytes} (maxPromptBytes in the runtime config)"),
        ));
    }
    if let Prompt::Blocks(blocks) = prompt
        && blocks.is_empty()
    {
        return Err(CoreError::new(ErrorCode::InvalidArgument, "the prompt has no content blocks"));
    }
    Ok(())
}

fn send_request(ctx: &mut Ctx<'_>, session: &mut Session) {
    let Some(provider) = session.provider.implementation() else {
        fail(ctx, session, CoreError::new(ErrorCode::UnsupportedModel, "provider unavailable"));
        return;
    };
    let tools = ctx.tools.visible(session.tools.as_deref());
    let request = provider.build_request(&LlmRequest {
        endpoint: ctx.settings.endpoint(session.provider),
        model: &session.model,
        system_prompt: session.system_prompt.as_deref(),
        messages: &session.transcript,
        tools: &tools,
        max_tokens: session.max_tokens,
        temperature: session.temperature.as_ref(),
        thinking: session.thinking.as_ref(),
    });
    let id = ctx.out.http(&session.id, request);
    if let Some(run) = session.run.as_mut() {
        run.llm_turns += 1;
        run.phase = Phase::AwaitingHead { request: id };
        session.events.push(&Event::TurnStarted { turn_number: run.llm_turns });
    }
}

/// The request an outcome quotes must be the one this run waits on.
fn expect_request(session: &Session, id: u32) -> CoreResult<&Phase> {
    let phase = session.run.as_ref().map(|r| &r.phase);
    let current = match phase {
        Some(Phase::AwaitingHead { request })
        | Some(Phase::Streaming { request, .. })
        | Some(Phase::ReadingError { request, .. }) => Some(*request),
        _ => None,
    };
    match (current, phase) {
        (Some(request), Some(phase)) if request == id => Ok(phase),
        _ => Err(CoreError::new(
            ErrorCode::UnknownEffect,
            format!("request {id} is not in flight for session {}", session.id),
        )),
    }
}

pub fn on_http_head(session: &mut Session, id: u32, status: u16, headers: Vec<(String, String)>) -> CoreResult<()> {
    if !matches!(expect_request(session, id)?, Phase::AwaitingHead { .. }) {
        return Err(CoreError::new(ErrorCode::UnknownEffect, format!("request {id} already has its response head")));
    }
    let Some(run) = session.run.as_mut() else { return Ok(()) };
    if (200..300).contains(&status) {
        let parser = match session.provider.implementation() {
            Some(p) => p.stream_parser(),
            None => return Err(CoreError::new(ErrorCode::Internal, "session provider has no implementation")),
        };
        run.phase = Phase::Streaming { request: id, parser };
    } else {
        run.phase = Phase::ReadingError { request: id, status, headers, body: Vec::new() };
    }
    Ok(())
}

pub fn on_http_body(ctx: &mut Ctx<'_>, session: &mut Session, id: u32, bytes: &[u8]) -> CoreResult<()> {
    expect_request(session, id)?;
    let Session { run, events, .. } = session;
    let Some(run) = run.as_mut() else { return Ok(()) };
    let failure = match &mut run.phase {
        Phase::Streaming { parser, .. } => parser.feed(bytes, events).err(),
        Phase::ReadingError { body, .. } => {
            let room = MAX_ERROR_BODY.saturating_sub(body.len());
            body.extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
            None
        }
        Phase::AwaitingHead { .. } | Phase::AwaitingTools { .. } => {
            return Err(CoreError::new(ErrorCode::UnknownEffect, format!("request {id} has no response head yet")));
        }
    };
    if let Some(error) = failure {
        fail(ctx, session, error);
    }
    Ok(())
}

pub fn on_http_end(ctx: &mut Ctx<'_>, session: &mut Session, id: u32) -> CoreResult<()> {
    expect_request(session, id)?;
    let Session { run, events, provider, .. } = session;
    let Some(run) = run.as_mut() else { return Ok(()) };
    let outcome = match &mut run.phase {
        Phase::Streaming { parser, .. } => parser.finish(events),
        Phase::ReadingError { status, headers, body, .. } => match provider.implementation() {
            Some(p) => Err(p.classify_error(*status, headers, body)),
            None => Err(CoreError::new(ErrorCode::Internal, "session provider has no implementation")),
        },
        Phase::AwaitingHead { .. } | Phase::AwaitingTools { .. } => {
            Err(CoreError::new(ErrorCode::NetworkError, "the response ended before its head arrived"))
        }
    };
    match outcome {
        Ok(turn) => finish_llm_turn(ctx, session, turn),
        Err(error) => fail(ctx, session, error),
    }
    Ok(())
}

pub fn on_http_error(ctx: &mut Ctx<'_>, session: &mut Session, id: u32, message: &str) -> CoreResult<()> {
    expect_request(session, id)?;
    let message: String = message.chars().take(500).collect();
    fail(
        ctx,
        session,
        CoreError::new(ErrorCode::NetworkError, format!("the request to the provider failed: {message}"))
            .retryable(None),
    );
    Ok(())
}

/// One LLM turn is complete: record it, then run tools or finish.
fn finish_llm_turn(ctx: &mut Ctx<'_>, session: &mut Session, turn: AssistantTurn) {
    let text = turn.text();
    if !text.is_empty() {
        session.events.push(&Event::TextComplete { content: text.clone() });
    }
    session.events.push(&Event::TurnCompleted { stop_reason: turn.stop_reason, usage: turn.usage });
    let has_content = !turn.content.is_empty();
    if has_content {
        session.transcript.push(Message::assistant(turn.content));
    }
    let Some(run) = session.run.as_mut() else { return };
    run.usage.add(&turn.usage);
    run.last_text = text;
    if turn.tool_calls.is_empty() {
        complete(ctx, session);
    } else {
        dispatch_tools(ctx, session, turn.tool_calls);
    }
}

fn dispatch_tools(ctx: &mut Ctx<'_>, session: &mut Session, calls: Vec<ToolCall>) {
    let mut pending = Vec::with_capacity(calls.len());
    for call in &calls {
        let args = call.args.clone().unwrap_or_else(|_| Raw::from_json(&Json::Null));
        session.events.push(&Event::ToolCallRequested { id: call.id.clone(), name: call.name.clone(), args });
    }
    let visible = ctx.tools.visible(session.tools.as_deref());
    for call in calls {
        let known = visible.iter().any(|t| t.name == call.name);
        // Calls that cannot run get an error result the model can read.
        let runnable = match (known, call.args) {
            (false, _) => {
                Err(format!("TOOL_NOT_FOUND: no tool named {} is available in this session", quote(&call.name)))
            }
            (true, Err(why)) => Err(format!("TOOL_ARGS_INVALID: {why}")),
            (true, Ok(args)) => Ok(args),
        };
        session.events.push(&Event::ToolExecutionStarted { id: call.id.clone(), name: call.name.clone() });
        let mut slot = PendingTool { effect: None, call_id: call.id, name: call.name, result: None };
        match runnable {
            Ok(args) => slot.effect = Some(ctx.out.tool(&session.id, &slot.call_id, &slot.name, args, ctx.now_ms)),
            Err(message) => record_result(&mut session.events, &mut slot, vec![Part::Text { text: message }], true, 0),
        }
        pending.push(slot);
    }
    if let Some(run) = session.run.as_mut() {
        run.tool_calls += pending.len() as u32;
        run.phase = Phase::AwaitingTools { pending };
    }
    continue_if_tools_done(ctx, session);
}

fn record_result(
    events: &mut EventQueue,
    slot: &mut PendingTool,
    content: Vec<Part>,
    is_error: bool,
    duration_ms: u64,
) {
    let result = Message::user(content.clone()).text();
    events.push(&Event::ToolExecutionCompleted {
        id: slot.call_id.clone(),
        name: slot.name.clone(),
        result,
        is_error,
        duration_ms,
    });
    events.push(&Event::ToolResultReceived { id: slot.call_id.clone(), name: slot.name.clone(), is_error });
    slot.result = Some((content, is_error));
}

pub fn on_tool_result(
    ctx: &mut Ctx<'_>,
    session: &mut Session,
    id: u32,
    started_ms: f64,
    content: Vec<Part>,
    is_error: bool,
) -> CoreResult<()> {
    let Session { run, events, .. } = session;
    let slot = match run.as_mut().map(|r| &mut r.phase) {
        Some(Phase::AwaitingTools { pending }) => {
            pending.iter_mut().find(|p| p.effect == Some(id) && p.result.is_none())
        }
        _ => None,
    };
    let Some(slot) = slot else {
        return Err(CoreError::new(
            ErrorCode::UnknownEffect,
            format!("tool call {id} is not awaited by session {}", session.id),
        ));
    };
    let duration_ms = (ctx.now_ms - started_ms).max(0.0) as u64;
    record_result(events, slot, content, is_error, duration_ms);
    continue_if_tools_done(ctx, session);
    Ok(())
}

fn continue_if_tools_done(ctx: &mut Ctx<'_>, session: &mut Session) {
    let Some(run) = session.run.as_mut() else { return };
    let Phase::AwaitingTools { pending } = &mut run.phase else { return };
    if pending.iter().any(|p| p.result.is_none()) {
        return;
    }
    let results = pending
        .drain(..)
        .map(|p| {
            let (content, is_error) = p.result.unwrap_or_default();
            Part::ToolResult { tool_use_id: p.call_id, content, is_error }
        })
        .collect();
    session.transcript.push(Message::user(results));
    if run.llm_turns >= session.max_turns {
        let error = CoreError::new(
            ErrorCode::MaxTurnsExceeded,
            format!("the run used all {} turns (maxTurns) and the model still wants tools", session.max_turns),
        );
        fail(ctx, session, error);
    } else {
        send_request(ctx, session);
    }
}

/// The model stopped: report the result and close the run.
fn complete(ctx: &mut Ctx<'_>, session: &mut Session) {
    let Some(run) = session.run.take() else { return };
    let result = RunResult {
        session_id: session.id.clone(),
        text: run.last_text,
        turns: run.llm_turns,
        tool_calls: run.tool_calls,
        usage: run.usage,
    };
    session.totals.add_run(&run.usage, run.llm_turns, run.tool_calls);
    session.events.push(&Event::RunCompleted {
        session_id: session.id.clone(),
        result: result.text.clone(),
        usage: result.usage,
    });
    session.last_result = Some(result.clone());
    ctx.out.push(Effect::RunFinished {
        session_id: session.id.clone(),
        result: Some(result),
        error: None,
        totals: session.totals.clone(),
    });
}

/// The run failed: abort what is in flight, keep the transcript consistent,
/// report the error.
pub fn fail(ctx: &mut Ctx<'_>, session: &mut Session, error: CoreError) {
    let Some(run) = session.run.take() else { return };
    abort_phase(ctx.out, &run.phase);
    session.totals.add_run(&run.usage, run.llm_turns, run.tool_calls);
    let answered = session.transcript.get(run.transcript_mark + 1..).is_some_and(|rest| !rest.is_empty());
    if !answered {
        session.transcript.truncate(run.transcript_mark);
    }
    session.events.push(&Event::RunFailed { session_id: session.id.clone(), error: error.message.clone() });
    ctx.out.push(Effect::RunFinished {
        session_id: session.id.clone(),
        result: None,
        error: Some(error),
        totals: session.totals.clone(),
    });
}

fn abort_phase(out: &mut Outbox, phase: &Phase) {
    match phase {
        Phase::AwaitingHead { request } | Phase::Streaming { request, .. } | Phase::ReadingError { request, .. } => {
            out.abort_http(*request);
        }
        Phase::AwaitingTools { pending } => {
            for effect in pending.iter().filter_map(|p| p.effect) {
                out.forget(effect);
            }
        }
    }
}
