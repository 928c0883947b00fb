//! The tools the core runs itself: skills on demand, and the comms tools
//! (carried out by the message bus).

use super::Ctx;
use super::tools::ToolOutput;
use crate::comms::{self, PeerCall};
use crate::json::{self, ArrayWriter, Json, ObjectWriter, Raw, quote};
use crate::skills::{SkillKey, SkillRegistry};
use crate::tools::CoreTool;
use crate::transcript::Part;

pub fn run(ctx: &mut Ctx<'_>, session: &str, tool: CoreTool, args: &Raw) -> ToolOutput {
    let args = json::parse(args.as_str()).unwrap_or(Json::Null);
    let field = |name| args.get(name).and_then(Json::as_str);
    let skills = ctx.skills;
    let mut peer = |call| comms::call(ctx.bus, session, call, &args, ctx.out, ctx.now_ms);
    let result = match tool {
        CoreTool::BrowseSkills => Ok(browse(skills, field("query").unwrap_or_default())),
        CoreTool::LoadSkill => load(skills, field("key").unwrap_or_default()),
        CoreTool::Peers => peer(PeerCall::Peers),
        CoreTool::SendMessage => peer(PeerCall::Message),
        CoreTool::SendRequest => peer(PeerCall::Request),
        CoreTool::SendResponse => peer(PeerCall::Response),
    };
    let (text, is_error) = match result {
        Ok(text) => (text, false),
        Err(text) => (text, true),
    };
    ToolOutput { content: vec![Part::Text { text }], is_error, duration_ms: 0 }
}

/// `[{key, name, description}]` of every skill whose name or description
/// contains `query` (ASCII case ignored: full Unicode case tables would
/// cost the wasm several KB for a filter).
fn browse(skills: &SkillRegistry, query: &str) -> String {
    let query = query.to_ascii_lowercase();
    let has = |text: &str| crate::text::contains(&text.to_ascii_lowercase(), &query);
    let mut out = String::new();
    let mut list = ArrayWriter::new(&mut out);
    for source in skills.sources() {
        for skill in &source.skills {
            if query.is_empty() || has(&skill.name) || has(&skill.description) {
                let mut o = ObjectWriter::new(list.item());
                o.str("key", &format!("{}/{}", source.uuid, skill.name)).str("name", &skill.name);
                o.str("description", &skill.description);
                o.end();
            }
        }
    }
    list.end();
    out
}

fn load(skills: &SkillRegistry, key: &str) -> Result<String, String> {
    let Some((source, name)) = key.split_once('/') else {
        return Err(format!("SKILL_NOT_FOUND: {} is not a skill key; use a key from browse_skills", quote(key)));
    };
    let key = SkillKey { source: source.to_string(), name: name.to_string() };
    skills.resolve(&key).map(|skill| skill.content.clone()).map_err(|e| format!("SKILL_NOT_FOUND: {}", e.message))
}
