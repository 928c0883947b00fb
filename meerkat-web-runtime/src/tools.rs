//! The tool registry: definitions only. Handlers live in the host; the core
//! asks for a call with a `tool` effect and is told the result.

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::fields::Fields;
use crate::json::{Json, Raw, quote};

#[derive(Clone, Debug, PartialEq)]
pub struct ToolDef {
    pub name: String,
    pub description: String,
    /// The JSON Schema of the arguments, as compact JSON text.
    pub input_schema: Raw,
}

const MAX_DESCRIPTION_BYTES: usize = 64 * 1024;
const MAX_TOOLS: usize = 512;

impl ToolDef {
    /// `{name, description, inputSchema}` as `registerTool` sends it.
    pub fn from_json(value: &Json<'_>) -> CoreResult<ToolDef> {
        let f = Fields::new(value, "tool", &["name", "description", "inputSchema"], ErrorCode::InvalidTool)?;
        let schema =
            f.get("inputSchema").ok_or_else(|| CoreError::new(ErrorCode::InvalidTool, "tool needs an inputSchema"))?;
        let is_object_schema = schema.get("type").and_then(Json::as_str) == Some("object");
        let def = ToolDef {
            name: f.req_str("name")?.to_string(),
            description: f.string("description")?.unwrap_or_default(),
            input_schema: Raw::from_json(schema),
        };
        def.validate()?;
        if !is_object_schema {
            return Err(CoreError::new(
                ErrorCode::InvalidTool,
                format!("tool {}: inputSchema must be a JSON Schema object with \"type\": \"object\"", def.name),
            ));
        }
        Ok(def)
    }

    fn validate(&self) -> CoreResult<()> {
        let name_ok = (1..=64).contains(&self.name.len())
            && self.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !name_ok {
            return Err(CoreError::new(
                ErrorCode::InvalidTool,
                format!(
                    "tool name {} must be 1-64 characters of letters, digits, '_' or '-'",
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

#[derive(Debug, Default)]
pub struct ToolRegistry {
    tools: Vec<ToolDef>,
}

impl ToolRegistry {
    pub fn register(&mut self, def: ToolDef) -> CoreResult<()> {
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

    /// The tools a session may use: all, or the named subset.
    pub fn visible<'a>(&'a self, allowed: Option<&[String]>) -> Vec<&'a ToolDef> {
        self.tools.iter().filter(|t| allowed.is_none_or(|names| names.iter().any(|n| n == &t.name))).collect()
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
        assert_eq!(ToolDef::from_json(&parse(r#"{"name":"x"}"#).unwrap()).unwrap_err().code, "INVALID_TOOL");
        r.register(def("calc", r#"{"type":"object"}"#).unwrap()).unwrap();
        assert_eq!(r.visible(None).len(), 2);
        assert_eq!(r.visible(Some(&["calc".to_string()])).len(), 1);
        r.unregister("clock").unwrap();
        assert_eq!(r.unregister("clock").unwrap_err().code, "TOOL_NOT_FOUND");
    }
}
