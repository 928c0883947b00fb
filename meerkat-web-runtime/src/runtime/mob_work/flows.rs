//! Flow runs of a mob: starting one, dispatching its due steps to the
//! members of their roles, recording step changes, cancelling, and what a
//! member leaving does to the steps it serves.

use crate::agent::{self, RunInput, RunOptions};
use crate::effects::Owner;
use crate::error::{CoreError, CoreResult, ErrorCode, invalid};
use crate::events::KeptEvent;
use crate::json::{Json, ObjectWriter, Raw, quote};
use crate::mob::MobStatus;
use crate::mob::flow_run::{Change, Changes, Dispatch, FlowRun, Status, Task};
use crate::runtime::Runtime;

/// Flow runs kept per mob; the oldest finished ones go first.
const MAX_FLOW_RUNS: usize = 256;

impl Runtime {
    pub(super) fn run_flow(
        &mut self,
        now_ms: f64,
        mob_id: &str,
        flow_id: &str,
        params: Option<&Json<'_>>,
    ) -> CoreResult<String> {
        let mob = self.running_mob(mob_id)?;
        let flow = mob.def.flows.iter().position(|f| f.id == flow_id).ok_or_else(|| {
            CoreError::new(ErrorCode::FlowNotFound, format!("mob {} has no flow {}", quote(mob_id), quote(flow_id)))
        })?;
        let params = match params {
            None => "{}".to_string(),
            Some(p) if p.as_object().is_some() => p.to_text(),
            Some(p) => return Err(invalid(format!("runFlow params must be an object, got {}", p.kind()))),
        };
        if mob.flows.len() >= MAX_FLOW_RUNS {
            match mob.flows.iter().position(|r| r.status != Status::Running) {
                Some(at) => {
                    mob.flows.remove(at);
                    mob.step_timers.retain(|t| t.1 != at);
                    for t in &mut mob.step_timers {
                        t.1 -= usize::from(t.1 > at);
                    }
                }
                None => return Err(invalid(format!("mob {} has {MAX_FLOW_RUNS} flows running", quote(mob_id)))),
            }
        }
        let steps = mob.def.flows[flow].steps.len();
        let run_id = format!("{flow_id}#{}", self.new_run_id());
        let mob = self.mob_mut(mob_id)?;
        mob.flows.push(FlowRun::new(run_id.clone(), flow, params, steps));
        let at = mob.flows.len() - 1;
        self.schedule_flow(now_ms, mob_id, at);
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.str("runId", &run_id);
        o.end();
        Ok(out)
    }

    /// Dispatch the flow run's due steps (when the mob is running).
    pub(super) fn schedule_flow(&mut self, now_ms: f64, mob_id: &str, at: usize) {
        let Some(mob) = self.mobs.get_mut(mob_id).filter(|m| m.status == MobStatus::Running) else { return };
        let Some(run) = mob.flows.get_mut(at) else { return };
        let Some(def) = mob.def.flows.get(run.flow) else { return };
        let mut changes = Changes::new();
        let due = run.schedule(def, &mut changes);
        self.flow_changes(now_ms, mob_id, at, &changes);
        for dispatch in due {
            self.dispatch_step(now_ms, mob_id, at, dispatch);
        }
        self.flow_settled(mob_id, at);
    }

    /// Start the step's run on every member of its role.
    pub(super) fn dispatch_step(&mut self, now_ms: f64, mob_id: &str, at: usize, dispatch: Dispatch) {
        let Some(mob) = self.mobs.get(mob_id) else { return };
        // A step dispatched before it in the same round may have failed the run.
        let run = mob.flows.get(at).filter(|r| r.status == Status::Running);
        let Some(step) = run.and_then(|r| mob.def.flows.get(r.flow)).and_then(|f| f.steps.get(dispatch.step)) else {
            return;
        };
        let (json, timeout_ms, role) = (step.json, step.timeout_ms, step.role.clone());
        // A JSON step without a schema of its own still answers an object.
        let schema = json.then(|| {
            let own = mob.def.profile(&role).and_then(|p| p.config.output_schema.clone());
            own.unwrap_or_else(|| Raw::trusted(r#"{"type":"object"}"#.into()))
        });
        let mut tasks = Vec::new();
        for m in mob.members.iter().filter(|m| !m.retired && m.role == role) {
            let (member, session) = (m.identity.clone(), m.session.clone());
            tasks.push(Task { member, session, run_id: 0, status: Status::Running, output: None });
        }
        for task in &mut tasks {
            task.run_id = self.new_run_id();
        }
        let starts: Vec<(String, u64)> = tasks.iter().map(|t| (t.session.clone(), t.run_id)).collect();
        // The step is dispatched (and says so) before its members' runs start.
        let Some(state) = self.mobs.get_mut(mob_id).and_then(|m| m.flows.get_mut(at)?.steps.get_mut(dispatch.step))
        else {
            return;
        };
        if tasks.is_empty() {
            state.why =
                Some(format!("no live member of role {} to take the step (spawn or respawn one)", quote(&role)));
        }
        state.tasks = tasks;
        state.status = Status::Running;
        let dispatched: Changes = (0..starts.len()).map(|k| (dispatch.step, Some(k), Status::Dispatched)).collect();
        self.flow_changes(now_ms, mob_id, at, &dispatched);
        let mut refused = Vec::new();
        for (k, (session, run_id)) in starts.iter().enumerate() {
            let options = RunOptions { output_schema: schema.clone(), queue: true, ..RunOptions::default() };
            let input = RunInput::Injected { text: dispatch.message.clone() };
            if let Err(error) = self.start_run(now_ms, session, *run_id, input, options) {
                refused.push((k, error.into_message()));
            }
        }
        let Some(mob) = self.mobs.get_mut(mob_id) else { return };
        let Some(run) = mob.flows.get_mut(at) else { return };
        let failed = starts.is_empty() || !refused.is_empty();
        if let Some(state) = run.steps.get_mut(dispatch.step) {
            for (k, why) in refused {
                if let Some(task) = state.tasks.get_mut(k) {
                    (task.status, task.output) = (Status::Failed, Some(why));
                }
            }
            if let Some(ms) = timeout_ms.filter(|_| !failed) {
                let timer = self.out.timer(Owner::Mob(mob_id.to_string()), ms, now_ms);
                state.timer = Some(timer);
                mob.step_timers.push((timer, at, dispatch.step));
            }
        }
        // The members that did start stop again: the run is over.
        let (mut started, mut changes) = (Vec::new(), Changes::new());
        if failed {
            started = run.running_tasks();
            run.fail_step(dispatch.step, &mut changes);
        }
        self.flow_changes(now_ms, mob_id, at, &changes);
        self.interrupt_runs(now_ms, started);
    }

    /// A `flow_step_changed` per change; a failure says why (the member
    /// run's error, or the step's own reason), as its `flowStatus` row does.
    pub(super) fn flow_changes(&mut self, now_ms: f64, mob_id: &str, at: usize, changes: &[Change]) {
        // Mob events: subscriptions read up to them first (see `emit_mob`).
        if !changes.is_empty() {
            self.flush_mob(mob_id);
        }
        let Some(mob) = self.mobs.get_mut(mob_id) else { return };
        let Some(run) = mob.flows.get(at) else { return };
        let Some(def) = mob.def.flows.get(run.flow) else { return };
        mob.log.now_ms = now_ms;
        for &(i, task, status) in changes {
            let (Some(step), Some(state)) = (def.steps.get(i), run.steps.get(i)) else { continue };
            let task = task.and_then(|k| state.tasks.get(k));
            let mut fields = String::new();
            let mut o = ObjectWriter::new(&mut fields);
            o.str("runId", &run.id).str("flowId", &def.id).str("step", &step.id);
            // `null` for a step no member has taken (skipped, canceled before it ran), as the type says.
            match task {
                Some(t) => o.str("member", &t.member),
                None => o.raw("member", "null"),
            };
            o.str("status", status.step_str());
            let why = task.map_or(state.why.as_deref(), |t| t.output.as_deref());
            if let Some(why) = why.filter(|_| status == Status::Failed) {
                o.str("error", why);
            }
            o.end();
            mob.log.push_kept(&KeptEvent::new("flow_step_changed", fields));
        }
    }

    /// A finished flow run's step timers are cancelled.
    pub(super) fn flow_settled(&mut self, mob_id: &str, at: usize) {
        let Some(mob) = self.mobs.get_mut(mob_id) else { return };
        let Some(run) = mob.flows.get_mut(at) else { return };
        for timer in run.open_timers() {
            mob.step_timers.retain(|t| t.0 != timer);
            self.out.cancel_timer(timer);
        }
    }

    pub(super) fn cancel_flow(&mut self, now_ms: f64, mob_id: &str, at: usize) {
        let Some(run) = self.mobs.get_mut(mob_id).and_then(|m| m.flows.get_mut(at)) else { return };
        if run.status != Status::Running {
            return;
        }
        let running = run.running_tasks();
        let mut changes = Changes::new();
        run.cancel(&mut changes);
        self.flow_changes(now_ms, mob_id, at, &changes);
        self.interrupt_runs(now_ms, running);
        self.flow_settled(mob_id, at);
    }

    /// Stop the member runs a flow no longer waits for: interrupt those
    /// under way, drop those still queued behind another run of their member.
    pub(super) fn interrupt_runs(&mut self, now_ms: f64, runs: Vec<(String, u64)>) {
        for (session, run_id) in runs {
            let _ = self.step(now_ms, &session, |ctx, a| {
                if a.run.as_ref().is_some_and(|r| r.id == run_id) {
                    return agent::advance(ctx, a, agent::Input::Interrupt);
                }
                // Still waiting behind another run of the member: it never starts.
                let why = CoreError::new(
                    ErrorCode::Cancelled,
                    "its flow step ended (canceled or timed out) before it started",
                );
                agent::cancel_queued_run(ctx, a, run_id, &why);
                Ok(())
            });
        }
    }

    /// A member is retired (or respawned): the flow steps it serves do not
    /// wait for its runs, which are being cancelled (a queued one would
    /// never report its end): each fails with `why`.
    pub(in crate::runtime) fn member_left_flows(&mut self, now_ms: f64, session: &str, why: &str) {
        let Some(mob) = self.bus.mob_of(session).and_then(|m| self.mobs.get(m)) else { return };
        let mut runs = Vec::new();
        for run in &mob.flows {
            runs.extend(run.tasks_of(session));
        }
        for run_id in runs {
            self.member_run_ended(now_ms, session, run_id, &Err(why.to_string()), None);
        }
    }
}
