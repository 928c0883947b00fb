//! The context a hook receives: `{point, sessionId, runId, turnNumber}`
//! plus, by point, the request, the response, the tool call, the tool
//! result, the run's result or its error. Built only when a hook is there
//! to read it.

use super::tools::{ToolOutput, ToolSlot};
use super::{Outcome, Run, Step};
use crate::hooks::HookPoint;
use crate::json::{ObjectWriter, Raw, write_array};
use crate::provider::AssistantTurn;
use crate::transcript::text_of;

/// What the point is about.
pub(super) enum Subject<'a> {
    Run,
    Response(&'a AssistantTurn),
    Finish(&'a Outcome),
    ToolCall(&'a ToolSlot),
    ToolResult(&'a ToolSlot, &'a ToolOutput),
}

pub(super) fn build(st: &Step<'_, '_>, run: &Run, point: HookPoint, subject: &Subject<'_>) -> String {
    let session = &*st.session;
    let mut out = String::with_capacity(256);
    let mut o = ObjectWriter::new(&mut out);
    o.str("point", point.as_str()).str("sessionId", &session.id).u64("runId", run.id);
    // Before a request, the turn it starts (the counter moves when it is sent).
    let upcoming = u64::from(point == HookPoint::PreLlmRequest);
    o.u64("turnNumber", u64::from(run.llm_turns) + upcoming);
    match (point, subject) {
        (HookPoint::RunStarted, _) => {
            let prompt = session.transcript.get(run.transcript_mark).map(|m| m.text()).unwrap_or_default();
            o.str("prompt", &prompt);
        }
        (HookPoint::PreLlmRequest, _) => write_request(st, run, o.key("request")),
        (_, Subject::Response(turn)) => {
            let mut r = ObjectWriter::new(o.key("response"));
            r.str("text", &turn.text());
            write_array(r.key("toolCalls"), &turn.tool_calls, |call, out| {
                let mut c = ObjectWriter::new(out);
                c.str("id", &call.id).str("name", &call.name);
                c.raw("args", call.args.as_ref().map_or("null", Raw::as_str));
                c.end();
            });
            r.str("stopReason", turn.stop_reason.as_str());
            turn.usage.write_json(r.key("usage"));
            r.end();
        }
        (_, Subject::ToolCall(slot)) => slot.write_call(o.key("toolCall")),
        (_, Subject::ToolResult(slot, output)) => {
            let mut r = ObjectWriter::new(o.key("toolResult"));
            r.str("id", slot.call_id()).str("name", slot.name()).str("content", &text_of(&output.content));
            r.bool("isError", output.is_error);
            r.end();
        }
        (_, Subject::Finish(Outcome::Completed(result))) => result.write_json(o.key("result")),
        (_, Subject::Finish(Outcome::Failed(error))) => error.write_json(o.key("error")),
        _ => {}
    }
    o.end();
    out
}

/// `request: {model, system, messages, tools, maxTokens, temperature}` as
/// it will be sent (with any earlier hook's rewrite applied).
fn write_request(st: &Step<'_, '_>, run: &Run, out: &mut String) {
    let session = &*st.session;
    let patch = &run.patch;
    let mut r = ObjectWriter::new(out);
    r.str("model", &session.model);
    match patch.system(session, &run.injection) {
        Some(system) => r.str("system", &system),
        None => r.raw("system", "null"),
    };
    write_array(r.key("messages"), patch.messages(session), |m, out| m.write_json(out));
    let tools = st.ctx.tools.visible(session.tools.as_deref(), &session.core_tools);
    write_array(r.key("tools"), tools, |tool, out| {
        let mut t = ObjectWriter::new(out);
        t.str("name", &tool.name).str("description", &tool.description).raw("inputSchema", tool.input_schema.as_str());
        t.end();
    });
    r.u64("maxTokens", u64::from(patch.max_tokens(session)));
    r.raw("temperature", patch.temperature(session).map_or("null", Raw::as_str));
    r.end();
}
