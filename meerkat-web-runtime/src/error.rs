//! Errors with stable codes.
//!
//! Every failure the core reports is a [`CoreError`]: a stable `code` from the
//! table below plus a message that tells the caller what to fix. The table is
//! the single source of truth; a test checks that the TypeScript mirror
//! (`CORE_ERROR_CODES` in `src/errors.ts`) lists the same codes in the same
//! order. Who is to blame and what each code means are documented here and
//! checked in tests; the wasm ships the codes alone.

use crate::json::ObjectWriter;

/// Who is to blame, h11 style: the caller, the provider/network, or us.
#[cfg(test)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blame {
    Caller,
    Provider,
    Internal,
}

#[cfg(test)]
impl Blame {
    pub fn as_str(self) -> &'static str {
        match self {
            Blame::Caller => "caller",
            Blame::Provider => "provider",
            Blame::Internal => "internal",
        }
    }
}

macro_rules! error_codes {
    ($($variant:ident => $code:literal, $blame:ident, $doc:literal;)*) => {
        /// Stable error codes shared with the TypeScript layer.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ErrorCode {
            $(#[doc = $doc] $variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            #[cfg(test)]
            pub fn blame(self) -> Blame {
                match self { $(ErrorCode::$variant => Blame::$blame,)* }
            }

            /// What the code means (native builds only: the wasm ships
            /// the codes without their prose).
            #[cfg(test)]
            pub fn description(self) -> &'static str {
                match self { $(ErrorCode::$variant => $doc,)* }
            }
        }
    };
}

error_codes! {
    InvalidCommand => "INVALID_COMMAND", Caller, "The command sent to the core is not valid JSON or names no known operation.";
    InvalidArgument => "INVALID_ARGUMENT", Caller, "An argument has the wrong type, shape or value.";
    InvalidConfig => "INVALID_CONFIG", Caller, "The runtime or session configuration is invalid.";
    ModelRequired => "MODEL_REQUIRED", Caller, "No model was given and the runtime has no default model.";
    UnsupportedModel => "UNSUPPORTED_MODEL", Caller, "No provider serves the requested model.";
    ProviderNotConfigured => "PROVIDER_NOT_CONFIGURED", Caller, "The provider for this model has no API key configured.";
    SessionNotFound => "SESSION_NOT_FOUND", Caller, "No session has this id (never created, or destroyed).";
    SessionBusy => "SESSION_BUSY", Caller, "The session already has a turn in flight.";
    PromptTooLarge => "PROMPT_TOO_LARGE", Caller, "The prompt exceeds the configured size limit.";
    InvalidTool => "INVALID_TOOL", Caller, "A tool definition is invalid (name, description or schema).";
    DuplicateTool => "DUPLICATE_TOOL", Caller, "A tool with this name is already registered.";
    ToolNotFound => "TOOL_NOT_FOUND", Caller, "No tool with this name is registered.";
    UnknownEffect => "UNKNOWN_EFFECT", Caller, "An outcome names an effect id that is unknown or already settled.";
    Cancelled => "CANCELLED", Caller, "The run was cancelled because its session or runtime was destroyed.";
    MaxTurnsExceeded => "MAX_TURNS_EXCEEDED", Caller, "The run reached the session's maxTurns limit.";
    BudgetExhausted => "BUDGET_EXHAUSTED", Caller, "The run used up its token, time or tool-call budget.";
    SessionArchived => "SESSION_ARCHIVED", Caller, "The session is archived: its history can be read but it takes no new turns.";
    InvalidHook => "INVALID_HOOK", Caller, "A hook registration is invalid (point, handler or options).";
    HookNotFound => "HOOK_NOT_FOUND", Caller, "No hook with this id is registered.";
    HookDenied => "HOOK_DENIED", Caller, "A hook denied the run.";
    SkillNotFound => "SKILL_NOT_FOUND", Caller, "A skill reference cannot be resolved.";
    InvalidSkillSource => "INVALID_SKILL_SOURCE", Caller, "A skill source or its index is malformed.";
    SkillSourceNotFound => "SKILL_SOURCE_NOT_FOUND", Caller, "No skill source has this id.";
    InvalidMobDefinition => "INVALID_MOB_DEFINITION", Caller, "A mob definition is invalid; the message names the field.";
    MobNotFound => "MOB_NOT_FOUND", Caller, "No mob has this id (never created).";
    MemberNotFound => "MEMBER_NOT_FOUND", Caller, "The mob has no member with this identity.";
    MobNotRunning => "MOB_NOT_RUNNING", Caller, "The mob is stopped, completed or destroyed: it starts no new work.";
    FlowNotFound => "FLOW_NOT_FOUND", Caller, "No flow (or flow run) has this id.";
    AuthBindingNotFound => "AUTH_BINDING_NOT_FOUND", Caller, "The session's authBinding names a realm or binding the runtime config does not declare.";
    AuthResolverMissing => "AUTH_RESOLVER_MISSING", Caller, "The run needs a lease from an external auth resolver and none is registered.";
    AuthResolverFailed => "AUTH_RESOLVER_FAILED", Caller, "The external auth resolver threw, rejected or did not answer in time.";
    AuthLeaseInvalid => "AUTH_LEASE_INVALID", Caller, "The external auth resolver returned a lease that is malformed or already expired.";
    InvalidMobpack => "INVALID_MOBPACK", Caller, "A mobpack is malformed or unsafe (paths, links, sizes, layout, manifest, definition); the message names the entry.";
    UntrustedMobpack => "UNTRUSTED_MOBPACK", Caller, "A mobpack's signature is missing, unknown, bad or from another key than the trusted one.";
    SkillSourceFailed => "SKILL_SOURCE_FAILED", Provider, "An HTTP skill source could not be fetched.";
    CapabilityUnavailable => "CAPABILITY_UNAVAILABLE", Caller, "The capability is not available in this build or browser.";
    ProviderAuth => "PROVIDER_AUTH", Provider, "The provider rejected the credentials (HTTP 401/403).";
    ProviderQuota => "PROVIDER_QUOTA", Provider, "The account is out of quota or credit.";
    ProviderRateLimited => "PROVIDER_RATE_LIMITED", Provider, "The provider rate-limited the request (HTTP 429).";
    ProviderOverloaded => "PROVIDER_OVERLOADED", Provider, "The provider is overloaded (HTTP 529 or an overloaded_error event).";
    ProviderUnavailable => "PROVIDER_UNAVAILABLE", Provider, "The provider failed with a server error (HTTP 5xx).";
    ProviderBadRequest => "PROVIDER_BAD_REQUEST", Provider, "The provider refused the request as invalid (HTTP 400/404/413).";
    ProviderError => "PROVIDER_ERROR", Provider, "The provider reported an error of an unrecognised kind.";
    NetworkError => "NETWORK_ERROR", Provider, "The HTTP request failed before a complete response arrived.";
    StreamTruncated => "STREAM_TRUNCATED", Provider, "The response stream ended before the provider finished the message.";
    StreamProtocol => "STREAM_PROTOCOL", Provider, "The response stream violated the provider's wire format.";
    Internal => "INTERNAL", Internal, "An internal invariant failed; please report it.";
}

/// A typed error: stable code plus a human message saying what to fix.
///
/// Boxed: every `CoreResult` moves through `?` many times, and a
/// pointer-sized error keeps that code small in the wasm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreError(Box<ErrorInfo>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message: String,
    /// Provider failures that a retry may cure (used by the retry policy).
    pub retryable: bool,
    /// Server hint for the retry delay, when the provider sent one.
    pub retry_after_ms: Option<u64>,
    /// Structured detail for the caller (JSON text), e.g. a budget's use.
    pub details: Option<String>,
}

impl core::ops::Deref for CoreError {
    type Target = ErrorInfo;
    fn deref(&self) -> &ErrorInfo {
        &self.0
    }
}

impl core::ops::DerefMut for CoreError {
    fn deref_mut(&mut self) -> &mut ErrorInfo {
        &mut self.0
    }
}

impl CoreError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::make(code, message.into())
    }

    /// One copy of the construction, not one per call site.
    #[inline(never)]
    fn make(code: ErrorCode, message: String) -> Self {
        CoreError(Box::new(ErrorInfo {
            code: code.as_str(),
            message,
            retryable: false,
            retry_after_ms: None,
            details: None,
        }))
    }

    /// The message, taking it out of the error.
    pub fn into_message(self) -> String {
        self.0.message
    }

    pub fn is(&self, code: ErrorCode) -> bool {
        self.code == code.as_str()
    }

    pub fn retryable(mut self, retry_after_ms: Option<u64>) -> Self {
        self.retryable = true;
        self.retry_after_ms = retry_after_ms;
        self
    }

    /// Attach structured detail (JSON text).
    pub fn with_details(mut self, details: String) -> Self {
        self.details = Some(details);
        self
    }

    /// `{"code":..,"message":..,"details"?}`: the shape the host maps to `MeerkatError`.
    pub fn write_json(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("code", self.code).str("message", &self.message);
        if let Some(details) = &self.details {
            o.raw("details", details);
        }
        o.end();
    }

    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }
}

impl core::fmt::Display for CoreError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

pub type CoreResult<T> = Result<T, CoreError>;

/// Shorthand for caller errors.
pub fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::InvalidArgument, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_screaming_snake() {
        let mut seen = std::collections::BTreeSet::new();
        for c in ErrorCode::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_'), "{s}");
            assert!(c.description().len() > 20, "{s} says what it means");
            assert!(["caller", "provider", "internal"].contains(&c.blame().as_str()));
        }
    }

    /// `CORE_ERROR_CODES` in the TypeScript layer is this table's mirror.
    #[test]
    fn the_typescript_mirror_lists_every_code_in_order() {
        let ts = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../src/errors.ts")).unwrap();
        let list = ts.split("export const CORE_ERROR_CODES = [").nth(1).unwrap().split(']').next().unwrap();
        let mirrored: Vec<&str> =
            list.split(',').map(|s| s.trim().trim_matches('"')).filter(|s| !s.is_empty()).collect();
        let ours: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(mirrored, ours);
    }
}
