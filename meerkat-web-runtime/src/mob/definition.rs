//! A mob definition, read and checked whole before anything is created:
//! every error names the field to fix (`INVALID_MOB_DEFINITION`).

use super::flow::{self, FlowDef};
use crate::comms::Limits;
use crate::config::{Budget, CompactionConfig, SessionConfig, auth_binding, output_schema};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::fields::Fields;
use crate::json::{Json, ObjectWriter, quote, write_array, write_str};
use crate::skills::SkillKey;

const CODE: ErrorCode = ErrorCode::InvalidMobDefinition;

/// Profiles, members, flows: bounds against mistakes, not real use.
const MAX_PROFILES: usize = 64;
pub const MAX_MEMBERS: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeMode {
    /// Wakes and runs a turn when messages arrive and it is idle.
    AutonomousHost,
    /// Runs only when the host sends it work or a flow step does.
    TurnDriven,
}

impl RuntimeMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RuntimeMode::AutonomousHost => "autonomous_host",
            RuntimeMode::TurnDriven => "turn_driven",
        }
    }

    pub fn parse(text: &str, path: &str) -> CoreResult<RuntimeMode> {
        match text {
            "autonomous_host" => Ok(RuntimeMode::AutonomousHost),
            "turn_driven" => Ok(RuntimeMode::TurnDriven),
            _ => Err(bad(format!("{path} must be \"autonomous_host\" or \"turn_driven\", got {}", quote(text)))),
        }
    }
}

/// A kind of member: its session settings and place in the mob.
#[derive(Clone, Debug)]
pub struct Profile {
    pub name: String,
    pub config: SessionConfig,
    /// Skills of the mob's own (inline) source, by name.
    pub own_skills: Vec<String>,
    pub comms: bool,
    pub description: String,
    pub mode: RuntimeMode,
}

#[derive(Debug)]
pub struct Definition {
    pub id: String,
    pub orchestrator: Option<String>,
    pub profiles: Vec<Profile>,
    pub auto_wire_orchestrator: bool,
    pub role_wiring: Vec<(String, String)>,
    /// The inline skills as an embedded skill source (JSON), if any.
    pub skill_source: Option<String>,
    pub flows: Vec<FlowDef>,
    pub limits: Limits,
}

impl Definition {
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    pub fn from_json(value: &Json<'_>) -> CoreResult<Definition> {
        let f = Fields::new(
            value,
            "mob definition",
            &["id", "orchestrator", "profiles", "wiring", "skills", "flows", "limits", "description"],
            CODE,
        )?;
        let id = f.req_str("id")?;
        check_name(id, "mob definition.id")?;
        let skill_names = skill_names(f.get("skills"))?;
        let members = f.get("profiles").and_then(Json::as_object).ok_or_else(|| {
            bad("mob definition.profiles must be an object: { [name]: { model, ... } }, with at least one profile")
        })?;
        if members.is_empty() || members.len() > MAX_PROFILES {
            return Err(bad(format!("mob definition.profiles must hold 1 to {MAX_PROFILES} profiles")));
        }
        let mut profiles = Vec::with_capacity(members.len());
        for (name, value) in members {
            check_name(name, "mob definition.profiles key")?;
            profiles.push(profile(name, value, &skill_names)?);
        }
        let known = |name: &str, path: &str| {
            if profiles.iter().any(|p| p.name == name) {
                Ok(name.to_string())
            } else {
                Err(bad(format!("{path} names the profile {}, which mob definition.profiles lacks", quote(name))))
            }
        };
        let orchestrator = match f.get("orchestrator") {
            None => None,
            Some(o) => {
                let o = Fields::new(o, "mob definition.orchestrator", &["profile"], CODE)?;
                Some(known(o.req_str("profile")?, "mob definition.orchestrator.profile")?)
            }
        };
        let (auto_wire_orchestrator, role_wiring) = match f.get("wiring") {
            None => (true, Vec::new()),
            Some(w) => {
                let w = Fields::new(w, "mob definition.wiring", &["autoWireOrchestrator", "roleWiring"], CODE)?;
                let mut pairs = Vec::new();
                for (i, pair) in array_of(w.get("roleWiring"), "mob definition.wiring.roleWiring")?.iter().enumerate() {
                    let path = format!("mob definition.wiring.roleWiring[{i}]");
                    let p = Fields::new(pair, "roleWiring entry", &["a", "b"], CODE)
                        .map_err(|e| placed(&path, "roleWiring entry", e, ": "))?;
                    pairs.push((known(p.req_str("a")?, &path)?, known(p.req_str("b")?, &path)?));
                }
                (w.bool("autoWireOrchestrator")?.unwrap_or(true), pairs)
            }
        };
        let flows = match f.get("flows") {
            None => Vec::new(),
            Some(v) => flow::definitions(v, &profiles)?,
        };
        Ok(Definition {
            id: id.to_string(),
            orchestrator,
            auto_wire_orchestrator,
            role_wiring,
            skill_source: f.get("skills").map(|s| skill_source(id, s)),
            flows,
            limits: limits(f.get("limits"))?,
            profiles,
        })
    }
}

pub fn bad(message: impl Into<String>) -> CoreError {
    CoreError::new(CODE, message)
}

/// `before`, `value` as a JSON string, then `after`: the shape of most
/// messages here, built by one function instead of a formatting call each.
pub fn quoted(before: &str, value: &str, after: &str) -> String {
    let mut out = String::from(before);
    write_str(value, &mut out);
    out.push_str(after);
    out
}

pub fn bad_quoted(before: &str, value: &str, after: &str) -> CoreError {
    bad(quoted(before, value, after))
}

/// Ids and identities: short, printable, no `/` (it separates a mob
/// from a member in peer names).
pub fn check_name(name: &str, path: &str) -> CoreResult<()> {
    let ok =
        !name.is_empty() && name.len() <= 128 && !name.chars().any(|c| c == '/' || c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        let shown = crate::text::first_chars(name, 64);
        Err(bad(format!("{path} must be 1 to 128 characters without spaces or '/', got {}", quote(shown))))
    }
}

/// An optional array field's items (none when absent); `path` names the
/// field in the error.
fn array_of<'j, 'a>(value: Option<&'j Json<'a>>, path: &str) -> CoreResult<&'j [Json<'a>]> {
    match value {
        None => Ok(&[]),
        Some(value) => value.as_array().ok_or_else(|| bad(format!("{path} must be an array, got {}", value.kind()))),
    }
}

/// A field under its camelCase name or the seed's snake_case one; both
/// may be given only with the same value (else which one wins would be a
/// silent guess).
pub fn either<'j, 'a>(f: &Fields<'j, 'a>, camel: &str, snake: &str) -> CoreResult<Option<&'j str>> {
    match (f.str(camel)?, f.str(snake)?) {
        (Some(a), Some(b)) if a != b => Err(CoreError::new(
            f.code(),
            format!("{0} gives both {camel} and {snake}, with different values; give one of them", f.what()),
        )),
        (a, b) => Ok(a.or(b)),
    }
}

fn profile(name: &str, value: &Json<'_>, skill_names: &[String]) -> CoreResult<Profile> {
    let f = Fields::new(
        value,
        "mob profile",
        &[
            "model",
            "provider",
            "openaiApi",
            "systemPrompt",
            "skills",
            "tools",
            "peerDescription",
            "peer_description",
            "runtimeMode",
            "runtime_mode",
            "outputSchema",
            "budget",
            "maxTokens",
            "authBinding",
            "compaction",
        ],
        CODE,
    )
    .map_err(|e| at(name, e))?;
    let read = || -> CoreResult<Profile> {
        let (comms, host) = match f.get("tools") {
            None => (true, None),
            Some(t) => {
                let t = Fields::new(t, "tools", &["comms", "host"], CODE)?;
                (t.bool("comms")?.unwrap_or(true), t.str_list("host")?)
            }
        };
        let mut config = SessionConfig {
            model: f.string("model")?,
            provider: f.string("provider")?,
            openai_api: f.string("openaiApi")?,
            system_prompt: f.string("systemPrompt")?,
            max_tokens: f.u32("maxTokens")?,
            output_schema: f.get("outputSchema").map(|s| output_schema(s, "outputSchema")).transpose()?,
            budget: f.get("budget").map(|b| Budget::from_json(b, "budget")).transpose()?,
            tools: host,
            auth_binding: f.get("authBinding").map(|b| auth_binding(b, CODE)).transpose()?,
            compaction: f.get("compaction").map(|c| CompactionConfig::from_json(c, "compaction")).transpose()?,
            ..SessionConfig::default()
        };
        let mut own_skills = Vec::new();
        for (i, entry) in array_of(f.get("skills"), "skills")?.iter().enumerate() {
            match entry.as_str() {
                Some(own) if !own.contains('/') => {
                    if !skill_names.iter().any(|n| n == own) {
                        return Err(bad(format!("skills names {}, which mob definition.skills lacks", quote(own))));
                    }
                    own_skills.push(own.to_string());
                }
                _ => {
                    let key = SkillKey::from_json(entry, "skills entry", CODE)
                        .map_err(|e| placed(&format!("skills[{i}]"), "skills entry", e, ": "))?;
                    config.preload_skills.push(key.0);
                }
            }
        }
        let mode = match either(&f, "runtimeMode", "runtime_mode")? {
            None => RuntimeMode::AutonomousHost,
            Some(text) => RuntimeMode::parse(text, "runtimeMode")?,
        };
        Ok(Profile {
            name: name.to_string(),
            config,
            own_skills,
            comms,
            description: either(&f, "peerDescription", "peer_description")?.unwrap_or_default().to_string(),
            mode,
        })
    };
    read().map_err(|e| at(name, e))
}

/// An error inside profile `name`, re-coded and placed.
fn at(name: &str, error: CoreError) -> CoreError {
    placed(&format!("mob definition.profiles.{name}"), "mob profile", error, ".")
}

/// An error about `subject` (`step`, `mob profile`) re-coded and placed at
/// `path`: the subject becomes the path, or the path comes first, then
/// `joint`, then the message.
pub fn placed(path: &str, subject: &str, error: CoreError, joint: &str) -> CoreError {
    let message = error.into_message();
    let mut out = String::from(path);
    match message.strip_prefix(subject) {
        Some(rest) if rest.starts_with(['.', ' ', ':']) => out.push_str(rest),
        _ => {
            out.push_str(joint);
            out.push_str(&message);
        }
    }
    bad(out)
}

/// `skills: { [name]: { source: "inline", content, description? } }`: the names.
fn skill_names(value: Option<&Json<'_>>) -> CoreResult<Vec<String>> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let entries = value
        .as_object()
        .ok_or_else(|| bad("mob definition.skills must be an object: { [name]: { source: \"inline\", content } }"))?;
    let mut names = Vec::with_capacity(entries.len());
    for (name, skill) in entries {
        let f = Fields::new(skill, "skills entry", &["source", "content", "description"], CODE)
            .map_err(|e| placed(&format!("mob definition.skills.{name}"), "skills entry", e, ": "))?;
        if f.str("source")? != Some("inline") || f.str("content")?.is_none_or(str::is_empty) {
            return Err(bad(format!(
                "mob definition.skills.{name} must be {{ source: \"inline\", content: \"...\" }}; only inline skills can be defined in a mob"
            )));
        }
        names.push(name.to_string());
    }
    Ok(names)
}

/// The embedded skill source (`add_skill_source`'s shape) of the inline skills.
fn skill_source(mob: &str, value: &Json<'_>) -> String {
    let entries = value.as_object().unwrap_or_default();
    let mut out = String::new();
    let mut o = ObjectWriter::new(&mut out);
    o.str("name", &format!("mob {mob}"));
    write_array(o.key("skills"), entries, |(name, skill), out| {
        let field = |key| skill.get(key).and_then(Json::as_str).unwrap_or_default();
        let mut s = ObjectWriter::new(out);
        s.str("name", name).str("content", field("content"));
        s.str("description", if field("description").is_empty() { name } else { field("description") });
        s.end();
    });
    o.end();
    out
}

fn limits(value: Option<&Json<'_>>) -> CoreResult<Limits> {
    let mut limits = Limits::default();
    let Some(value) = value else { return Ok(limits) };
    let f = Fields::new(
        value,
        "mob definition.limits",
        &["maxTurnsPerMemberPerMinute", "maxInboxDepth", "maxHops", "requestTimeoutMs"],
        CODE,
    )?;
    let positive = |key: &str, value: Option<u64>, max: u64| match value {
        Some(v) if v == 0 || v > max => Err(bad(format!("mob definition.limits.{key} must be between 1 and {max}"))),
        other => Ok(other),
    };
    let small = |key: &str, default: u32| -> CoreResult<u32> {
        Ok(positive(key, f.u32(key)?.map(u64::from), 100_000)?.map_or(default, |v| v as u32))
    };
    limits.max_turns_per_minute = small("maxTurnsPerMemberPerMinute", limits.max_turns_per_minute)?;
    limits.max_inbox_depth = small("maxInboxDepth", limits.max_inbox_depth)?;
    limits.max_hops = small("maxHops", limits.max_hops)?;
    let timeout = positive("requestTimeoutMs", f.u64("requestTimeoutMs")?, 86_400_000)?;
    limits.request_timeout_ms = timeout.unwrap_or(limits.request_timeout_ms);
    Ok(limits)
}
