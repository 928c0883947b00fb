//! Effects: what the core asks the host to do, as data with ids.
//!
//! The host carries each effect out and feeds the outcome back quoting the
//! id (`http_head`, body bytes, `http_end`/`http_error`, `tool_result`,
//! `hook_result`, `timer_fired`, `auth_result`). The [`Outbox`] remembers which effects are
//! in flight and who owns them, so an outcome for an unknown or settled id
//! is a typed error that changes nothing, and the runtime knows where to
//! route the rest.
//!
//! Each effect is written as JSON (camelCase fields) the moment it is
//! asked for, into one buffer the next reply carries: nothing but the text
//! is kept, so no effect value is built, cloned or dropped.

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::json::{ObjectWriter, write_array, write_str};
use crate::results::{RunResult, Totals};
use crate::sorted_map::SortedMap;

/// The longest a host timer waits (`setTimeout` fires at once past it). A
/// timer set for longer fires then, early; its owner sets it again for the
/// rest (only a run's `durationMs` deadline can be that long).
const MAX_TIMER_MS: u64 = (1 << 31) - 1;

/// An HTTP request for the host to perform.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpRequest {
    pub url: String,
    pub method: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Who an effect's outcome belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// A session (its run, or a background hook of it).
    Session(String),
    /// A skill source being fetched.
    Source(String),
    /// The message bus (a request's timeout).
    Comms,
    /// A mob (a flow step's timeout, a wake-up held back by a limit).
    Mob(String),
    /// The lease cache (a lease asked of the external resolver, shared
    /// by every run that needs it).
    Auth,
}

impl Owner {
    pub fn session(&self) -> Option<&str> {
        match self {
            Owner::Session(id) => Some(id),
            _ => None,
        }
    }
}

/// The kinds of effect that have outcomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Http,
    Tool,
    Timer,
    Hook,
    Auth,
}

impl Kind {
    /// What the effect is, in words (for error messages).
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Http => "an HTTP request",
            Kind::Tool => "a tool call",
            Kind::Timer => "a timer",
            Kind::Hook => "a hook call",
            Kind::Auth => "an auth lease request",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Inflight {
    pub kind: Kind,
    pub owner: Owner,
    pub started_ms: f64,
}

#[derive(Debug, Default)]
pub struct Outbox {
    /// The pending effects: JSON objects joined by commas.
    json: String,
    next_id: u32,
    inflight: SortedMap<u32, Inflight>,
}

impl Outbox {
    pub fn http(&mut self, owner: Owner, request: HttpRequest, now_ms: f64) -> u32 {
        let id = self.new_id();
        let mut o = self.begin("http", Some(id));
        o.opt_str("sessionId", owner.session()).str("url", &request.url).str("method", request.method);
        write_array(o.key("headers"), &request.headers, |(name, value), out| {
            write_array(out, [name, value], |s, out| write_str(s, out));
        });
        o.str("body", &request.body);
        o.end();
        self.track(id, Kind::Http, owner, now_ms)
    }

    pub fn tool(&mut self, session: &str, call_id: &str, name: &str, args: &str, now_ms: f64) -> u32 {
        let id = self.new_id();
        let mut o = self.begin("tool", Some(id));
        o.str("sessionId", session).str("callId", call_id).str("name", name).raw("args", args);
        o.end();
        self.track(id, Kind::Tool, Owner::Session(session.to_string()), now_ms)
    }

    pub fn hook(&mut self, session: &str, hook_id: &str, point: &'static str, ctx: String, now_ms: f64) -> u32 {
        let id = self.new_id();
        let mut o = self.begin("hook", Some(id));
        o.str("sessionId", session).str("hookId", hook_id).str("point", point).raw("ctx", &ctx);
        o.end();
        self.track(id, Kind::Hook, Owner::Session(session.to_string()), now_ms)
    }

    /// Ask the host's external auth resolver for a lease of a binding;
    /// answered by `auth_result`.
    pub fn auth(&mut self, realm: &str, binding: &str, provider: &str, now_ms: f64) -> u32 {
        let id = self.new_id();
        let mut o = self.begin("auth", Some(id));
        o.str("realm", realm).str("binding", binding).str("provider", provider);
        o.end();
        self.track(id, Kind::Auth, Owner::Auth, now_ms)
    }

    /// Call `timer_fired` with the returned id after `delay_ms` (at most [`MAX_TIMER_MS`]).
    pub fn timer(&mut self, owner: Owner, delay_ms: u64, now_ms: f64) -> u32 {
        let id = self.new_id();
        let mut o = self.begin("timer", Some(id));
        o.opt_str("sessionId", owner.session()).u64("delayMs", delay_ms.min(MAX_TIMER_MS));
        o.end();
        self.track(id, Kind::Timer, owner, now_ms)
    }

    /// Cancel a pending timer (no-op if it has fired).
    pub fn cancel_timer(&mut self, id: u32) {
        if self.inflight.remove(&id).is_some() {
            self.begin("timer_cancel", Some(id)).end();
        }
    }

    /// Abort an HTTP request still in flight (no-op if it has settled).
    pub fn abort_http(&mut self, id: u32) {
        if self.inflight.remove(&id).is_some() {
            self.begin("http_abort", Some(id)).end();
        }
    }

    /// Stop waiting for an effect (a tool or hook whose answer no longer
    /// matters); a late outcome is refused.
    pub fn forget(&mut self, id: u32) {
        self.inflight.remove(&id);
    }

    /// A run ended, with its `result` or its `error`.
    pub fn run_finished(
        &mut self,
        session_id: &str,
        run_id: u64,
        result: Option<&RunResult>,
        error: Option<&CoreError>,
        totals: &Totals,
    ) {
        let mut o = self.begin("run_finished", None);
        o.str("sessionId", session_id).u64("runId", run_id);
        if let Some(result) = result {
            result.write_json(o.key("result"));
        }
        if let Some(error) = error {
            error.write_json(o.key("error"));
        }
        totals.write_json(o.key("totals"));
        o.end();
    }

    /// A skill source finished loading (or failed to).
    pub fn source_ready(&mut self, source: &str, error: Option<&CoreError>) {
        let mut o = self.begin("skill_source_ready", None);
        o.str("sourceUuid", source);
        if let Some(error) = error {
            error.write_json(o.key("error"));
        }
        o.end();
    }

    pub fn lookup(&self, id: u32) -> CoreResult<&Inflight> {
        self.inflight.get(&id).ok_or_else(|| unknown(id))
    }

    /// The in-flight effect `id`, which must be of kind `want`; an outcome
    /// of the wrong kind changes nothing.
    pub fn expect(&self, id: u32, want: Kind) -> CoreResult<&Inflight> {
        let found = self.lookup(id)?;
        if found.kind != want {
            return Err(CoreError::new(
                ErrorCode::UnknownEffect,
                format!("effect {id} is {}, not {}", found.kind.describe(), want.describe()),
            ));
        }
        Ok(found)
    }

    /// Mark an effect settled; later outcomes for it are refused.
    pub fn settle(&mut self, id: u32) -> CoreResult<Inflight> {
        self.inflight.remove(&id).ok_or_else(|| unknown(id))
    }

    pub fn is_inflight(&self, id: u32) -> bool {
        self.inflight.contains_key(&id)
    }

    /// Write the pending effects as a JSON array and clear them (the
    /// buffer is handed over, so a large request body is not kept).
    pub fn drain_json(&mut self, out: &mut String) {
        out.push('[');
        out.push_str(&core::mem::take(&mut self.json));
        out.push(']');
    }

    pub fn is_empty(&self) -> bool {
        self.json.is_empty()
    }

    pub fn in_flight(&self) -> usize {
        self.inflight.len()
    }

    /// Start the next effect: `{"kind":..,"id":..` so far.
    fn begin(&mut self, kind: &str, id: Option<u32>) -> ObjectWriter<'_> {
        if !self.json.is_empty() {
            self.json.push(',');
        }
        let mut o = ObjectWriter::new(&mut self.json);
        o.str("kind", kind);
        if let Some(id) = id {
            o.u64("id", u64::from(id));
        }
        o
    }

    /// Ids start at 1 and wrap far beyond any realistic lifetime; any
    /// still in flight is skipped so an id is never reused while live.
    fn new_id(&mut self) -> u32 {
        loop {
            self.next_id = self.next_id.wrapping_add(1).max(1);
            if !self.inflight.contains_key(&self.next_id) {
                return self.next_id;
            }
        }
    }

    fn track(&mut self, id: u32, kind: Kind, owner: Owner, started_ms: f64) -> u32 {
        self.inflight.insert(id, Inflight { kind, owner, started_ms });
        id
    }
}

fn unknown(id: u32) -> CoreError {
    CoreError::new(ErrorCode::UnknownEffect, format!("effect {id} is unknown or already settled"))
}
