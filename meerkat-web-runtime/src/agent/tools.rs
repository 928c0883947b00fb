//! The tool phase of a run. Every call of one model response gets a slot
//! that moves on its own: checks (known tool, valid JSON arguments that
//! match the tool's schema, allowed in a read-only session), the
//! `pre_tool_execution` hooks, the tool itself (a core tool at once, a
//! host tool as a `tool` effect with a timeout, all in parallel), the
//! `post_tool_execution` hooks. When every slot is done the results go
//! back to the model in call order, after the `turn_boundary` hooks.

use super::hook_ctx::Subject;
use super::hooks::{self, Answer, HookChain, Judged, Patchable};
use super::{Flow, Phase, Resume, Run, Step, core_tools, finish};
use crate::effects::Owner;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::Event;
use crate::hooks::HookPoint;
use crate::json::{self, Json, ObjectWriter, Raw, quote};
use crate::provider::ToolCall;
use crate::schema;
use crate::tools::{ToolDef, ToolKind};
use crate::transcript::{Message, Part, cap_tool_result, content_blocks, text_of};

/// A finished call's result.
#[derive(Debug, Clone)]
pub struct ToolOutput {
    pub content: Vec<Part>,
    pub is_error: bool,
    pub duration_ms: u64,
}

impl ToolOutput {
    fn error(message: String) -> ToolOutput {
        ToolOutput { content: vec![Part::Text { text: message }], is_error: true, duration_ms: 0 }
    }
}

#[derive(Debug)]
enum Stage {
    /// Being moved between stages (never seen between commands).
    Moving,
    Pre(HookChain),
    Running {
        effect: u32,
        timer: Option<u32>,
        started_ms: f64,
        timeout_ms: Option<u64>,
    },
    Post {
        chain: HookChain,
        output: ToolOutput,
    },
    Done(ToolOutput),
}

#[derive(Debug)]
pub struct ToolSlot {
    call_id: String,
    name: String,
    /// The arguments as they will run (a hook may rewrite them).
    args: Raw,
    /// A hook rewrote `args`: they are checked against the schema again.
    rewritten: bool,
    stage: Stage,
}

impl ToolSlot {
    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Waiting on effect or timer `id`?
    pub fn awaits(&self, id: u32) -> bool {
        match &self.stage {
            Stage::Pre(chain) | Stage::Post { chain, .. } => chain.awaits(id),
            Stage::Running { effect, timer, .. } => *effect == id || *timer == Some(id),
            Stage::Moving | Stage::Done(_) => false,
        }
    }

    /// Waiting on hook effect `id`?
    pub fn hook_awaits(&self, id: u32) -> bool {
        matches!(&self.stage, Stage::Pre(chain) | Stage::Post { chain, .. } if chain.awaits(id))
    }

    fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done(_))
    }

    /// `toolCall: {id, name, args}` of a hook context.
    pub fn write_call(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("id", &self.call_id).str("name", &self.name).raw("args", self.args.as_str());
        o.end();
    }
}

/// A rewrite of a call: `{args}` before the tool runs, `{content,
/// isError?}` of its `output` after.
pub(super) fn patch(
    point: HookPoint,
    args: &mut Raw,
    rewritten: &mut bool,
    output: Option<&mut ToolOutput>,
    patch: &Json<'_>,
    max_result: usize,
) -> Result<(), String> {
    match (point, output) {
        (HookPoint::PreToolExecution, None) => match patch.get("args") {
            Some(new @ Json::Obj(_)) => {
                *args = Raw::from_json(new);
                *rewritten = true;
                Ok(())
            }
            Some(_) => Err("patch.args must be an object".into()),
            None => Ok(()),
        },
        (HookPoint::PostToolExecution, Some(output)) => {
            if let Some(content) = patch.get("content") {
                let content = match content {
                    Json::Str(text) => vec![Part::Text { text: text.to_string() }],
                    Json::Arr(items) => {
                        content_blocks(items.clone(), "patch.content").map_err(CoreError::into_message)?
                    }
                    _ => return Err("patch.content must be a string or content blocks".into()),
                };
                // Held to maxPromptBytes like the tool's own result.
                output.content = cap_tool_result(content, max_result);
            }
            if let Some(flag) = patch.get("isError") {
                output.is_error = flag.as_bool().ok_or("patch.isError must be a boolean")?;
            }
            Ok(())
        }
        _ => Err(format!("{} cannot rewrite this tool call now", point.as_str())),
    }
}

/// A finished LLM turn's calls: announce them, then start every slot.
pub(super) fn dispatch(st: &mut Step<'_, '_>, run: &mut Run, calls: Vec<ToolCall>) -> Flow {
    let null = Raw::trusted("null".into()); // the arguments of a call that did not parse
    for call in &calls {
        let args = call.args.as_ref().unwrap_or(&null);
        st.session.events.push(&Event::ToolCallRequested { id: &call.id, name: &call.name, args });
    }
    let mut slots = Vec::with_capacity(calls.len());
    for call in calls {
        let checked = check(st, &call);
        let args = call.args.unwrap_or_else(|_| Raw::empty_object());
        let mut slot = ToolSlot { call_id: call.id, name: call.name, args, rewritten: false, stage: Stage::Moving };
        match checked {
            Err(message) => {
                started(st, &slot);
                done(st, &mut slot, ToolOutput::error(message));
            }
            Ok(()) => match hooks::start(st, run, HookPoint::PreToolExecution, Subject::ToolCall(&slot)) {
                Some(chain) => slot.stage = Stage::Pre(chain),
                None => execute(st, run, &mut slot),
            },
        }
        slots.push(slot);
    }
    run.phase = Phase::Tools { slots };
    settle(st, run)
}

/// Why a call cannot run, in words the model can act on.
fn check(st: &Step<'_, '_>, call: &ToolCall) -> Result<(), String> {
    let session = &*st.session;
    let visible = st.ctx.tools.visible(session.tools.as_deref(), &session.core_tools);
    let Some(def) = visible.iter().find(|t| t.name == call.name) else {
        return Err(format!("TOOL_NOT_FOUND: no tool named {} is available in this session", quote(&call.name)));
    };
    let args = call.args.as_ref().map_err(|why| format!("TOOL_ARGS_INVALID: {why}"))?;
    if session.read_only && !def.read_only {
        return Err(format!(
            "TOOL_NOT_ALLOWED: this session is read-only and tool {} may change things (it is not registered as readOnly)",
            quote(&call.name)
        ));
    }
    validate_args(def, args)
}

/// The arguments against the tool's `inputSchema`, naming the first path
/// that does not match.
fn validate_args(def: &ToolDef, args: &Raw) -> Result<(), String> {
    let (Ok(schema), Ok(value)) = (json::parse(def.input_schema.as_str()), json::parse(args.as_str())) else {
        return Ok(()); // both were validated as JSON when they were stored
    };
    let violations = schema::validate(&schema, &value);
    let Some(first) = violations.first() else { return Ok(()) };
    let path = if first.path.is_empty() { "the arguments".to_string() } else { format!("at {}", first.path) };
    let more = if violations.len() > 1 { format!(" (and {} more)", violations.len() - 1) } else { String::new() };
    Err(format!(
        "TOOL_ARGS_INVALID: the arguments do not match the inputSchema of {}: {path}: {}{more}",
        quote(&def.name),
        first.message
    ))
}

/// Run the call: a core tool now, a host tool as an effect.
fn execute(st: &mut Step<'_, '_>, run: &mut Run, slot: &mut ToolSlot) {
    let session = &*st.session;
    // The registry outlives the step: `def` borrows it, not `st`.
    let tools = st.ctx.tools;
    let visible = tools.visible(session.tools.as_deref(), &session.core_tools);
    let Some(def) = visible.into_iter().find(|t| t.name == slot.name) else {
        started(st, slot);
        let message = format!("TOOL_NOT_FOUND: tool {} was unregistered before it could run", quote(&slot.name));
        return done(st, slot, ToolOutput::error(message));
    };
    // A hook may have rewritten the arguments: they must still fit.
    if let Err(message) = if slot.rewritten { validate_args(def, &slot.args) } else { Ok(()) } {
        started(st, slot);
        return done(st, slot, ToolOutput::error(message));
    }
    if let Some(exhausted) = run.budget.before_tool(run.tool_calls, &mut st.session.events) {
        let error = finish::budget_error(st, run, exhausted);
        started(st, slot);
        done(st, slot, ToolOutput::error(format!("BUDGET_EXHAUSTED: not run: {}", error.message)));
        run.over_budget.get_or_insert(error);
        return;
    }
    run.tool_calls += 1;
    run.budget.observe_tools(run.tool_calls, &mut st.session.events);
    started(st, slot);
    match def.kind {
        ToolKind::Core(tool) => {
            let output = core_tools::run(st.ctx, &st.session.id, tool, &slot.args);
            post(st, run, slot, output);
        }
        ToolKind::Host => {
            let session = &*st.session;
            let now = st.ctx.now_ms;
            let effect = st.ctx.out.tool(&session.id, &slot.call_id, &slot.name, slot.args.as_str(), now);
            let timeout_ms = def.timeout_ms.or(session.tool_timeout_ms);
            let timer = timeout_ms.map(|ms| st.ctx.out.timer(Owner::Session(session.id.clone()), ms, now));
            slot.stage = Stage::Running { effect, timer, started_ms: now, timeout_ms };
        }
    }
}

fn started(st: &mut Step<'_, '_>, slot: &ToolSlot) {
    st.session.events.push(&Event::ToolExecutionStarted { id: &slot.call_id, name: &slot.name });
}

/// The tool answered: the `post_tool_execution` hooks see the result.
fn post(st: &mut Step<'_, '_>, run: &Run, slot: &mut ToolSlot, output: ToolOutput) {
    match hooks::start(st, run, HookPoint::PostToolExecution, Subject::ToolResult(slot, &output)) {
        Some(chain) => slot.stage = Stage::Post { chain, output },
        None => done(st, slot, output),
    }
}

fn done(st: &mut Step<'_, '_>, slot: &mut ToolSlot, output: ToolOutput) {
    let events = &mut st.session.events;
    events.push(&Event::ToolExecutionCompleted {
        id: &slot.call_id,
        name: &slot.name,
        result: &text_of(&output.content),
        is_error: output.is_error,
        duration_ms: output.duration_ms,
    });
    events.push(&Event::ToolResultReceived { id: &slot.call_id, name: &slot.name, is_error: output.is_error });
    slot.stage = Stage::Done(output);
}

/// Run `f` on the slot that `pick` finds, with the slots out of the run
/// (so the run can be read meanwhile); then see whether the batch is done.
fn with_slot(
    st: &mut Step<'_, '_>,
    run: &mut Run,
    pick: impl Fn(&ToolSlot) -> bool,
    f: impl FnOnce(&mut Step<'_, '_>, &mut Run, &mut ToolSlot),
) -> CoreResult<Flow> {
    let Phase::Tools { mut slots } = core::mem::replace(&mut run.phase, Phase::Starting) else {
        return Err(super::not_awaited(&st.session.id));
    };
    let Some(at) = slots.iter().position(pick) else {
        run.phase = Phase::Tools { slots };
        return Err(super::not_awaited(&st.session.id));
    };
    if let Some(slot) = slots.get_mut(at) {
        f(st, run, slot);
    }
    run.phase = Phase::Tools { slots };
    Ok(settle(st, run))
}

pub(super) fn on_result(
    st: &mut Step<'_, '_>,
    run: &mut Run,
    id: u32,
    content: Vec<Part>,
    is_error: bool,
) -> CoreResult<Flow> {
    let running = |s: &ToolSlot| matches!(s.stage, Stage::Running { effect, .. } if effect == id);
    with_slot(st, run, running, |st, run, slot| {
        let Stage::Running { timer, started_ms, .. } = core::mem::replace(&mut slot.stage, Stage::Moving) else {
            return;
        };
        if let Some(timer) = timer {
            st.ctx.out.cancel_timer(timer);
        }
        let duration_ms = (st.ctx.now_ms - started_ms).max(0.0) as u64;
        post(st, run, slot, ToolOutput { content, is_error, duration_ms });
    })
}

/// A tool's or a slot hook's timer fired.
pub(super) fn on_timeout(st: &mut Step<'_, '_>, run: &mut Run, id: u32) -> CoreResult<Flow> {
    with_slot(
        st,
        run,
        |s| s.awaits(id),
        |st, run, slot| match core::mem::replace(&mut slot.stage, Stage::Moving) {
            Stage::Running { effect, started_ms, timeout_ms, .. } => {
                st.ctx.out.forget(effect); // a late answer is refused
                let timeout_ms = timeout_ms.unwrap_or_default();
                st.session.events.push(&Event::ToolExecutionTimedOut {
                    id: &slot.call_id,
                    name: &slot.name,
                    timeout_ms,
                });
                let duration_ms = (st.ctx.now_ms - started_ms).max(0.0) as u64;
                let message = format!(
                    "TOOL_TIMEOUT: tool {} did not finish within {timeout_ms} ms; its result will not arrive",
                    quote(&slot.name)
                );
                post(st, run, slot, ToolOutput { duration_ms, ..ToolOutput::error(message) });
            }
            stage => {
                slot.stage = stage;
                hook_answered(st, run, slot, Answer::TimedOut);
            }
        },
    )
}

/// A slot's hook answered.
pub(super) fn on_hook(st: &mut Step<'_, '_>, run: &mut Run, id: u32, answer: Answer<'_>) -> Flow {
    with_slot(st, run, |s| s.hook_awaits(id), |st, run, slot| hook_answered(st, run, slot, answer))
        .unwrap_or(Flow::Wait)
}

fn hook_answered(st: &mut Step<'_, '_>, run: &mut Run, slot: &mut ToolSlot, answer: Answer<'_>) {
    let (mut chain, mut output) = match core::mem::replace(&mut slot.stage, Stage::Moving) {
        Stage::Pre(chain) => (chain, None),
        Stage::Post { chain, output } => (chain, Some(output)),
        other => {
            slot.stage = other;
            return;
        }
    };
    let max_result = st.ctx.settings.max_prompt_bytes;
    let (args, rewritten) = (&mut slot.args, &mut slot.rewritten);
    let target = &mut Patchable::Slot { args, rewritten, output: output.as_mut(), max_result };
    match hooks::judge(st, &mut chain, answer, target) {
        Judged::Next => {
            let waiting = match &output {
                Some(out) => hooks::next(st, run, &mut chain, Subject::ToolResult(slot, out)),
                None => hooks::next(st, run, &mut chain, Subject::ToolCall(slot)),
            };
            match (waiting, output) {
                (true, None) => slot.stage = Stage::Pre(chain),
                (true, Some(output)) => slot.stage = Stage::Post { chain, output },
                (false, None) => execute(st, run, slot),
                (false, Some(output)) => done(st, slot, output),
            }
        }
        Judged::Denied(error) => {
            // Not run (pre) or its result withheld (post): the model reads why.
            if output.is_none() {
                started(st, slot);
            }
            let duration_ms = output.map_or(0, |o| o.duration_ms);
            let message = format!("HOOK_DENIED: {}", error.message);
            done(st, slot, ToolOutput { duration_ms, ..ToolOutput::error(message) });
        }
    }
}

/// Every slot done: the results go back in call order, then the next turn
/// (after `turn_boundary`), unless a limit stops the run.
fn settle(st: &mut Step<'_, '_>, run: &mut Run) -> Flow {
    let Phase::Tools { slots } = &run.phase else { return Flow::Wait };
    if !slots.iter().all(ToolSlot::is_done) {
        return Flow::Wait;
    }
    let Phase::Tools { slots } = core::mem::replace(&mut run.phase, Phase::Starting) else { return Flow::Wait };
    st.session.transcript.push(results_message(slots));
    if let Some(error) = run.over_budget.take() {
        return finish::fail(st, run, error);
    }
    let max_turns = st.session.max_turns;
    if run.llm_turns >= max_turns {
        let error = CoreError::new(
            ErrorCode::MaxTurnsExceeded,
            format!("the run used all {max_turns} turns (maxTurns) and the model still wants tools"),
        );
        return finish::fail(st, run, error);
    }
    hooks::enter(st, run, HookPoint::TurnBoundary, Resume::NextTurn)
}

/// The user message that answers every call, in call order.
fn results_message(slots: Vec<ToolSlot>) -> Message {
    let results = slots
        .into_iter()
        .map(|slot| {
            let (content, is_error) = match slot.stage {
                Stage::Done(output) => (output.content, output.is_error),
                _ => (Vec::new(), true),
            };
            Part::ToolResult { tool_use_id: slot.call_id, content, is_error }
        })
        .collect();
    Message::user(results)
}

/// The run is stopping while tools run: unfinished calls get error results
/// saying so, and the results go into the transcript, so every tool_use
/// keeps its tool_result.
pub(super) fn close(st: &mut Step<'_, '_>, mut slots: Vec<ToolSlot>, message: &str) {
    for slot in slots.iter_mut().filter(|s| !s.is_done()) {
        match core::mem::replace(&mut slot.stage, Stage::Moving) {
            Stage::Pre(mut chain) | Stage::Post { mut chain, .. } => chain.abandon(st),
            Stage::Running { effect, timer, .. } => {
                st.ctx.out.forget(effect);
                if let Some(timer) = timer {
                    st.ctx.out.cancel_timer(timer);
                }
            }
            Stage::Moving | Stage::Done(_) => {}
        }
        done(st, slot, ToolOutput::error(message.to_string()));
    }
    st.session.transcript.push(results_message(slots));
}
