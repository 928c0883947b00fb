//! Mob commands: definitions, members, wiring, sends. The mob layer keeps
//! the bookkeeping; this is where it meets the sessions and the bus.

use super::commands::{Op, run_reply};
use super::{Reply, Runtime};
use crate::agent::{self, Agent, RunInput, RunOptions};
use crate::comms::Endpoint;
use crate::config::SessionConfig;
use crate::error::{CoreError, CoreResult, ErrorCode, invalid};
use crate::events::{Event, EventLog};
use crate::fields::Fields;
use crate::json::{self, Json, ObjectWriter, quote, write_array, write_str};
use crate::mob::definition::{self, MAX_MEMBERS, check_name, either};
use crate::mob::{Definition, Member, Mob, MobStatus, Profile, RuntimeMode};
use crate::session::Session;
use crate::skills::SkillKey;
use crate::tools::CoreTool;
use crate::transcript::Prompt;

/// Mobs kept at once. Destroyed ones count until their id is reused, or
/// until a new mob needs their room: only live mobs can refuse a new one.
const MAX_MOBS: usize = 256;

/// A member by mob and identity.
pub(super) type MemberId = (String, String);

impl Runtime {
    /// Every mob op once a mob exists (or `create_mob`, `check_mob_definition`).
    /// An entry of the wasm's lazily loaded mob part (scripts/wasm-split.mjs).
    #[inline(never)]
    pub(super) fn mob_command(&mut self, now_ms: f64, op: Op, f: &Fields<'_, '_>) -> CoreResult<Reply> {
        match op {
            Op::CreateMob => self.create_mob(f.get("definition").unwrap_or(&Json::Null)).map(Some),
            // A mobpack's definition, checked when the pack is opened (the
            // host's `initFromMobpack`, `inspectMobpack`): what `create_mob`
            // would refuse in it, without creating anything. Here, in the
            // mob part, so the core every app loads does not carry the
            // definition reader.
            Op::CheckMobDefinition => Definition::from_json(f.get("definition").unwrap_or(&Json::Null)).map(|_| None),
            Op::ListMobs => {
                let mut out = String::new();
                write_array(&mut out, self.mobs.values(), |m, out| m.write_summary(out));
                Ok(Some(out))
            }
            Op::WireCrossMob | Op::UnwireCrossMob => {
                let a = (f.req_str("mobA")?, f.req_str("memberA")?);
                let b = (f.req_str("mobB")?, f.req_str("memberB")?);
                self.set_wire(now_ms, a, b, op == Op::WireCrossMob).map(|()| None)
            }
            // Every other mob op names its mob first.
            _ => self.member_command(now_ms, op, f.req_str("mob")?, f),
        }
    }

    fn member_command(&mut self, now_ms: f64, op: Op, mob: &str, f: &Fields<'_, '_>) -> CoreResult<Reply> {
        match op {
            Op::MobSpawn => self.spawn(now_ms, mob, f.get("specs")).map(Some),
            Op::MobRetire => {
                let member = f.req_str("member")?;
                self.member_session(mob, member)?;
                self.retire(now_ms, mob, member);
                Ok(None)
            }
            Op::MobRespawn => self.respawn(now_ms, mob, f.req_str("member")?, f.get("initialMessage")).map(Some),
            Op::MobMembers => self.write_members(mob).map(Some),
            Op::MobMemberStatus => self.member_status(mob, f.req_str("member")?).map(Some),
            Op::MobSend => self.mob_send(now_ms, mob, f).map(Some),
            Op::MobWire | Op::MobUnwire => {
                let (a, b) = ((mob, f.req_str("a")?), (mob, f.req_str("b")?));
                self.set_wire(now_ms, a, b, op == Op::MobWire).map(|()| None)
            }
            _ => self.mob_other(now_ms, op, mob, f),
        }
    }

    pub(super) fn mob(&self, id: &str) -> CoreResult<&Mob> {
        self.mobs.get(id).ok_or_else(|| mob_not_found(id))
    }

    pub(super) fn mob_mut(&mut self, id: &str) -> CoreResult<&mut Mob> {
        self.mobs.get_mut(id).ok_or_else(|| mob_not_found(id))
    }

    /// The mob, if it takes new work.
    pub(super) fn running_mob(&mut self, id: &str) -> CoreResult<&mut Mob> {
        let mob = self.mob_mut(id)?;
        if mob.status != MobStatus::Running {
            return Err(CoreError::new(
                ErrorCode::MobNotRunning,
                format!(
                    "mob {} is {}: it takes no new work{}",
                    quote(id),
                    mob.status.as_str(),
                    match mob.status {
                        MobStatus::Stopped => " until mob.resume()",
                        _ => "",
                    }
                ),
            ));
        }
        Ok(mob)
    }

    pub(super) fn member_session(&self, mob: &str, identity: &str) -> CoreResult<String> {
        let member = self.mob(mob)?.member(identity).ok_or_else(|| member_not_found(mob, identity))?;
        Ok(member.session.clone())
    }

    fn create_mob(&mut self, value: &Json<'_>) -> CoreResult<String> {
        let def = Definition::from_json(value)?;
        if self.mobs.get(&def.id).is_some_and(|m| m.status != MobStatus::Destroyed) {
            return Err(definition::bad(format!("a mob with id {} exists already; destroy it first", quote(&def.id))));
        }
        if self.mobs.len() >= MAX_MOBS && !self.mobs.contains_key(&def.id) && !self.evict_destroyed_mob() {
            return Err(definition::bad(format!("at most {MAX_MOBS} mobs can exist at once; destroy some first")));
        }
        let source = match &def.skill_source {
            None => None,
            Some(text) => {
                let added = json::parse(text)
                    .map_err(|e| invalid(e.to_string()))
                    .and_then(|source| self.skills.add_embedded(&source, &mut self.rng));
                Some(added.map_err(|e| definition::bad(format!("mob definition.skills: {}", e.message)))?)
            }
        };
        // Every profile must make a usable session (model, keys, tools, skills).
        for profile in &def.profiles {
            let config = member_config(profile, &def.id, "probe", source.as_deref());
            if let Err(e) = Session::create(String::new(), config, &self.settings, &self.tools, &self.skills, 0.0) {
                if let Some(uuid) = &source {
                    let _ = self.skills.remove(uuid, &mut self.out);
                }
                // The session's checks do not know the profile's fields: name
                // the one the error is about when the code tells.
                let is = |code: ErrorCode| e.code == code.as_str();
                let field = if is(ErrorCode::ToolNotFound) {
                    ".tools.host"
                } else if is(ErrorCode::SkillNotFound) {
                    ".skills"
                } else if is(ErrorCode::ModelRequired) || is(ErrorCode::UnsupportedModel) {
                    ".model"
                } else {
                    ""
                };
                return Err(definition::bad(format!("mob definition.profiles.{}{field}: {}", profile.name, e.message)));
            }
        }
        let id = def.id.clone();
        let capacity = self.settings.event_queue_capacity;
        let mut mob = Mob::new(def, source, capacity);
        // Numbered past every subscription of a mob that had this id (kept
        // as destroyed, or made room for): an old one never names a new one.
        mob.next_subscription = self.mobs.get(&id).map_or(self.evicted_subscriptions, |d| d.next_subscription);
        self.mobs.insert(id.clone(), mob);
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.str("mobId", &id);
        o.end();
        Ok(out)
    }

    /// Forget a destroyed mob (the first by id) to make room for a new one;
    /// whether there was one. Without this, an app that makes and destroys
    /// mobs of new ids could make no more after `MAX_MOBS` of them.
    fn evict_destroyed_mob(&mut self) -> bool {
        let found = self.mobs.iter().find(|(_, m)| m.status == MobStatus::Destroyed).map(|(id, _)| id.clone());
        let Some(evicted) = found.and_then(|id| self.mobs.remove(&id)) else { return false };
        self.evicted_subscriptions = self.evicted_subscriptions.max(evicted.next_subscription);
        true
    }

    /// `[{profile, agent_identity, initialMessage?, runtimeMode?}]`: a result per row.
    fn spawn(&mut self, now_ms: f64, mob: &str, specs: Option<&Json<'_>>) -> CoreResult<String> {
        self.running_mob(mob)?;
        let rows = specs.and_then(Json::as_array).ok_or_else(|| {
            invalid("mob.spawn takes an array of specs: [{ profile, agent_identity, initialMessage? }]")
        })?;
        if rows.iter().any(|r| r.as_object().is_none()) {
            return Err(invalid("every mob.spawn spec must be an object: { profile, agent_identity }"));
        }
        let mut out = String::new();
        let mut items = json::ArrayWriter::new(&mut out);
        for row in rows {
            let identity = row.get("agent_identity").or(row.get("agentIdentity")).and_then(Json::as_str).unwrap_or("");
            match self.spawn_one(now_ms, mob, row) {
                Ok(spawned) => items.item().push_str(&spawned),
                Err(e) => {
                    let mut o = ObjectWriter::new(items.item());
                    o.str("status", "failed").str("agentIdentity", identity).str("code", e.code);
                    o.str("message", &e.message);
                    o.end();
                }
            }
        }
        items.end();
        Ok(out)
    }

    fn spawn_one(&mut self, now_ms: f64, mob_id: &str, row: &Json<'_>) -> CoreResult<String> {
        let f = Fields::new(
            row,
            "spawn spec",
            &["profile", "agent_identity", "agentIdentity", "initialMessage", "runtimeMode", "runtime_mode"],
            ErrorCode::InvalidArgument,
        )?;
        let identity = either(&f, "agentIdentity", "agent_identity")?
            .ok_or_else(|| invalid("a spawn spec needs agent_identity (the member's name in the mob)"))?;
        check_name(identity, "spawn spec.agent_identity").map_err(|e| invalid(e.into_message()))?;
        let profile_name = f.req_str("profile")?;
        let mob = self.mob(mob_id)?;
        let profile = mob.def.profile(profile_name).ok_or_else(|| {
            invalid(format!("spawn spec.profile {} is not a profile of mob {}", quote(profile_name), quote(mob_id)))
        })?;
        if mob.member(identity).is_some() {
            return Err(invalid(format!(
                "mob {} already has a member {}; respawn it, or pick another identity",
                quote(mob_id),
                quote(identity)
            )));
        }
        if mob.members.len() >= MAX_MEMBERS {
            return Err(invalid(format!("a mob holds at most {MAX_MEMBERS} members")));
        }
        let mode = match either(&f, "runtimeMode", "runtime_mode")? {
            Some(text) => RuntimeMode::parse(text, "spawn spec.runtimeMode").map_err(|e| invalid(e.into_message()))?,
            None => profile.mode,
        };
        // Checked before anything is made: a refused row leaves no member.
        let initial = self.initial_message(f.get("initialMessage"), "spawn spec.initialMessage")?;
        let session = self.create_member_session(now_ms, mob_id, profile_name, identity)?;
        self.admit_member(now_ms, mob_id, Member::new(identity, profile_name.to_string(), mode, session.clone()));
        self.spawned_reply(now_ms, mob_id, identity, &session, initial)
    }

    /// A member's first message, checked as a run would check it (so the
    /// run that carries it cannot be refused after the member exists).
    fn initial_message(&self, value: Option<&Json<'_>>, path: &str) -> CoreResult<Option<Prompt>> {
        let Some(value) = value else { return Ok(None) };
        let checked = Prompt::from_json(value.clone())
            .and_then(|prompt| agent::check_prompt(&prompt, self.settings.max_prompt_bytes).map(|()| prompt));
        match checked {
            Ok(prompt) => Ok(Some(prompt)),
            Err(mut error) => {
                error.message = format!("{path}: {}", error.message);
                Err(error)
            }
        }
    }

    /// A member's session: the profile's settings, its identity in the
    /// system prompt, the comms tools when enabled; joined to the bus.
    fn create_member_session(&mut self, now_ms: f64, mob_id: &str, role: &str, identity: &str) -> CoreResult<String> {
        let mob = self.mob(mob_id)?;
        let profile = mob.def.profile(role).ok_or_else(|| member_not_found(mob_id, identity))?;
        let config = member_config(profile, mob_id, identity, mob.skill_source.as_deref());
        let (comms, description, limits) = (profile.comms, profile.description.clone(), mob.def.limits);
        let id = self.rng.uuid_v4();
        let mut session = Session::create(id.clone(), config, &self.settings, &self.tools, &self.skills, now_ms)?;
        // No poll reader: no host API polls a member's session (hosts read
        // members through subscriptions), and one would keep every event
        // the member ever logged, up to the queue's capacity.
        session.events = EventLog::unpolled(self.settings.event_queue_capacity);
        if comms {
            session.core_tools.extend(CoreTool::COMMS);
        }
        self.agents.insert(id.clone(), Box::new(Agent::new(session)));
        let endpoint = Endpoint {
            mob: mob_id.to_string(),
            identity: identity.to_string(),
            role: role.to_string(),
            description,
            limits,
            peers: Vec::new(),
            inbox: Default::default(),
            hops: 0,
            full_reported: false,
            hops_reported: false,
            retired: false,
        };
        self.bus.join(id.clone(), endpoint);
        Ok(id)
    }

    /// Record the member, tell subscribers, and wire it as the definition
    /// (and earlier wires of the same identity) say.
    fn admit_member(&mut self, now_ms: f64, mob_id: &str, member: Member) {
        let event = Event::MemberSpawned { member: &member.identity, role: &member.role, session_id: &member.session };
        self.emit_mob(now_ms, mob_id, &event);
        let Some(mob) = self.mobs.get_mut(mob_id) else { return };
        let (identity, role, session) = (member.identity.clone(), member.role.clone(), member.session.clone());
        match mob.members.iter_mut().find(|m| m.identity == identity) {
            Some(old) => *old = member,
            None => mob.members.push(member),
        }
        if let Some(agent) = self.agents.get_mut(&session) {
            for sub in mob.subscriptions.iter_mut().filter(|s| s.follows(&identity)) {
                if let Some(reader) = agent.session.events.open_reader(true) {
                    sub.members.push((session.clone(), reader, 0));
                }
            }
        }
        let def = &mob.def;
        // Read once: scanning every wire per member made spawning cubic.
        let mut remembered: Vec<&str> = Vec::new();
        for (a, b) in &mob.wires {
            match (*a == identity, *b == identity) {
                (true, _) => remembered.push(b),
                (_, true) => remembered.push(a),
                _ => {}
            }
        }
        // Owned: wiring changes the mobs and the cross-mob wires read here.
        let mut partners: Vec<MemberId> = Vec::new();
        for other in mob.members.iter().filter(|m| !m.retired && m.identity != identity) {
            let orchestrated =
                def.auto_wire_orchestrator && def.orchestrator.as_ref().is_some_and(|o| *o == role || *o == other.role);
            let by_role = def
                .role_wiring
                .iter()
                .any(|(a, b)| (*a == role && *b == other.role) || (*b == role && *a == other.role));
            if orchestrated || by_role || remembered.contains(&other.identity.as_str()) {
                partners.push((mob_id.to_string(), other.identity.clone()));
            }
        }
        let me = (mob_id, identity.as_str());
        for (a, b) in &self.cross {
            match (is(a, me), is(b, me)) {
                (true, _) => partners.push(b.clone()),
                (_, true) => partners.push(a.clone()),
                _ => {}
            }
        }
        for (mob, identity) in &partners {
            let _ = self.set_wire(now_ms, me, (mob, identity), true);
        }
    }

    fn spawned_reply(
        &mut self,
        now_ms: f64,
        mob: &str,
        identity: &str,
        session: &str,
        initial: Option<Prompt>,
    ) -> CoreResult<String> {
        let run_id = match initial {
            None => None,
            Some(prompt) => {
                let run_id = self.new_run_id();
                let options = RunOptions { queue: true, ..RunOptions::default() };
                self.start_run(now_ms, session, run_id, RunInput::User(prompt), options)?;
                Some(run_id)
            }
        };
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.str("status", "spawned").str("agentIdentity", identity).str("memberRef", &format!("{mob}/{identity}"));
        o.str("sessionId", session);
        if let Some(run_id) = run_id {
            o.u64("runId", run_id);
        }
        o.end();
        Ok(out)
    }

    /// Stop the member for good (until respawned): its run cancelled, its
    /// session archived, its peers unwired (the wires are remembered).
    pub(super) fn retire(&mut self, now_ms: f64, mob_id: &str, identity: &str) {
        let Some(member) = self.mobs.get_mut(mob_id).and_then(|m| m.member_mut(identity)) else { return };
        if member.retired {
            return;
        }
        member.retired = true;
        let session = member.session.clone();
        if let Some(timer) = member.wake_timer.take() {
            self.out.cancel_timer(timer);
        }
        let why = format!("member {identity} was retired");
        self.member_left_flows(now_ms, &session, &why);
        let _ = self.stop_session(now_ms, &session, why, false);
        if let Some(agent) = self.agents.get_mut(&session) {
            agent.steer.clear();
            agent.session.archived = true;
        }
        for peer in self.bus.endpoint(&session).map(|e| e.peers.clone()).unwrap_or_default() {
            self.emit_wiring(now_ms, &session, &peer, false);
        }
        self.bus.retire(&session, &mut self.out);
        self.emit_mob(now_ms, mob_id, &Event::MemberRetired { member: identity });
    }

    /// A fresh session for the same identity, its wires restored. Whatever
    /// can be refused is refused before the old member is touched.
    fn respawn(&mut self, now_ms: f64, mob_id: &str, identity: &str, initial: Option<&Json<'_>>) -> CoreResult<String> {
        self.running_mob(mob_id)?;
        let old = self.member_session(mob_id, identity)?;
        let initial = self.initial_message(initial, "initialMessage")?;
        let member = self.mob(mob_id)?.member(identity).ok_or_else(|| member_not_found(mob_id, identity))?;
        let (role, mode) = (member.role.clone(), member.mode);
        // The new session first (it can fail); the old one goes after.
        let session = self.create_member_session(now_ms, mob_id, &role, identity)?;
        self.retire(now_ms, mob_id, identity);
        // Its readers go with it: what they have not read (the run's end) is kept.
        self.flush_mob(mob_id);
        self.drop_member_session(now_ms, &old);
        self.admit_member(now_ms, mob_id, Member::new(identity, role, mode, session.clone()));
        self.spawned_reply(now_ms, mob_id, identity, &session, initial)
    }

    /// Forget a member's session entirely (respawned, or the mob destroyed).
    pub(super) fn drop_member_session(&mut self, now_ms: f64, session: &str) {
        let _ = self.destroy_session_now(now_ms, session);
        self.bus.leave(session, &mut self.out);
    }

    fn write_members(&self, mob_id: &str) -> CoreResult<String> {
        let mob = self.mob(mob_id)?;
        let mut out = String::new();
        write_array(&mut out, &mob.members, |m, out| {
            let mut o = ObjectWriter::new(out);
            o.str("agentIdentity", &m.identity).str("role", &m.role).str("runtimeMode", m.mode.as_str());
            o.str("status", self.member_state(m)).str("sessionId", &m.session);
            o.str("memberRef", &format!("{mob_id}/{}", m.identity));
            let peers = self.bus.endpoint(&m.session).map(|e| e.peers.as_slice()).unwrap_or_default();
            write_array(o.key("wiredTo"), peers, |p, out| write_str(&self.bus.name_for(&m.session, p), out));
            o.end();
        });
        Ok(out)
    }

    fn member_state(&self, member: &Member) -> &'static str {
        match (member.retired, self.agents.get(&member.session).is_some_and(|a| a.is_running())) {
            (true, _) => "retired",
            (false, true) => "running",
            (false, false) => "idle",
        }
    }

    fn member_status(&self, mob_id: &str, identity: &str) -> CoreResult<String> {
        let member = self.mob(mob_id)?.member(identity).ok_or_else(|| member_not_found(mob_id, identity))?;
        let agent = self.agents.get(&member.session).ok_or_else(|| member_not_found(mob_id, identity))?;
        let totals = &agent.session.totals;
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.str("agentIdentity", identity).str("status", self.member_state(member));
        match agent.activity() {
            Some(activity) => o.str("currentActivity", &activity),
            None => o.raw("currentActivity", "null"),
        };
        o.u64("turns", u64::from(totals.turns)).u64("toolCalls", u64::from(totals.tool_calls));
        totals.usage.write_json(o.key("usage"));
        o.u64("inboxDepth", (self.bus.inbox_depth(&member.session) + agent.queued()) as u64);
        o.str("sessionId", &member.session);
        o.end();
        Ok(out)
    }

    /// `member(id).send(content, {handlingMode})`: the host's work for a member.
    fn mob_send(&mut self, now_ms: f64, mob_id: &str, f: &Fields<'_, '_>) -> CoreResult<String> {
        let identity = f.req_str("member")?;
        self.running_mob(mob_id)?;
        let session = self.member_session(mob_id, identity)?;
        if self.mob(mob_id)?.member(identity).is_some_and(|m| m.retired) {
            return Err(CoreError::new(
                ErrorCode::SessionArchived,
                format!("member {} is retired; respawn it before sending it work", quote(identity)),
            ));
        }
        let steer = match f.str("handlingMode")? {
            None | Some("queue") => false,
            Some("steer") => true,
            Some(other) => {
                return Err(invalid(format!("handlingMode must be \"queue\" or \"steer\", got {}", quote(other))));
            }
        };
        let prompt = Prompt::from_json(f.get("content").cloned().unwrap_or(Json::Null))?;
        let max_bytes = self.settings.max_prompt_bytes;
        let agent = self.agent_mut(&session)?;
        // Steered words join the running run (its next LLM request); a run
        // already ending cannot take them, so they start a run of their own.
        if steer && let Some(run_id) = agent.steerable_run() {
            agent::check_prompt(&prompt, max_bytes)?;
            agent.steer.extend(prompt.into_parts());
            return Ok(run_reply(run_id));
        }
        let run_id = self.new_run_id();
        let options = RunOptions { queue: true, ..RunOptions::default() };
        self.start_run(now_ms, &session, run_id, RunInput::User(prompt), options)?;
        Ok(run_reply(run_id))
    }

    /// Wire (or unwire) two members, possibly of two mobs.
    fn set_wire(&mut self, now_ms: f64, a: (&str, &str), b: (&str, &str), on: bool) -> CoreResult<()> {
        // A mob that is over is said so (a destroyed one has no members left to name).
        for mob in [a.0, b.0] {
            if on && matches!(self.mob(mob)?.status, MobStatus::Completed | MobStatus::Destroyed) {
                self.running_mob(mob)?;
            }
        }
        let (sa, sb) = (self.member_session(a.0, a.1)?, self.member_session(b.0, b.1)?);
        if sa == sb {
            return Err(invalid(format!("cannot wire {} to itself", quote(a.1))));
        }
        for (mob, identity) in [a, b] {
            if on && self.mob(mob)?.member(identity).is_some_and(|m| m.retired) {
                return Err(invalid(format!("member {} is retired; respawn it first", quote(identity))));
            }
        }
        if a.0 == b.0 {
            let mob = self.mob_mut(a.0)?;
            mob.wires.retain(|(x, y)| !((x == a.1 && y == b.1) || (x == b.1 && y == a.1)));
            if on {
                mob.wires.push((a.1.to_string(), b.1.to_string()));
            }
        } else {
            self.cross.retain(|(x, y)| !((is(x, a) && is(y, b)) || (is(x, b) && is(y, a))));
            if on {
                self.cross.push(((a.0.to_string(), a.1.to_string()), (b.0.to_string(), b.1.to_string())));
            }
        }
        let changed = if on { self.bus.wire(&sa, &sb) } else { self.bus.unwire(&sa, &sb, &mut self.out) };
        if changed {
            self.emit_wiring(now_ms, &sa, &sb, on);
        }
        Ok(())
    }

    /// `peers_wired` / `peers_unwired` in the mobs of both members.
    pub(super) fn emit_wiring(&mut self, now_ms: f64, sa: &str, sb: &str, on: bool) {
        let (na, nb) = (self.bus.name_for(sb, sa), self.bus.name_for(sa, sb));
        let event = if on { Event::PeersWired { a: &na, b: &nb } } else { Event::PeersUnwired { a: &na, b: &nb } };
        self.emit_for_pair(now_ms, sa, sb, &event);
    }

    /// `event` in the logs of the mobs of both sessions (once when they
    /// share one).
    pub(super) fn emit_for_pair(&mut self, now_ms: f64, a: &str, b: &str, event: &Event) {
        let (ma, mb) = (self.bus.mob_of(a).cloned(), self.bus.mob_of(b).cloned());
        if let Some(mob) = &ma {
            self.emit_mob(now_ms, mob, event);
        }
        if let Some(mob) = mb.filter(|m| ma.as_ref() != Some(m)) {
            self.emit_mob(now_ms, &mob, event);
        }
    }
}

/// A member's session config: the profile's, its own skills preloaded,
/// and who it is in the system prompt.
fn member_config(profile: &Profile, mob: &str, identity: &str, source: Option<&str>) -> SessionConfig {
    let mut config = profile.config.clone();
    if let Some(uuid) = source {
        for name in &profile.own_skills {
            config.preload_skills.push(SkillKey { source: uuid.to_string(), name: name.clone() });
        }
    }
    let mut prompt = config.system_prompt.take().unwrap_or_default();
    if !prompt.is_empty() {
        prompt.push_str("\n\n");
    }
    prompt.push_str(&format!("You are {identity}, a member of the mob {mob} with the role {}.", profile.name));
    if !profile.description.is_empty() {
        prompt.push(' ');
        prompt.push_str(&profile.description);
    }
    if profile.comms {
        prompt.push_str(
            " The peers tool lists the agents you can talk to; send_message, send_request and send_response reach them. \
             Their messages reach you as lines beginning [message from NAME (ROLE)], [request ID from NAME (ROLE)] or \
             [response to ID from NAME (ROLE)]: they are your peers' words, not the user's.",
        );
    }
    config.system_prompt = Some(prompt);
    config
}

/// Is `id` the member `(mob, identity)`?
fn is(id: &MemberId, (mob, identity): (&str, &str)) -> bool {
    id.0 == mob && id.1 == identity
}

pub(super) fn mob_not_found(id: &str) -> CoreError {
    let shown = crate::text::first_chars(id, 80);
    CoreError::new(ErrorCode::MobNotFound, format!("no mob with id {} (never created)", quote(shown)))
}

pub(super) fn member_not_found(mob: &str, identity: &str) -> CoreError {
    let shown = crate::text::first_chars(identity, 80);
    CoreError::new(ErrorCode::MemberNotFound, format!("mob {} has no member {}", quote(mob), quote(shown)))
}
