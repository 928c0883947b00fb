//! Hook points as phases: verdicts, rewrites, failures and timeouts at
//! every point, foreground and background, ordering and scope.

use super::*;

fn hook(h: &mut Harness, point: &str, extra: Value) -> String {
    let mut spec = json!({"point": point});
    spec.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    h.cmd(json!({"op":"register_hook","hook":spec})).unwrap()["hookId"].as_str().unwrap().to_string()
}

/// Answer the oldest pending hook effect; its context.
fn verdict(h: &mut Harness, answer: Value) -> Value {
    let effect = h.take("hook");
    h.cmd(json!({"op":"hook_result","id":effect["id"],"verdict":answer})).unwrap();
    effect["ctx"].clone()
}

fn deny(reason: &str) -> Value {
    json!({"decision":"deny","reasonCode":reason,"message":format!("{reason} says no"),"payload":{"why":reason}})
}

fn body(http: &Value) -> Value {
    serde_json::from_str(http["body"].as_str().unwrap()).unwrap()
}

#[test]
fn run_started_hooks_see_the_prompt_and_a_deny_ends_the_run_before_any_request() {
    let mut h = Harness::proxy();
    let id = hook(&mut h, "run_started", json!({}));
    let s = h.session(json!({}));
    let run = h.turn(&s, "Hello there");
    assert_eq!(h.kinds(), ["hook", "timer"], "the run waits for the hook: no request yet");
    let ctx = verdict(&mut h, json!(null));
    assert_eq!(ctx, json!({"point":"run_started","sessionId":s,"runId":run,"turnNumber":0,"prompt":"Hello there"}));
    h.take("timer_cancel");
    assert!(h.take("http")["url"].as_str().unwrap().ends_with("/v1/messages"));

    // A deny: no request, HOOK_DENIED with details, the prompt rolled back.
    let mut h = Harness::proxy();
    hook(&mut h, "run_started", json!({}));
    let s = h.session(json!({}));
    h.turn(&s, "forbidden");
    verdict(&mut h, deny("policy"));
    let done = h.take("run_finished");
    assert_eq!(done["error"]["code"], "HOOK_DENIED");
    assert_eq!(done["error"]["details"]["point"], "run_started");
    assert_eq!(done["error"]["details"]["reasonCode"], "policy");
    assert_eq!(done["error"]["details"]["payload"], json!({"why":"policy"}));
    assert!(done["error"]["message"].as_str().unwrap().contains("policy says no"));
    assert!(h.effects.iter().all(|e| e["kind"] != "http"));
    assert_eq!(types(&h.events(&s)), ["run_started", "hook_started", "hook_completed", "hook_denied", "run_failed"]);
    assert!(h.history(&s).is_empty());
    assert!(id.starts_with("hook-"));
}

#[test]
fn pre_llm_request_rewrites_change_only_the_request() {
    let mut h = Harness::proxy();
    hook(&mut h, "pre_llm_request", json!({}));
    let s = h.session(json!({"systemPrompt":"original","maxTokens":100}));
    h.turn(&s, "hi");
    let ctx = verdict(
        &mut h,
        json!({"decision":"rewrite","patch":{"system":"rewritten","maxTokens":7,"temperature":0.5,
            "messages":[{"role":"user","content":[{"type":"text","text":"swapped"}]}]}}),
    );
    assert_eq!(ctx["request"]["system"], "original");
    assert_eq!(ctx["request"]["maxTokens"], 100);
    assert_eq!(ctx["request"]["messages"][0]["content"][0]["text"], "hi");
    assert_eq!(ctx["turnNumber"], 1, "the turn the request starts");
    let sent = body(&h.take("http"));
    assert_eq!(sent["system"], "rewritten");
    assert_eq!(sent["max_tokens"], 7);
    assert_eq!(sent["temperature"], 0.5);
    assert_eq!(sent["messages"][0]["content"][0]["text"], "swapped");
    let events = h.events(&s);
    let applied = events.iter().find(|e| e["type"] == "hook_rewrite_applied").unwrap();
    assert_eq!(applied["patch"]["maxTokens"], 7);
    // The transcript keeps the real prompt.
    assert_eq!(h.history(&s)[0]["content"][0]["text"], "hi");
}

/// A rewrite to no messages at all (which every provider refuses) is the
/// hook's failure: the request goes out as it was, and `hook_failed` says
/// what was wrong.
#[test]
fn a_pre_llm_request_rewrite_to_no_messages_is_refused() {
    let mut h = Harness::proxy();
    hook(&mut h, "pre_llm_request", json!({}));
    let s = h.session(json!({}));
    h.turn(&s, "hi");
    verdict(&mut h, json!({"decision":"rewrite","patch":{"messages":[]}}));
    let sent = body(&h.take("http"));
    assert_eq!(sent["messages"][0]["content"][0]["text"], "hi", "sent as it was");
    let failed = h.events(&s).into_iter().find(|e| e["type"] == "hook_failed").expect("hook_failed");
    assert!(failed["error"].as_str().unwrap().contains("patch.messages must hold at least one message"), "{failed}");
}

#[test]
fn post_llm_response_rewrites_the_answer_and_sees_the_calls() {
    let mut h = Harness::proxy();
    hook(&mut h, "post_llm_response", json!({}));
    let s = h.session(json!({}));
    h.turn(&s, "hi");
    let http = h.take("http");
    h.answer(&http, &anthropic("the original", &[]));
    let ctx = verdict(&mut h, json!({"decision":"rewrite","patch":{"text":"the rewrite"}}));
    assert_eq!(ctx["response"]["text"], "the original");
    assert_eq!(ctx["response"]["stopReason"], "end_turn");
    assert_eq!(ctx["response"]["usage"]["outputTokens"], 20);
    let done = h.take("run_finished");
    assert_eq!(done["result"]["text"], "the rewrite");
    assert_eq!(h.history(&s)[1]["content"], json!([{"type":"text","text":"the rewrite"}]));
    // A patch with a field this point cannot change is a hook failure.
    h.turn(&s, "again");
    let http = h.take("http");
    h.answer(&http, &anthropic("kept", &[]));
    verdict(&mut h, json!({"decision":"rewrite","patch":{"args":{}}}));
    assert_eq!(h.take("run_finished")["result"]["text"], "kept");
    let failed = h.events(&s).into_iter().find(|e| e["type"] == "hook_failed").unwrap();
    assert!(failed["error"].as_str().unwrap().contains("may set text"), "{failed}");
}

/// A deny at `post_llm_response` ends the run, but the answer it withheld
/// was received (and billed): its tokens count in the session's totals.
#[test]
fn a_post_llm_response_deny_keeps_the_answers_usage_in_the_totals() {
    let mut h = Harness::proxy();
    hook(&mut h, "post_llm_response", json!({}));
    let s = h.session(json!({}));
    h.turn(&s, "hi");
    let http = h.take("http");
    h.answer(&http, &anthropic("withheld", &[]));
    verdict(&mut h, deny("no"));
    let done = h.take("run_finished");
    assert_eq!(done["error"]["code"], "HOOK_DENIED");
    assert_eq!(done["totals"]["usage"]["inputTokens"], 100);
    assert_eq!(done["totals"]["usage"]["outputTokens"], 20);

    // So when the time budget runs out while the hook decides.
    let mut h = Harness::proxy();
    hook(&mut h, "post_llm_response", json!({}));
    let s = h.session(json!({}));
    h.cmd(json!({"op":"turn","session":s,"prompt":"hi","budget":{"durationMs":1000}})).unwrap();
    let deadline = h.take("timer");
    let http = h.take("http");
    h.answer(&http, &anthropic("withheld", &[]));
    h.take("hook");
    h.now += 1000.0;
    h.cmd(json!({"op":"timer_fired","id":deadline["id"]})).unwrap();
    let done = h.take("run_finished");
    assert_eq!(done["error"]["code"], "BUDGET_EXHAUSTED");
    assert_eq!(done["totals"]["usage"]["inputTokens"], 100);
    // The error's account of the run counts them too, once.
    assert_eq!(done["error"]["details"]["partial"]["usage"]["inputTokens"], 100);
    assert_eq!(done["error"]["details"]["partial"]["usage"]["outputTokens"], 20);
}

#[test]
fn tool_hooks_deny_rewrite_args_and_rewrite_results() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    hook(&mut h, "pre_tool_execution", json!({}));
    hook(&mut h, "post_tool_execution", json!({}));
    let s = h.session(json!({}));
    h.turn(&s, "weather in three places");
    let http = h.take("http");
    let calls = [
        ("t1", "get_weather", json!({"location":"Paris"})),
        ("t2", "get_weather", json!({"location":"Rome"})),
        ("t3", "get_weather", json!({"location":"Oslo"})),
    ];
    h.answer(&http, &anthropic("", &calls));
    // Each slot asks its pre hook; all three at once (the calls run in parallel).
    let pre: Vec<Value> = (0..3).map(|_| h.take("hook")).collect();
    assert_eq!(pre[0]["ctx"]["toolCall"], json!({"id":"t1","name":"get_weather","args":{"location":"Paris"}}));
    assert_eq!(pre[2]["ctx"]["toolCall"]["id"], "t3");
    // t1: denied. t2: args rewritten. t3: rewritten to args the schema refuses.
    h.cmd(json!({"op":"hook_result","id":pre[0]["id"],"verdict":deny("no_paris")})).unwrap();
    h.cmd(json!({"op":"hook_result","id":pre[1]["id"],"verdict":{"decision":"rewrite","patch":{"args":{"location":"Milan"}}}}))
        .unwrap();
    h.cmd(
        json!({"op":"hook_result","id":pre[2]["id"],"verdict":{"decision":"rewrite","patch":{"args":{"location":5}}}}),
    )
    .unwrap();
    let tool = h.take("tool");
    assert_eq!(tool["args"], json!({"location":"Milan"}));
    assert!(h.effects.iter().all(|e| e["kind"] != "tool"), "only the allowed call runs");
    h.cmd(json!({"op":"tool_result","id":tool["id"],"content":"18 °C"})).unwrap();
    let post = h.take("hook");
    assert_eq!(post["ctx"]["toolResult"], json!({"id":"t2","name":"get_weather","content":"18 °C","isError":false}));
    h.cmd(json!({"op":"hook_result","id":post["id"],"verdict":{"decision":"rewrite","patch":{"content":"redacted","isError":true}}}))
        .unwrap();
    let next = body(&h.take("http"));
    let results = &next["messages"][2]["content"];
    assert_eq!(results[0]["tool_use_id"], "t1");
    assert!(results[0]["content"][0]["text"].as_str().unwrap().contains("no_paris says no"));
    assert_eq!(results[0]["is_error"], true);
    assert_eq!(results[1]["content"][0]["text"], "redacted");
    assert_eq!(results[1]["is_error"], true);
    assert!(results[2]["content"][0]["text"].as_str().unwrap().starts_with("TOOL_ARGS_INVALID"));
    assert!(results[2]["content"][0]["text"].as_str().unwrap().contains("/location"));
}

/// A rewritten result is held to `maxPromptBytes` like the tool's own:
/// it goes back with every later request of the session.
#[test]
fn a_post_tool_execution_rewrite_past_max_prompt_bytes_is_cut_with_a_note() {
    let mut h = Harness::new(json!({"anthropicApiKey":"k","model":"claude-x","maxPromptBytes":10}));
    h.cmd(weather_tool()).unwrap();
    hook(&mut h, "post_tool_execution", json!({}));
    let s = h.session(json!({}));
    h.turn(&s, "weather");
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[("t1", "get_weather", json!({"location":"Oslo"}))]));
    let tool = h.take("tool");
    h.cmd(json!({"op":"tool_result","id":tool["id"],"content":"sunny"})).unwrap();
    let patch = json!({"content":[{"type":"text","text":"x".repeat(50)},{"type":"text","text":"more"}]});
    verdict(&mut h, json!({"decision":"rewrite","patch":patch}));
    let result = &body(&h.take("http"))["messages"][2]["content"][0]["content"];
    assert_eq!(result[0]["text"], "x".repeat(10));
    assert!(result[1]["text"].as_str().unwrap().starts_with("\n[TRUNCATED: the tool result was longer than 10 bytes"));
    assert_eq!(result.as_array().unwrap().len(), 2);
}

#[test]
fn turn_boundary_and_end_hooks() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    hook(&mut h, "turn_boundary", json!({}));
    hook(&mut h, "run_completed", json!({}));
    hook(&mut h, "run_failed", json!({}));
    let s = h.session(json!({}));
    h.turn(&s, "weather");
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[("t1", "get_weather", json!({"location":"Paris"}))]));
    let tool = h.take("tool");
    h.cmd(json!({"op":"tool_result","id":tool["id"],"content":"sunny"})).unwrap();
    // Between turns: the boundary hook, before the next request.
    assert!(h.effects.iter().all(|e| e["kind"] != "http"));
    let ctx = verdict(&mut h, json!(null));
    assert_eq!((ctx["point"].as_str(), ctx["turnNumber"].as_u64()), (Some("turn_boundary"), Some(1)));
    let http = h.take("http");
    h.answer(&http, &anthropic("done", &[]));
    // run_completed sees the result, and may veto it.
    let ctx = verdict(&mut h, deny("veto"));
    assert_eq!(ctx["result"]["text"], "done");
    let done = h.take("run_finished");
    assert_eq!(done["error"]["code"], "HOOK_DENIED");
    assert!(h.effects.iter().all(|e| e["kind"] != "hook"), "no run_failed round after a veto");

    // run_failed sees the error; its deny cannot change it.
    let mut h = Harness::no_retry();
    hook(&mut h, "run_failed", json!({}));
    let s = h.session(json!({}));
    h.turn(&s, "hi");
    let http = h.take("http");
    h.respond(&http, 500, json!([]), b"oops", 10);
    let ctx = verdict(&mut h, deny("ignored"));
    assert_eq!(ctx["error"]["code"], "PROVIDER_UNAVAILABLE");
    assert_eq!(h.take("run_finished")["error"]["code"], "PROVIDER_UNAVAILABLE");
}

#[test]
fn foreground_hooks_run_in_priority_order_one_at_a_time() {
    let mut h = Harness::proxy();
    let low = hook(&mut h, "pre_llm_request", json!({"priority":-1}));
    let high = hook(&mut h, "pre_llm_request", json!({"priority":5}));
    let mid = hook(&mut h, "pre_llm_request", json!({}));
    let s = h.session(json!({}));
    h.turn(&s, "hi");
    let first = h.take("hook");
    assert_eq!(first["hookId"], high.as_str());
    assert!(h.effects.iter().all(|e| e["kind"] != "hook"), "one at a time");
    h.cmd(json!({"op":"hook_result","id":first["id"],"verdict":{"decision":"rewrite","patch":{"system":"from high"}}}))
        .unwrap();
    let second = h.take("hook");
    assert_eq!(second["hookId"], mid.as_str());
    // A rewrite shows in the next hook's context.
    assert_eq!(second["ctx"]["request"]["system"], "from high");
    // A hook unregistered while the chain waits is skipped.
    h.cmd(json!({"op":"unregister_hook","hookId":low})).unwrap();
    h.cmd(json!({"op":"hook_result","id":second["id"]})).unwrap();
    assert_eq!(body(&h.take("http"))["system"], "from high");
    assert_eq!(h.code(json!({"op":"unregister_hook","hookId":low})), "HOOK_NOT_FOUND");
}

#[test]
fn background_hooks_observe_and_publish_without_delaying_the_run() {
    let mut h = Harness::proxy();
    hook(&mut h, "pre_llm_request", json!({"mode":"background"}));
    let s = h.session(json!({}));
    h.turn(&s, "hi");
    let effect = h.take("hook");
    let http = h.take("http"); // sent at once
    h.answer(&http, &anthropic("answer", &[]));
    assert_eq!(h.take("run_finished")["result"]["text"], "answer");
    // It answers after the run: reported, not applied.
    h.now += 12.0;
    h.cmd(json!({"op":"hook_result","id":effect["id"],"verdict":{"decision":"rewrite","patch":{"system":"late"}}}))
        .unwrap();
    let events = h.events(&s);
    let completed = events.iter().find(|e| e["type"] == "hook_completed").unwrap();
    assert_eq!(completed["durationMs"], 12);
    let published = events.iter().find(|e| e["type"] == "hook_patch_published").unwrap();
    assert_eq!(published["envelope"]["patch"]["system"], "late");
    assert_eq!(published["envelope"]["applied"], false);
    assert!(events.iter().all(|e| e["type"] != "hook_rewrite_applied"));
}

#[test]
fn failures_follow_the_failure_policy_and_timeouts_count_as_failures() {
    // Thrown, fail_open: the run goes on.
    let mut h = Harness::proxy();
    hook(&mut h, "run_started", json!({}));
    let s = h.session(json!({}));
    h.turn(&s, "hi");
    let effect = h.take("hook");
    h.cmd(json!({"op":"hook_result","id":effect["id"],"error":"TypeError: boom"})).unwrap();
    h.take("http");
    let failed = h.events(&s).into_iter().find(|e| e["type"] == "hook_failed").unwrap();
    assert!(failed["error"].as_str().unwrap().contains("TypeError: boom"));

    // Timed out, fail_closed: denied with reasonCode hook_failure; a late answer is refused.
    let mut h = Harness::proxy();
    hook(&mut h, "run_started", json!({"failurePolicy":"fail_closed","timeoutMs":40}));
    let s = h.session(json!({}));
    h.turn(&s, "hi");
    let effect = h.take("hook");
    let timer = h.take("timer");
    assert_eq!(timer["delayMs"], 40);
    h.now += 40.0;
    h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    let done = h.take("run_finished");
    assert_eq!(done["error"]["code"], "HOOK_DENIED");
    assert_eq!(done["error"]["details"]["reasonCode"], "hook_failure");
    assert_eq!(h.code(json!({"op":"hook_result","id":effect["id"]})), "UNKNOWN_EFFECT");
    assert_eq!(types(&h.events(&s))[..4], ["run_started", "hook_started", "hook_failed", "hook_denied"]);

    // An answer that is not a verdict is a failure too.
    let mut h = Harness::proxy();
    hook(&mut h, "run_started", json!({"failurePolicy":"fail_closed"}));
    let s = h.session(json!({}));
    h.turn(&s, "hi");
    verdict(&mut h, json!({"decision":"maybe"}));
    assert_eq!(h.take("run_finished")["error"]["code"], "HOOK_DENIED");
    let _ = s;
}

#[test]
fn session_hooks_apply_to_their_session_and_go_with_it() {
    let mut h = Harness::proxy();
    let a = h.session(json!({}));
    let b = h.session(json!({}));
    let ok = h.cmd(json!({"op":"register_hook","session":a,"hook":{"point":"run_started"}})).unwrap();
    let id = ok["hookId"].as_str().unwrap().to_string();
    h.turn(&b, "no hook here");
    assert!(h.effects.iter().all(|e| e["kind"] != "hook"));
    h.effects.clear();
    h.turn(&a, "hooked");
    assert_eq!(h.take("hook")["hookId"], id.as_str());
    h.cmd(json!({"op":"destroy_session","session":a})).unwrap();
    assert_eq!(h.code(json!({"op":"unregister_hook","hookId":id})), "HOOK_NOT_FOUND");
    assert_eq!(
        h.code(json!({"op":"register_hook","session":"nope","hook":{"point":"run_started"}})),
        "SESSION_NOT_FOUND"
    );
    assert_eq!(h.code(json!({"op":"register_hook","hook":{"point":"whenever"}})), "INVALID_HOOK");
}

#[test]
fn an_interrupt_while_a_hook_decides_stops_the_run() {
    let mut h = Harness::proxy();
    hook(&mut h, "pre_llm_request", json!({}));
    let s = h.session(json!({}));
    h.turn(&s, "hi");
    let effect = h.take("hook");
    h.cmd(json!({"op":"interrupt","session":s})).unwrap();
    let done = h.take("run_finished");
    assert_eq!(done["result"]["turns"], 0);
    assert_eq!(h.code(json!({"op":"hook_result","id":effect["id"]})), "UNKNOWN_EFFECT");
    // The hook's call ends with the run; `turn_completed` says it was cancelled (the README's signal).
    let events = h.events(&s);
    assert_eq!(types(&events), ["run_started", "hook_started", "hook_failed", "turn_completed", "run_completed"]);
    assert_eq!(events[2]["error"], "the run stopped before the hook answered");
    assert_eq!(events[3]["stopReason"], "cancelled");
    // The session takes the next turn.
    h.turn(&s, "next");
    assert_eq!(h.take("hook")["ctx"]["point"], "pre_llm_request");
}
