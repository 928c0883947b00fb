//! Tool execution: timeouts on the core's clock, argument validation,
//! read-only sessions, parallel calls answered out of order, core tools.

use super::*;

fn body(http: &Value) -> Value {
    serde_json::from_str(http["body"].as_str().unwrap()).unwrap()
}

#[test]
fn a_tool_that_does_not_answer_in_time_times_out_and_the_run_goes_on() {
    let mut h = Harness::proxy();
    h.cmd(json!({"op":"register_tool","tool":{"name":"slow","description":"","inputSchema":{"type":"object"},"timeoutMs":50}}))
        .unwrap();
    h.cmd(weather_tool()).unwrap();
    let s = h.session(json!({"toolTimeoutMs":5000}));
    h.turn(&s, "both");
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[("t1", "slow", json!({})), ("t2", "get_weather", json!({"location":"Oslo"}))]));
    let slow = h.take("tool");
    let timer = h.take("timer");
    assert_eq!(timer["delayMs"], 50, "the tool's own timeout wins over the session's");
    let weather = h.take("tool");
    assert_eq!(h.take("timer")["delayMs"], 5000, "the session's default for the other");
    // Answered out of order: results still go back in call order.
    h.cmd(json!({"op":"tool_result","id":weather["id"],"content":"snow"})).unwrap();
    h.now += 50.0;
    h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    let next = body(&h.take("http"));
    let results = &next["messages"][2]["content"];
    assert_eq!(results[0]["tool_use_id"], "t1");
    assert!(results[0]["content"][0]["text"].as_str().unwrap().starts_with("TOOL_TIMEOUT"));
    assert_eq!(results[0]["is_error"], true);
    assert_eq!(results[1]["content"][0]["text"], "snow");
    // The late answer is refused, nothing changes.
    assert_eq!(h.code(json!({"op":"tool_result","id":slow["id"],"content":"late"})), "UNKNOWN_EFFECT");
    let events = h.events(&s);
    let timed_out = events.iter().find(|e| e["type"] == "tool_execution_timed_out").unwrap();
    assert_eq!(*timed_out, json!({"type":"tool_execution_timed_out","id":"t1","name":"slow","timeoutMs":50}));
}

#[test]
fn arguments_are_checked_against_the_schema_and_read_only_sessions_refuse_writers() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    h.cmd(json!({"op":"register_tool","tool":{"name":"lookup","description":"","inputSchema":{"type":"object"},"readOnly":true}}))
        .unwrap();
    let s = h.session(json!({"readOnly":true}));
    h.turn(&s, "x");
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[("t1", "get_weather", json!({"location":"Paris"})), ("t2", "lookup", json!({}))]));
    let tool = h.take("tool");
    assert_eq!(tool["name"], "lookup", "only the read-only tool runs");
    assert!(h.effects.iter().all(|e| e["kind"] != "tool"));
    h.cmd(json!({"op":"tool_result","id":tool["id"],"content":"found"})).unwrap();
    let next = body(&h.take("http"));
    assert!(next["messages"][2]["content"][0]["content"][0]["text"].as_str().unwrap().starts_with("TOOL_NOT_ALLOWED"));

    let s = h.session(json!({}));
    h.turn(&s, "y");
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[("t1", "get_weather", json!({"location":5,"extra":true}))]));
    assert!(h.effects.iter().all(|e| e["kind"] != "tool"), "the handler is not called");
    let next = body(&h.take("http"));
    let text = next["messages"][2]["content"][0]["content"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("TOOL_ARGS_INVALID") && text.contains("at /location"), "{text}");
}

#[test]
fn core_tools_run_inside_the_core() {
    let mut h = Harness::proxy();
    h.cmd(json!({"op":"add_skill_source","source":{"sourceUuid":"kit","skills":[
        {"name":"email","description":"Find emails","content":"Extract every address."},
        {"name":"tone","description":"Be kind","content":"Write kindly."}]}}))
        .unwrap();
    let s = h.session(json!({"skillTools":true}));
    h.turn(&s, "x");
    let http = h.take("http");
    let offered: Vec<String> =
        body(&http)["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(offered, ["browse_skills", "load_skill"]);
    h.answer(
        &http,
        &anthropic(
            "",
            &[
                ("t1", "browse_skills", json!({"query":"EMAIL"})),
                ("t2", "load_skill", json!({"key":"kit/tone"})),
                ("t3", "load_skill", json!({"key":"kit/nope"})),
            ],
        ),
    );
    // No tool effect: the next request follows at once.
    assert!(h.effects.iter().all(|e| e["kind"] != "tool"));
    let next = body(&h.take("http"));
    let results = &next["messages"][2]["content"];
    let listed: Value = serde_json::from_str(results[0]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(listed, json!([{"key":"kit/email","name":"email","description":"Find emails"}]));
    assert_eq!(results[1]["content"][0]["text"], "Write kindly.");
    assert!(results[2]["content"][0]["text"].as_str().unwrap().starts_with("SKILL_NOT_FOUND"));
    assert_eq!(results[2]["is_error"], true);
    // Sessions without skillTools do not see them.
    let plain = h.session(json!({}));
    h.turn(&plain, "x");
    assert!(body(&h.take("http")).get("tools").is_none());
}

#[test]
fn a_tool_result_past_max_prompt_bytes_is_cut_with_a_note_the_model_reads() {
    let mut h = Harness::new(json!({"anthropicApiKey":"k","model":"claude-x","maxPromptBytes":10}));
    h.cmd(weather_tool()).unwrap();
    let s = h.session(json!({}));
    h.turn(&s, "weather");
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[("t1", "get_weather", json!({"location":"Oslo"}))]));
    let tool = h.take("tool");
    // Nine bytes of text fit, the 'é' (two bytes) at 9..11 does not.
    let text = format!("123456789é{}", "x".repeat(100));
    h.cmd(json!({"op":"tool_result","id":tool["id"],"content":[{"type":"text","text":text},{"type":"text","text":"more"}]}))
        .unwrap();
    let result = &body(&h.take("http"))["messages"][2]["content"][0]["content"];
    assert_eq!(result[0]["text"], "123456789");
    assert!(result[1]["text"].as_str().unwrap().starts_with("\n[TRUNCATED: the tool result was longer than 10 bytes"));
    assert_eq!(result.as_array().unwrap().len(), 2);
}

#[test]
fn registering_and_unregistering_a_tool_tells_the_sessions_that_offer_it() {
    let mut h = Harness::proxy();
    h.cmd(json!({"op":"register_tool","tool":{"name":"clock","description":"","inputSchema":{"type":"object"}}}))
        .unwrap();
    let idle = h.session(json!({}));
    let others = h.session(json!({"tools":["clock"]}));
    let busy = h.session(json!({}));
    h.turn(&busy, "weather?");
    let first = h.take("http");
    let changed = |operation: &str, turn: u32| {
        json!({"type":"tool_config_changed","payload":{"operation":operation,"target":"get_weather",
            "status":"applied","persisted":false,"appliedAtTurn":turn}})
    };
    let of_type = |events: Vec<Value>| -> Vec<Value> {
        events.into_iter().filter(|e| e["type"] == "tool_config_changed").collect()
    };
    h.events(&busy);
    h.cmd(weather_tool()).unwrap();
    assert_eq!(of_type(h.events(&idle)), [changed("add", 1)], "the next run's first turn offers it");
    assert_eq!(of_type(h.events(&others)), Vec::<Value>::new(), "a session that does not offer it is not told");
    assert_eq!(of_type(h.events(&busy)), [changed("add", 2)], "the run in flight offers it from its next turn");
    // And it does: the run's second request lists the tool.
    h.answer(&first, &anthropic("", &[("t1", "clock", json!({}))]));
    let clock = h.take("tool");
    h.cmd(json!({"op":"tool_result","id":clock["id"],"content":"noon"})).unwrap();
    let second = body(&h.take("http"));
    assert!(second["tools"].as_array().unwrap().iter().any(|t| t["name"] == "get_weather"), "{second}");
    // A refused registration (a duplicate) tells nobody.
    assert_eq!(h.code(weather_tool()), "DUPLICATE_TOOL");
    assert_eq!(of_type(h.events(&idle)), Vec::<Value>::new());
    h.cmd(json!({"op":"unregister_tool","name":"get_weather"})).unwrap();
    assert_eq!(of_type(h.events(&idle)), [changed("remove", 1)]);
}
