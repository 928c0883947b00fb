//! The tool phase of a run: a finished LLM turn's tool calls go out as
//! `tool` effects (or get an error result at once), results come back, and
//! when all are in the next request is sent.

use super::{Ctx, Phase, complete, fail, request};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::{Event, EventQueue};
use crate::json::{Json, Raw, quote};
use crate::provider::{AssistantTurn, ToolCall};
use crate::session::Session;
use crate::transcript::{Message, Part, text_of};

#[derive(Debug)]
pub struct PendingTool {
    /// Effect id, or `None` when the result was decided without the host.
    effect: Option<u32>,
    call_id: String,
    name: String,
    result: Option<(Vec<Part>, bool)>,
}

impl PendingTool {
    /// The effect still awaited, if any.
    pub fn effect(&self) -> Option<u32> {
        self.effect.filter(|_| self.result.is_none())
    }
}

/// One LLM turn is complete: record it, then run tools or finish.
pub(super) fn finish_llm_turn(ctx: &mut Ctx<'_>, session: &mut Session, turn: AssistantTurn) {
    let text = turn.text();
    if !text.is_empty() {
        session.events.push(&Event::TextComplete { content: text.clone() });
    }
    session.events.push(&Event::TurnCompleted { stop_reason: turn.stop_reason, usage: turn.usage });
    if !turn.content.is_empty() {
        session.transcript.push(Message::assistant(turn.content));
    }
    let Some(run) = session.run.as_mut() else { return };
    run.usage.add(&turn.usage);
    run.completed_turns += 1;
    run.last_text = text;
    if turn.tool_calls.is_empty() {
        complete(ctx, session);
    } else {
        dispatch(ctx, session, turn.tool_calls);
    }
}

fn dispatch(ctx: &mut Ctx<'_>, session: &mut Session, calls: Vec<ToolCall>) {
    for call in &calls {
        let args = call.args.clone().unwrap_or_else(|_| Raw::from_json(&Json::Null));
        session.events.push(&Event::ToolCallRequested { id: call.id.clone(), name: call.name.clone(), args });
    }
    let visible = ctx.tools.visible(session.tools.as_deref());
    let mut pending = Vec::with_capacity(calls.len());
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
            Err(message) => record(&mut session.events, &mut slot, vec![Part::Text { text: message }], true, 0),
        }
        pending.push(slot);
    }
    if let Some(run) = session.run.as_mut() {
        run.tool_calls += pending.len() as u32;
        run.phase = Phase::AwaitingTools { pending };
    }
    continue_if_done(ctx, session);
}

fn record(events: &mut EventQueue, slot: &mut PendingTool, content: Vec<Part>, is_error: bool, duration_ms: u64) {
    events.push(&Event::ToolExecutionCompleted {
        id: slot.call_id.clone(),
        name: slot.name.clone(),
        result: text_of(&content),
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
        Some(Phase::AwaitingTools { pending }) => pending.iter_mut().find(|p| p.effect() == Some(id)),
        _ => None,
    };
    let Some(slot) = slot else {
        return Err(CoreError::new(
            ErrorCode::UnknownEffect,
            format!("tool call {id} is not awaited by session {}", session.id),
        ));
    };
    let duration_ms = (ctx.now_ms - started_ms).max(0.0) as u64;
    record(events, slot, content, is_error, duration_ms);
    continue_if_done(ctx, session);
    Ok(())
}

/// The user message that answers every call, in call order.
fn results_message(pending: Vec<PendingTool>) -> Message {
    let results = pending
        .into_iter()
        .map(|p| {
            let (content, is_error) = p.result.unwrap_or_default();
            Part::ToolResult { tool_use_id: p.call_id, content, is_error }
        })
        .collect();
    Message::user(results)
}

fn continue_if_done(ctx: &mut Ctx<'_>, session: &mut Session) {
    let Some(run) = session.run.as_mut() else { return };
    let Phase::AwaitingTools { pending } = &mut run.phase else { return };
    if pending.iter().any(|p| p.result.is_none()) {
        return;
    }
    session.transcript.push(results_message(core::mem::take(pending)));
    if run.llm_turns >= session.max_turns {
        let error = CoreError::new(
            ErrorCode::MaxTurnsExceeded,
            format!("the run used all {} turns (maxTurns) and the model still wants tools", session.max_turns),
        );
        fail(ctx, session, error);
    } else {
        request::send(ctx, session, true);
    }
}

/// An interrupt while tools run: the unfinished calls get error results so
/// the transcript keeps every tool_use paired with its tool_result.
pub(super) fn close_interrupted(events: &mut EventQueue, transcript: &mut Vec<Message>, mut pending: Vec<PendingTool>) {
    for slot in pending.iter_mut().filter(|p| p.result.is_none()) {
        let content =
            vec![Part::Text { text: "INTERRUPTED: the user interrupted the turn before this tool finished".into() }];
        record(events, slot, content, true, 0);
    }
    transcript.push(results_message(pending));
}
