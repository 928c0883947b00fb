//! The run engine: one session driven through runs by any input.
//!
//! A run starts from a user prompt, a message the core injects (a peer's
//! message, a flow step), or an on-demand compaction. It moves through
//! [`Phase`]s; each phase records what it waits on and how to resume. Every
//! point where a hook may pause the run is a phase ([`Phase::Hooks`], and
//! the hook stages of each tool slot). Inputs are effect outcomes
//! ([`Input`]); [`advance`] is the one transition function. A run's end is
//! reported to the host (`run_finished`) and returned to the runtime
//! ([`Reaction::RunEnded`]), which may start the next queued input.
//!
//! Order of a run: `run_started` hooks → per LLM turn: budget check,
//! compaction when due, `pre_llm_request` hooks, the request (its lease
//! asked for first when the session's binding has none usable; retried
//! after a backoff timer when transient, and once with a fresh lease after
//! a 401), `post_llm_response` hooks, then
//! tool calls (each: checks, `pre_tool_execution` hooks, the tool,
//! `post_tool_execution` hooks) and `turn_boundary` hooks before the next
//! turn; at the end `run_completed` or `run_failed` hooks, then the report.

mod budget;
mod compaction;
mod core_tools;
mod finish;
mod hook_ctx;
mod hooks;
mod lease;
mod request;
mod start;
mod structured;
mod tools;

pub use start::{RunInput, RunOptions, Started, cancel_queued, cancel_queued_run, check_prompt, start, start_queued};

use crate::auth::Leases;
use crate::comms::Bus;
use crate::config::Settings;
use crate::effects::Outbox;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::{Event, EventLog};
use crate::hooks::HookRegistry;
use crate::ids::Rng;
use crate::json::{Json, Raw};
use crate::provider::{AssistantTurn, TextSink};
use crate::results::RunResult;
use crate::session::Session;
use crate::skills::{SkillKey, SkillRegistry};
use crate::tools::ToolRegistry;
use crate::transcript::Part;
use crate::usage::Usage;

use budget::BudgetState;
use hooks::{Background, HookChain};
use lease::AfterAuth;
use request::{HttpCall, RequestPatch};
use tools::ToolSlot;

/// A session and what the engine keeps beside it.
#[derive(Debug)]
pub struct Agent {
    pub session: Session,
    /// Boxed: an idle session does not carry a run's room, and a run moves
    /// in and out of here on every input as a pointer.
    pub run: Option<Box<Run>>,
    /// Background hook calls in flight (they outlive runs).
    background: Vec<Background>,
    /// Inputs that arrived while a run was going, started in order (a
    /// Vec, not a VecDeque: at most `MAX_QUEUED`, and less wasm).
    queue: Vec<(u64, RunInput, RunOptions)>,
    /// The host's words for the running run, taken in at its next LLM
    /// turn (`handlingMode: "steer"`), else by the next run.
    pub steer: Vec<Part>,
}

/// Inputs waiting per session, at most.
const MAX_QUEUED: usize = 256;

impl Agent {
    pub fn new(session: Session) -> Agent {
        Agent { session, run: None, background: Vec::new(), queue: Vec::new(), steer: Vec::new() }
    }

    pub fn is_running(&self) -> bool {
        self.run.is_some()
    }

    /// A host tool named `name` was registered (`add`) or unregistered
    /// (`remove`): a session that offers it is told, with the first turn
    /// whose request reflects it (the run in flight's next, else 1).
    pub fn tool_changed(&mut self, operation: &'static str, name: &str) {
        if self.session.tools.as_ref().is_some_and(|names| !names.iter().any(|n| n == name)) {
            return;
        }
        let applied_at_turn = self.run.as_ref().map_or(1, |run| run.llm_turns + 1);
        self.session.events.push(&Event::ToolConfigChanged { operation, target: name, applied_at_turn });
    }

    /// Inputs waiting for the current run to end.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// What the run is doing now, for a status display.
    pub fn activity(&self) -> Option<String> {
        let run = self.run.as_ref()?;
        Some(match &run.phase {
            Phase::Starting => "starting".to_string(),
            Phase::Hooks { chain, .. } => format!("hooks:{}", chain.point.as_str()),
            Phase::Llm(_) => "llm_request".to_string(),
            Phase::Compacting { .. } => "compacting".to_string(),
            Phase::BackingOff { .. } => "backing_off".to_string(),
            Phase::Auth { .. } => "auth".to_string(),
            Phase::Tools { slots } => {
                let mut text = "tools:".to_string();
                for (i, slot) in slots.iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    text.push_str(slot.name());
                }
                text
            }
        })
    }

    /// The running run, if it can still take steered words (it has an LLM
    /// request to come, or may make one more): not once it is ending (its
    /// end hooks), nor one that only compacts.
    pub fn steerable_run(&self) -> Option<u64> {
        let run = self.run.as_ref()?;
        let ending = run.interrupted || matches!(run.phase, Phase::Hooks { then: Resume::Finish(_), .. });
        (!run.compact_only && !ending).then_some(run.id)
    }

    /// Is this session's run waiting for the lease of auth effect `id`?
    pub fn awaits_lease(&self, id: u32) -> bool {
        self.run.as_ref().is_some_and(|r| matches!(r.phase, Phase::Auth { effect, .. } if effect == id))
    }

    /// Does this session own effect `id` (a run's or a background hook's)?
    pub fn awaits(&self, id: u32) -> bool {
        self.background.iter().any(|b| b.effect == id) || self.run.as_ref().is_some_and(|r| r.awaits(id))
    }
}

/// One run of a session.
#[derive(Debug)]
pub struct Run {
    pub id: u64,
    pub phase: Phase,
    started_ms: f64,
    /// LLM requests started (the turn number).
    llm_turns: u32,
    /// LLM turns that got a whole answer: a failed request is not a turn.
    completed_turns: u32,
    tool_calls: u32,
    usage: Usage,
    /// Retries spent on the current LLM request.
    attempt: u32,
    /// Transcript length before the input: a run that fails before any
    /// answer is rolled back to here, so a retry starts clean.
    transcript_mark: usize,
    last_text: String,
    /// Structured output asked of this run (the turn's, else the session's).
    output_schema: Option<Raw>,
    interrupted: bool,
    budget: BudgetState,
    /// Skills injected into every request of this run.
    skills: Vec<SkillKey>,
    injection: String,
    /// A `pre_llm_request` rewrite for the request about to be sent.
    patch: RequestPatch,
    /// Compaction was attempted for the current LLM turn.
    compacted_this_turn: bool,
    /// A compaction-only run (`session.compact()`).
    compact_only: bool,
    /// Set when a tool call went over the budget: the run fails once the
    /// other calls of the batch settle.
    over_budget: Option<CoreError>,
    /// The run just waited for its lease: use it even inside the expiry
    /// margin (taken by the next request).
    fresh_lease: bool,
    /// The generation of the lease the last request carried.
    lease_generation: u32,
    /// This LLM turn already asked for a fresh lease after a 401.
    auth_retried: bool,
    /// The timer of a `durationMs` budget: a tool or hook that never
    /// answers must not hold the run past it.
    deadline: Option<u32>,
}

impl Run {
    /// Is this run waiting on effect `id`?
    fn awaits(&self, id: u32) -> bool {
        if self.deadline == Some(id) {
            return true;
        }
        match &self.phase {
            Phase::Starting => false,
            Phase::Hooks { chain, .. } => chain.awaits(id),
            Phase::Llm(call) | Phase::Compacting { call, .. } => call.request == id,
            Phase::BackingOff { timer } | Phase::Auth { effect: timer, .. } => *timer == id,
            Phase::Tools { slots } => slots.iter().any(|s| s.awaits(id)),
        }
    }
}

/// Where a run is.
pub enum Phase {
    /// Created and being moved to its first waiting phase; never seen
    /// between commands.
    Starting,
    /// Foreground hooks at one point; `then` says how to go on.
    Hooks { chain: HookChain, then: Resume },
    /// The LLM request of a turn.
    Llm(HttpCall),
    /// The summary request of a compaction, before the turn's own request.
    Compacting { call: HttpCall, plan: compaction::Plan },
    /// A transient failure: waiting for the timer to send the request again.
    BackingOff { timer: u32 },
    /// A turn's tool calls, each in its own stage.
    Tools { slots: Vec<ToolSlot> },
    /// Waiting for the lease of the session's binding (auth effect `effect`,
    /// shared with other runs), then `then`.
    Auth { effect: u32, then: AfterAuth },
}

impl core::fmt::Debug for Phase {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Phase::Starting => write!(f, "Starting"),
            Phase::Hooks { chain, .. } => write!(f, "Hooks({})", chain.point.as_str()),
            Phase::Llm(call) => write!(f, "Llm({})", call.request),
            Phase::Compacting { call, .. } => write!(f, "Compacting({})", call.request),
            Phase::BackingOff { timer } => write!(f, "BackingOff({timer})"),
            Phase::Tools { slots } => write!(f, "Tools({})", slots.len()),
            Phase::Auth { effect, .. } => write!(f, "Auth({effect})"),
        }
    }
}

/// How a run goes on once the hooks of a point have answered.
#[derive(Debug)]
pub enum Resume {
    /// After `run_started`: the first LLM turn.
    Begin,
    /// After `pre_llm_request`: send the request.
    Send,
    /// After `post_llm_response`: record the answer (boxed: phases move often).
    Response(Box<AssistantTurn>),
    /// After `turn_boundary`: the next LLM turn.
    NextTurn,
    /// After `run_completed` / `run_failed`: report the end.
    Finish(Outcome),
}

#[derive(Debug)]
pub enum Outcome {
    Completed(Box<RunResult>),
    Failed(CoreError),
}

/// Go on after the hooks of a point (or at once when it has none).
fn resume(st: &mut Step<'_, '_>, run: &mut Run, then: Resume) -> Flow {
    match then {
        Resume::Begin | Resume::NextTurn => request::begin_turn(st, run),
        Resume::Send => request::send(st, run, true),
        Resume::Response(turn) => request::record(st, run, *turn),
        Resume::Finish(outcome) => finish::report(st, run, outcome),
    }
}

/// What a transition left the run doing.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    /// Waiting on an effect.
    Wait,
    /// Reported; the run is over.
    Ended,
}

/// An effect outcome (or a command) for a session's run.
#[derive(Debug)]
pub enum Input<'a> {
    HttpHead {
        id: u32,
        status: u16,
        headers: Vec<(String, String)>,
    },
    HttpEnd {
        id: u32,
    },
    HttpError {
        id: u32,
        message: &'a str,
    },
    Timer {
        id: u32,
    },
    ToolResult {
        id: u32,
        content: Vec<Part>,
        is_error: bool,
    },
    HookResult {
        id: u32,
        verdict: Result<Json<'a>, String>,
    },
    /// The lease the run waits for is in the cache, or why it is not.
    Auth {
        id: u32,
        result: Result<(), CoreError>,
    },
    /// Stop now, keeping what streamed (`session.interrupt()`).
    Interrupt,
    /// Stop now and fail (the session or runtime is going away).
    Cancel(CoreError),
}

/// What a run's end asks of the runtime.
#[derive(Debug, PartialEq, Eq)]
pub enum Reaction {
    /// `output`: the answer (structured output as JSON text when asked
    /// for), or the error message; `schema_error`: why an answer asked to
    /// be structured is not (not JSON, or not what the schema says), as
    /// (path, message).
    RunEnded { session: String, run_id: u64, output: Result<String, String>, schema_error: Option<(String, String)> },
}

/// Everything outside the session that a step may read or write.
pub struct Ctx<'a> {
    pub settings: &'a Settings,
    pub tools: &'a ToolRegistry,
    pub hooks: &'a HookRegistry,
    pub skills: &'a SkillRegistry,
    pub out: &'a mut Outbox,
    pub rng: &'a mut Rng,
    pub now_ms: f64,
    pub reactions: &'a mut Vec<Reaction>,
    pub bus: &'a mut Bus,
    pub leases: &'a mut Leases,
}

/// One step's view: the runtime context, the session, and the engine's
/// own per-session state.
pub(crate) struct Step<'s, 'a> {
    pub ctx: &'s mut Ctx<'a>,
    pub session: &'s mut Session,
    background: &'s mut Vec<Background>,
    steer: &'s mut Vec<Part>,
}

impl TextSink for EventLog {
    fn text_delta(&mut self, text: &str) {
        if !text.is_empty() {
            self.push_text_delta(text);
        }
    }
}

/// The one transition function: feed an input to the session's run.
pub fn advance(ctx: &mut Ctx<'_>, agent: &mut Agent, input: Input<'_>) -> CoreResult<()> {
    agent.session.updated_ms = ctx.now_ms;
    // A background hook's answer belongs to no run.
    if let Input::HookResult { id, verdict } = &input
        && let Some(at) = agent.background.iter().position(|b| b.effect == *id)
    {
        let done = agent.background.remove(at);
        hooks::background_answered(ctx, &mut agent.session, done, verdict.as_ref().map_err(String::as_str));
        return Ok(());
    }
    if let Input::Timer { id } = &input
        && let Some(at) = agent.background.iter().position(|b| b.timer == *id)
    {
        let done = agent.background.remove(at);
        hooks::background_timed_out(ctx, &mut agent.session, done);
        return Ok(());
    }
    let Some(mut run) = agent.run.take() else {
        return match input {
            Input::Interrupt | Input::Cancel(_) => Ok(()), // idle: nothing to stop
            _ => Err(not_awaited(&agent.session.id)),
        };
    };
    let mut step =
        Step { ctx, session: &mut agent.session, background: &mut agent.background, steer: &mut agent.steer };
    let flow = dispatch(&mut step, &mut run, input).map(|flow| match flow {
        Flow::Wait => out_of_time(&mut step, &mut run),
        ended => ended,
    });
    match flow {
        Ok(Flow::Wait) => {
            agent.run = Some(run);
            Ok(())
        }
        Ok(Flow::Ended) => Ok(()),
        Err(error) => {
            // The input was refused; the run is as it was.
            agent.run = Some(run);
            Err(error)
        }
    }
}

fn dispatch(st: &mut Step<'_, '_>, run: &mut Run, input: Input<'_>) -> CoreResult<Flow> {
    match input {
        Input::HttpHead { id, status, headers } => request::on_head(st, run, id, status, headers),
        Input::HttpEnd { id } => request::on_end(st, run, id),
        Input::HttpError { id, message } => request::on_error(st, run, id, message),
        Input::Timer { id } => on_timer(st, run, id),
        Input::ToolResult { id, content, is_error } => tools::on_result(st, run, id, content, is_error),
        Input::HookResult { id, verdict } => hooks::on_result(st, run, id, verdict),
        Input::Auth { id, result } => lease::on_result(st, run, id, result),
        Input::Interrupt => Ok(finish::interrupt(st, run)),
        Input::Cancel(error) => Ok(finish::cancel(st, run, error)),
    }
}

/// Body bytes of the run's HTTP request: the hot path, kept out of
/// [`advance`]'s bookkeeping (no run is moved for a chunk).
pub fn on_body(ctx: &mut Ctx<'_>, agent: &mut Agent, id: u32, bytes: &[u8]) -> CoreResult<()> {
    let Agent { session, run, background, steer, .. } = agent;
    let Some(active) = run.as_mut() else { return Err(not_awaited(&session.id)) };
    match request::feed(active, &mut session.events, id, bytes) {
        Ok(None) => Ok(()),
        Ok(Some(failure)) => {
            ctx.out.abort_http(id);
            let Some(mut taken) = run.take() else { return Ok(()) };
            let mut step = Step { ctx, session, background, steer };
            if request::failed(&mut step, &mut taken, failure) == Flow::Wait {
                agent.run = Some(taken);
            }
            Ok(())
        }
        Err(error) => Err(error),
    }
}

/// Past a `durationMs` budget, a run held by a tool or a hook (which may
/// never answer) or backing off before a retry (which the budget would
/// not let it send) fails as one out of budget at its next request would;
/// the late answer is refused. An LLM request in flight is let finish:
/// the check before the next request stops the run.
fn out_of_time(st: &mut Step<'_, '_>, run: &mut Run) -> Flow {
    let held = match &run.phase {
        Phase::Tools { .. } | Phase::BackingOff { .. } => true,
        Phase::Hooks { then, .. } => !matches!(then, Resume::Finish(_)),
        _ => false,
    };
    if !held {
        return Flow::Wait;
    }
    match run.budget.time_up(st.ctx.now_ms - run.started_ms, &mut st.session.events) {
        Some(exhausted) => {
            finish::bill_held(run);
            let error = finish::budget_error(st, run, exhausted);
            finish::fail(st, run, error)
        }
        None => Flow::Wait,
    }
}

fn on_timer(st: &mut Step<'_, '_>, run: &mut Run, id: u32) -> CoreResult<Flow> {
    if run.deadline == Some(id) {
        // It fired: `advance` checks the time next. A host timer may fire a
        // little before the host's clock says the time is up (timers round
        // to the millisecond): then a new one for the rest, so the check
        // comes again instead of never.
        let limit = run.budget.limit(crate::events::BudgetType::Time).unwrap_or_default() as f64;
        let left = (limit - (st.ctx.now_ms - run.started_ms)).ceil();
        run.deadline = (left > 0.0).then(|| {
            st.ctx.out.timer(crate::effects::Owner::Session(st.session.id.clone()), left as u64, st.ctx.now_ms)
        });
        return Ok(Flow::Wait);
    }
    match &run.phase {
        Phase::BackingOff { timer } if *timer == id => Ok(request::resend(st, run)),
        Phase::Hooks { chain, .. } if chain.awaits(id) => hooks::on_timeout(st, run, id),
        Phase::Tools { slots } if slots.iter().any(|s| s.awaits(id)) => tools::on_timeout(st, run, id),
        _ => Err(not_awaited(&st.session.id)),
    }
}

fn not_awaited(session: &str) -> CoreError {
    CoreError::new(ErrorCode::UnknownEffect, format!("the outcome is not awaited by session {session}"))
}
