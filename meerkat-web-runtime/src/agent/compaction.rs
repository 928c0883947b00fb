//! Compaction: when the next request's estimated input passes the
//! threshold, the older turns are summarised by one request of the
//! session's own provider and replaced by the summary; the recent turns
//! stay as they are. Turns are cut only where a user prompt begins, so a
//! tool call is never separated from its result. A failed summary leaves
//! the history intact and the run goes on.

use super::lease::{self, AfterAuth};
use super::request::HttpCall;
use super::{Flow, Outcome, Phase, Run, Step, finish, request};
use crate::config::DEFAULT_KEEP_RECENT_TURNS;
use crate::effects::Owner;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::Event;
use crate::provider::{AssistantTurn, LlmRequest, ToolSpec};
use crate::session::Session;
use crate::transcript::{Message, Part};

/// What a compaction will do.
#[derive(Debug)]
pub struct Plan {
    /// Messages before this index are summarised.
    keep_from: usize,
    messages_before: usize,
}

/// The instruction the summary request carries (the simulated provider
/// recognises "Summarize the conversation" in it).
pub const SYSTEM: &str = "You compact conversations between a user and an AI assistant. Summarize the conversation \
you are given so the assistant can continue from your summary instead of the full history: keep the user's goals, \
facts and names they gave, decisions made, results of tool calls and open questions. Write plain prose, no preamble.";
const INSTRUCTION: &str = "Summarize the conversation above, following your instructions.";
/// How the summary reads in the history.
pub const SUMMARY_PREFIX: &str = "[Summary of the earlier conversation]\n";

/// Images are counted at about what the providers charge for a mid-size one.
const IMAGE_TOKENS: u64 = 1600;
/// A summary needs no more than this, whatever the session allows.
const MAX_SUMMARY_TOKENS: u32 = 4096;

/// Is compaction due before this turn's request?
pub(super) fn due(st: &Step<'_, '_>, run: &Run) -> Option<Plan> {
    if run.compacted_this_turn {
        return None;
    }
    let config = st.session.compaction?;
    let threshold = config.threshold_tokens.unwrap_or_else(|| default_threshold(&st.session.model));
    let (_, input) = estimate(st, run);
    if input < threshold {
        return None;
    }
    plan(st.session, config.keep_recent_turns)
}

/// The older part to summarise: everything before the `keep`-th most
/// recent user turn, when there are at least two such messages.
fn plan(session: &Session, keep: u32) -> Option<Plan> {
    let mut starts = Vec::new();
    for (i, message) in session.transcript.iter().enumerate() {
        if message.starts_turn() {
            starts.push(i);
        }
    }
    let keep = keep as usize;
    if starts.len() <= keep {
        return None;
    }
    let keep_from = *starts.get(starts.len() - keep)?;
    (keep_from >= 2).then_some(Plan { keep_from, messages_before: session.transcript.len() })
}

/// `session.compact()`: summarise now, whatever the size.
pub(super) fn start_on_demand(st: &mut Step<'_, '_>, run: &mut Run) -> Flow {
    let keep = st.session.compaction.map_or(DEFAULT_KEEP_RECENT_TURNS, |c| c.keep_recent_turns);
    match plan(st.session, keep) {
        Some(plan) => start(st, run, plan),
        // Nothing old enough to summarise: done, nothing changed.
        None => finish::report_completed(st, run),
    }
}

/// Send the summary request (its lease first, when one is needed).
pub(super) fn start(st: &mut Step<'_, '_>, run: &mut Run, plan: Plan) -> Flow {
    let Some(endpoint) = lease::endpoint(st, run) else {
        return lease::wait(st, run, AfterAuth::Compact(plan));
    };
    // Sent again after a 401 (with a fresh lease): still one compaction.
    if !core::mem::replace(&mut run.compacted_this_turn, true) {
        let (history, input) = estimate(st, run);
        let session = &*st.session;
        st.session.events.push(&Event::CompactionStarted {
            input_tokens: input,
            estimated_history_tokens: history,
            message_count: session.transcript.len() as u64,
        });
    }
    let Some(provider) = st.session.api.implementation() else {
        let error = CoreError::new(ErrorCode::UnsupportedModel, "provider unavailable");
        return finished(st, run, Err(error));
    };
    // The older part plus the instruction, built in place and put back
    // after (no copy of the history).
    let session = &mut *st.session;
    let kept = session.transcript.split_off(plan.keep_from.min(session.transcript.len()));
    session.transcript.push(Message::user(vec![Part::Text { text: INSTRUCTION.to_string() }]));
    let request = provider.build_request(&LlmRequest {
        endpoint: &endpoint,
        model: &session.model,
        system_prompt: Some(SYSTEM),
        messages: &session.transcript,
        tools: &[] as &[ToolSpec<'_>],
        max_tokens: session.max_tokens.min(MAX_SUMMARY_TOKENS),
        temperature: None,
        thinking: None,
        output_schema: None,
    });
    session.transcript.pop();
    session.transcript.extend(kept);
    let owner = Owner::Session(session.id.clone());
    let id = st.ctx.out.http(owner, request, st.ctx.now_ms);
    run.phase = Phase::Compacting { call: HttpCall::sent(id, endpoint, st.session.events.text_deltas), plan };
    Flow::Wait
}

/// The summary request ended (or failed).
pub(super) fn finished(st: &mut Step<'_, '_>, run: &mut Run, outcome: CoreResult<AssistantTurn>) -> Flow {
    let plan = match core::mem::replace(&mut run.phase, Phase::Starting) {
        Phase::Compacting { plan, .. } => Some(plan),
        _ => None,
    };
    let applied = match (outcome, plan) {
        (Ok(turn), Some(plan)) => apply(st, run, turn, plan),
        (Ok(_), None) => Err(CoreError::new(ErrorCode::Internal, "no compaction was in progress")),
        (Err(error), _) => Err(error),
    };
    if let Err(error) = &applied {
        st.session.events.push(&Event::CompactionFailed { error: &error.message });
    }
    match (run.compact_only, applied) {
        (true, Ok(())) => finish::report_completed(st, run),
        (true, Err(error)) => finish::report(st, run, Outcome::Failed(error)),
        // The run goes on either way, within its budget (the summary counts).
        (false, _) => request::out_of_budget(st, run).unwrap_or_else(|| request::pre_request(st, run)),
    }
}

/// Replace the older part of the history by the summary.
fn apply(st: &mut Step<'_, '_>, run: &mut Run, turn: AssistantTurn, plan: Plan) -> CoreResult<()> {
    let summary = turn.text();
    if summary.trim().is_empty() {
        return Err(CoreError::new(ErrorCode::ProviderError, "the summary came back empty"));
    }
    // The summary's tokens are the run's (reported), not one of its turns.
    run.usage.add(&turn.usage);
    let transcript = &mut st.session.transcript;
    let kept = transcript.split_off(plan.keep_from.min(transcript.len()));
    *transcript = vec![Message::user(vec![Part::Text { text: format!("{SUMMARY_PREFIX}{}", summary.trim()) }])];
    transcript.extend(kept);
    if run.transcript_mark >= plan.keep_from {
        run.transcript_mark = run.transcript_mark - plan.keep_from + 1;
    }
    let after = transcript.len() as u64;
    st.session.events.push(&Event::CompactionCompleted {
        summary_tokens: turn.usage.output_tokens,
        messages_before: plan.messages_before as u64,
        messages_after: after,
    });
    Ok(())
}

/// Estimated tokens of the history, and of the whole next request
/// (system prompt and tool definitions too): about four bytes a token.
fn estimate(st: &Step<'_, '_>, run: &Run) -> (u64, u64) {
    let session = &*st.session;
    let mut history_bytes = 0u64;
    let mut images = 0u64;
    for message in &session.transcript {
        for part in &message.content {
            let (bytes, pictures) = part.weight();
            history_bytes += bytes;
            images += pictures;
        }
    }
    let system = session.system_prompt(&run.injection).map_or(0, |s| s.len() as u64);
    let tools: u64 = st
        .ctx
        .tools
        .visible(session.tools.as_deref(), &session.core_tools)
        .iter()
        .map(|t| (t.name.len() + t.description.len() + t.input_schema.as_str().len()) as u64)
        .sum();
    let history = history_bytes / 4 + images * IMAGE_TOKENS;
    (history, history + (system + tools) / 4)
}

/// A share of the model's context window (a small table, safe default).
pub fn default_threshold(model: &str) -> u64 {
    let m = model.to_ascii_lowercase();
    let window: u64 = if m.starts_with("claude") {
        200_000
    } else if m.starts_with("gemini") || m.starts_with("gpt-4.1") {
        1_000_000
    } else if m.starts_with("gpt-5") {
        400_000
    } else if m.starts_with("o1") || m.starts_with("o3") || m.starts_with("o4") {
        200_000
    } else if m.starts_with("gpt-3.5") {
        16_000
    } else {
        128_000
    };
    window / 4 * 3
}
