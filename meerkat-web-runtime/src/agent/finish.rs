//! How runs end: completed (after the `run_completed` hooks), failed (after
//! the `run_failed` hooks), interrupted (what streamed is kept) or
//! cancelled (the session is going away: no hooks), and the report.

use super::budget::Exhausted;
use super::hooks;
use super::request::HttpState;
use super::{Flow, Outcome, Phase, Reaction, Resume, Run, Step, structured, tools};
use crate::error::{CoreError, ErrorCode};
use crate::events::{Event, StopReason};
use crate::hooks::HookPoint;
use crate::json::{ObjectWriter, Raw};
use crate::provider::AssistantTurn;
use crate::results::RunResult;
use crate::transcript::{Message, Part};

/// The model stopped: the `run_completed` hooks see the result, then it
/// is reported.
pub(super) fn complete(st: &mut Step<'_, '_>, run: &mut Run) -> Flow {
    let result = result_of(st, run);
    hooks::enter(st, run, HookPoint::RunCompleted, Resume::Finish(Outcome::Completed(Box::new(result))))
}

/// A compaction run is done: reported at once, without hooks.
pub(super) fn report_completed(st: &mut Step<'_, '_>, run: &mut Run) -> Flow {
    let result = result_of(st, run);
    report(st, run, Outcome::Completed(Box::new(result)))
}

/// The run failed: stop what is in flight, keep the transcript consistent,
/// let the `run_failed` hooks see the error, report it.
pub(super) fn fail(st: &mut Step<'_, '_>, run: &mut Run, error: CoreError) -> Flow {
    bill_held(run);
    stop(st, run, &format!("CANCELLED: the run failed before this tool finished ({})", error.code));
    roll_back(st, run);
    hooks::enter(st, run, HookPoint::RunFailed, Resume::Finish(Outcome::Failed(error)))
}

/// A whole answer its `post_llm_response` hooks hold was received (and
/// billed): its tokens count in the run's usage, once, before an error
/// built from that usage (a time budget's) or the run's end.
pub(super) fn bill_held(run: &mut Run) {
    if let Phase::Hooks { then: Resume::Response(turn), .. } = &mut run.phase {
        run.usage.add(&core::mem::take(&mut turn.usage));
    }
}

/// The session or runtime is going away: stop and report, no hooks.
pub(super) fn cancel(st: &mut Step<'_, '_>, run: &mut Run, error: CoreError) -> Flow {
    if let Phase::Hooks { chain, then: Resume::Finish(_) } = &mut run.phase {
        chain.abandon(st);
    }
    stop(st, run, "CANCELLED: the session was destroyed before this tool finished");
    roll_back(st, run);
    report(st, run, Outcome::Failed(error))
}

/// Stop now: what streamed so far is kept, tool calls still out get
/// "interrupted" results (so every tool_use keeps its tool_result), and the
/// run completes with stop reason `cancelled` (`compact()`'s run just ends).
pub(super) fn interrupt(st: &mut Step<'_, '_>, run: &mut Run) -> Flow {
    if let Phase::Hooks { then: Resume::Finish(_), .. } = &run.phase {
        // Already ending: end now with the outcome it has.
        let Phase::Hooks { mut chain, then: Resume::Finish(outcome) } =
            core::mem::replace(&mut run.phase, Phase::Starting)
        else {
            return Flow::Wait;
        };
        chain.abandon(st);
        return report(st, run, outcome);
    }
    let partial = stop(st, run, "INTERRUPTED: the turn was stopped before this tool finished");
    if run.compact_only {
        // No turn to end and no hooks: a compaction runs none.
        return report_completed(st, run);
    }
    let usage = partial.as_ref().map(|p| p.usage).unwrap_or_default();
    if let Some(partial) = partial {
        run.last_text = partial.text();
        if !partial.content.is_empty() {
            st.session.transcript.push(Message::assistant(partial.content));
        }
    }
    run.usage.add(&usage);
    run.interrupted = true;
    st.session.events.push(&Event::TurnCompleted { stop_reason: StopReason::Cancelled, usage });
    complete(st, run)
}

/// Cancel what the phase has outstanding; an answer cut short is returned
/// (its visible text only).
fn stop(st: &mut Step<'_, '_>, run: &mut Run, tool_message: &str) -> Option<AssistantTurn> {
    match core::mem::replace(&mut run.phase, Phase::Starting) {
        Phase::Starting => None,
        Phase::Hooks { mut chain, then } => {
            chain.abandon(st);
            match then {
                // A whole answer waiting on its hooks: keep its text.
                Resume::Response(mut turn) => {
                    turn.content.retain(|p| matches!(p, Part::Text { text } if !text.is_empty()));
                    let AssistantTurn { content, usage, .. } = *turn;
                    Some(AssistantTurn { content, tool_calls: Vec::new(), stop_reason: StopReason::Cancelled, usage })
                }
                _ => None,
            }
        }
        Phase::Llm(call) => {
            st.ctx.out.abort_http(call.request);
            match call.state {
                HttpState::Streaming(mut parser) => Some(parser.partial()),
                _ => None,
            }
        }
        Phase::Compacting { call, .. } => {
            st.ctx.out.abort_http(call.request);
            // Its `compaction_started` gets its end; the history was not touched.
            st.session.events.push(&Event::CompactionFailed { error: "interrupted" });
            None
        }
        Phase::BackingOff { timer } => {
            st.ctx.out.cancel_timer(timer);
            None
        }
        // The lease effect is shared: it stays in flight for the others.
        Phase::Auth { .. } => None,
        Phase::Tools { slots } => {
            tools::close(st, slots, tool_message);
            None
        }
    }
}

/// A run that failed before any answer leaves no trace in the transcript,
/// so a retry starts clean.
fn roll_back(st: &mut Step<'_, '_>, run: &Run) {
    if run.compact_only {
        return;
    }
    let transcript = &mut st.session.transcript;
    let answered = transcript.len() > run.transcript_mark + 1;
    if !answered {
        transcript.truncate(run.transcript_mark);
    }
}

/// The run's result so far.
pub(super) fn result_of(st: &Step<'_, '_>, run: &Run) -> RunResult {
    // An interrupted answer is partial: parsing it would only produce noise.
    let (structured_output, schema_warnings) = match (&run.output_schema, run.interrupted) {
        (Some(schema), false) => structured::check(schema, &run.last_text, st.session.provider.name()),
        _ => (None, Vec::new()),
    };
    RunResult {
        session_id: st.session.id.clone(),
        text: run.last_text.clone(),
        turns: run.llm_turns,
        tool_calls: run.tool_calls,
        usage: run.usage,
        structured_output,
        schema_warnings,
        skill_diagnostics: st.ctx.skills.diagnostics(&run.skills),
    }
}

/// `BUDGET_EXHAUSTED`, with `details: {budgetType, used, limit, partial}`.
pub(super) fn budget_error(st: &Step<'_, '_>, run: &Run, exhausted: Exhausted) -> CoreError {
    let kind = exhausted.kind.as_str();
    let mut details = String::new();
    let mut o = ObjectWriter::new(&mut details);
    o.str("budgetType", kind).u64("used", exhausted.used).u64("limit", exhausted.limit);
    result_of(st, run).write_json(o.key("partial"));
    o.end();
    let message = format!(
        "the run's {kind} budget is used up ({} of {}); raise budget.{} or split the work",
        exhausted.used,
        exhausted.limit,
        match exhausted.kind {
            crate::events::BudgetType::Tokens => "tokens",
            crate::events::BudgetType::Time => "durationMs",
            crate::events::BudgetType::ToolCalls => "toolCalls",
        }
    );
    CoreError::new(ErrorCode::BudgetExhausted, message).with_details(details)
}

/// Report the end to the session, the host and (by `Flow::Ended`) the runtime.
pub(super) fn report(st: &mut Step<'_, '_>, run: &mut Run, outcome: Outcome) -> Flow {
    if let Some(timer) = run.deadline.take() {
        st.ctx.out.cancel_timer(timer);
    }
    let session = &mut *st.session;
    let (result, error) = match outcome {
        Outcome::Completed(result) => {
            session.totals.add_run(&run.usage, run.llm_turns, run.tool_calls);
            if !run.compact_only {
                session.events.push(&Event::RunCompleted {
                    session_id: &session.id,
                    result: &result.text,
                    usage: result.usage,
                });
            }
            (Some(result), None)
        }
        Outcome::Failed(error) => {
            session.totals.add_run(&run.usage, run.completed_turns, run.tool_calls);
            if !run.compact_only {
                let event = Event::RunFailed { session_id: &session.id, error: &error.message };
                session.events.push(&event);
            }
            (None, Some(error))
        }
    };
    let output = match (&result, &error) {
        (Some(r), _) => Ok(r.structured_output.as_ref().map_or(r.text.as_str(), Raw::as_str).to_string()),
        (None, Some(e)) => Err(e.message.clone()),
        (None, None) => Err(String::new()),
    };
    let schema_error =
        result.as_ref().and_then(|r| r.schema_warnings.first()).map(|w| (w.path.clone(), w.message.clone()));
    let session_id = session.id.clone();
    st.ctx.reactions.push(Reaction::RunEnded { session: session_id, run_id: run.id, output, schema_error });
    st.ctx.out.run_finished(&session.id, run.id, result.as_deref(), error.as_ref(), &session.totals);
    if let Some(result) = result
        && !run.compact_only
    {
        session.last_result = Some(result);
    }
    Flow::Ended
}
