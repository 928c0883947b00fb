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
    ("auth_result", &["id", "lease", "error", "reason"]),
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

const MOB_OPS: &[(&str, &[&str])] = &[
    ("create_mob", &["definition"]),
    ("check_mob_definition", &["definition"]),
    ("list_mobs", &[]),
    ("mob_status", &["mob"]),
    ("mob_lifecycle", &["mob", "action"]),
    ("mob_spawn", &["mob", "specs"]),
    ("mob_retire", &["mob", "member"]),
    ("mob_respawn", &["mob", "member", "initialMessage"]),
    ("mob_members", &["mob"]),
    ("mob_member_status", &["mob", "member"]),
    ("mob_send", &["mob", "member", "content", "handlingMode"]),
    ("mob_wire", &["mob", "a", "b"]),
    ("mob_unwire", &["mob", "a", "b"]),
    ("wire_cross_mob", &["mobA", "memberA", "mobB", "memberB"]),
    ("unwire_cross_mob", &["mobA", "memberA", "mobB", "memberB"]),
    ("mob_subscribe", &["mob", "member"]),
    ("mob_poll", &["mob", "subscription"]),
    ("mob_unsubscribe", &["mob", "subscription"]),
    ("mob_run_flow", &["mob", "flow", "params"]),
    ("mob_flow_status", &["mob", "runId"]),
    ("mob_cancel_flow", &["mob", "runId"]),
    ("timer_fired", &["id"]),
    ("destroy_session", &["session"]),
];

#[test]
fn random_mob_commands_and_comms_calls_never_panic() {
    let mut h = Harness::proxy();
    let def = json!({"id":"team","orchestrator":{"profile":"lead"},"limits":{"maxHops":4,"maxInboxDepth":3},
        "profiles":{"lead":{"model":"claude-sonnet-4-6"},"worker":{"model":"claude-sonnet-4-6"}},
        "flows":{"f":{"steps":[{"id":"a","role":"worker","message":"{{params.x}}","timeoutMs":50},
            {"id":"b","role":"lead","message":"{{steps.a.output}}","dependsOn":["a"],"condition":"steps.a.output != 'no'"}]}}});
    h.mob(def.clone());
    let mut other = def;
    other["id"] = json!("other");
    h.mob(other);
    let sessions = h.spawn("team", &[("lead", "lead"), ("worker", "worker")]);
    h.spawn("other", &[("worker", "worker")]);
    let mut rng = Rng::from_entropy(b"fuzz the mobs");
    let names = ["team", "other", "lead", "worker", "f", "f#1", "stop", "resume", "complete", "queue", "steer"];
    for round in 0..3000 {
        let mut ids: Vec<Value> = names.iter().map(|n| json!(n)).chain(sessions.iter().map(|s| json!(s))).collect();
        ids.extend(h.effects.iter().filter_map(|e| e.get("id").cloned()));
        ids.push(json!([{"profile":"worker","agent_identity":format!("w{round}")}]));
        let (op, fields) = MOB_OPS[(rng.next_u64() % MOB_OPS.len() as u64) as usize];
        let mut cmd = serde_json::Map::new();
        cmd.insert("op".into(), json!(op));
        for field in fields.iter() {
            // Mostly names that exist, so commands reach live state.
            let likely: &[&str] = match *field {
                "mob" | "mobA" | "mobB" => &["team", "other"],
                "member" | "a" | "b" | "memberA" | "memberB" => &["lead", "worker"],
                "content" | "initialMessage" => &["Send a message to worker.", "hello"],
                "action" => &["stop", "resume", "resume", "complete"],
                "handlingMode" => &["queue", "steer"],
                "flow" => &["f"],
                "runId" => &["f#1", "f#9"],
                _ => &[],
            };
            let value = match rng.next_u64() % 10 {
                0 => continue,
                1..=7 if !likely.is_empty() => json!(likely[(rng.next_u64() % likely.len() as u64) as usize]),
                1..=4 => ids[(rng.next_u64() % ids.len() as u64) as usize].clone(),
                _ => random_value(&mut rng, 0, &ids),
            };
            cmd.insert((*field).into(), value);
        }
        let reply: Value = serde_json::from_str(&h.rt.command(h.now, &Value::Object(cmd).to_string()))
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        if let Some(code) = reply.get("error").map(|e| e["code"].as_str().unwrap().to_string()) {
            assert!(ErrorCode::ALL.iter().any(|c| c.as_str() == code), "{code}");
        }
        h.effects.extend(reply["effects"].as_array().unwrap().iter().cloned());
        // Members answer with random comms calls.
        if let Some(at) = h.effects.iter().position(|e| e["kind"] == "http") {
            let http = h.effects.remove(at);
            let to = names[(rng.next_u64() % 4) as usize + 1];
            let tool = ["peers", "send_message", "send_request", "send_response"][(rng.next_u64() % 4) as usize];
            let args = json!({"to":to,"body":"x","requestId":format!("req-{}", rng.next_u64() % 5)});
            let calls = if rng.next_u64().is_multiple_of(3) { vec![] } else { vec![("c", tool, args)] };
            let id = http["id"].clone();
            h.raw(&json!({"op":"http_head","id":id,"status":200}).to_string());
            let _ = h.rt.push_body(h.now, id.as_u64().unwrap() as u32, &anthropic("ok", &calls));
            h.raw(&json!({"op":"http_end","id":id}).to_string());
        }
        h.now += (rng.next_u64() % 100) as f64;
    }
    // The bus carried traffic, and the runtime still answers.
    let kinds: std::collections::BTreeSet<&str> = h.effects.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert!(h.effects.iter().any(|e| e["kind"] == "run_finished"), "{kinds:?}");
    assert!(h.cmd(json!({"op":"list_mobs"})).is_ok());
}
