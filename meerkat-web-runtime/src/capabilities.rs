//! What this build offers (`runtime.capabilities`, and what a mobpack may
//! require): one table.

use crate::json::{ObjectWriter, write_array};

/// `(id, description, status)`: `Available`, or `NotCompiled` for what a
/// browser cannot have.
const CAPABILITIES: &[(&str, &str, &str)] = &[
    ("sessions", "Ephemeral sessions with history, events and counters", "Available"),
    ("streaming", "Token streaming as text_delta events", "Available"),
    ("tools", "Host tools (JavaScript functions) with timeouts and argument validation", "Available"),
    ("hooks", "In-process hooks at the eight run points (allow, deny, rewrite)", "Available"),
    ("skills", "Embedded skill sources, preloaded or injected per turn", "Available"),
    ("skills_http", "HTTP skill sources, fetched and cached", "Available"),
    ("compaction", "Context compaction by summary", "Available"),
    ("structured_output", "Structured output checked against a JSON Schema", "Available"),
    ("budgets", "Token, time and tool-call budgets per run", "Available"),
    ("mobs", "Multi-agent mobs: members, wiring, flows", "Available"),
    ("comms", "Peer messaging between mob members (comms tools)", "Available"),
    ("shell", "Shell tools", "NotCompiled"),
    ("filesystem", "Filesystem tools and sources", "NotCompiled"),
    ("mcp_stdio", "MCP servers over stdio", "NotCompiled"),
    ("process_spawn", "Spawning processes", "NotCompiled"),
];

/// The status of capability `id`, if this build knows it.
pub fn status(id: &str) -> Option<&'static str> {
    CAPABILITIES.iter().find(|(known, _, _)| *known == id).map(|(_, _, status)| *status)
}

/// Every capability id, for messages.
pub fn ids() -> String {
    let ids: Vec<&str> = CAPABILITIES.iter().map(|(id, _, _)| *id).collect();
    crate::text::join(&ids, ", ")
}

pub fn json() -> String {
    let mut out = String::new();
    write_array(&mut out, CAPABILITIES, |(id, description, status), out| {
        let mut o = ObjectWriter::new(out);
        o.str("id", id).str("description", description).str("status", status);
        o.end();
    });
    out
}
