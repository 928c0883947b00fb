//! What a run produces: the SDK's `RunResult`, its schema warnings, and the
//! session-lifetime counters sent with every finished run.

use crate::json::{ObjectWriter, Raw, write_array};
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
    /// `SkillRuntimeDiagnostics` when the run used skills of an HTTP source.
    pub skill_diagnostics: Option<Raw>,
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
        // `[]` for a parsed answer that fits: the caller asked, so it hears.
        if self.structured_output.is_some() || !self.schema_warnings.is_empty() {
            write_array(o.key("schemaWarnings"), &self.schema_warnings, |w, out| {
                let mut o = ObjectWriter::new(out);
                o.str("provider", w.provider).str("path", &w.path).str("message", &w.message);
                o.end();
            });
        }
        if let Some(diagnostics) = &self.skill_diagnostics {
            o.raw("skillDiagnostics", diagnostics.as_str());
        }
        o.end();
    }

    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
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
