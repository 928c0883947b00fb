//! The agent loop as a state machine over one session's run.
//!
//! user message → `http` effect → head → body bytes (parsed as they come)
//! → end → tool calls? → `tool` effects → results → next `http` → … until
//! the model stops, the run fails, is interrupted, or `maxTurns` is reached.
//! A transient failure waits on a `timer` effect and sends the request
//! again. Every input is a function here; every output is an effect or a
//! queued event.

mod request;
mod retry;
mod structured;
mod tools;

pub use request::{on_http_body, on_http_end, on_http_error, on_http_head, on_timer};
pub use retry::RetryPolicy;
pub use tools::on_tool_result;

use crate::config::Settings;
use crate::effects::{Effect, Outbox, RunResult};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::{Event, EventQueue, StopReason};
use crate::ids::Rng;
use crate::json::Raw;
use crate::provider::{StreamParser, TextSink};
use crate::session::Session;
use crate::tools::ToolRegistry;
use crate::transcript::{Message, Prompt};
use crate::usage::Usage;
use tools::PendingTool;

/// Where a run is.
pub enum Phase {
    /// Request sent, waiting for the response head.
    AwaitingHead { request: u32 },
    /// 2xx head received: body bytes go through the provider's parser.
    Streaming { request: u32, parser: Box<dyn StreamParser> },
    /// Non-2xx head: the body is collected to classify the error.
    ReadingError { request: u32, status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// A transient failure: waiting for the timer to send the request again.
    BackingOff { timer: u32 },
    /// Tool calls out; each slot fills as its result arrives.
    AwaitingTools { pending: Vec<PendingTool> },
}

impl core::fmt::Debug for Phase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Phase::AwaitingHead { request } => write!(f, "AwaitingHead({request})"),
            Phase::Streaming { request, .. } => write!(f, "Streaming({request})"),
            Phase::ReadingError { request, status, .. } => write!(f, "ReadingError({request}, {status})"),
            Phase::BackingOff { timer } => write!(f, "BackingOff({timer})"),
            Phase::AwaitingTools { pending } => write!(f, "AwaitingTools({})", pending.len()),
        }
    }
}

#[derive(Debug)]
pub struct Run {
    pub phase: Phase,
    /// LLM requests started (the turn number).
    llm_turns: u32,
    /// LLM turns that got a whole answer: a failed request is not a turn.
    completed_turns: u32,
    tool_calls: u32,
    usage: Usage,
    /// Retries spent on the current LLM request.
    attempt: u32,
    /// Transcript length before the prompt: a run that fails before any
    /// answer is rolled back to here, so a retry starts clean.
    transcript_mark: usize,
    last_text: String,
    /// Structured output asked of this run (the turn's, else the session's).
    output_schema: Option<Raw>,
    interrupted: bool,
}

/// Everything outside the session that a step may read or write.
pub struct Ctx<'a> {
    pub settings: &'a Settings,
    pub tools: &'a ToolRegistry,
    pub out: &'a mut Outbox,
    pub rng: &'a mut Rng,
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
pub fn start_turn(ctx: &mut Ctx<'_>, session: &mut Session, prompt: Prompt, schema: Option<Raw>) -> CoreResult<()> {
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
        completed_turns: 0,
        tool_calls: 0,
        usage: Usage::default(),
        attempt: 0,
        transcript_mark: mark,
        last_text: String::new(),
        output_schema: schema.or_else(|| session.output_schema.clone()),
        interrupted: false,
    });
    session.events.push(&Event::RunStarted { session_id: session.id.clone(), prompt: prompt_text });
    request::send(ctx, session, true);
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

/// Stop the run now: what streamed so far is kept, tool calls still out get
/// "interrupted" results (so every tool_use keeps its tool_result), and the
/// run ends with stop reason `cancelled`. Idle sessions ignore it.
pub fn interrupt(ctx: &mut Ctx<'_>, session: &mut Session) {
    let Some(run) = session.run.as_mut() else { return };
    let phase = core::mem::replace(&mut run.phase, Phase::AwaitingHead { request: 0 });
    abort_phase(ctx.out, &phase);
    let mut usage = Usage::default();
    match phase {
        Phase::Streaming { mut parser, .. } => {
            let partial = parser.partial();
            usage = partial.usage;
            run.last_text = partial.text();
            if !partial.content.is_empty() {
                session.transcript.push(Message::assistant(partial.content));
            }
        }
        Phase::AwaitingTools { pending } => {
            tools::close_interrupted(&mut session.events, &mut session.transcript, pending)
        }
        Phase::AwaitingHead { .. } | Phase::ReadingError { .. } | Phase::BackingOff { .. } => {}
    }
    run.usage.add(&usage);
    run.interrupted = true;
    session.events.push(&Event::TurnCompleted { stop_reason: StopReason::Cancelled, usage });
    complete(ctx, session);
}

/// The model stopped: report the result and close the run.
fn complete(ctx: &mut Ctx<'_>, session: &mut Session) {
    let Some(run) = session.run.take() else { return };
    // An interrupted answer is partial: parsing it would only produce noise.
    let (structured_output, schema_warnings) = match (&run.output_schema, run.interrupted) {
        (Some(schema), false) => structured::check(schema, &run.last_text, session.provider.name()),
        _ => (None, Vec::new()),
    };
    let result = RunResult {
        session_id: session.id.clone(),
        text: run.last_text,
        turns: run.llm_turns,
        tool_calls: run.tool_calls,
        usage: run.usage,
        structured_output,
        schema_warnings,
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
    session.totals.add_run(&run.usage, run.completed_turns, run.tool_calls);
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

/// Cancel the effects a phase has outstanding.
fn abort_phase(out: &mut Outbox, phase: &Phase) {
    match phase {
        Phase::AwaitingHead { request } | Phase::Streaming { request, .. } | Phase::ReadingError { request, .. } => {
            out.abort_http(*request);
        }
        Phase::BackingOff { timer } => out.cancel_timer(*timer),
        Phase::AwaitingTools { pending } => {
            for effect in pending.iter().filter_map(PendingTool::effect) {
                out.forget(effect);
            }
        }
    }
}
