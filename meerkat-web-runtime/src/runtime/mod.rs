//! The runtime: a registry of sessions, tools, hooks and skill sources
//! behind one command entry.
//!
//! Inputs are JSON commands (and raw body bytes); outputs are a reply plus
//! the effects the host must carry out. Drain order for the host after every
//! input: effects (in the reply), then events (`drain_events`). After every
//! input the runtime also reacts to runs that ended (starting what waited).

mod commands;
mod mob_work;
mod mobs;
mod outcomes;

use crate::agent::{self, Agent, Ctx, Reaction};
use crate::auth::Leases;
use crate::comms::Bus;
use crate::config::Settings;
use crate::effects::Outbox;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::ReaderId;
use crate::hooks::HookRegistry;
use crate::ids::Rng;
use crate::json::{self, ObjectWriter, quote};
use crate::mob::Mob;
use crate::skills::SkillRegistry;
use crate::sorted_map::SortedMap;
use crate::tools::ToolRegistry;

/// Runaway guard: sessions are cheap but not free.
const MAX_SESSIONS: usize = 10_000;

/// A command's successful result: nothing, or JSON text.
type Reply = Option<String>;

pub struct Runtime {
    settings: Settings,
    rng: Rng,
    tools: ToolRegistry,
    hooks: HookRegistry,
    skills: SkillRegistry,
    /// Boxed: inserting a session among thousands moves pointers, not
    /// whole agents (this once made `createSession` cost 76 µs at 10,000).
    agents: SortedMap<String, Box<Agent>>,
    out: Outbox,
    next_run: u64,
    reactions: Vec<Reaction>,
    bus: Bus,
    mobs: SortedMap<String, Mob>,
    /// Where the subscriptions of a mob start: past those of every
    /// destroyed mob forgotten to make room (see `mobs::evict_destroyed_mob`).
    evicted_subscriptions: u32,
    /// Wires between members of two mobs, kept across respawns.
    cross: Vec<(mobs::MemberId, mobs::MemberId)>,
    /// Leases of the bindings whose credential the host resolves.
    leases: Leases,
}

impl Runtime {
    pub fn new(config_json: &str, entropy: &[u8]) -> CoreResult<Runtime> {
        let settings = Settings::from_json(config_json)?;
        Ok(Runtime {
            leases: Leases::new(settings.bindings.len()),
            settings,
            rng: Rng::from_entropy(entropy),
            tools: ToolRegistry::default(),
            hooks: HookRegistry::default(),
            skills: SkillRegistry::default(),
            agents: SortedMap::default(),
            out: Outbox::default(),
            next_run: 0,
            reactions: Vec::new(),
            bus: Bus::default(),
            mobs: SortedMap::default(),
            evicted_subscriptions: 1,
            cross: Vec::new(),
        })
    }

    /// Run one JSON command; the reply is JSON: `{ok, effects}` or `{error, effects}`.
    pub fn command(&mut self, now_ms: f64, text: &str) -> String {
        let result = json::parse(text)
            .map_err(|e| CoreError::new(ErrorCode::InvalidCommand, format!("command is not valid JSON: {e}")))
            .and_then(|cmd| self.dispatch(now_ms, cmd));
        self.react(now_ms);
        self.reply(result)
    }

    /// Response body bytes for HTTP effect `id`. Returns "" when nothing
    /// happened beyond parsing (the common case), else a reply.
    pub fn push_body(&mut self, now_ms: f64, id: u32, bytes: &[u8]) -> String {
        let result = self.body(now_ms, id, bytes);
        self.react(now_ms);
        match result {
            Ok(()) if self.out.is_empty() => String::new(),
            other => self.reply(other.map(|()| None)),
        }
    }

    /// Events of a session that `reader` has not read, as a JSON array.
    pub fn drain_events(&mut self, session: &str, reader: ReaderId) -> CoreResult<String> {
        let agent = self.agents.get_mut(session).ok_or_else(|| session_not_found(session))?;
        agent.session.events.read(reader).ok_or_else(|| {
            CoreError::new(
                ErrorCode::InvalidArgument,
                format!("session {session} has no event reader {reader} (closed, or never opened)"),
            )
        })
    }

    /// The unread items of a mob's subscription `reader`, as a JSON array.
    pub fn drain_mob(&mut self, mob: &str, reader: ReaderId) -> CoreResult<String> {
        if !self.mobs.contains_key(mob) {
            return Err(mobs::mob_not_found(mob));
        }
        self.poll_mob(mob, reader)
    }

    /// Deliver a message the core itself produced (a peer's, a flow step's)
    /// to a session: it starts a run now, or waits for the current one to
    /// end. The text reaches the model as given (already attributed).
    /// Returns the run id; the run's end is reported like any other.
    pub fn inject(&mut self, now_ms: f64, session: &str, text: String) -> CoreResult<u64> {
        let run_id = self.new_run_id();
        let input = agent::RunInput::Injected { text };
        let options = agent::RunOptions::default();
        self.start_run(now_ms, session, run_id, input, options)?;
        self.react(now_ms);
        Ok(run_id)
    }

    /// Take the effects queued by calls that do not reply (`inject`), as JSON.
    pub fn take_effects(&mut self) -> String {
        let mut out = String::new();
        self.out.drain_json(&mut out);
        out
    }

    fn reply(&mut self, result: CoreResult<Reply>) -> String {
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        match &result {
            Ok(value) => {
                o.raw("ok", value.as_deref().unwrap_or("null"));
            }
            Err(error) => error.write_json(o.key("error")),
        }
        self.out.drain_json(o.key("effects"));
        o.end();
        out
    }

    /// Runs that ended may let waiting inputs start; react until quiet.
    fn react(&mut self, now_ms: f64) {
        // Each start can end at once (a hook-free failure), which queues
        // another reaction; the queue of inputs bounds the loop.
        while !self.reactions.is_empty() || !self.bus.notes.is_empty() {
            if !self.bus.notes.is_empty() {
                self.bus_notes(now_ms);
            }
            for reaction in core::mem::take(&mut self.reactions) {
                match reaction {
                    Reaction::RunEnded { session, run_id, output, schema_error } => {
                        if self.may_start(&session) {
                            self.start_queued(now_ms, &session);
                        }
                        if self.bus.mob_of(&session).is_some() {
                            self.member_run_ended(now_ms, &session, run_id, &output, schema_error.as_ref());
                            self.wake(now_ms, &session);
                        }
                    }
                }
            }
        }
    }

    fn agent_mut(&mut self, id: &str) -> CoreResult<&mut Agent> {
        self.agents.get_mut(id).map(|a| &mut **a).ok_or_else(|| session_not_found(id))
    }

    /// Run one step of a session's engine with the runtime's context.
    fn step<T>(
        &mut self,
        now_ms: f64,
        id: &str,
        f: impl FnOnce(&mut Ctx<'_>, &mut Agent) -> CoreResult<T>,
    ) -> CoreResult<T> {
        let agent = self.agents.get_mut(id).ok_or_else(|| session_not_found(id))?;
        agent.session.events.now_ms = now_ms;
        let mut ctx = Ctx {
            settings: &self.settings,
            tools: &self.tools,
            hooks: &self.hooks,
            skills: &self.skills,
            out: &mut self.out,
            rng: &mut self.rng,
            now_ms,
            reactions: &mut self.reactions,
            bus: &mut self.bus,
            leases: &mut self.leases,
        };
        f(&mut ctx, agent)
    }

    /// Start a run of a session (or queue it, as `options` say): one
    /// instance of `step` for every caller.
    fn start_run(
        &mut self,
        now_ms: f64,
        session: &str,
        run_id: u64,
        input: agent::RunInput,
        options: agent::RunOptions,
    ) -> CoreResult<()> {
        self.step(now_ms, session, |ctx, a| agent::start(ctx, a, run_id, input, options)).map(|_| ())
    }

    /// Stop a session: its queued inputs fail with `why` (`CANCELLED`), and
    /// its run is cancelled with the same error or, with `interrupt`,
    /// interrupted (keeping what it said so far).
    fn stop_session(&mut self, now_ms: f64, session: &str, why: String, interrupt: bool) -> CoreResult<()> {
        self.step(now_ms, session, |ctx, agent| {
            let error = CoreError::new(ErrorCode::Cancelled, why);
            agent::cancel_queued(ctx, agent, &error);
            let input = if interrupt { agent::Input::Interrupt } else { agent::Input::Cancel(error) };
            agent::advance(ctx, agent, input)
        })
    }

    /// Start the session's queued input, if any.
    fn start_queued(&mut self, now_ms: f64, session: &str) {
        let _ = self.step(now_ms, session, |ctx, agent| Ok(agent::start_queued(ctx, agent)));
    }

    /// Queued input may start: not for members of a mob that is stopped.
    fn may_start(&self, session: &str) -> bool {
        let mob = self.bus.mob_of(session).and_then(|m| self.mobs.get(m));
        mob.is_none_or(|m| m.status == crate::mob::MobStatus::Running)
    }

    fn new_run_id(&mut self) -> u64 {
        self.next_run += 1;
        self.next_run
    }
}

fn session_not_found(id: &str) -> CoreError {
    let shown = crate::text::first_chars(id, 80);
    CoreError::new(
        ErrorCode::SessionNotFound,
        format!("no session with id {} (never created, or destroyed)", quote(shown)),
    )
}

#[cfg(test)]
mod tests;
