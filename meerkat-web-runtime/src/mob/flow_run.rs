//! A flow run: the DAG scheduler. It decides which steps are due, skipped
//! or cancelled; the runtime starts the member runs it asks for and tells
//! it how they ended.

use super::flow::{FlowDef, Scope, StepDef};
use crate::json::{self, ArrayWriter, ObjectWriter};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pending,
    Dispatched,
    Running,
    Completed,
    Failed,
    Skipped,
    Canceled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Dispatched => "dispatched",
            Status::Running => "running",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Canceled => "canceled",
        }
    }

    /// A step's status as the API names it: a step whose member runs are
    /// under way is still `dispatched` (the run's own status says `running`).
    pub fn step_str(self) -> &'static str {
        match self {
            Status::Running => "dispatched",
            other => other.as_str(),
        }
    }

    fn settled(self) -> bool {
        matches!(self, Status::Completed | Status::Failed | Status::Skipped | Status::Canceled)
    }
}

/// One member's run of a step.
#[derive(Debug)]
pub struct Task {
    pub member: String,
    pub session: String,
    pub run_id: u64,
    pub status: Status,
    pub output: Option<String>,
}

#[derive(Debug)]
pub struct StepState {
    pub status: Status,
    pub tasks: Vec<Task>,
    pub timer: Option<u32>,
    /// Why the step failed as a whole, when no member's run says it (no live member of its role).
    pub why: Option<String>,
}

#[derive(Debug)]
pub struct FlowRun {
    pub id: String,
    pub flow: usize,
    pub params: String,
    pub status: Status,
    pub steps: Vec<StepState>,
}

/// A step whose turn has come: its message rendered, for every member of
/// its role.
#[derive(Debug)]
pub struct Dispatch {
    pub step: usize,
    pub message: String,
}

/// A change, for a `flow_step_changed` event: (step, the member's task in
/// it if the change is that member's, status). Indices: nothing to drop.
pub type Change = (usize, Option<usize>, Status);
pub type Changes = Vec<Change>;

impl FlowRun {
    pub fn new(id: String, flow: usize, params: String, steps: usize) -> FlowRun {
        let mut states = Vec::with_capacity(steps);
        for _ in 0..steps {
            states.push(StepState { status: Status::Pending, tasks: Vec::new(), timer: None, why: None });
        }
        FlowRun { id, flow, params, status: Status::Running, steps: states }
    }

    /// Steps' outputs so far (fanned-out outputs joined by blank lines).
    fn outputs(&self) -> Vec<Option<String>> {
        let mut all = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let mut joined = None;
            if step.status == Status::Completed {
                let mut text = String::new();
                let mut separator = "";
                for task in &step.tasks {
                    if let Some(output) = &task.output {
                        text.push_str(separator);
                        text.push_str(output);
                        separator = "\n\n";
                    }
                }
                joined = Some(text);
            }
            all.push(joined);
        }
        all
    }

    /// Settle what can be settled (skips, cancellations, the run's end) and
    /// return the steps to dispatch now.
    pub fn schedule(&mut self, def: &FlowDef, changes: &mut Changes) -> Vec<Dispatch> {
        let mut due = Vec::new();
        if self.status != Status::Running {
            return due;
        }
        loop {
            let outputs = self.outputs();
            let scope = Scope { params: &self.params, outputs: &outputs };
            let mut moved = false;
            for (i, step) in def.steps.iter().enumerate() {
                if self.steps[i].status != Status::Pending {
                    continue;
                }
                let (mut broken, mut settled) = (false, true);
                for d in &step.depends_on {
                    let status = self.steps[*d].status;
                    broken |= matches!(status, Status::Failed | Status::Canceled);
                    settled &= status.settled();
                }
                let next = if broken {
                    Status::Canceled
                } else if !settled {
                    continue;
                } else if step.condition.as_ref().is_some_and(|c| !super::flow::truthy(&scope.eval(c))) {
                    Status::Skipped
                } else {
                    due.push(Dispatch { step: i, message: scope.render(&step.message) });
                    Status::Dispatched
                };
                self.steps[i].status = next;
                if next != Status::Dispatched {
                    changes.push((i, None, next));
                }
                moved = true;
            }
            if !moved {
                break;
            }
        }
        self.finish_if_settled();
        due
    }

    fn finish_if_settled(&mut self) {
        if self.status == Status::Running && self.steps.iter().all(|s| s.status.settled()) {
            let failed = self.steps.iter().any(|s| s.status == Status::Failed);
            self.status = if failed { Status::Failed } else { Status::Completed };
        }
    }

    /// The run `run_id` of `session` ended (`output`; `schema_error` when
    /// it was asked for structured output and did not give it): its task
    /// settles, and what that changes goes to `changes`, the task's own
    /// change first. A step with `outputFormat: "json"` whose answer is
    /// not that fails.
    pub fn run_ended(
        &mut self,
        def: &FlowDef,
        session: &str,
        run_id: u64,
        output: &Result<String, String>,
        schema_error: Option<&(String, String)>,
        changes: &mut Changes,
    ) {
        let Some(i) =
            self.steps.iter().position(|s| s.tasks.iter().any(|t| t.run_id == run_id && t.session == session))
        else {
            return;
        };
        let json = def.steps.get(i).is_some_and(|s| s.json);
        let step = &mut self.steps[i];
        let Some(k) = step.tasks.iter().position(|t| t.run_id == run_id && t.session == session) else { return };
        let task = &mut step.tasks[k];
        if task.status.settled() {
            return;
        }
        let output = match (output, schema_error) {
            (Ok(_), Some((path, why))) if json => {
                let at = if path.is_empty() { String::new() } else { format!("{path}: ") };
                Err(format!("outputFormat is \"json\" and the answer is not: {at}{why}"))
            }
            (Ok(text), None) if json && json::parse(text).is_err() => {
                Err("outputFormat is \"json\" and the answer is not JSON".to_string())
            }
            (other, _) => other.clone(),
        };
        task.status = if output.is_ok() { Status::Completed } else { Status::Failed };
        changes.push((i, Some(k), task.status));
        task.output = Some(match output {
            Ok(text) | Err(text) => text,
        });
        if step.tasks.iter().all(|t| t.status.settled()) {
            let failed = step.tasks.iter().any(|t| t.status == Status::Failed);
            step.status = if failed { Status::Failed } else { Status::Completed };
        }
        if step.status == Status::Failed {
            self.fail_rest(changes);
        }
    }

    /// Step `i` failed as a whole (no member, a timeout).
    pub fn fail_step(&mut self, i: usize, changes: &mut Changes) {
        if let Some(step) = self.steps.get_mut(i) {
            step.status = Status::Failed;
            for task in step.tasks.iter_mut().filter(|t| !t.status.settled()) {
                task.status = Status::Failed;
            }
            changes.push((i, None, Status::Failed));
        }
        self.fail_rest(changes);
    }

    fn fail_rest(&mut self, changes: &mut Changes) {
        self.cancel_open(changes);
        self.status = Status::Failed;
    }

    /// Cancel every open step (`cancelFlow`, a mob completed).
    pub fn cancel(&mut self, changes: &mut Changes) {
        if self.status == Status::Running {
            self.cancel_open(changes);
            self.status = Status::Canceled;
        }
    }

    /// Every open step and member task is canceled: a change for each
    /// task (the step's own when it has none).
    fn cancel_open(&mut self, changes: &mut Changes) {
        for (i, step) in self.steps.iter_mut().enumerate() {
            if step.status.settled() {
                continue;
            }
            step.status = Status::Canceled;
            if step.tasks.is_empty() {
                changes.push((i, None, Status::Canceled));
            }
            for (k, task) in step.tasks.iter_mut().enumerate().filter(|(_, t)| !t.status.settled()) {
                task.status = Status::Canceled;
                changes.push((i, Some(k), Status::Canceled));
            }
        }
    }

    /// The member runs still under way: (session, run id).
    pub fn running_tasks(&self) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        for task in self.steps.iter().flat_map(|s| &s.tasks).filter(|t| t.status == Status::Running) {
            out.push((task.session.clone(), task.run_id));
        }
        out
    }

    /// The unsettled tasks of a member's session (its run ids).
    pub fn tasks_of(&self, session: &str) -> Vec<u64> {
        let mut out = Vec::new();
        for task in self.steps.iter().flat_map(|s| &s.tasks) {
            if task.session == session && !task.status.settled() {
                out.push(task.run_id);
            }
        }
        out
    }

    /// Timers of steps still waiting (to cancel once the run is over).
    pub fn open_timers(&mut self) -> Vec<u32> {
        let mut timers = Vec::new();
        for step in self.steps.iter_mut().filter(|s| s.status.settled()) {
            timers.extend(step.timer.take());
        }
        timers
    }

    pub fn write_json(&self, def: &FlowDef, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("runId", &self.id).str("flowId", &def.id).str("status", self.status.as_str());
        // A row per member run; a step not dispatched yet is one row of its own.
        let mut rows = ArrayWriter::new(o.key("steps"));
        for (state, step) in self.steps.iter().zip(&def.steps) {
            if state.tasks.is_empty() {
                write_row(rows.item(), step, None, state.status, state.why.as_deref());
            }
            for t in &state.tasks {
                write_row(rows.item(), step, Some(&t.member), t.status, t.output.as_deref());
            }
        }
        rows.end();
        o.end();
    }
}

fn write_row(out: &mut String, step: &StepDef, member: Option<&str>, status: Status, output: Option<&str>) {
    let mut s = ObjectWriter::new(out);
    s.str("id", &step.id);
    match member {
        Some(m) => s.str("member", m),
        None => s.raw("member", "null"),
    };
    s.str("status", status.step_str());
    match output {
        // A structured step's answer is handed over parsed, as JSON.
        Some(text) if step.json && json::parse(text).is_ok() => s.raw("output", text),
        Some(text) => s.str("output", text),
        None => s.raw("output", "null"),
    };
    s.end();
}
