//! Starting a run from any input.

use super::budget::BudgetState;
use super::{Agent, Flow, MAX_QUEUED, Phase, Resume, Run, Step, compaction, hooks};
use crate::config::Budget;
use crate::effects::Owner;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::{BudgetType, Event};
use crate::hooks::HookPoint;
use crate::json::Raw;
use crate::skills::{self, SkillKey};
use crate::transcript::{Message, Part, Prompt};
use crate::usage::Usage;

/// What starts a run.
#[derive(Clone, Debug)]
pub enum RunInput {
    /// The user's prompt (`session.turn`).
    User(Prompt),
    /// A message the core delivers (a peer's, a flow step's), already
    /// attributed: it reaches the model as context, not as the user's words.
    Injected { text: String },
    /// Summarise the history now (`session.compact()`).
    Compact,
    /// Read what waits: the inbox's messages and steered words (a member
    /// woken by a peer's message).
    Wake,
}

/// Per-run options (a turn's, else the session's).
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub output_schema: Option<Raw>,
    pub budget: Option<Budget>,
    /// Skills injected for this run only.
    pub skills: Vec<SkillKey>,
    /// Wait for the current run instead of failing with `SESSION_BUSY`.
    pub queue: bool,
}

/// Whether the input started a run now or waits for the current one.
#[derive(Debug, PartialEq, Eq)]
pub enum Started {
    Now,
    Queued,
}

/// Start run `run_id`. A user prompt or a compaction on a busy session is
/// refused (`SESSION_BUSY`); an injected input waits its turn.
pub fn start(
    ctx: &mut super::Ctx<'_>,
    agent: &mut Agent,
    run_id: u64,
    input: RunInput,
    options: RunOptions,
) -> CoreResult<Started> {
    let session = &agent.session;
    session.check_open()?;
    if let RunInput::User(prompt) = &input {
        check_prompt(prompt, ctx.settings.max_prompt_bytes)?;
    }
    for key in &options.skills {
        ctx.skills.resolve(key)?;
    }
    if agent.run.is_some() {
        if !(options.queue || matches!(input, RunInput::Injected { .. } | RunInput::Wake)) {
            return Err(CoreError::new(
                ErrorCode::SessionBusy,
                format!("session {} already has a turn in flight; await it (or interrupt it) first", session.id),
            ));
        }
        if agent.queue.len() >= MAX_QUEUED {
            return Err(CoreError::new(
                ErrorCode::SessionBusy,
                format!("session {} has {MAX_QUEUED} inputs waiting already", session.id),
            ));
        }
        agent.queue.push((run_id, input, options));
        return Ok(Started::Queued);
    }
    begin(ctx, agent, run_id, input, options);
    Ok(Started::Now)
}

/// After a run ended: start the next input that waited for it, if any;
/// its run id.
pub fn start_queued(ctx: &mut super::Ctx<'_>, agent: &mut Agent) -> Option<u64> {
    if agent.run.is_some() {
        return None;
    }
    if agent.queue.is_empty() {
        return None;
    }
    let (run_id, input, options) = agent.queue.remove(0);
    begin(ctx, agent, run_id, input, options);
    Some(run_id)
}

/// The session is going away: every waiting input is reported cancelled.
pub fn cancel_queued(ctx: &mut super::Ctx<'_>, agent: &mut Agent, error: &CoreError) {
    for (run_id, _, _) in core::mem::take(&mut agent.queue) {
        ctx.out.run_finished(&agent.session.id, run_id, None, Some(error), &agent.session.totals);
    }
}

/// End queued input `run_id` before it starts (its flow step is over):
/// its waiter gets `error`. Nothing when it is not queued.
pub fn cancel_queued_run(ctx: &mut super::Ctx<'_>, agent: &mut Agent, run_id: u64, error: &CoreError) {
    let Some(at) = agent.queue.iter().position(|(id, _, _)| *id == run_id) else { return };
    agent.queue.remove(at);
    ctx.out.run_finished(&agent.session.id, run_id, None, Some(error), &agent.session.totals);
}

/// Create the run and move it to its first waiting phase.
pub(super) fn begin(ctx: &mut super::Ctx<'_>, agent: &mut Agent, run_id: u64, input: RunInput, options: RunOptions) {
    let session = &mut agent.session;
    session.updated_ms = ctx.now_ms;
    let mark = session.transcript.len();
    let compact_only = matches!(input, RunInput::Compact);
    let prompt = if compact_only {
        None
    } else {
        // Peers' messages and steered words that waited come first.
        let mut parts = Vec::new();
        if let Some(text) = ctx.bus.take_inbox(&session.id) {
            parts.push(Part::Text { text });
        }
        parts.append(&mut agent.steer);
        match input {
            RunInput::User(prompt) => parts.append(&mut prompt.into_parts()),
            RunInput::Injected { text } => parts.push(Part::Text { text }),
            RunInput::Compact | RunInput::Wake => {}
        }
        // The text parts joined by blank lines (a plain loop: smaller wasm).
        let mut text = String::new();
        let mut first = true;
        for part in &parts {
            if let Part::Text { text: piece } = part {
                if !first {
                    text.push_str("\n\n");
                }
                first = false;
                text.push_str(piece);
            }
        }
        session.transcript.push(Message::user(parts));
        Some(text)
    };
    let mut run = Run {
        id: run_id,
        phase: Phase::Starting,
        started_ms: ctx.now_ms,
        llm_turns: 0,
        completed_turns: 0,
        tool_calls: 0,
        usage: Usage::default(),
        attempt: 0,
        transcript_mark: mark,
        last_text: String::new(),
        output_schema: options.output_schema.or_else(|| session.output_schema.clone()),
        interrupted: false,
        budget: BudgetState::new(options.budget.or(session.budget)),
        skills: Vec::new(),
        injection: String::new(),
        patch: Default::default(),
        compacted_this_turn: false,
        compact_only,
        over_budget: None,
        fresh_lease: false,
        lease_generation: 0,
        auth_retried: false,
        deadline: None,
    };
    let duration = run.budget.limit(BudgetType::Time);
    run.deadline = duration.map(|ms| ctx.out.timer(Owner::Session(session.id.clone()), ms, ctx.now_ms));
    if let Some(prompt) = prompt {
        session.events.push(&Event::RunStarted { session_id: &session.id, prompt: &prompt });
        resolve_skills(ctx, session, &mut run, options.skills);
    }
    let mut step = Step { ctx, session, background: &mut agent.background, steer: &mut agent.steer };
    let flow = if compact_only {
        compaction::start_on_demand(&mut step, &mut run)
    } else {
        hooks::enter(&mut step, &mut run, HookPoint::RunStarted, Resume::Begin)
    };
    if flow == Flow::Wait {
        agent.run = Some(Box::new(run));
    }
}

/// Preloaded and per-turn skills, resolved now: a preloaded skill whose
/// source went away is reported and left out; the run goes on.
fn resolve_skills(ctx: &super::Ctx<'_>, session: &mut crate::session::Session, run: &mut Run, turn: Vec<SkillKey>) {
    let mut keys: Vec<SkillKey> = Vec::new();
    let mut add = |key: &SkillKey| {
        if !keys.contains(key) {
            keys.push(key.clone());
        }
    };
    for key in &session.preload_skills {
        add(key);
    }
    for key in &turn {
        add(key);
    }
    let mut resolved = Vec::with_capacity(keys.len());
    for key in &keys {
        match ctx.skills.resolve(key) {
            Ok(skill) => resolved.push((key, skill)),
            Err(error) => {
                let (reference, error) = (&key.label(), &error.message);
                session.events.push(&Event::SkillResolutionFailed { reference, error });
            }
        }
    }
    if resolved.is_empty() {
        return;
    }
    run.injection = skills::injection(&resolved);
    let mut labels = Vec::with_capacity(resolved.len());
    for (key, _) in &resolved {
        labels.push(key.label());
        run.skills.push((*key).clone());
    }
    session.events.push(&Event::SkillsResolved { skills: &labels, injection_bytes: run.injection.len() as u64 });
}

/// A user prompt the engine would accept: not over `max_bytes`, not
/// empty or blank (a provider refuses an empty message, and only after the
/// run began; blocks whose text is all empty are empty too: the message is
/// left out of the request, which then ends with the last answer). Public so a
/// caller that creates things first (a mob spawning a member with an
/// initial message) can check before it creates anything.
pub fn check_prompt(prompt: &Prompt, max_bytes: usize) -> CoreResult<()> {
    // Text and images count; a block of neither is refused when parsed.
    if prompt.is_blank() {
        return Err(CoreError::new(
            ErrorCode::InvalidArgument,
            "the prompt is empty or blank; give the model some text",
        ));
    }
    let size = prompt.size();
    if size > max_bytes {
        return Err(CoreError::new(
            ErrorCode::PromptTooLarge,
            format!("the prompt is {size} bytes; the limit is {max_bytes} (maxPromptBytes in the runtime config)"),
        ));
    }
    Ok(())
}
