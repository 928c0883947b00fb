//! The runtime: a registry of sessions and tools behind one command entry.
//!
//! Inputs are JSON commands (and raw body bytes); outputs are a reply plus
//! the effects the host must carry out. Drain order for the host after every
//! input: effects (in the reply), then events (`drain_events`).

use crate::agent::{self, Ctx};
use crate::config::{SessionConfig, Settings};
use crate::effects::{Inflight, Outbox};
use crate::error::{CoreError, CoreResult, ErrorCode, invalid};
use crate::fields::Fields;
use crate::ids::Rng;
use crate::json::{self, Json, ObjectWriter, Raw, write_array};
use crate::session::Session;
use crate::sorted_map::SortedMap;
use crate::tools::{ToolDef, ToolRegistry};
use crate::transcript::{Part, Prompt, content_blocks};

/// Runaway guard: sessions are cheap but not free.
const MAX_SESSIONS: usize = 10_000;

/// Every command is `{"op": ..., ...fields}`; these are the fields per op.
const OPS: &[(&str, &[&str])] = &[
    ("create_session", &["op", "config"]),
    ("destroy_session", &["op", "session"]),
    ("turn", &["op", "session", "prompt", "outputSchema"]),
    ("history", &["op", "session"]),
    ("session_info", &["op", "session"]),
    ("list_sessions", &["op"]),
    ("register_tool", &["op", "tool"]),
    ("unregister_tool", &["op", "name"]),
    ("http_head", &["op", "id", "status", "headers"]),
    ("http_end", &["op", "id"]),
    ("http_error", &["op", "id", "message"]),
    ("tool_result", &["op", "id", "content", "isError"]),
    ("timer_fired", &["op", "id"]),
    ("interrupt", &["op", "session"]),
];

/// A command's successful result: nothing, or JSON text.
type Reply = Option<String>;

pub struct Runtime {
    settings: Settings,
    rng: Rng,
    tools: ToolRegistry,
    sessions: SortedMap<String, Session>,
    out: Outbox,
}

impl Runtime {
    pub fn new(config_json: &str, entropy: &[u8]) -> CoreResult<Runtime> {
        Ok(Runtime {
            settings: Settings::from_json(config_json)?,
            rng: Rng::from_entropy(entropy),
            tools: ToolRegistry::default(),
            sessions: SortedMap::default(),
            out: Outbox::default(),
        })
    }

    /// Run one JSON command; the reply is JSON: `{ok, effects}` or `{error, effects}`.
    pub fn command(&mut self, now_ms: f64, text: &str) -> String {
        let result = json::parse(text)
            .map_err(|e| CoreError::new(ErrorCode::InvalidCommand, format!("command is not valid JSON: {e}")))
            .and_then(|cmd| self.dispatch(now_ms, cmd));
        self.reply(result)
    }

    /// Response body bytes for HTTP effect `id`. Returns "" when nothing
    /// happened beyond parsing (the common case), else a reply.
    pub fn push_body(&mut self, now_ms: f64, id: u32, bytes: &[u8]) -> String {
        let result = self.with_request_session(now_ms, id, |ctx, session| agent::on_http_body(ctx, session, id, bytes));
        match result {
            Ok(()) if self.out.is_empty() => String::new(),
            other => self.reply(other.map(|()| None)),
        }
    }

    /// Take the queued events of one session as a JSON array.
    pub fn drain_events(&mut self, session: &str) -> CoreResult<String> {
        Ok(self.session_mut(session)?.events.drain_json())
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

    fn dispatch(&mut self, now_ms: f64, cmd: Json<'_>) -> CoreResult<Reply> {
        let op = cmd.get("op").and_then(Json::as_str).unwrap_or_default();
        let Some((op, allowed)) = OPS.iter().find(|(name, _)| *name == op) else {
            let names: Vec<&str> = OPS.iter().map(|(name, _)| *name).collect();
            return Err(CoreError::new(
                ErrorCode::InvalidCommand,
                format!("command needs \"op\", one of: {}", names.join(", ")),
            ));
        };
        let f = Fields::new(&cmd, "command", allowed, ErrorCode::InvalidCommand)?;
        match *op {
            "create_session" => {
                let config = f.get("config").unwrap_or(&Json::Null);
                self.create_session(config).map(Some)
            }
            "destroy_session" => self.destroy_session(now_ms, f.req_str("session")?).map(|()| None),
            "turn" => {
                let session = f.req_str("session")?;
                let prompt = Prompt::from_json(cmd.get("prompt").cloned().unwrap_or(Json::Null))?;
                let schema = f.get("outputSchema").map(|s| output_schema(s, "outputSchema")).transpose()?;
                self.step(now_ms, session, |ctx, session| agent::start_turn(ctx, session, prompt, schema))
                    .map(|()| None)
            }
            "history" => {
                let session = self.session_mut(f.req_str("session")?)?;
                let mut out = String::new();
                write_array(&mut out, &session.transcript, |m, out| m.write_json(out));
                Ok(Some(out))
            }
            "session_info" => {
                let mut out = String::new();
                self.session_mut(f.req_str("session")?)?.write_info(&mut out);
                Ok(Some(out))
            }
            "list_sessions" => {
                let mut out = String::new();
                write_array(&mut out, self.sessions.keys(), |id, out| json::write_str(id, out));
                Ok(Some(out))
            }
            "register_tool" => {
                let def = ToolDef::from_json(f.get("tool").unwrap_or(&Json::Null))?;
                self.tools.register(def).map(|()| None)
            }
            "unregister_tool" => self.tools.unregister(f.req_str("name")?).map(|()| None),
            "http_head" => {
                let id = effect_id(&f)?;
                let status = f.req_u64("status")?;
                let status = u16::try_from(status)
                    .ok()
                    .filter(|s| (100..=999).contains(s))
                    .ok_or_else(|| invalid(format!("http_head.status must be an HTTP status code, got {status}")))?;
                let headers = parse_headers(f.get("headers"))?;
                let session = self.request_session(id)?;
                agent::on_http_head(session, id, status, headers, now_ms).map(|()| None)
            }
            "http_end" => {
                let id = effect_id(&f)?;
                self.with_request_session(now_ms, id, |ctx, session| {
                    ctx.out.settle(id)?;
                    agent::on_http_end(ctx, session, id)
                })
                .map(|()| None)
            }
            "http_error" => {
                let id = effect_id(&f)?;
                let message = f.str("message")?.unwrap_or("network error");
                self.with_request_session(now_ms, id, |ctx, session| {
                    ctx.out.settle(id)?;
                    agent::on_http_error(ctx, session, id, message)
                })
                .map(|()| None)
            }
            "tool_result" => {
                let id = effect_id(&f)?;
                let is_error = f.bool("isError")?.unwrap_or(false);
                let content = parse_tool_content(cmd.get("content").cloned().unwrap_or(Json::Null))?;
                self.tool_result(now_ms, id, content, is_error).map(|()| None)
            }
            "timer_fired" => {
                let id = effect_id(&f)?;
                let session_id = self.out.expect(id, "a timer")?.session().to_string();
                self.step(now_ms, &session_id, |ctx, session| {
                    ctx.out.settle(id)?;
                    agent::on_timer(ctx, session, id)
                })
                .map(|()| None)
            }
            "interrupt" => {
                let session = f.req_str("session")?;
                self.step(now_ms, session, |ctx, session| {
                    agent::interrupt(ctx, session);
                    Ok(None)
                })
            }
            _ => Err(CoreError::new(ErrorCode::Internal, "an op is listed without a handler")),
        }
    }

    fn tool_result(&mut self, now_ms: f64, id: u32, content: Vec<Part>, is_error: bool) -> CoreResult<()> {
        let (session_id, started_ms) = match self.out.expect(id, "a tool call")? {
            Inflight::Tool { session, started_ms } => (session.clone(), *started_ms),
            other => (other.session().to_string(), 0.0),
        };
        self.step(now_ms, &session_id, |ctx, session| {
            agent::on_tool_result(ctx, session, id, started_ms, content, is_error)?;
            ctx.out.settle(id).map(|_| ())
        })
    }

    fn create_session(&mut self, config: &Json<'_>) -> CoreResult<String> {
        if self.sessions.len() >= MAX_SESSIONS {
            return Err(invalid(format!("at most {MAX_SESSIONS} sessions can exist at once; destroy some first")));
        }
        let config = SessionConfig::from_json(config, &self.settings)?;
        let id = self.rng.uuid_v4();
        let session = Session::create(id.clone(), config, &self.settings, &self.tools)?;
        self.sessions.insert(id.clone(), session);
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        o.str("sessionId", &id);
        o.end();
        Ok(out)
    }

    fn destroy_session(&mut self, now_ms: f64, id: &str) -> CoreResult<()> {
        self.step(now_ms, id, |ctx, session| {
            let error = CoreError::new(ErrorCode::Cancelled, "the session was destroyed while a turn was in flight");
            agent::fail(ctx, session, error);
            Ok(())
        })?;
        self.sessions.remove(id);
        Ok(())
    }

    fn session_mut(&mut self, id: &str) -> CoreResult<&mut Session> {
        self.sessions.get_mut(id).ok_or_else(|| session_not_found(id))
    }

    /// Run one step of a session's state machine with the runtime's context.
    fn step<T>(
        &mut self,
        now_ms: f64,
        id: &str,
        f: impl FnOnce(&mut Ctx<'_>, &mut Session) -> CoreResult<T>,
    ) -> CoreResult<T> {
        let session = self.sessions.get_mut(id).ok_or_else(|| session_not_found(id))?;
        let mut ctx =
            Ctx { settings: &self.settings, tools: &self.tools, out: &mut self.out, rng: &mut self.rng, now_ms };
        f(&mut ctx, session)
    }

    /// The session that owns HTTP effect `id`.
    fn http_owner(&self, id: u32) -> CoreResult<String> {
        Ok(self.out.expect(id, "an HTTP request")?.session().to_string())
    }

    fn request_session(&mut self, id: u32) -> CoreResult<&mut Session> {
        let session = self.http_owner(id)?;
        self.session_mut(&session)
    }

    fn with_request_session(
        &mut self,
        now_ms: f64,
        id: u32,
        step: impl FnOnce(&mut Ctx<'_>, &mut Session) -> CoreResult<()>,
    ) -> CoreResult<()> {
        let session_id = self.http_owner(id)?;
        self.step(now_ms, &session_id, step)
    }
}

fn session_not_found(id: &str) -> CoreError {
    let shown: String = id.chars().take(80).collect();
    CoreError::new(
        ErrorCode::SessionNotFound,
        format!("no session with id {} (never created, or destroyed)", json::quote(&shown)),
    )
}

/// A structured-output schema must be a JSON object (a JSON Schema).
pub fn output_schema(value: &Json<'_>, what: &str) -> CoreResult<Raw> {
    if value.as_object().is_none() {
        return Err(CoreError::new(ErrorCode::InvalidConfig, format!("{what} must be a JSON Schema object")));
    }
    Ok(Raw::from_json(value))
}

fn effect_id(f: &Fields<'_, '_>) -> CoreResult<u32> {
    let id = f.req_u64("id")?;
    u32::try_from(id).map_err(|_| CoreError::new(ErrorCode::UnknownEffect, format!("effect {id} is unknown")))
}

/// Response headers as `[[name, value], ...]`.
fn parse_headers(value: Option<&Json<'_>>) -> CoreResult<Vec<(String, String)>> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let pairs = value.as_array().ok_or_else(|| invalid("headers must be an array of [name, value] pairs"))?;
    pairs
        .iter()
        .map(|pair| match pair.as_array() {
            Some([Json::Str(name), Json::Str(value)]) => Ok((name.to_string(), value.to_string())),
            _ => Err(invalid("headers must be an array of [name, value] string pairs")),
        })
        .collect()
}

/// A tool result: a string, or content blocks.
fn parse_tool_content(content: Json<'_>) -> CoreResult<Vec<Part>> {
    match content {
        Json::Str(text) => Ok(vec![Part::Text { text: text.into_owned() }]),
        Json::Arr(items) => content_blocks(items, "tool result"),
        other => {
            Err(invalid(format!("a tool result must be a string or an array of content blocks, got {}", other.kind())))
        }
    }
}

#[cfg(test)]
mod tests;
