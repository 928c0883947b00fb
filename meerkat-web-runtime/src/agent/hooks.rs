//! Hook points as phases: the run (or one tool slot) waits while the
//! foreground hooks of a point answer one after another, highest priority
//! first; each may allow, deny or rewrite. Background hooks get the same
//! context at the same moment and are not waited for: what they answer is
//! reported, never applied.

use super::finish;
use super::hook_ctx::{self, Subject};
use super::tools::ToolOutput;
use super::{Flow, Outcome, Phase, Resume, Run, Step, resume};
use crate::effects::Owner;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::{Event, EventLog};
use crate::hooks::{FailurePolicy, HookDef, HookPoint, Mode, Verdict};
use crate::json::{Json, ObjectWriter, Raw};
use crate::session::Session;

/// The foreground hooks of one point, asked in turn.
#[derive(Debug)]
pub struct HookChain {
    pub point: HookPoint,
    /// Hook ids still to ask, in order.
    queue: Vec<String>,
    asking: Option<Asking>,
}

#[derive(Debug)]
struct Asking {
    effect: u32,
    timer: u32,
    hook: String,
    started_ms: f64,
}

impl HookChain {
    pub fn awaits(&self, id: u32) -> bool {
        self.asking.as_ref().is_some_and(|a| a.effect == id || a.timer == id)
    }

    /// Stop waiting (the run is stopping); the call asked ends, as `hook_failed`.
    pub(super) fn abandon(&mut self, st: &mut Step<'_, '_>) {
        if let Some(asking) = self.asking.take() {
            st.ctx.out.forget(asking.effect);
            st.ctx.out.cancel_timer(asking.timer);
            let error = "the run stopped before the hook answered";
            st.session.events.push(&Event::HookFailed { hook_id: &asking.hook, point: self.point, error });
        }
    }
}

/// A background hook call in flight.
#[derive(Debug)]
pub struct Background {
    pub effect: u32,
    pub timer: u32,
    hook: String,
    point: HookPoint,
    started_ms: f64,
}

/// A hook's answer, judged.
pub(super) enum Judged {
    /// Go on to the next hook (the patch, if any, is applied).
    Next,
    Denied(CoreError),
}

/// Run-level hook point: pause at `point` while foreground hooks answer,
/// then go on with `then`. Without hooks this costs one registry lookup.
pub(super) fn enter(st: &mut Step<'_, '_>, run: &mut Run, point: HookPoint, then: Resume) -> Flow {
    match start(st, run, point, subject_of(&then)) {
        None => resume(st, run, then),
        Some(chain) => {
            run.phase = Phase::Hooks { chain, then };
            Flow::Wait
        }
    }
}

/// What a run-level point is about.
fn subject_of(then: &Resume) -> Subject<'_> {
    match then {
        Resume::Response(turn) => Subject::Response(turn),
        Resume::Finish(outcome) => Subject::Finish(outcome),
        _ => Subject::Run,
    }
}

/// Start the hooks of `point`: background ones are sent off, the first
/// foreground one is asked. `None` when no foreground hook applies.
pub(super) fn start(st: &mut Step<'_, '_>, run: &Run, point: HookPoint, subject: Subject<'_>) -> Option<HookChain> {
    let found = st.ctx.hooks.at(point, &st.session.id);
    if found.is_empty() {
        return None;
    }
    let context = hook_ctx::build(st, run, point, &subject);
    let mut queue = Vec::new();
    for hook in found {
        match hook.mode {
            Mode::Background => {
                let (effect, timer) = send(st, hook, context.clone());
                let started_ms = st.ctx.now_ms;
                let hook = hook.id.clone();
                st.background.push(Background { effect, timer, hook, point, started_ms });
            }
            Mode::Foreground => queue.push(hook.id.clone()),
        }
    }
    if queue.is_empty() {
        return None;
    }
    queue.reverse(); // popped from the end
    let mut chain = HookChain { point, queue, asking: None };
    ask_next(st, &mut chain, context);
    chain.asking.is_some().then_some(chain)
}

/// After an answer: ask the chain's next hook with a fresh context (an
/// earlier rewrite shows in it). `false` when the chain is done.
pub(super) fn next(st: &mut Step<'_, '_>, run: &Run, chain: &mut HookChain, subject: Subject<'_>) -> bool {
    if chain.queue.is_empty() {
        return false;
    }
    let context = hook_ctx::build(st, run, chain.point, &subject);
    ask_next(st, chain, context);
    chain.asking.is_some()
}

/// Ask the next foreground hook still registered, with `context`.
fn ask_next(st: &mut Step<'_, '_>, chain: &mut HookChain, context: String) {
    while let Some(id) = chain.queue.pop() {
        // A hook unregistered while the chain waited is skipped.
        let Some(hook) = st.ctx.hooks.get(&id) else { continue };
        let (effect, timer) = send(st, hook, context);
        chain.asking = Some(Asking { effect, timer, hook: id, started_ms: st.ctx.now_ms });
        return;
    }
}

fn send(st: &mut Step<'_, '_>, hook: &HookDef, context: String) -> (u32, u32) {
    let session = st.session.id.clone();
    let point = hook.point;
    let effect = st.ctx.out.hook(&session, &hook.id, point.as_str(), context, st.ctx.now_ms);
    let timer = st.ctx.out.timer(Owner::Session(session), hook.timeout_ms, st.ctx.now_ms);
    st.session.events.push(&Event::HookStarted { hook_id: &hook.id, point });
    (effect, timer)
}

/// A foreground hook answered (or failed: `Err` is why).
pub(super) fn on_result(
    st: &mut Step<'_, '_>,
    run: &mut Run,
    id: u32,
    verdict: Result<Json<'_>, String>,
) -> CoreResult<Flow> {
    match &run.phase {
        Phase::Hooks { chain, .. } if chain.asking.as_ref().is_some_and(|a| a.effect == id) => {}
        Phase::Tools { slots } if slots.iter().any(|s| s.hook_awaits(id)) => {
            return Ok(super::tools::on_hook(st, run, id, Answer::Verdict(verdict)));
        }
        _ => return Err(super::not_awaited(&st.session.id)),
    }
    Ok(answered(st, run, Answer::Verdict(verdict)))
}

/// A foreground hook's timer fired before it answered.
pub(super) fn on_timeout(st: &mut Step<'_, '_>, run: &mut Run, timer: u32) -> CoreResult<Flow> {
    match &run.phase {
        Phase::Hooks { chain, .. } if chain.asking.as_ref().is_some_and(|a| a.timer == timer) => {
            Ok(answered(st, run, Answer::TimedOut))
        }
        _ => Err(super::not_awaited(&st.session.id)),
    }
}

/// What came back from a hook.
pub(super) enum Answer<'a> {
    Verdict(Result<Json<'a>, String>),
    TimedOut,
}

fn answered(st: &mut Step<'_, '_>, run: &mut Run, answer: Answer<'_>) -> Flow {
    let Phase::Hooks { mut chain, mut then } = core::mem::replace(&mut run.phase, Phase::Starting) else {
        return Flow::Wait; // checked by the caller
    };
    let judged = judge(st, &mut chain, answer, &mut Patchable::Run(&mut then, run));
    match judged {
        Judged::Next => {
            if next(st, run, &mut chain, subject_of(&then)) {
                run.phase = Phase::Hooks { chain, then };
                return Flow::Wait;
            }
            resume(st, run, then)
        }
        Judged::Denied(error) => denied(st, run, chain.point, then, error),
    }
}

/// A run-level point was denied.
fn denied(st: &mut Step<'_, '_>, run: &mut Run, point: HookPoint, then: Resume, error: CoreError) -> Flow {
    match (point, then) {
        // The run already failed: its own error stands.
        (HookPoint::RunFailed, Resume::Finish(outcome)) => finish::report(st, run, outcome),
        // A vetoed result: the run fails, without a second round of hooks.
        (HookPoint::RunCompleted, _) => finish::report(st, run, Outcome::Failed(error)),
        // The withheld answer was received (and billed): its tokens count.
        (_, Resume::Response(turn)) => {
            run.usage.add(&turn.usage);
            finish::fail(st, run, error)
        }
        _ => finish::fail(st, run, error),
    }
}

/// What a rewrite at a point may change.
pub(super) enum Patchable<'x> {
    Run(&'x mut Resume, &'x mut Run),
    /// `max_result`: `maxPromptBytes`, what a rewritten result is held to.
    Slot {
        args: &'x mut Raw,
        rewritten: &'x mut bool,
        output: Option<&'x mut ToolOutput>,
        max_result: usize,
    },
}

/// Judge an answer: report it, apply a rewrite, decide allow or deny.
pub(super) fn judge(
    st: &mut Step<'_, '_>,
    chain: &mut HookChain,
    answer: Answer<'_>,
    target: &mut Patchable<'_>,
) -> Judged {
    let Some(asking) = chain.asking.take() else { return Judged::Next };
    let point = chain.point;
    st.ctx.out.forget(asking.effect);
    st.ctx.out.cancel_timer(asking.timer);
    let duration_ms = (st.ctx.now_ms - asking.started_ms).max(0.0) as u64;
    let hook_id = &asking.hook;
    let policy = st.ctx.hooks.get(hook_id).map_or(FailurePolicy::FailOpen, |h| h.failure_policy);
    let verdict = match &answer {
        Answer::TimedOut => Err(format!("the hook did not answer within its timeout ({duration_ms} ms)")),
        Answer::Verdict(verdict) => read_verdict(verdict.as_ref().map_err(String::as_str)),
    };
    let verdict = verdict.and_then(|v| match v {
        Verdict::Rewrite { patch } => apply(point, patch, target).map(|()| v),
        other => Ok(other),
    });
    let events = &mut st.session.events;
    let verdict = match verdict {
        Err(error) => {
            events.push(&Event::HookFailed { hook_id, point, error: &error });
            if policy == FailurePolicy::FailOpen {
                return Judged::Next;
            }
            let message = format!("hook {hook_id} failed and its failurePolicy is fail_closed: {error}");
            return deny(events, hook_id, point, "hook_failure", &message, None);
        }
        Ok(verdict) => verdict,
    };
    events.push(&Event::HookCompleted { hook_id, point, duration_ms });
    match verdict {
        Verdict::Allow => Judged::Next,
        Verdict::Rewrite { patch } => {
            events.push(&Event::HookRewriteApplied { hook_id, point, patch: &Raw::from_json(patch) });
            Judged::Next
        }
        Verdict::Deny { reason_code, message, payload } => {
            deny(events, hook_id, point, reason_code, message, payload.as_ref())
        }
    }
}

/// Report a denial; the run gets `HOOK_DENIED` with `details: {hookId,
/// point, reasonCode, payload}`.
fn deny(
    events: &mut EventLog,
    hook_id: &str,
    point: HookPoint,
    reason_code: &str,
    message: &str,
    payload: Option<&Raw>,
) -> Judged {
    events.push(&Event::HookDenied { hook_id, point, reason_code, message, payload });
    let mut details = String::new();
    let mut o = ObjectWriter::new(&mut details);
    o.str("hookId", hook_id).str("point", point.as_str()).str("reasonCode", reason_code);
    if let Some(payload) = payload {
        o.raw("payload", payload.as_str());
    }
    o.end();
    let text = format!("hook {hook_id} denied at {}: {message}", point.as_str());
    Judged::Denied(CoreError::new(ErrorCode::HookDenied, text).with_details(details))
}

/// Apply a rewrite to what the point decides; `Err` is why it is invalid.
fn apply(point: HookPoint, patch: &Json<'_>, target: &mut Patchable<'_>) -> Result<(), String> {
    point.check_patch(patch)?;
    match target {
        Patchable::Run(Resume::Response(turn), _) => super::request::patch_response(turn, patch),
        Patchable::Run(_, run) if point == HookPoint::PreLlmRequest => run.patch.apply(patch),
        Patchable::Slot { args, rewritten, output, max_result } => {
            super::tools::patch(point, args, rewritten, output.as_deref_mut(), patch, *max_result)
        }
        Patchable::Run(..) => Err(format!("{} hooks cannot rewrite here", point.as_str())),
    }
}

/// A background hook answered: reported, never applied.
pub(super) fn background_answered(
    ctx: &mut super::Ctx<'_>,
    session: &mut Session,
    done: Background,
    verdict: Result<&Json<'_>, &str>,
) {
    ctx.out.forget(done.effect);
    ctx.out.cancel_timer(done.timer);
    let duration_ms = (ctx.now_ms - done.started_ms).max(0.0) as u64;
    let (hook_id, point) = (done.hook, done.point);
    match read_verdict(verdict) {
        Err(error) => session.events.push(&Event::HookFailed { hook_id: &hook_id, point, error: &error }),
        Ok(verdict) => {
            session.events.push(&Event::HookCompleted { hook_id: &hook_id, point, duration_ms });
            if let Verdict::Rewrite { patch } = verdict {
                let mut envelope = String::new();
                let mut o = ObjectWriter::new(&mut envelope);
                o.str("point", point.as_str()).raw("patch", &patch.to_text()).bool("applied", false);
                o.end();
                session.events.push(&Event::HookPatchPublished {
                    hook_id: &hook_id,
                    point,
                    envelope: &Raw::trusted(envelope),
                });
            }
        }
    }
}

pub(super) fn background_timed_out(ctx: &mut super::Ctx<'_>, session: &mut Session, done: Background) {
    ctx.out.forget(done.effect);
    let error = "the hook did not answer within its timeout";
    session.events.push(&Event::HookFailed { hook_id: &done.hook, point: done.point, error });
}

/// A hook's answer (or what it threw) as a verdict, or why it is none.
fn read_verdict<'a>(answer: Result<&'a Json<'a>, &str>) -> Result<Verdict<'a>, String> {
    match answer {
        Err(thrown) => Err(format!("the hook threw: {}", crate::text::first_chars(thrown, 500))),
        Ok(value) => Verdict::from_json(value).map_err(|why| format!("invalid hook answer: {why}")),
    }
}
