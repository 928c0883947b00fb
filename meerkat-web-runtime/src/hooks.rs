//! Hooks: host callbacks at eight points of a run, each answering allow,
//! deny or rewrite. This module holds the registrations and reads
//! verdicts; the run engine (`agent::hooks`) pauses at each point.

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::fields::Fields;
use crate::json::{Json, Raw, quote};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookPoint {
    RunStarted,
    RunCompleted,
    RunFailed,
    PreLlmRequest,
    PostLlmResponse,
    PreToolExecution,
    PostToolExecution,
    TurnBoundary,
}

impl HookPoint {
    pub const ALL: [HookPoint; 8] = [
        HookPoint::RunStarted,
        HookPoint::RunCompleted,
        HookPoint::RunFailed,
        HookPoint::PreLlmRequest,
        HookPoint::PostLlmResponse,
        HookPoint::PreToolExecution,
        HookPoint::PostToolExecution,
        HookPoint::TurnBoundary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HookPoint::RunStarted => "run_started",
            HookPoint::RunCompleted => "run_completed",
            HookPoint::RunFailed => "run_failed",
            HookPoint::PreLlmRequest => "pre_llm_request",
            HookPoint::PostLlmResponse => "post_llm_response",
            HookPoint::PreToolExecution => "pre_tool_execution",
            HookPoint::PostToolExecution => "post_tool_execution",
            HookPoint::TurnBoundary => "turn_boundary",
        }
    }

    pub fn parse(name: &str) -> Option<HookPoint> {
        HookPoint::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The fields a rewrite may patch at this point (none: rewrite is not
    /// offered there).
    fn patch_fields(self) -> &'static [&'static str] {
        match self {
            HookPoint::PreLlmRequest => &["system", "maxTokens", "temperature", "messages"],
            HookPoint::PreToolExecution => &["args"],
            HookPoint::PostToolExecution => &["content", "isError"],
            HookPoint::PostLlmResponse => &["text"],
            _ => &[],
        }
    }

    /// Whether `patch` only sets fields a rewrite may patch here; `Err` is why not.
    pub fn check_patch(self, patch: &Json<'_>) -> Result<(), String> {
        let allowed = self.patch_fields();
        if allowed.is_empty() {
            return Err(format!("{} hooks cannot rewrite (allow or deny only)", self.as_str()));
        }
        for (key, _) in patch.as_object().unwrap_or_default() {
            if !allowed.contains(&key.as_ref()) {
                let key = quote(crate::text::first_chars(key, 500));
                let allowed = crate::text::join(allowed, ", ");
                return Err(format!("a {} patch may set {allowed}, not {key}", self.as_str()));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The run waits for the verdict.
    Foreground,
    /// Observes only: the run goes on, the verdict is reported, not applied.
    Background,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailurePolicy {
    /// A hook that throws or times out counts as allow.
    FailOpen,
    /// ...counts as deny (`reasonCode: "hook_failure"`).
    FailClosed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookDef {
    pub id: String,
    pub point: HookPoint,
    pub mode: Mode,
    pub failure_policy: FailurePolicy,
    pub timeout_ms: u64,
    /// Higher runs first; ties in registration order.
    pub priority: i64,
    /// Registered on one session only.
    pub session: Option<String>,
}

pub const DEFAULT_TIMEOUT_MS: u64 = 5000;
const MAX_TIMEOUT_MS: u64 = 10 * 60 * 1000;
const MAX_HOOKS: usize = 1024;

#[derive(Debug, Default)]
pub struct HookRegistry {
    hooks: Vec<HookDef>,
    next: u64,
}

impl HookRegistry {
    /// `{point, mode?, failurePolicy?, timeoutMs?, priority?}`; returns the hook id.
    pub fn register(&mut self, value: &Json<'_>, session: Option<&str>) -> CoreResult<String> {
        let keys = ["point", "mode", "failurePolicy", "timeoutMs", "priority"];
        let f = Fields::new(value, "hook", &keys, ErrorCode::InvalidHook)?;
        let bad = |message: String| CoreError::new(ErrorCode::InvalidHook, message);
        let point_name = f.req_str("point")?;
        let point = HookPoint::parse(point_name).ok_or_else(|| {
            let names: Vec<&str> = HookPoint::ALL.iter().map(|p| p.as_str()).collect();
            bad(format!(
                "unknown hook point {}; expected one of: {}",
                quote(point_name),
                crate::text::join(&names, ", ")
            ))
        })?;
        let mode = match f.str("mode")? {
            None | Some("foreground") => Mode::Foreground,
            Some("background") => Mode::Background,
            Some(other) => {
                return Err(bad(format!("hook mode must be \"foreground\" or \"background\", got {}", quote(other))));
            }
        };
        let failure_policy = match f.str("failurePolicy")? {
            None | Some("fail_open") => FailurePolicy::FailOpen,
            Some("fail_closed") => FailurePolicy::FailClosed,
            Some(other) => {
                return Err(bad(format!(
                    "hook failurePolicy must be \"fail_open\" or \"fail_closed\", got {}",
                    quote(other)
                )));
            }
        };
        let timeout_ms = match f.u64("timeoutMs")? {
            None => DEFAULT_TIMEOUT_MS,
            Some(ms) if (1..=MAX_TIMEOUT_MS).contains(&ms) => ms,
            Some(ms) => return Err(bad(format!("hook timeoutMs must be between 1 and {MAX_TIMEOUT_MS}, got {ms}"))),
        };
        let priority = match f.get("priority") {
            None => 0,
            // Through the u64 parser the core links anyway (no i64 one).
            Some(Json::Num(n)) => n
                .strip_prefix('-')
                .unwrap_or(n)
                .parse::<u64>()
                .ok()
                .filter(|p| *p <= 1_000_000)
                .map(|p| if n.starts_with('-') { -(p as i64) } else { p as i64 })
                .ok_or_else(|| bad("hook priority must be an integer between -1000000 and 1000000".to_string()))?,
            Some(other) => return Err(bad(format!("hook priority must be an integer, got {}", other.kind()))),
        };
        if self.hooks.len() >= MAX_HOOKS {
            return Err(bad(format!("at most {MAX_HOOKS} hooks can be registered")));
        }
        self.next += 1;
        let id = format!("hook-{}", self.next);
        let session = session.map(str::to_string);
        self.hooks.push(HookDef { id: id.clone(), point, mode, failure_policy, timeout_ms, priority, session });
        Ok(id)
    }

    pub fn unregister(&mut self, id: &str) -> CoreResult<()> {
        let before = self.hooks.len();
        self.hooks.retain(|h| h.id != id);
        if self.hooks.len() == before {
            let shown = crate::text::first_chars(id, 80);
            return Err(CoreError::new(
                ErrorCode::HookNotFound,
                format!("no hook with id {} is registered", quote(shown)),
            ));
        }
        Ok(())
    }

    /// Forget a destroyed session's own hooks.
    pub fn remove_session(&mut self, session: &str) {
        self.hooks.retain(|h| h.session.as_deref() != Some(session));
    }

    pub fn get(&self, id: &str) -> Option<&HookDef> {
        self.hooks.iter().find(|h| h.id == id)
    }

    /// The hooks that apply to `session` at `point`, highest priority first.
    pub fn at(&self, point: HookPoint, session: &str) -> Vec<&HookDef> {
        if self.hooks.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<&HookDef> = Vec::new();
        for hook in self.hooks.iter().filter(|h| h.point == point && h.session.as_deref().is_none_or(|s| s == session))
        {
            // After every hook of the same or higher priority: equal
            // priorities keep registration order (a sort would cost KBs).
            let at = found.iter().position(|h| h.priority < hook.priority).unwrap_or(found.len());
            found.insert(at, hook);
        }
        found
    }
}

/// A hook's answer, borrowed from what it returned.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict<'a> {
    Allow,
    Deny {
        reason_code: &'a str,
        message: &'a str,
        payload: Option<Raw>,
    },
    /// A JSON object of the fields to change.
    Rewrite {
        patch: &'a Json<'a>,
    },
}

impl<'a> Verdict<'a> {
    /// `null`/`{decision:"allow"}`, `{decision:"deny", reasonCode, message,
    /// payload?}` or `{decision:"rewrite", patch}`; anything else is why not.
    pub fn from_json(value: &'a Json<'a>) -> Result<Verdict<'a>, String> {
        if value.is_null() {
            return Ok(Verdict::Allow);
        }
        let Some(decision) = value.get("decision").and_then(Json::as_str) else {
            return Err(format!("a hook must return nothing or {{ decision: ... }}, got {}", value.kind()));
        };
        // Absent: a default; present but not text: an invalid answer, not a silent default.
        let field = |name, default| match value.get(name) {
            None => Ok(default),
            Some(Json::Str(text)) => Ok(text.as_ref()),
            Some(other) => Err(format!("deny.{name} must be a string, got {}", other.kind())),
        };
        match decision {
            "allow" => Ok(Verdict::Allow),
            "deny" => {
                let reason_code = Some(field("reasonCode", "denied")?).filter(|s| !s.is_empty()).unwrap_or("denied");
                let message =
                    Some(field("message", "denied by a hook")?).filter(|s| !s.is_empty()).unwrap_or("denied by a hook");
                let payload = value.get("payload").filter(|p| !p.is_null()).map(Raw::from_json);
                Ok(Verdict::Deny { reason_code, message, payload })
            }
            "rewrite" => match value.get("patch") {
                Some(patch @ Json::Obj(_)) => Ok(Verdict::Rewrite { patch }),
                _ => Err("a rewrite needs a patch object".to_string()),
            },
            other => Err(format!("unknown hook decision {}; expected allow, deny or rewrite", quote(other))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    #[test]
    fn registrations_are_validated_and_ordered() {
        let mut r = HookRegistry::default();
        let reg = |r: &mut HookRegistry, t: &str, s: Option<&str>| r.register(&parse(t).unwrap(), s);
        let a = reg(&mut r, r#"{"point":"pre_tool_execution"}"#, None).unwrap();
        let b = reg(&mut r, r#"{"point":"pre_tool_execution","priority":10}"#, Some("s1")).unwrap();
        let c = reg(&mut r, r#"{"point":"pre_tool_execution","mode":"background"}"#, None).unwrap();
        let at: Vec<&str> = r.at(HookPoint::PreToolExecution, "s1").iter().map(|h| h.id.as_str()).collect();
        assert_eq!(at, [b.as_str(), a.as_str(), c.as_str()]);
        assert_eq!(r.at(HookPoint::PreToolExecution, "s2").len(), 2);
        assert!(r.at(HookPoint::RunStarted, "s1").is_empty());
        for bad in [
            r#"{"point":"nope"}"#,
            r#"{}"#,
            r#"{"point":"run_started","mode":"later"}"#,
            r#"{"point":"run_started","failurePolicy":"maybe"}"#,
            r#"{"point":"run_started","timeoutMs":0}"#,
            r#"{"point":"run_started","priority":1.5}"#,
            r#"{"point":"run_started","extra":1}"#,
            "[]",
        ] {
            assert_eq!(reg(&mut r, bad, None).unwrap_err().code, "INVALID_HOOK", "{bad}");
        }
        r.remove_session("s1");
        assert!(r.get(&b).is_none());
        r.unregister(&a).unwrap();
        assert_eq!(r.unregister(&a).unwrap_err().code, "HOOK_NOT_FOUND");
    }

    #[test]
    fn verdicts() {
        // A verdict borrows its answer: compared by its debug form.
        let v = |t: &str| Verdict::from_json(&parse(t).unwrap()).map(|v| format!("{v:?}"));
        assert_eq!(v("null").unwrap(), "Allow");
        assert_eq!(v(r#"{"decision":"allow"}"#).unwrap(), "Allow");
        let deny = v(r#"{"decision":"deny","reasonCode":"r","message":"m","payload":{"a":1}}"#).unwrap();
        assert!(deny.starts_with("Deny") && deny.contains("payload: Some"), "{deny}");
        assert!(v(r#"{"decision":"rewrite","patch":{"args":{}}}"#).unwrap().starts_with("Rewrite"));
        for bad in
            ["1", r#"{"decision":"maybe"}"#, r#"{"decision":"rewrite"}"#, r#"{"decision":"rewrite","patch":[]}"#, "{}"]
        {
            assert!(v(bad).is_err(), "{bad}");
        }
        // A deny whose fields are not text is invalid (hook_failed), not a default deny.
        let e = v(r#"{"decision":"deny","reasonCode":5,"message":"m"}"#).unwrap_err();
        assert_eq!(e, "deny.reasonCode must be a string, got a number");
        assert!(v(r#"{"decision":"deny","reasonCode":"r","message":6}"#).is_err());
        assert!(v(r#"{"decision":"deny"}"#).unwrap().contains("\"denied\""));
        // Empty texts are absent ones: the error never ends in "denied at run_started: ".
        let empty = v(r#"{"decision":"deny","reasonCode":"","message":""}"#).unwrap();
        assert!(empty.contains("reason_code: \"denied\", message: \"denied by a hook\""), "{empty}");
    }
}
