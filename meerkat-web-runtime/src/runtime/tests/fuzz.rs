//! Every op with random values of every type, against a runtime with runs,
//! hooks, tools and skill fetches in flight: each reply is a result or a
//! typed error, never a panic, and the runtime keeps working.

use super::*;
use crate::ids::Rng;

const OPS: &[(&str, &[&str])] = &[
    ("create_session", &["config"]),
    ("destroy_session", &["session"]),
    ("turn", &["session", "prompt", "outputSchema", "budget", "skillRefs"]),
    ("compact", &["session"]),
    ("history", &["session"]),
    ("session_info", &["session"]),
    ("archive", &["session"]),
    ("append_system_context", &["session", "text"]),
    ("open_reader", &["session"]),
    ("close_reader", &["session", "reader"]),
    ("register_tool", &["tool"]),
    ("unregister_tool", &["name"]),
    ("register_hook", &["hook", "session"]),
    ("unregister_hook", &["hookId"]),
    ("add_skill_source", &["source"]),
    ("refresh_skill_source", &["sourceUuid"]),
    ("remove_skill_source", &["sourceUuid"]),
    ("http_head", &["id", "status", "headers"]),
    ("http_end", &["id"]),
    ("http_error", &["id", "message"]),
    ("tool_result", &["id", "content", "isError"]),
    ("hook_result", &["id", "verdict", "error"]),
    ("timer_fired", &["id"]),
    ("interrupt", &["session"]),
];

fn random_value(rng: &mut Rng, depth: u32, ids: &[Value]) -> Value {
    match rng.next_u64() % if depth > 2 { 7 } else { 10 } {
        0 => Value::Null,
        1 => json!(rng.next_u64().is_multiple_of(2)),
        2 => json!((rng.next_u64() % 2000) as i64 - 1000),
        3 => json!(rng.next_f64() * 1e6),
        4 => json!(
            ["", "x", "run_started", "pre_tool_execution", "deny", "rewrite", "get_weather", "kit/tone", "\u{0}", "é"]
                [(rng.next_u64() % 10) as usize]
        ),
        5 | 6 => ids.get((rng.next_u64() % ids.len().max(1) as u64) as usize).cloned().unwrap_or(Value::Null),
        7 => Value::Array((0..rng.next_u64() % 3).map(|_| random_value(rng, depth + 1, ids)).collect()),
        _ => {
            let keys = [
                "point",
                "decision",
                "patch",
                "args",
                "text",
                "content",
                "skills",
                "url",
                "name",
                "tokens",
                "toolCalls",
                "inputSchema",
                "type",
                "sourceUuid",
                "skillName",
                "mode",
                "timeoutMs",
                "priority",
            ];
            let mut o = serde_json::Map::new();
            for _ in 0..rng.next_u64() % 4 {
                let k = keys[(rng.next_u64() % keys.len() as u64) as usize];
                o.insert(k.into(), random_value(rng, depth + 1, ids));
            }
            Value::Object(o)
        }
    }
}

#[test]
fn random_commands_against_live_state_give_typed_errors_and_leave_the_runtime_working() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    h.cmd(json!({"op":"register_hook","hook":{"point":"pre_tool_execution"}})).unwrap();
    h.cmd(json!({"op":"register_hook","hook":{"point":"post_llm_response","mode":"background"}})).unwrap();
    h.cmd(json!({"op":"add_skill_source","source":{"url":"http://127.0.0.1:9/i.json"}})).unwrap();
    let s = h.session(json!({"compaction":{"thresholdTokens":1}}));
    h.turn(&s, "weather");
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[("t1", "get_weather", json!({"location":"Paris"}))]));
    let mut rng = Rng::from_entropy(b"fuzz the command table");
    for round in 0..3000 {
        let ids: Vec<Value> =
            h.effects.iter().filter_map(|e| e.get("id").cloned()).chain([json!(s), json!(1), json!(0)]).collect();
        let (op, fields) = OPS[(rng.next_u64() % OPS.len() as u64) as usize];
        let mut cmd = serde_json::Map::new();
        cmd.insert("op".into(), json!(op));
        for field in fields.iter() {
            if !rng.next_u64().is_multiple_of(4) {
                cmd.insert((*field).into(), random_value(&mut rng, 0, &ids));
            }
        }
        let text = Value::Object(cmd).to_string();
        let reply: Value =
            serde_json::from_str(&h.rt.command(h.now, &text)).unwrap_or_else(|e| panic!("round {round}: {e}"));
        if let Some(code) = reply.get("error").map(|e| e["code"].as_str().unwrap().to_string()) {
            assert!(ErrorCode::ALL.iter().any(|c| c.as_str() == code), "{code}");
        }
        h.effects.extend(reply["effects"].as_array().unwrap().iter().cloned());
        if rng.next_u64().is_multiple_of(50) {
            let id = ids.first().and_then(Value::as_u64).unwrap_or(1) as u32;
            let bytes: Vec<u8> = (0..rng.next_u64() % 64).map(|_| rng.next_u64() as u8).collect();
            let _ = h.rt.push_body(h.now, id, &bytes);
        }
        h.now += (rng.next_u64() % 100) as f64;
    }
    // Still working: a fresh session runs a turn.
    let fresh = h.session(json!({}));
    h.effects.clear();
    h.turn(&fresh, "still alive");
    assert!(h.effects.iter().any(|e| e["kind"] == "http" && e["sessionId"] == fresh.as_str()));
}
