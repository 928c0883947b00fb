//! Effects: what the core asks the host to do, as data with ids.
//!
//! The host carries each effect out and feeds the outcome back quoting the
//! id (`http_head`, body bytes, `http_end`/`http_error`, `tool_result`,
//! `hook_result`, `timer_fired`). The [`Outbox`] remembers which effects are
//! in flight and who owns them, so an outcome for an unknown or settled id
//! is a typed error that changes nothing, and the runtime knows where to
//! route the rest.

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::json::{ObjectWriter, write_array, write_str};
use crate::results::{RunResult, Totals};
use crate::sorted_map::SortedMap;

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
}

impl Owner {
    pub fn session(&self) -> Option<&str> {
        match self {
            Owner::Session(id) => Some(id),
            _ => None,
        }
    }
}

/// What the core asks the host to do. Field names are camelCase on the wire.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Http {
        id: u32,
        owner: Owner,
        request: HttpRequest,
    },
    HttpAbort {
        id: u32,
    },
    /// Call `timer_fired` with this id after `delay_ms`.
    Timer {
        id: u32,
        owner: Owner,
        delay_ms: u64,
    },
    /// A timer that is no longer wanted.
    TimerCancel {
        id: u32,
    },
    /// Run the host tool `name` and answer with `tool_result`.
    Tool {
        id: u32,
        session_id: String,
        call_id: String,
        name: String,
        args: String,
    },
    /// Run hook `hook_id` with `ctx` (JSON) and answer with `hook_result`.
    Hook {
        id: u32,
        session_id: String,
        hook_id: String,
        point: &'static str,
        ctx: String,
    },
    /// A run ended; `result` or `error` is set.
    RunFinished {
        session_id: String,
        run_id: u64,
        result: Option<Box<RunResult>>,
        error: Option<CoreError>,
        totals: Totals,
    },
    /// A skill source finished loading (or failed to).
    SourceReady {
        source: String,
        error: Option<CoreError>,
    },
}

impl Effect {
    pub fn write_json(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        match self {
            Effect::Http { id, owner, request } => {
                o.str("kind", "http").u64("id", u64::from(*id)).opt_str("sessionId", owner.session());
                o.str("url", &request.url).str("method", request.method);
                write_array(o.key("headers"), &request.headers, |(name, value), out| {
                    write_array(out, [name, value], |s, out| write_str(s, out));
                });
                o.str("body", &request.body);
            }
            Effect::HttpAbort { id } => {
                o.str("kind", "http_abort").u64("id", u64::from(*id));
            }
            Effect::Timer { id, owner, delay_ms } => {
                o.str("kind", "timer").u64("id", u64::from(*id)).opt_str("sessionId", owner.session());
                o.u64("delayMs", *delay_ms);
            }
            Effect::TimerCancel { id } => {
                o.str("kind", "timer_cancel").u64("id", u64::from(*id));
            }
            Effect::Tool { id, session_id, call_id, name, args } => {
                o.str("kind", "tool").u64("id", u64::from(*id)).str("sessionId", session_id);
                o.str("callId", call_id).str("name", name).raw("args", args);
            }
            Effect::Hook { id, session_id, hook_id, point, ctx } => {
                o.str("kind", "hook").u64("id", u64::from(*id)).str("sessionId", session_id);
                o.str("hookId", hook_id).str("point", point).raw("ctx", ctx);
            }
            Effect::RunFinished { session_id, run_id, result, error, totals } => {
                o.str("kind", "run_finished").str("sessionId", session_id).u64("runId", *run_id);
                if let Some(result) = result {
                    result.write_json(o.key("result"));
                }
                if let Some(error) = error {
                    error.write_json(o.key("error"));
                }
                totals.write_json(o.key("totals"));
            }
            Effect::SourceReady { source, error } => {
                o.str("kind", "skill_source_ready").str("sourceUuid", source);
                if let Some(error) = error {
                    error.write_json(o.key("error"));
                }
            }
        }
        o.end();
    }
}

/// The kinds of effect that have outcomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Http,
    Tool,
    Timer,
    Hook,
}

impl Kind {
    /// What the effect is, in words (for error messages).
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Http => "an HTTP request",
            Kind::Tool => "a tool call",
            Kind::Timer => "a timer",
            Kind::Hook => "a hook call",
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
    effects: Vec<Effect>,
    next_id: u32,
    inflight: SortedMap<u32, Inflight>,
}

impl Outbox {
    pub fn http(&mut self, owner: Owner, request: HttpRequest, now_ms: f64) -> u32 {
        let id = self.allocate(Kind::Http, owner.clone(), now_ms);
        self.effects.push(Effect::Http { id, owner, request });
        id
    }

    pub fn tool(&mut self, session: &str, call_id: &str, name: &str, args: &str, now_ms: f64) -> u32 {
        let id = self.allocate(Kind::Tool, Owner::Session(session.to_string()), now_ms);
        self.effects.push(Effect::Tool {
            id,
            session_id: session.to_string(),
            call_id: call_id.to_string(),
            name: name.to_string(),
            args: args.to_string(),
        });
        id
    }

    pub fn hook(&mut self, session: &str, hook_id: &str, point: &'static str, ctx: String, now_ms: f64) -> u32 {
        let id = self.allocate(Kind::Hook, Owner::Session(session.to_string()), now_ms);
        self.effects.push(Effect::Hook {
            id,
            session_id: session.to_string(),
            hook_id: hook_id.to_string(),
            point,
            ctx,
        });
        id
    }

    pub fn timer(&mut self, owner: Owner, delay_ms: u64, now_ms: f64) -> u32 {
        let id = self.allocate(Kind::Timer, owner.clone(), now_ms);
        self.effects.push(Effect::Timer { id, owner, delay_ms });
        id
    }

    /// Cancel a pending timer (no-op if it has fired).
    pub fn cancel_timer(&mut self, id: u32) {
        if self.inflight.remove(&id).is_some() {
            self.effects.push(Effect::TimerCancel { id });
        }
    }

    /// Abort an HTTP request still in flight (no-op if it has settled).
    pub fn abort_http(&mut self, id: u32) {
        if self.inflight.remove(&id).is_some() {
            self.effects.push(Effect::HttpAbort { id });
        }
    }

    /// Stop waiting for an effect (a tool or hook whose answer no longer
    /// matters); a late outcome is refused.
    pub fn forget(&mut self, id: u32) {
        self.inflight.remove(&id);
    }

    pub fn push(&mut self, effect: Effect) {
        self.effects.push(effect);
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

    /// Write the pending effects as a JSON array and clear them.
    pub fn drain_json(&mut self, out: &mut String) {
        write_array(out, self.effects.drain(..), |effect, out| effect.write_json(out));
    }

    pub fn is_empty(&self) -> bool {
        self.effects.is_empty()
    }

    pub fn in_flight(&self) -> usize {
        self.inflight.len()
    }

    fn allocate(&mut self, kind: Kind, owner: Owner, started_ms: f64) -> u32 {
        // Ids start at 1 and wrap far beyond any realistic lifetime; skip
        // any still in flight so an id is never reused while live.
        loop {
            self.next_id = self.next_id.wrapping_add(1).max(1);
            if !self.inflight.contains_key(&self.next_id) {
                break;
            }
        }
        self.inflight.insert(self.next_id, Inflight { kind, owner, started_ms });
        self.next_id
    }
}

fn unknown(id: u32) -> CoreError {
    CoreError::new(ErrorCode::UnknownEffect, format!("effect {id} is unknown or already settled"))
}
