//! Mobs at work: lifecycle, subscriptions, and the reactions that keep
//! members going (wake-ups on messages, flow steps on run ends, the bus's
//! notes, mob timers). Flow runs themselves: `mob_work/flows.rs`.

mod flows;

use super::commands::Op;
use super::{Reply, Runtime};
use crate::agent::{Agent, RunInput, RunOptions};
use crate::comms::Note;
use crate::effects::Owner;
use crate::error::{CoreError, CoreResult, ErrorCode, invalid};
use crate::events::Event;
use crate::fields::Fields;
use crate::json::{ObjectWriter, quote};
use crate::mob::flow_run::{Changes, Status};
use crate::mob::unread::Unread;
use crate::mob::{Mob, MobStatus, RuntimeMode};
use crate::sorted_map::SortedMap;

impl Runtime {
    pub(super) fn mob_other(&mut self, now_ms: f64, op: Op, mob_id: &str, f: &Fields<'_, '_>) -> CoreResult<Reply> {
        match op {
            Op::MobStatus => {
                let mob = self.mob(mob_id)?;
                let mut out = String::new();
                let mut o = ObjectWriter::new(&mut out);
                o.str("mobId", mob_id).str("status", mob.status.as_str());
                o.end();
                Ok(Some(out))
            }
            Op::MobLifecycle => self.lifecycle(now_ms, mob_id, f.req_str("action")?).map(|()| None),
            Op::MobSubscribe => {
                let Runtime { mobs, agents, .. } = self;
                let mob = mobs.get_mut(mob_id).ok_or_else(|| super::mobs::mob_not_found(mob_id))?;
                // One member's subscription reads its session, retired or
                // not, and each one it is respawned with.
                let member = f.str("member")?;
                if let Some(id) = member {
                    mob.member(id).ok_or_else(|| super::mobs::member_not_found(mob_id, id))?;
                }
                let mut readers = Vec::new();
                for m in mob.members.iter().filter(|m| member.map_or(!m.retired, |id| m.identity == id)) {
                    if let Some(reader) = agents.get_mut(&m.session).and_then(|a| a.session.events.open_reader(true)) {
                        readers.push((m.session.clone(), reader, 0));
                    }
                }
                let id = mob
                    .subscribe(readers, member.map(str::to_string))
                    .ok_or_else(|| invalid("this mob has too many subscriptions open; close some first"))?;
                let mut out = String::new();
                let mut o = ObjectWriter::new(&mut out);
                o.u64("subscription", u64::from(id));
                o.end();
                Ok(Some(out))
            }
            Op::MobPoll => self.poll_mob(mob_id, subscription(f)?).map(Some),
            Op::MobUnsubscribe => {
                let id = subscription(f)?;
                self.mob_mut(mob_id)?;
                self.unsubscribe(mob_id, id);
                Ok(None)
            }
            Op::MobRunFlow => self.run_flow(now_ms, mob_id, f.req_str("flow")?, f.get("params")).map(Some),
            Op::MobFlowStatus => {
                let run_id = f.req_str("runId")?;
                let mob = self.mob(mob_id)?;
                let run = mob.flows.iter().find(|r| r.id == run_id).ok_or_else(|| flow_run_not_found(run_id))?;
                let mut out = String::new();
                if let Some(def) = mob.def.flows.get(run.flow) {
                    run.write_json(def, &mut out);
                }
                Ok(Some(out))
            }
            Op::MobCancelFlow => {
                let run_id = f.req_str("runId")?;
                let mob = self.mob(mob_id)?;
                let at = mob.flows.iter().position(|r| r.id == run_id).ok_or_else(|| flow_run_not_found(run_id))?;
                self.cancel_flow(now_ms, mob_id, at);
                Ok(None)
            }
            _ => Err(CoreError::new(ErrorCode::Internal, "an op is listed without a handler")),
        }
    }

    fn lifecycle(&mut self, now_ms: f64, mob_id: &str, action: &str) -> CoreResult<()> {
        let status = self.mob(mob_id)?.status;
        let ended = matches!(status, MobStatus::Completed | MobStatus::Destroyed);
        match action {
            "stop" | "resume" if ended => {
                self.running_mob(mob_id)?;
            }
            "stop" => self.set_mob_status(now_ms, mob_id, MobStatus::Stopped),
            "resume" => {
                self.set_mob_status(now_ms, mob_id, MobStatus::Running);
                for session in self.member_sessions(mob_id) {
                    self.start_queued(now_ms, &session);
                    self.wake(now_ms, &session);
                }
                for at in 0..self.mob(mob_id)?.flows.len() {
                    self.schedule_flow(now_ms, mob_id, at);
                }
            }
            "complete" if status == MobStatus::Destroyed => {
                self.running_mob(mob_id)?;
            }
            "complete" => {
                for at in 0..self.mob(mob_id)?.flows.len() {
                    self.cancel_flow(now_ms, mob_id, at);
                }
                for session in self.member_sessions(mob_id) {
                    let _ = self.stop_session(now_ms, &session, "the mob was completed".to_string(), true);
                    if let Some(agent) = self.agents.get_mut(&session) {
                        agent.session.archived = true;
                    }
                }
                self.set_mob_status(now_ms, mob_id, MobStatus::Completed);
                // Its members take no more messages: wires from other mobs go,
                // as when it is destroyed (their own wires stay, as history).
                self.unwire_other_mobs(now_ms, mob_id, &self.member_sessions(mob_id));
            }
            "destroy" => self.destroy_mob(now_ms, mob_id),
            _ => {
                return Err(invalid(format!(
                    "mob lifecycle action must be stop, resume, complete or destroy, got {}",
                    quote(action)
                )));
            }
        }
        Ok(())
    }

    /// The sessions of the mob's members, retired ones included.
    fn member_sessions(&self, mob_id: &str) -> Vec<String> {
        let mut sessions = Vec::new();
        for member in self.mobs.get(mob_id).map(|m| m.members.as_slice()).unwrap_or_default() {
            sessions.push(member.session.clone());
        }
        sessions
    }

    /// Every member's session goes (runs cancelled), the mob's wires and
    /// skills too; the id answers `destroyed` until it is reused. The runs'
    /// ends come first, then the mob's `destroyed`: each subscription's
    /// next poll returns what it had left, up to that, then it is gone.
    fn destroy_mob(&mut self, now_ms: f64, mob_id: &str) {
        let Some(mob) = self.mobs.get_mut(mob_id) else { return };
        let mut timers = Vec::new();
        for (timer, _, _) in mob.step_timers.drain(..) {
            timers.push(timer);
        }
        let mut sessions = Vec::new();
        for member in &mut mob.members {
            timers.extend(member.wake_timer.take());
            sessions.push(member.session.clone());
        }
        mob.flows.clear();
        let source = mob.skill_source.take();
        for timer in timers {
            self.out.cancel_timer(timer);
        }
        let why = format!("mob {} was destroyed", quote(mob_id));
        for session in &sessions {
            let _ = self.stop_session(now_ms, session, why.clone(), false);
        }
        self.unwire_other_mobs(now_ms, mob_id, &sessions);
        self.set_mob_status(now_ms, mob_id, MobStatus::Destroyed);
        // Each subscription's last poll, made while its members are known.
        let ids: Vec<u32> =
            self.mobs.get(mob_id).map(|m| m.subscriptions.iter().map(|s| s.id).collect()).unwrap_or_default();
        for id in ids {
            let last = self.poll_mob(mob_id, id).ok().filter(|t| t.len() > 2);
            match self.mobs.get_mut(mob_id).and_then(|m| m.subscriptions.iter_mut().find(|s| s.id == id)) {
                Some(sub) if last.is_some() => sub.last = last,
                _ => self.unsubscribe(mob_id, id),
            }
        }
        if let Some(mob) = self.mobs.get_mut(mob_id) {
            mob.members.clear();
        }
        for session in sessions {
            self.drop_member_session(now_ms, &session);
        }
        if let Some(uuid) = source {
            let _ = self.skills.remove(&uuid, &mut self.out);
        }
    }

    /// Forget subscription `id` of the mob, and its readers.
    fn unsubscribe(&mut self, mob_id: &str, id: u32) {
        let Some(mob) = self.mobs.get_mut(mob_id) else { return };
        let Some(at) = mob.subscriptions.iter().position(|s| s.id == id) else { return };
        let sub = mob.subscriptions.remove(at);
        if let Some(reader) = sub.reader {
            mob.log.close_reader(reader);
        }
        for (session, reader, _) in sub.members {
            if let Some(agent) = self.agents.get_mut(&session) {
                agent.session.events.close_reader(reader);
            }
        }
    }

    /// Log a mob event: every subscription of the mob first reads what
    /// its logs hold before it (see [`flush_subscriptions`]), so it comes
    /// after what caused it and before what it causes. Every mob event
    /// goes through here (or flushes as this does: `flow_changes`).
    pub(super) fn emit_mob(&mut self, now_ms: f64, mob_id: &str, event: &Event) {
        self.flush_mob(mob_id);
        let Some(mob) = self.mobs.get_mut(mob_id) else { return };
        mob.log.now_ms = now_ms;
        mob.log.push(event);
    }

    /// The mob's status changes (and its log says so).
    pub(super) fn set_mob_status(&mut self, now_ms: f64, mob_id: &str, status: MobStatus) {
        let Some(mob) = self.mobs.get_mut(mob_id).filter(|m| m.status != status) else { return };
        mob.status = status;
        self.emit_mob(now_ms, mob_id, &Event::MobStatusChanged { status: status.as_str() });
    }

    /// See [`flush_subscriptions`]; also before a member's session goes
    /// (respawned): what its readers had not read of it is kept.
    pub(super) fn flush_mob(&mut self, mob_id: &str) {
        let Runtime { mobs, agents, settings, .. } = self;
        if let Some(mob) = mobs.get_mut(mob_id) {
            flush_subscriptions(mob, agents, settings.event_queue_capacity);
        }
    }

    /// The members (`sessions`) of a mob that is over lose their wires to
    /// other mobs' members, for good. Both mobs' logs hear it (as a retire
    /// tells them), or a wiring graph built from events keeps wires that
    /// are gone.
    fn unwire_other_mobs(&mut self, now_ms: f64, mob_id: &str, sessions: &[String]) {
        for session in sessions {
            let mut peers = self.bus.endpoint(session).map(|e| e.peers.clone()).unwrap_or_default();
            peers.retain(|p| self.bus.mob_of(p).is_some_and(|m| m != mob_id));
            for peer in &peers {
                self.bus.unwire(session, peer, &mut self.out);
                self.emit_wiring(now_ms, session, peer, false);
            }
        }
        self.cross.retain(|(a, b)| a.0 != mob_id && b.0 != mob_id);
    }

    /// Everything the subscription has not read: what it kept (merged at
    /// the mob's events), then the mob's events and its members' since,
    /// in time order, numbered by the subscription, as a JSON array of
    /// runs: consecutive items of one source and millisecond, attributed
    /// once (see [`write_run_head`]). Each log's unread events are read,
    /// merged by millisecond (then by source) into what it keeps, and
    /// written out, a run at a time: a copy of the text at each step (one
    /// fewer when nothing was kept), no work per item, and half the text
    /// of one attributed object per item for the page to parse.
    /// (`mob_poll`, and what the Worker host reads as bytes.)
    ///
    /// An entry of the wasm's lazily loaded mob part (scripts/wasm-split.mjs):
    /// the mob exists ([`Runtime::drain_mob`] checks).
    #[inline(never)]
    pub(super) fn poll_mob(&mut self, mob_id: &str, id: u32) -> CoreResult<String> {
        let Runtime { mobs, agents, settings, .. } = self;
        let mob = mobs.get_mut(mob_id).ok_or_else(|| super::mobs::mob_not_found(mob_id))?;
        if let Some(last) = mob.subscriptions.iter_mut().find(|s| s.id == id).and_then(|s| s.last.take()) {
            self.unsubscribe(mob_id, id);
            return Ok(last);
        }
        let Some(at) = mob.subscriptions.iter().position(|s| s.id == id) else {
            // destroy() ended its subscriptions: say so, as a session's do.
            if mob.status == MobStatus::Destroyed {
                let why = format!("mob {} was destroyed: its subscriptions ended", quote(mob_id));
                return Err(CoreError::new(ErrorCode::MobNotRunning, why));
            }
            return Err(invalid(format!(
                "mob {} has no subscription {id} (closed, ended by a destroy(), or never opened)",
                quote(mob_id)
            )));
        };
        let unread = read_unread(mob, agents, at);
        let Mob { subscriptions, members, .. } = mob;
        let Some(sub) = subscriptions.get_mut(at) else { return Ok("[]".to_string()) };
        let capacity = settings.event_queue_capacity;
        let mut out = String::with_capacity(sub.kept.text_len() + unread.text.len() + 2);
        out.push('[');
        if sub.kept.is_empty() && unread.marks.len() <= capacity {
            // The usual poll: no mob event since the last one, nothing to cut.
            unread.write(members, &mut sub.next_seq, &mut out);
        } else {
            // What it kept is older than what is read now; both within the capacity.
            sub.kept.add(&unread, capacity);
            sub.kept.write(members, &mut sub.next_seq, &mut out);
        }
        out.push(']');
        Ok(out)
    }

    /// A member's run ended: its flow step may be done, and it may wake.
    /// An entry of the wasm's lazily loaded mob part (scripts/wasm-split.mjs):
    /// called for members only.
    #[inline(never)]
    pub(super) fn member_run_ended(
        &mut self,
        now_ms: f64,
        session: &str,
        run_id: u64,
        output: &Result<String, String>,
        schema_error: Option<&(String, String)>,
    ) {
        // Its next run may meet maxHops anew, and is reported anew.
        if let Some(endpoint) = self.bus.endpoint_mut(session) {
            endpoint.hops_reported = false;
        }
        let Some(mob_id) = self.bus.mob_of(session).cloned() else { return };
        let Some(mob) = self.mobs.get_mut(&mob_id) else { return };
        let mut touched = Vec::new();
        for (at, run) in mob.flows.iter_mut().enumerate() {
            let Some(def) = mob.def.flows.get(run.flow) else { continue };
            let before = run.running_tasks();
            let mut changes = Changes::new();
            run.run_ended(def, session, run_id, output, schema_error, &mut changes);
            if !changes.is_empty() {
                // A failed step cancels the rest of its run: their member runs stop too.
                let still = run.running_tasks();
                let ended = |t: &(String, u64)| t.1 == run_id && t.0 == session;
                let stopped: Vec<_> = before.into_iter().filter(|t| !ended(t) && !still.contains(t)).collect();
                touched.push((at, changes, stopped));
            }
        }
        for (at, changes, stopped) in touched {
            self.flow_changes(now_ms, &mob_id, at, &changes);
            self.interrupt_runs(now_ms, stopped);
            self.schedule_flow(now_ms, &mob_id, at);
            self.flow_settled(&mob_id, at);
        }
    }

    /// Start a turn for a member that has something to read, if it may:
    /// the mob runs, the member is idle, and (when woken by peers) it is
    /// autonomous and within its turn rate.
    /// An entry of the wasm's lazily loaded mob part (scripts/wasm-split.mjs):
    /// called for members only.
    #[inline(never)]
    pub(super) fn wake(&mut self, now_ms: f64, session: &str) {
        let Some(mob_id) = self.bus.mob_of(session).cloned() else { return };
        let Some(agent) = self.agents.get(session) else { return };
        if agent.is_running() || agent.queued() > 0 {
            return;
        }
        let host_words = !agent.steer.is_empty();
        let Some(mob) = self.mobs.get_mut(&mob_id) else { return };
        let Some(member) = mob.by_session(session) else { return };
        if mob.status != MobStatus::Running || member.retired || member.wake_timer.is_some() {
            return;
        }
        if !host_words && (member.mode != RuntimeMode::AutonomousHost || self.bus.inbox_depth(session) == 0) {
            return;
        }
        let identity = member.identity.clone();
        if !host_words && let Err(wait_ms) = mob.admit_wake(session, now_ms) {
            let limit = mob.def.limits.max_turns_per_minute;
            let detail = format!("{identity} was woken {limit} times in the last minute; its messages wait");
            let timer = self.out.timer(Owner::Mob(mob_id.clone()), wait_ms as u64, now_ms);
            if let Some(member) = mob.by_session_mut(session) {
                member.wake_timer = Some(timer);
            }
            let event = Event::LimitReached { limit: "maxTurnsPerMemberPerMinute", member: &identity, detail: &detail };
            self.emit_mob(now_ms, &mob_id, &event);
            return;
        }
        let run_id = self.new_run_id();
        let _ = self.start_run(now_ms, session, run_id, RunInput::Wake, RunOptions::default());
    }

    /// What the bus noted during the last step.
    /// An entry of the wasm's lazily loaded mob part (scripts/wasm-split.mjs):
    /// only members' comms make notes.
    #[inline(never)]
    pub(super) fn bus_notes(&mut self, now_ms: f64) {
        for note in core::mem::take(&mut self.bus.notes) {
            match note {
                Note::Delivered { to } => self.wake(now_ms, &to),
                Note::Traffic { from, to, kind, bytes } => {
                    let cross = self.bus.mob_of(&from) != self.bus.mob_of(&to);
                    let name = |s: &str| match (cross, self.bus.endpoint(s)) {
                        (true, Some(e)) => format!("{}/{}", e.mob, e.identity),
                        (false, Some(e)) => e.identity.clone(),
                        (_, None) => String::new(),
                    };
                    let event = Event::MessageDelivered { from: &name(&from), to: &name(&to), kind, bytes };
                    self.emit_for_pair(now_ms, &from, &to, &event);
                }
                Note::Limit { session, limit, detail } => {
                    let member = self.bus.endpoint(&session).map(|e| e.identity.clone()).unwrap_or_default();
                    if let Some(mob_id) = self.bus.mob_of(&session).cloned() {
                        self.emit_mob(
                            now_ms,
                            &mob_id,
                            &Event::LimitReached { limit, member: &member, detail: &detail },
                        );
                    }
                }
                Note::Event { session, event } => {
                    if let Some(agent) = self.agents.get_mut(&session) {
                        agent.session.events.now_ms = now_ms;
                        agent.session.events.push_kept(&event);
                    }
                }
            }
        }
    }

    /// A request's time-out fired.
    /// An entry of the wasm's lazily loaded mob part (scripts/wasm-split.mjs):
    /// only members' requests set comms timers.
    #[inline(never)]
    pub(super) fn comms_timer(&mut self, timer: u32) {
        self.bus.on_timer(timer);
    }

    /// A mob's timer fired: a held-back wake-up, or a flow step's timeout.
    /// An entry of the wasm's lazily loaded mob part (scripts/wasm-split.mjs):
    /// only mobs own mob timers.
    #[inline(never)]
    pub(super) fn mob_timer(&mut self, now_ms: f64, mob_id: &str, timer: u32) -> CoreResult<()> {
        let mob = self.mob_mut(mob_id)?;
        if let Some(member) = mob.members.iter_mut().find(|m| m.wake_timer == Some(timer)) {
            member.wake_timer = None;
            let session = member.session.clone();
            self.wake(now_ms, &session);
            return Ok(());
        }
        let Some(found) = mob.step_timers.iter().position(|t| t.0 == timer) else {
            return Err(CoreError::new(
                ErrorCode::UnknownEffect,
                format!("timer {timer} is not awaited by mob {mob_id}"),
            ));
        };
        let (_, at, step) = mob.step_timers.remove(found);
        let Some(run) = mob.flows.get_mut(at).filter(|r| r.status == Status::Running) else { return Ok(()) };
        let running = run.running_tasks();
        let Some(state) = run.steps.get_mut(step).filter(|s| s.status == Status::Running) else { return Ok(()) };
        state.timer = None;
        for task in state.tasks.iter_mut().filter(|t| t.status == Status::Running) {
            task.output = Some("the step timed out".to_string());
        }
        let mut changes = Changes::new();
        run.fail_step(step, &mut changes);
        self.flow_changes(now_ms, mob_id, at, &changes);
        // The members' runs for the step (and the rest of the run) stop
        // too, as cancelFlow stops them: else a hung request keeps the
        // member busy, and its later work waits.
        self.interrupt_runs(now_ms, running);
        self.flow_settled(mob_id, at);
        Ok(())
    }

    /// Refuse to destroy a member's session behind its mob's back.
    pub(super) fn check_not_member(&self, session: &str) -> CoreResult<()> {
        match self.bus.mob_of(session) {
            None => Ok(()),
            Some(mob) => {
                let identity = self.bus.endpoint(session).map(|e| e.identity.clone()).unwrap_or_default();
                Err(invalid(format!(
                    "session {session} is member {} of mob {}: retire the member or destroy the mob instead",
                    quote(&identity),
                    quote(mob)
                )))
            }
        }
    }
}

/// Bring every subscription of `mob` up to date (before a mob event is
/// logged): what each has not read of the mob's log and its members' is
/// merged as a poll merges it, and kept (within `capacity` items) for its
/// next poll. Nothing for a mob without subscriptions.
fn flush_subscriptions(mob: &mut Mob, agents: &mut SortedMap<String, Box<Agent>>, capacity: usize) {
    for at in 0..mob.subscriptions.len() {
        let unread = read_unread(mob, agents, at);
        if let Some(sub) = mob.subscriptions.get_mut(at) {
            sub.kept.add(&unread, capacity);
        }
    }
}

/// What subscription `at` has not read of the mob's log, then of each
/// member's (in its readers' order); readers of sessions that are gone go.
fn read_unread(mob: &mut Mob, agents: &mut SortedMap<String, Box<Agent>>, at: usize) -> Unread {
    let mut unread = Unread::default();
    let Mob { subscriptions, members, log, .. } = mob;
    let Some(sub) = subscriptions.get_mut(at) else { return unread };
    if let Some(reader) = sub.reader {
        unread.read(log, reader, None);
    }
    sub.members.retain_mut(|(session, reader, hint)| {
        let Some(agent) = agents.get_mut_hinted(session, hint) else { return false };
        let log = &mut agent.session.events;
        // Most logs have nothing new at a mob event: no search for their member.
        if log.unread(*reader) == 0 {
            return true;
        }
        let who = members.iter().position(|m| &m.session == session);
        unread.read(log, *reader, who)
    });
    unread
}

fn subscription(f: &Fields<'_, '_>) -> CoreResult<u32> {
    Ok(u32::try_from(f.req_u64("subscription")?).unwrap_or(u32::MAX))
}

fn flow_run_not_found(run_id: &str) -> CoreError {
    CoreError::new(ErrorCode::FlowNotFound, format!("no flow run {} in this mob", quote(run_id)))
}
