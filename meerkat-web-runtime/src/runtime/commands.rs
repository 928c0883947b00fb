//! The command table: every op, the fields it takes, and its handler.

use super::{MAX_SESSIONS, Reply, Runtime, session_not_found};
use crate::agent::{Agent, Input, RunInput, RunOptions};
use crate::capabilities;
use crate::config::{Budget, SessionConfig, output_schema};
use crate::error::{CoreError, CoreResult, ErrorCode, invalid};
use crate::events::DEFAULT_READER;
use crate::fields::Fields;
use crate::json::{Json, ObjectWriter, write_array};
use crate::session::Session;
use crate::skills::{SkillKey, skill_keys};
use crate::tools::ToolDef;
use crate::transcript::Prompt;

/// The ops, in the table's order: handlers match on these, not on names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    CreateSession,
    DestroySession,
    Turn,
    Compact,
    History,
    /// Native tests read a session's state with it (the package never does).
    #[cfg(any(test, fuzzing))]
    SessionInfo,
    ListSessions,
    Archive,
    AppendSystemContext,
    OpenReader,
    CloseReader,
    RegisterTool,
    UnregisterTool,
    RegisterHook,
    UnregisterHook,
    AddSkillSource,
    RefreshSkillSource,
    RemoveSkillSource,
    ListSkillSources,
    Capabilities,
    HttpHead,
    HttpEnd,
    HttpError,
    ToolResult,
    HookResult,
    TimerFired,
    AuthResult,
    ForgetLeases,
    Interrupt,
    CreateMob,
    CheckMobDefinition,
    ListMobs,
    MobStatus,
    MobLifecycle,
    MobSpawn,
    MobRetire,
    MobRespawn,
    MobMembers,
    MobMemberStatus,
    MobSend,
    MobWire,
    MobUnwire,
    WireCrossMob,
    UnwireCrossMob,
    MobSubscribe,
    MobPoll,
    MobUnsubscribe,
    MobRunFlow,
    MobFlowStatus,
    MobCancelFlow,
}

/// Every command is `{"op": ..., ...fields}`; these are the fields per op.
const OPS: &[(&str, Op, &[&str])] = &[
    ("create_session", Op::CreateSession, &["op", "config"]),
    ("destroy_session", Op::DestroySession, &["op", "session"]),
    ("turn", Op::Turn, &["op", "session", "prompt", "outputSchema", "budget", "skillRefs"]),
    ("compact", Op::Compact, &["op", "session"]),
    ("history", Op::History, &["op", "session"]),
    #[cfg(any(test, fuzzing))]
    ("session_info", Op::SessionInfo, &["op", "session"]),
    ("list_sessions", Op::ListSessions, &["op"]),
    ("archive", Op::Archive, &["op", "session"]),
    ("append_system_context", Op::AppendSystemContext, &["op", "session", "text"]),
    ("open_reader", Op::OpenReader, &["op", "session", "compact"]),
    ("close_reader", Op::CloseReader, &["op", "session", "reader"]),
    ("register_tool", Op::RegisterTool, &["op", "tool"]),
    ("unregister_tool", Op::UnregisterTool, &["op", "name"]),
    ("register_hook", Op::RegisterHook, &["op", "hook", "session"]),
    ("unregister_hook", Op::UnregisterHook, &["op", "hookId"]),
    ("add_skill_source", Op::AddSkillSource, &["op", "source"]),
    ("refresh_skill_source", Op::RefreshSkillSource, &["op", "sourceUuid"]),
    ("remove_skill_source", Op::RemoveSkillSource, &["op", "sourceUuid"]),
    ("list_skill_sources", Op::ListSkillSources, &["op"]),
    ("capabilities", Op::Capabilities, &["op"]),
    ("http_head", Op::HttpHead, &["op", "id", "status", "headers"]),
    ("http_end", Op::HttpEnd, &["op", "id"]),
    ("http_error", Op::HttpError, &["op", "id", "message"]),
    ("tool_result", Op::ToolResult, &["op", "id", "content", "isError"]),
    ("hook_result", Op::HookResult, &["op", "id", "verdict", "error"]),
    ("timer_fired", Op::TimerFired, &["op", "id"]),
    ("auth_result", Op::AuthResult, &["op", "id", "lease", "error", "reason"]),
    ("forget_leases", Op::ForgetLeases, &["op"]),
    ("interrupt", Op::Interrupt, &["op", "session"]),
    ("create_mob", Op::CreateMob, &["op", "definition"]),
    ("check_mob_definition", Op::CheckMobDefinition, &["op", "definition"]),
    ("list_mobs", Op::ListMobs, &["op"]),
    ("mob_status", Op::MobStatus, &["op", "mob"]),
    ("mob_lifecycle", Op::MobLifecycle, &["op", "mob", "action"]),
    ("mob_spawn", Op::MobSpawn, &["op", "mob", "specs"]),
    ("mob_retire", Op::MobRetire, &["op", "mob", "member"]),
    ("mob_respawn", Op::MobRespawn, &["op", "mob", "member", "initialMessage"]),
    ("mob_members", Op::MobMembers, &["op", "mob"]),
    ("mob_member_status", Op::MobMemberStatus, &["op", "mob", "member"]),
    ("mob_send", Op::MobSend, &["op", "mob", "member", "content", "handlingMode"]),
    ("mob_wire", Op::MobWire, &["op", "mob", "a", "b"]),
    ("mob_unwire", Op::MobUnwire, &["op", "mob", "a", "b"]),
    ("wire_cross_mob", Op::WireCrossMob, &["op", "mobA", "memberA", "mobB", "memberB"]),
    ("unwire_cross_mob", Op::UnwireCrossMob, &["op", "mobA", "memberA", "mobB", "memberB"]),
    ("mob_subscribe", Op::MobSubscribe, &["op", "mob", "member"]),
    ("mob_poll", Op::MobPoll, &["op", "mob", "subscription"]),
    ("mob_unsubscribe", Op::MobUnsubscribe, &["op", "mob", "subscription"]),
    ("mob_run_flow", Op::MobRunFlow, &["op", "mob", "flow", "params"]),
    ("mob_flow_status", Op::MobFlowStatus, &["op", "mob", "runId"]),
    ("mob_cancel_flow", Op::MobCancelFlow, &["op", "mob", "runId"]),
];

/// Why a destroyed session's run in flight ended (`CANCELLED`).
const DESTROYED: &str = "the session was destroyed while a turn was in flight";

/// Appended system context: enough for real use, bounded against mistakes.
const MAX_CONTEXT_BYTES: usize = 1024 * 1024;
const MAX_CONTEXT_ENTRIES: usize = 256;

impl Runtime {
    pub(super) fn dispatch(&mut self, now_ms: f64, cmd: Json<'_>) -> CoreResult<Reply> {
        let op = cmd.get("op").and_then(Json::as_str).unwrap_or_default();
        let Some(&(_, op, allowed)) = OPS.iter().find(|(name, _, _)| *name == op) else {
            let mut message = "command needs \"op\", one of: ".to_string();
            for (i, (name, _, _)) in OPS.iter().enumerate() {
                if i > 0 {
                    message.push_str(", ");
                }
                message.push_str(name);
            }
            return Err(CoreError::new(ErrorCode::InvalidCommand, message));
        };
        let f = Fields::new(&cmd, "command", allowed, ErrorCode::InvalidCommand)?;
        match op {
            Op::CreateSession => self.create_session(now_ms, f.get("config").unwrap_or(&Json::Null)).map(Some),
            Op::DestroySession => self.destroy_session(now_ms, f.req_str("session")?).map(Some),
            Op::Turn => self.turn(now_ms, &f).map(Some),
            Op::Compact => {
                let run_id = self.new_run_id();
                let session = f.req_str("session")?;
                let options = RunOptions::default();
                self.start_run(now_ms, session, run_id, RunInput::Compact, options)?;
                Ok(Some(run_reply(run_id)))
            }
            Op::History => {
                let agent = self.agent_mut(f.req_str("session")?)?;
                let mut out = String::new();
                write_array(&mut out, &agent.session.transcript, |m, out| m.write_json(out));
                Ok(Some(out))
            }
            #[cfg(any(test, fuzzing))]
            Op::SessionInfo => {
                let agent = self.agent_mut(f.req_str("session")?)?;
                let mut out = String::new();
                agent.session.write_info(agent.is_running(), &mut out);
                Ok(Some(out))
            }
            Op::ListSessions => {
                let mut out = String::new();
                write_array(&mut out, self.agents.values(), |a, out| a.session.write_summary(a.is_running(), out));
                Ok(Some(out))
            }
            Op::Archive => self.archive(f.req_str("session")?).map(|()| None),
            Op::AppendSystemContext => {
                let text = f.req_str("text")?;
                let session = &mut self.agent_mut(f.req_str("session")?)?.session;
                append_context(session, text).map(|()| None)
            }
            Op::OpenReader => {
                let compact = f.bool("compact")?.unwrap_or(false);
                let session = &mut self.agent_mut(f.req_str("session")?)?.session;
                let reader = session.events.open_reader(compact).ok_or_else(|| {
                    invalid("this session has too many event readers open; close some subscriptions first")
                })?;
                let mut out = String::new();
                let mut o = ObjectWriter::new(&mut out);
                o.u64("reader", u64::from(reader));
                o.end();
                Ok(Some(out))
            }
            Op::CloseReader => {
                let reader = u32::try_from(f.req_u64("reader")?).unwrap_or(u32::MAX);
                let session = &mut self.agent_mut(f.req_str("session")?)?.session;
                session.events.close_reader(reader);
                Ok(None)
            }
            Op::RegisterTool => {
                let def = ToolDef::from_json(f.get("tool").unwrap_or(&Json::Null))?;
                let name = def.name.clone();
                self.tools.register(def)?;
                self.tool_changed("add", &name);
                Ok(None)
            }
            Op::UnregisterTool => {
                let name = f.req_str("name")?;
                self.tools.unregister(name)?;
                self.tool_changed("remove", name);
                Ok(None)
            }
            Op::RegisterHook => {
                let session = f.str("session")?;
                if let Some(id) = session {
                    self.agent_mut(id)?;
                }
                let id = self.hooks.register(f.get("hook").unwrap_or(&Json::Null), session)?;
                let mut out = String::new();
                let mut o = ObjectWriter::new(&mut out);
                o.str("hookId", &id);
                o.end();
                Ok(Some(out))
            }
            // A run waiting on a call of the hook is released by the host
            // (the driver answers that call with allow): no scan here.
            Op::UnregisterHook => self.hooks.unregister(f.req_str("hookId")?).map(|()| None),
            Op::AddSkillSource => self.add_skill_source(now_ms, f.get("source").unwrap_or(&Json::Null)).map(Some),
            Op::RefreshSkillSource => {
                self.skills.refresh(f.req_str("sourceUuid")?, &mut self.out, now_ms).map(|()| None)
            }
            Op::RemoveSkillSource => self.skills.remove(f.req_str("sourceUuid")?, &mut self.out).map(|()| None),
            Op::ListSkillSources => {
                let mut out = String::new();
                self.skills.write_list(&mut out);
                Ok(Some(out))
            }
            Op::Capabilities => Ok(Some(capabilities::json())),
            Op::ForgetLeases => {
                self.leases.forget();
                Ok(None)
            }
            Op::Interrupt => {
                let session = f.req_str("session")?;
                self.advance(now_ms, session, Input::Interrupt).map(|()| None)
            }
            Op::HttpHead
            | Op::HttpEnd
            | Op::HttpError
            | Op::ToolResult
            | Op::HookResult
            | Op::TimerFired
            | Op::AuthResult => self.outcome(now_ms, op, &f, &cmd).map(|()| None),
            // Until the first mob, mob ops are answered here: the mob code is
            // a part of the wasm that the host links before its first
            // `create_mob` or `check_mob_definition` (scripts/wasm-split.mjs).
            _ if self.mobs.is_empty() && !matches!(op, Op::CreateMob | Op::CheckMobDefinition) => {
                self.before_first_mob(op, &f)
            }
            _ => self.mob_command(now_ms, op, &f),
        }
    }

    /// A mob op while no mob exists: nothing to list, or the mob it names is missing.
    fn before_first_mob(&self, op: Op, f: &Fields<'_, '_>) -> CoreResult<Reply> {
        let mob = match op {
            Op::ListMobs => return Ok(Some("[]".to_string())),
            Op::WireCrossMob | Op::UnwireCrossMob => f.req_str("mobA")?,
            _ => f.req_str("mob")?,
        };
        Err(super::mobs::mob_not_found(mob))
    }

    fn create_session(&mut self, now_ms: f64, config: &Json<'_>) -> CoreResult<String> {
        if self.agents.len() >= MAX_SESSIONS {
            return Err(invalid(format!("at most {MAX_SESSIONS} sessions can exist at once; destroy some first")));
        }
        let config = SessionConfig::from_json(config, &self.settings)?;
        let id = self.rng.uuid_v4();
        let session = Session::create(id.clone(), config, &self.settings, &self.tools, &self.skills, now_ms)?;
        self.agents.insert(id.clone(), Box::new(Agent::new(session)));
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.str("sessionId", &id);
        o.end();
        Ok(out)
    }

    /// Destroy a session (its run cancelled). The reply is what that
    /// appended to its log (the run's `run_failed`), a JSON array, as the
    /// poll reader reads it: the host reads each reader it holds (that one
    /// among them) just before, and hands each this end as well.
    fn destroy_session(&mut self, now_ms: f64, id: &str) -> CoreResult<String> {
        self.check_not_member(id)?;
        // The poll reader reads only the run's end: the host has read what
        // it had left if pollEvents was used, and nobody reads it if not
        // (a stream-only session would serialize its whole run here).
        if let Some(agent) = self.agents.get_mut(id) {
            agent.session.events.skip_unread(DEFAULT_READER);
        }
        self.stop_session(now_ms, id, DESTROYED.to_string(), false)?;
        let end = self.drain_events(id, DEFAULT_READER);
        self.destroy_session_now(now_ms, id)?;
        end
    }

    pub(super) fn destroy_session_now(&mut self, now_ms: f64, id: &str) -> CoreResult<()> {
        self.stop_session(now_ms, id, DESTROYED.to_string(), false)?;
        self.agents.remove(id);
        self.hooks.remove_session(id);
        Ok(())
    }

    fn turn(&mut self, now_ms: f64, f: &Fields<'_, '_>) -> CoreResult<String> {
        let session = f.req_str("session")?;
        if !self.agents.contains_key(session) {
            return Err(session_not_found(session));
        }
        let prompt = Prompt::from_json(f.get("prompt").cloned().unwrap_or(Json::Null))?;
        let options = RunOptions {
            output_schema: f.get("outputSchema").map(|s| output_schema(s, "outputSchema")).transpose()?,
            budget: f.get("budget").map(|b| Budget::from_json(b, "turn options.budget")).transpose()?,
            skills: skill_refs(f.get("skillRefs"))?,
            queue: false,
        };
        let run_id = self.new_run_id();
        self.start_run(now_ms, session, run_id, RunInput::User(prompt), options)?;
        Ok(run_reply(run_id))
    }

    fn tool_changed(&mut self, operation: &'static str, name: &str) {
        for agent in self.agents.values_mut() {
            agent.tool_changed(operation, name);
        }
    }

    fn archive(&mut self, id: &str) -> CoreResult<()> {
        let agent = self.agent_mut(id)?;
        if agent.is_running() {
            return Err(CoreError::new(
                ErrorCode::SessionBusy,
                format!("session {id} has a turn in flight; await it (or interrupt it) before archiving"),
            ));
        }
        agent.session.archived = true;
        Ok(())
    }

    fn add_skill_source(&mut self, now_ms: f64, source: &Json<'_>) -> CoreResult<String> {
        let pending = source.get("url").is_some();
        let uuid = if pending {
            self.skills.add_http(source, &mut self.out, &mut self.rng, now_ms)?
        } else {
            self.skills.add_embedded(source, &mut self.rng)?
        };
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.str("sourceUuid", &uuid).bool("pending", pending);
        o.end();
        Ok(out)
    }
}

pub(super) fn run_reply(run_id: u64) -> String {
    let mut out = String::new();
    let mut o = ObjectWriter::new(&mut out);
    o.u64("runId", run_id);
    o.end();
    out
}

/// A turn's `skillRefs`: `SkillKey`s or legacy `"<uuid>/<name>"` strings.
fn skill_refs(value: Option<&Json<'_>>) -> CoreResult<Vec<SkillKey>> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let items = value.as_array().ok_or_else(|| {
        invalid(format!("turn options.skillRefs must be an array of skill references, got {}", value.kind()))
    })?;
    skill_keys(items, "turn options.skillRefs", ErrorCode::InvalidArgument)
}

fn append_context(session: &mut Session, text: &str) -> CoreResult<()> {
    session.check_open()?;
    if text.trim().is_empty() {
        return Err(invalid("appendSystemContext: the text is empty"));
    }
    let total: usize = session.system_context.iter().map(String::len).sum::<usize>() + text.len();
    if total > MAX_CONTEXT_BYTES || session.system_context.len() >= MAX_CONTEXT_ENTRIES {
        return Err(CoreError::new(
            ErrorCode::PromptTooLarge,
            format!(
                "appended system context is limited to {MAX_CONTEXT_ENTRIES} entries and {} KiB in all",
                MAX_CONTEXT_BYTES / 1024
            ),
        ));
    }
    session.system_context.push(text.to_string());
    Ok(())
}
