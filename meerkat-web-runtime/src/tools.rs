//! The tool registry: host tools (handlers live in the host; the core asks
//! for a call with a `tool` effect and is told the result) and core tools
//! (executed by the core itself, synchronously: skills now, comms later).

use crate::config::timeout;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::fields::Fields;
use crate::json::{Json, Raw, quote};
use crate::provider::ToolSpec;

/// The tools the core implements itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoreTool {
    BrowseSkills,
    LoadSkill,
    Peers,
    SendMessage,
    SendRequest,
    SendResponse,
}

impl CoreTool {
    pub const SKILLS: [CoreTool; 2] = [CoreTool::BrowseSkills, CoreTool::LoadSkill];
    pub const COMMS: [CoreTool; 4] =
        [CoreTool::Peers, CoreTool::SendMessage, CoreTool::SendRequest, CoreTool::SendResponse];

    fn def(self) -> ToolDef {
        let (name, description, schema) = match self {
            CoreTool::BrowseSkills => (
                "browse_skills",
                "List the skills available to you: their keys, names and descriptions. Optionally filter by a word.",
                r#"{"type":"object","properties":{"query":{"type":"string","description":"A word to filter names and descriptions by"}}}"#,
            ),
            CoreTool::LoadSkill => (
                "load_skill",
                "Load the full instructions of a skill by its key (from browse_skills).",
                r#"{"type":"object","properties":{"key":{"type":"string","description":"The skill's key, \"<sourceUuid>/<skillName>\""}},"required":["key"]}"#,
            ),
            CoreTool::Peers => (
                "peers",
                "List the peers you can talk to: their names, mobs, roles and descriptions.",
                r#"{"type":"object","properties":{}}"#,
            ),
            CoreTool::SendMessage => (
                "send_message",
                "Send a message to a peer (by name, from peers). It is delivered to the peer's inbox.",
                r#"{"type":"object","properties":{"to":{"type":"string"},"body":{"type":"string"}},"required":["to","body"]}"#,
            ),
            CoreTool::SendRequest => (
                "send_request",
                "Ask a peer for something. Returns a requestId; the peer's response arrives as a message.",
                r#"{"type":"object","properties":{"to":{"type":"string"},"body":{"type":"string"},"intent":{"type":"string"}},"required":["to","body"]}"#,
            ),
            CoreTool::SendResponse => (
                "send_response",
                "Answer a peer's request, by its requestId.",
                r#"{"type":"object","properties":{"to":{"type":"string"},"requestId":{"type":"string"},"body":{"type":"string"}},"required":["to","requestId","body"]}"#,
            ),
        };
        ToolDef {
            name: name.to_string(),
            description: description.to_string(),
            input_schema: Raw::trusted(schema.to_string()),
            kind: ToolKind::Core(self),
            timeout_ms: None,
            // Messages change other agents' state: not for read-only sessions.
            read_only: matches!(self, CoreTool::BrowseSkills | CoreTool::LoadSkill | CoreTool::Peers),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolKind {
    /// Run by the host (`tool` effect).
    Host,
    /// Run inside the core.
    Core(CoreTool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ToolDef {
    pub name: String,
    pub description: String,
    /// The JSON Schema of the arguments, as compact JSON text.
    pub input_schema: Raw,
    pub kind: ToolKind,
    /// Host tools: how long the handler may take (else the session default).
    pub timeout_ms: Option<u64>,
    /// May run in a `readOnly` session.
    pub read_only: bool,
}

const MAX_DESCRIPTION_BYTES: usize = 64 * 1024;
const MAX_TOOLS: usize = 512;

impl ToolDef {
    /// `{name, description, inputSchema, timeoutMs?, readOnly?}` as `registerTool` sends it.
    pub fn from_json(value: &Json<'_>) -> CoreResult<ToolDef> {
        let keys = ["name", "description", "inputSchema", "timeoutMs", "readOnly"];
        let f = Fields::new(value, "tool", &keys, ErrorCode::InvalidTool)?;
        let schema =
            f.get("inputSchema").ok_or_else(|| CoreError::new(ErrorCode::InvalidTool, "tool needs an inputSchema"))?;
        let is_object_schema = schema.get("type").and_then(Json::as_str) == Some("object");
        let def = ToolDef {
            name: f.req_str("name")?.to_string(),
            description: f.string("description")?.unwrap_or_default(),
            input_schema: Raw::from_json(schema),
            kind: ToolKind::Host,
            timeout_ms: timeout(&f, "timeoutMs", "tool")?,
            read_only: f.bool("readOnly")?.unwrap_or(false),
        };
        def.validate()?;
        if let Err(why) = crate::schema::check(schema) {
            let message = format!("tool {}: inputSchema is not a usable JSON Schema: {why}", def.name);
            return Err(CoreError::new(ErrorCode::InvalidTool, message));
        }
        if !is_object_schema {
            return Err(CoreError::new(
                ErrorCode::InvalidTool,
                format!("tool {}: inputSchema must be a JSON Schema object with \"type\": \"object\"", def.name),
            ));
        }
        Ok(def)
    }

    pub fn spec(&self) -> ToolSpec<'_> {
        ToolSpec { name: &self.name, description: &self.description, input_schema: self.input_schema.as_str() }
    }

    fn validate(&self) -> CoreResult<()> {
        // What every provider takes: Gemini also wants a letter or '_' first.
        let first_ok = self.name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
        let name_ok = first_ok
            && self.name.len() <= 64
            && self.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !name_ok {
            return Err(CoreError::new(
                ErrorCode::InvalidTool,
                format!(
                    "tool name {} must be 1-64 characters of letters, digits, '_' or '-', and start with a letter or '_'",
                    quote(truncate(&self.name))
                ),
            ));
        }
        if self.description.len() > MAX_DESCRIPTION_BYTES {
            return Err(CoreError::new(
                ErrorCode::InvalidTool,
                format!("tool {}: description is longer than 64 KiB", self.name),
            ));
        }
        Ok(())
    }
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(80) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

#[derive(Debug)]
pub struct ToolRegistry {
    tools: Vec<ToolDef>,
    core: Vec<ToolDef>,
}

impl Default for ToolRegistry {
    fn default() -> Self {
        let mut core = Vec::new();
        for tool in CoreTool::SKILLS {
            core.push(tool.def());
        }
        for tool in CoreTool::COMMS {
            core.push(tool.def());
        }
        ToolRegistry { tools: Vec::new(), core }
    }
}

impl ToolRegistry {
    pub fn register(&mut self, def: ToolDef) -> CoreResult<()> {
        if self.core.iter().any(|t| t.name == def.name) {
            return Err(CoreError::new(
                ErrorCode::DuplicateTool,
                format!("the tool name {} is reserved for a tool the runtime provides", def.name),
            ));
        }
        if self.get(&def.name).is_some() {
            return Err(CoreError::new(
                ErrorCode::DuplicateTool,
                format!("a tool named {} is already registered; unregister it first", def.name),
            ));
        }
        if self.tools.len() >= MAX_TOOLS {
            return Err(CoreError::new(ErrorCode::InvalidTool, format!("at most {MAX_TOOLS} tools can be registered")));
        }
        self.tools.push(def);
        Ok(())
    }

    pub fn unregister(&mut self, name: &str) -> CoreResult<()> {
        let before = self.tools.len();
        self.tools.retain(|t| t.name != name);
        if self.tools.len() == before {
            return Err(not_found(name));
        }
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&ToolDef> {
        self.tools.iter().find(|t| t.name == name)
    }

    /// The tools a session may use: its host tools (all, or the named
    /// subset), then the core tools it enables.
    pub fn visible<'a>(&'a self, allowed: Option<&[String]>, core: &[CoreTool]) -> Vec<&'a ToolDef> {
        // Plain loops: iterator chains cost the wasm far more.
        let mut out = Vec::new();
        for tool in &self.tools {
            if allowed.is_none_or(|names| names.iter().any(|n| n == &tool.name)) {
                out.push(tool);
            }
        }
        for tool in &self.core {
            if matches!(tool.kind, ToolKind::Core(c) if core.contains(&c)) {
                out.push(tool);
            }
        }
        out
    }
}

pub fn not_found(name: &str) -> CoreError {
    CoreError::new(ErrorCode::ToolNotFound, format!("no tool named {} is registered", quote(truncate(name))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn def(name: &str, schema: &str) -> CoreResult<ToolDef> {
        let text =
            format!(r#"{{"name":{},"description":"d","inputSchema":{schema}}}"#, Json::Str(name.into()).to_text());
        ToolDef::from_json(&parse(&text).unwrap())
    }

    #[test]
    fn register_validate_and_filter() {
        let mut r = ToolRegistry::default();
        r.register(def("clock", r#"{"type":"object"}"#).unwrap()).unwrap();
        assert_eq!(r.register(def("clock", r#"{"type":"object"}"#).unwrap()).unwrap_err().code, "DUPLICATE_TOOL");
        assert_eq!(def("bad name", r#"{"type":"object"}"#).unwrap_err().code, "INVALID_TOOL");
        assert_eq!(def("x", r#"{"type":"string"}"#).unwrap_err().code, "INVALID_TOOL");
        assert_eq!(def(&"y".repeat(65), r#"{"type":"object"}"#).unwrap_err().code, "INVALID_TOOL");
        assert_eq!(def("1st", r#"{"type":"object"}"#).unwrap_err().code, "INVALID_TOOL");
        assert_eq!(def("-x", r#"{"type":"object"}"#).unwrap_err().code, "INVALID_TOOL");
        assert!(def("_x-1", r#"{"type":"object"}"#).is_ok());
        assert_eq!(ToolDef::from_json(&parse(r#"{"name":"x"}"#).unwrap()).unwrap_err().code, "INVALID_TOOL");
        r.register(def("calc", r#"{"type":"object"}"#).unwrap()).unwrap();
        assert_eq!(r.visible(None, &[]).len(), 2);
        assert_eq!(r.visible(Some(&["calc".to_string()]), &[]).len(), 1);
        assert_eq!(r.visible(Some(&[]), &[CoreTool::LoadSkill])[0].name, "load_skill");
        assert_eq!(r.register(def("load_skill", r#"{"type":"object"}"#).unwrap()).unwrap_err().code, "DUPLICATE_TOOL");
        let timed = ToolDef::from_json(
            &parse(r#"{"name":"slow","description":"","inputSchema":{"type":"object"},"timeoutMs":5,"readOnly":true}"#)
                .unwrap(),
        )
        .unwrap();
        assert_eq!((timed.timeout_ms, timed.read_only), (Some(5), true));
        let bad = r#"{"name":"slow","description":"","inputSchema":{"type":"object"},"timeoutMs":0}"#;
        assert_eq!(ToolDef::from_json(&parse(bad).unwrap()).unwrap_err().code, "INVALID_TOOL");
        r.unregister("clock").unwrap();
        assert_eq!(r.unregister("clock").unwrap_err().code, "TOOL_NOT_FOUND");
    }
}
