//! Effect outcomes fed back by the host, routed to whoever owns the
//! effect: a session's run (or background hook), a skill source, or the
//! lease cache (whose answer goes to every run waiting on it).

use super::Runtime;
use super::commands::Op;
use crate::agent::{self, Input};
use crate::auth::parse_lease;
use crate::effects::{Kind, Owner};
use crate::error::{CoreError, CoreResult, ErrorCode, invalid};
use crate::fields::Fields;
use crate::json::Json;
use crate::skills::HttpOutcome;
use crate::transcript::{Part, cap_tool_result, content_blocks};

impl Runtime {
    pub(super) fn outcome(&mut self, now_ms: f64, op: Op, f: &Fields<'_, '_>, cmd: &Json<'_>) -> CoreResult<()> {
        let id = effect_id(f)?;
        // The input for a session, and for a skill source when it is HTTP.
        let (kind, input, http) = match op {
            Op::HttpHead => {
                let status = f.req_u64("status")?;
                let status = u16::try_from(status)
                    .ok()
                    .filter(|s| (100..=999).contains(s))
                    .ok_or_else(|| invalid(format!("http_head.status must be an HTTP status code, got {status}")))?;
                let headers = parse_headers(f.get("headers"))?;
                (Kind::Http, Input::HttpHead { id, status, headers }, Some(HttpOutcome::Head { id, status }))
            }
            Op::HttpEnd => (Kind::Http, Input::HttpEnd { id }, Some(HttpOutcome::End { id })),
            Op::HttpError => {
                let message = f.str("message")?.unwrap_or("network error");
                (Kind::Http, Input::HttpError { id, message }, Some(HttpOutcome::Error { id, message }))
            }
            Op::ToolResult => {
                let is_error = f.bool("isError")?.unwrap_or(false);
                let content = parse_tool_content(cmd.get("content").cloned().unwrap_or(Json::Null))?;
                let content = cap_tool_result(content, self.settings.max_prompt_bytes);
                (Kind::Tool, Input::ToolResult { id, content, is_error }, None)
            }
            Op::HookResult => {
                let verdict = match f.str("error")? {
                    Some(thrown) => Err(thrown.to_string()),
                    None => Ok(f.get("verdict").cloned().unwrap_or(Json::Null)),
                };
                (Kind::Hook, Input::HookResult { id, verdict }, None)
            }
            // Its input is built by `auth_result` (the lease is read once it is known to be awaited).
            Op::AuthResult => (Kind::Auth, Input::Interrupt, None),
            _ => (Kind::Timer, Input::Timer { id }, None),
        };
        let owner = self.owner(id, kind)?;
        // A response head leaves the request in flight: its body follows.
        if op != Op::HttpHead {
            self.out.settle(id)?;
        }
        // Tools and hooks belong to sessions, HTTP to sessions and skill
        // sources, timers to sessions, the bus and mobs.
        match (owner, http) {
            (Owner::Session(s), _) => self.advance(now_ms, &s, input),
            (Owner::Source(u), Some(http)) => self.skills.on_http(&u, http, &mut self.out, now_ms),
            (Owner::Comms, None) if kind == Kind::Timer => {
                self.comms_timer(id);
                Ok(())
            }
            (Owner::Mob(mob), None) if kind == Kind::Timer => self.mob_timer(now_ms, &mob, id),
            (Owner::Auth, None) if kind == Kind::Auth => self.auth_result(now_ms, id, f),
            _ => Err(not_session(id)),
        }
    }

    /// `auth_result`: `{id, lease}` from the external resolver, or `{id,
    /// error, reason}` where `reason` is `"missing"` (no resolver
    /// registered), `"invalid"` (what it returned is not JSON data) or
    /// `"failed"` (it threw or timed out; the default). The lease is
    /// cached; every run waiting on it goes on, or fails with the error.
    fn auth_result(&mut self, now_ms: f64, id: u32, f: &Fields<'_, '_>) -> CoreResult<()> {
        let index = self.leases.settle(id);
        let binding = index.and_then(|i| self.settings.bindings.get(i));
        let Some((index, binding)) = index.zip(binding) else {
            return Err(CoreError::new(ErrorCode::UnknownEffect, "the lease answers no binding"));
        };
        let error = match (f.str("error")?, f.str("reason")?) {
            (None, _) => match parse_lease(f.get("lease").unwrap_or(&Json::Null), now_ms) {
                Ok(lease) => {
                    self.leases.store(index, lease);
                    None
                }
                Err(why) => Some((ErrorCode::AuthLeaseInvalid, why)),
            },
            (Some(_), Some("missing")) => Some((
                ErrorCode::AuthResolverMissing,
                "none is registered: call registerExternalAuthResolver(wasm, resolver)".to_string(),
            )),
            (Some(why), Some("invalid")) => Some((ErrorCode::AuthLeaseInvalid, why.to_string())),
            (Some(why), _) => Some((ErrorCode::AuthResolverFailed, crate::text::first_chars(why, 500).to_string())),
        };
        let result = match error {
            None => Ok(()),
            Some((code, why)) => Err(CoreError::new(
                code,
                format!("external auth resolver for {}/{}: {why}", binding.realm, binding.name),
            )),
        };
        let waiting: Vec<String> =
            self.agents.iter().filter(|(_, a)| a.awaits_lease(id)).map(|(session, _)| session.clone()).collect();
        for session in waiting {
            // A run that fails here has reported it; nothing to refuse.
            let _ = self.advance(now_ms, &session, Input::Auth { id, result: result.clone() });
        }
        Ok(())
    }

    /// Body bytes: the hot path goes straight to the run's parser.
    pub(super) fn body(&mut self, now_ms: f64, id: u32, bytes: &[u8]) -> CoreResult<()> {
        match self.owner(id, Kind::Http)? {
            Owner::Session(s) => self.step(now_ms, &s, |ctx, agent| agent::on_body(ctx, agent, id, bytes)),
            Owner::Source(u) => self.skills.on_http(&u, HttpOutcome::Body { id, bytes }, &mut self.out, now_ms),
            _ => Err(not_session(id)),
        }
    }

    /// The owner of in-flight effect `id` of kind `kind`; for a session,
    /// only if it still awaits the effect (else nothing may change).
    fn owner(&self, id: u32, kind: Kind) -> CoreResult<Owner> {
        let owner = self.out.expect(id, kind)?.owner.clone();
        if let Owner::Session(s) = &owner
            && !self.agents.get(s.as_str()).is_some_and(|a| a.awaits(id))
        {
            return Err(CoreError::new(
                ErrorCode::UnknownEffect,
                format!("effect {id} is not awaited by session {s} any more"),
            ));
        }
        Ok(owner)
    }

    pub(super) fn advance(&mut self, now_ms: f64, session: &str, input: Input<'_>) -> CoreResult<()> {
        self.step(now_ms, session, |ctx, agent| agent::advance(ctx, agent, input))
    }
}

fn not_session(id: u32) -> CoreError {
    CoreError::new(ErrorCode::UnknownEffect, format!("effect {id} does not belong to a session"))
}

fn effect_id(f: &Fields<'_, '_>) -> CoreResult<u32> {
    let id = f.req_u64("id")?;
    u32::try_from(id).map_err(|_| CoreError::new(ErrorCode::UnknownEffect, format!("effect {id} is unknown")))
}

/// Response headers as `[[name, value], ...]`.
fn parse_headers(value: Option<&Json<'_>>) -> CoreResult<Vec<(String, String)>> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let pairs = value.as_array().ok_or_else(|| invalid("headers must be an array of [name, value] pairs"))?;
    let mut headers = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let Some([Json::Str(name), Json::Str(value)]) = pair.as_array() else {
            return Err(invalid("headers must be an array of [name, value] string pairs"));
        };
        headers.push((name.to_string(), value.to_string()));
    }
    Ok(headers)
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
