//! Effects: what the core asks the host to do, as data with ids.
//!
//! The host carries each effect out and feeds the outcome back quoting the
//! id (`http_head`, body bytes, `http_end`/`http_error`, `tool_result`). The
//! [`Outbox`] remembers which effects are in flight, so an outcome for an
//! unknown or settled id is a typed error that changes nothing.

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::json::{ObjectWriter, Raw, write_array};
use crate::provider::HttpRequest;
use crate::sorted_map::SortedMap;
use crate::usage::Usage;

/// The SDK's `RunResult`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunResult {
    pub session_id: String,
    pub text: String,
    pub turns: u32,
    pub tool_calls: u32,
    pub usage: Usage,
    /// The parsed answer, when the run asked for structured output.
    pub structured_output: Option<Raw>,
    pub schema_warnings: Vec<SchemaWarning>,
}

/// Where a structured answer does not follow its schema.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SchemaWarning {
    pub provider: &'static str,
    pub path: String,
    pub message: String,
}

impl RunResult {
    pub fn write_json(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("sessionId", &self.session_id).str("text", &self.text);
        o.u64("turns", u64::from(self.turns)).u64("toolCalls", u64::from(self.tool_calls));
        self.usage.write_json(o.key("usage"));
        if let Some(output) = &self.structured_output {
            o.raw("structuredOutput", output.as_str());
        }
        if !self.schema_warnings.is_empty() {
            write_array(o.key("schemaWarnings"), &self.schema_warnings, |w, out| {
                let mut o = ObjectWriter::new(out);
                o.str("provider", w.provider).str("path", &w.path).str("message", &w.message);
                o.end();
            });
        }
        o.end();
    }
}

/// Session-lifetime counters, sent with every finished run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    pub usage: Usage,
    pub turns: u32,
    pub tool_calls: u32,
}

impl Totals {
    pub fn add_run(&mut self, usage: &Usage, turns: u32, tool_calls: u32) {
        self.usage.add(usage);
        self.turns = self.turns.saturating_add(turns);
        self.tool_calls = self.tool_calls.saturating_add(tool_calls);
    }

    pub fn write_json(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        self.usage.write_json(o.key("usage"));
        o.u64("turns", u64::from(self.turns)).u64("toolCalls", u64::from(self.tool_calls));
        o.end();
    }
}

/// What the core asks the host to do. Field names are camelCase on the wire.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Http {
        id: u32,
        session_id: String,
        url: String,
        method: &'static str,
        headers: Vec<(String, String)>,
        body: String,
    },
    HttpAbort {
        id: u32,
    },
    /// Call `timer_fired` with this id after `delay_ms`.
    Timer {
        id: u32,
        session_id: String,
        delay_ms: u64,
    },
    /// A timer that is no longer wanted.
    TimerCancel {
        id: u32,
    },
    Tool {
        id: u32,
        session_id: String,
        call_id: String,
        name: String,
        args: Raw,
    },
    /// Wake-up: a run ended; `result` or `error` is set.
    RunFinished {
        session_id: String,
        result: Option<RunResult>,
        error: Option<CoreError>,
        totals: Totals,
    },
}

impl Effect {
    pub fn write_json(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        match self {
            Effect::Http { id, session_id, url, method, headers, body } => {
                o.str("kind", "http").u64("id", u64::from(*id)).str("sessionId", session_id);
                o.str("url", url).str("method", method);
                write_array(o.key("headers"), headers, |(name, value), out| {
                    write_array(out, [name, value], |s, out| crate::json::write_str(s, out));
                });
                o.str("body", body);
            }
            Effect::HttpAbort { id } => {
                o.str("kind", "http_abort").u64("id", u64::from(*id));
            }
            Effect::Timer { id, session_id, delay_ms } => {
                o.str("kind", "timer").u64("id", u64::from(*id)).str("sessionId", session_id);
                o.u64("delayMs", *delay_ms);
            }
            Effect::TimerCancel { id } => {
                o.str("kind", "timer_cancel").u64("id", u64::from(*id));
            }
            Effect::Tool { id, session_id, call_id, name, args } => {
                o.str("kind", "tool").u64("id", u64::from(*id)).str("sessionId", session_id);
                o.str("callId", call_id).str("name", name).raw("args", args.as_str());
            }
            Effect::RunFinished { session_id, result, error, totals } => {
                o.str("kind", "run_finished").str("sessionId", session_id);
                if let Some(result) = result {
                    result.write_json(o.key("result"));
                }
                if let Some(error) = error {
                    error.write_json(o.key("error"));
                }
                totals.write_json(o.key("totals"));
            }
        }
        o.end();
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Inflight {
    Http { session: String },
    Tool { session: String, started_ms: f64 },
    Timer { session: String },
}

impl Inflight {
    pub fn session(&self) -> &str {
        match self {
            Inflight::Http { session } | Inflight::Tool { session, .. } | Inflight::Timer { session } => session,
        }
    }

    /// What the effect is, in words (for error messages).
    pub fn kind(&self) -> &'static str {
        match self {
            Inflight::Http { .. } => "an HTTP request",
            Inflight::Tool { .. } => "a tool call",
            Inflight::Timer { .. } => "a timer",
        }
    }
}

#[derive(Debug, Default)]
pub struct Outbox {
    effects: Vec<Effect>,
    next_id: u32,
    inflight: SortedMap<u32, Inflight>,
}

impl Outbox {
    pub fn http(&mut self, session: &str, request: HttpRequest) -> u32 {
        let id = self.allocate(Inflight::Http { session: session.to_string() });
        self.effects.push(Effect::Http {
            id,
            session_id: session.to_string(),
            url: request.url,
            method: request.method,
            headers: request.headers,
            body: request.body,
        });
        id
    }

    pub fn tool(&mut self, session: &str, call_id: &str, name: &str, args: Raw, now_ms: f64) -> u32 {
        let id = self.allocate(Inflight::Tool { session: session.to_string(), started_ms: now_ms });
        self.effects.push(Effect::Tool {
            id,
            session_id: session.to_string(),
            call_id: call_id.to_string(),
            name: name.to_string(),
            args,
        });
        id
    }

    pub fn timer(&mut self, session: &str, delay_ms: u64) -> u32 {
        let id = self.allocate(Inflight::Timer { session: session.to_string() });
        self.effects.push(Effect::Timer { id, session_id: session.to_string(), delay_ms });
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

    /// Forget a tool call whose run has ended; a late result is refused.
    pub fn forget(&mut self, id: u32) {
        self.inflight.remove(&id);
    }

    pub fn push(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    pub fn lookup(&self, id: u32) -> CoreResult<&Inflight> {
        self.inflight.get(&id).ok_or_else(|| unknown(id))
    }

    /// The in-flight effect `id`, which must be of the kind `want` names
    /// (`Inflight::kind`); an outcome of the wrong kind changes nothing.
    pub fn expect(&self, id: u32, want: &'static str) -> CoreResult<&Inflight> {
        let found = self.lookup(id)?;
        if found.kind() != want {
            return Err(CoreError::new(
                ErrorCode::UnknownEffect,
                format!("effect {id} is {}, not {want}", found.kind()),
            ));
        }
        Ok(found)
    }

    /// Mark an effect settled; later outcomes for it are refused.
    pub fn settle(&mut self, id: u32) -> CoreResult<Inflight> {
        self.inflight.remove(&id).ok_or_else(|| unknown(id))
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

    fn allocate(&mut self, what: Inflight) -> u32 {
        // Ids start at 1 and wrap far beyond any realistic lifetime; skip
        // any still in flight so an id is never reused while live.
        loop {
            self.next_id = self.next_id.wrapping_add(1).max(1);
            if !self.inflight.contains_key(&self.next_id) {
                break;
            }
        }
        self.inflight.insert(self.next_id, what);
        self.next_id
    }
}

fn unknown(id: u32) -> CoreError {
    CoreError::new(ErrorCode::UnknownEffect, format!("effect {id} is unknown or already settled"))
}
