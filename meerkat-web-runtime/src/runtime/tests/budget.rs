//! Budgets: warnings, the checks before a request and a tool call, and
//! the run's end with BUDGET_EXHAUSTED.

use super::*;

fn warnings(events: &[Value]) -> Vec<(String, u64, u64, u64)> {
    events
        .iter()
        .filter(|e| e["type"] == "budget_warning")
        .map(|e| {
            let n = |k: &str| e[k].as_u64().unwrap();
            (e["budgetType"].as_str().unwrap().to_string(), n("used"), n("limit"), n("percent"))
        })
        .collect()
}

#[test]
fn a_token_budget_warns_then_stops_the_next_request() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    // Each answer: 100 input + 20 output tokens.
    let s = h.session(json!({"budget":{"tokens":200,"warnAtPercent":50}}));
    h.turn(&s, "weather");
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[("t1", "get_weather", json!({"location":"Paris"}))]));
    let tool = h.take("tool");
    h.cmd(json!({"op":"tool_result","id":tool["id"],"content":"sunny"})).unwrap();
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[("t2", "get_weather", json!({"location":"Rome"}))]));
    let tool = h.take("tool");
    h.cmd(json!({"op":"tool_result","id":tool["id"],"content":"rain"})).unwrap();
    // 240 tokens used: the third request is not sent.
    assert!(h.effects.iter().all(|e| e["kind"] != "http"));
    let done = h.take("run_finished");
    let error = &done["error"];
    assert_eq!(error["code"], "BUDGET_EXHAUSTED");
    assert_eq!(error["details"]["budgetType"], "tokens");
    assert_eq!((error["details"]["used"].as_u64(), error["details"]["limit"].as_u64()), (Some(240), Some(200)));
    assert_eq!(error["details"]["partial"]["turns"], 2);
    assert_eq!(error["details"]["partial"]["toolCalls"], 2);
    assert!(error["message"].as_str().unwrap().contains("budget.tokens"));
    let events = h.events(&s);
    assert_eq!(warnings(&events), [("tokens".into(), 120, 200, 60), ("tokens".into(), 240, 200, 120)]);
    assert_eq!(events.last().unwrap()["type"], "run_failed");
    // The transcript stays consistent and the session usable.
    let history = h.history(&s);
    assert_eq!(history.len(), 5);
    h.turn(&s, "next");
    assert!(h.effects.iter().any(|e| e["kind"] == "http"));
}

#[test]
fn a_tool_call_budget_refuses_the_call_that_would_exceed_it() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    let s = h.session(json!({}));
    // The turn's budget replaces the session's (none here).
    h.cmd(json!({"op":"turn","session":s,"prompt":"three cities","budget":{"toolCalls":2}})).unwrap();
    let http = h.take("http");
    let calls = [
        ("t1", "get_weather", json!({"location":"Paris"})),
        ("t2", "get_weather", json!({"location":"Rome"})),
        ("t3", "get_weather", json!({"location":"Oslo"})),
    ];
    h.answer(&http, &anthropic("", &calls));
    let first = h.take("tool");
    let second = h.take("tool");
    assert!(h.effects.iter().all(|e| e["kind"] != "tool"), "the third call is not executed");
    h.cmd(json!({"op":"tool_result","id":first["id"],"content":"sunny"})).unwrap();
    h.cmd(json!({"op":"tool_result","id":second["id"],"content":"rain"})).unwrap();
    let done = h.take("run_finished");
    assert_eq!(done["error"]["code"], "BUDGET_EXHAUSTED");
    assert_eq!(done["error"]["details"]["budgetType"], "tool_calls");
    assert_eq!(done["error"]["details"]["used"], 2);
    assert_eq!(done["totals"]["toolCalls"], 2);
    let events = h.events(&s);
    // 1 of 2 is 50% (below 80%); 2 of 2 is the limit (and past 80%: one event).
    assert_eq!(warnings(&events), [("tool_calls".into(), 2, 2, 100)]);
    // Every call keeps its result in the transcript.
    let results = &h.history(&s)[2]["content"];
    assert_eq!(results.as_array().unwrap().len(), 3);
    assert!(results[2]["content"][0]["text"].as_str().unwrap().starts_with("BUDGET_EXHAUSTED"));
}

#[test]
fn a_time_budget_uses_the_clock_the_core_is_given() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    let s = h.session(json!({"budget":{"durationMs":1000}}));
    h.turn(&s, "weather");
    let http = h.take("http");
    h.now += 900.0;
    h.answer(&http, &anthropic("", &[("t1", "get_weather", json!({"location":"Paris"}))]));
    let tool = h.take("tool");
    h.now += 200.0;
    h.cmd(json!({"op":"tool_result","id":tool["id"],"content":"sunny"})).unwrap();
    let done = h.take("run_finished");
    assert_eq!(done["error"]["details"]["budgetType"], "time");
    assert_eq!(done["error"]["details"]["used"], 1100);
    // Past the warning level and the limit at once: one warning.
    assert_eq!(warnings(&h.events(&s)), [("time".into(), 1100, 1000, 110)]);
}

#[test]
fn bad_budgets_are_refused_and_change_nothing() {
    let mut h = Harness::proxy();
    assert_eq!(h.code(json!({"op":"create_session","config":{"budget":{"tokens":-5}}})), "INVALID_CONFIG");
    assert_eq!(h.code(json!({"op":"create_session","config":{"budget":{"warnAtPercent":0}}})), "INVALID_CONFIG");
    let s = h.session(json!({}));
    for bad in [json!({"tokens":0}), json!({"toolCalls":"two"}), json!({"cost":1}), json!([1])] {
        assert_eq!(h.code(json!({"op":"turn","session":s,"prompt":"x","budget":bad})), "INVALID_CONFIG");
    }
    assert!(h.effects.is_empty());
    assert!(h.history(&s).is_empty());
}

#[test]
fn a_time_budget_ends_a_run_held_by_a_tool_that_never_answers() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    let s = h.session(json!({}));
    h.cmd(json!({"op":"turn","session":s,"prompt":"weather","budget":{"durationMs":1000}})).unwrap();
    let deadline = h.take("timer");
    assert_eq!(deadline["delayMs"], 1000);
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[("t1", "get_weather", json!({"location":"Paris"}))]));
    let tool = h.take("tool");
    h.now += 1000.0;
    h.cmd(json!({"op":"timer_fired","id":deadline["id"]})).unwrap();
    let error = &h.take("run_finished")["error"];
    assert_eq!(
        (error["code"].as_str(), error["details"]["budgetType"].as_str()),
        (Some("BUDGET_EXHAUSTED"), Some("time"))
    );
    assert_eq!(error["details"]["partial"]["toolCalls"], 1);
    // The late answer is refused; the call kept a result, so the session goes on.
    assert_eq!(h.code(json!({"op":"tool_result","id":tool["id"],"content":"late"})), "UNKNOWN_EFFECT");
    let history = h.history(&s);
    assert_eq!(history.len(), 3);
    assert!(history[2]["content"][0]["content"][0]["text"].as_str().unwrap().contains("BUDGET_EXHAUSTED"));
    h.turn(&s, "next");
    assert!(h.effects.iter().any(|e| e["kind"] == "http"));
}

#[test]
fn a_run_that_ends_in_time_cancels_its_deadline() {
    let mut h = Harness::proxy();
    let s = h.session(json!({"budget":{"durationMs":60000}}));
    h.turn(&s, "hi");
    let deadline = h.take("timer");
    let http = h.take("http");
    h.answer(&http, &anthropic("hello", &[]));
    h.take("run_finished");
    let cancel = h.take("timer_cancel");
    assert_eq!(cancel["id"], deadline["id"]);
}

/// A host timer may fire a little before the host's clock reaches the
/// limit (timers round to the millisecond): the run is not let go on then,
/// a timer for the rest takes over.
#[test]
fn a_deadline_that_fires_a_little_early_is_set_again_for_the_rest() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    let s = h.session(json!({}));
    h.cmd(json!({"op":"turn","session":s,"prompt":"weather","budget":{"durationMs":100}})).unwrap();
    let deadline = h.take("timer");
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[("t1", "get_weather", json!({"location":"Paris"}))]));
    h.take("tool");
    h.now += 99.6;
    h.cmd(json!({"op":"timer_fired","id":deadline["id"]})).unwrap();
    assert!(h.effects.iter().all(|e| e["kind"] != "run_finished"), "not yet out of time");
    let rest = h.take("timer");
    assert_eq!(rest["delayMs"], 1);
    h.now += 1.0;
    h.cmd(json!({"op":"timer_fired","id":rest["id"]})).unwrap();
    assert_eq!(h.take("run_finished")["error"]["code"], "BUDGET_EXHAUSTED");
}

/// A run backing off before a retry past its `durationMs` fails at once:
/// waiting out the backoff to send a request the budget forbids would
/// only spend time and tokens.
#[test]
fn a_time_budget_ends_a_run_backing_off_before_a_retry() {
    let mut h = Harness::proxy();
    let s = h.session(
        json!({"budget":{"durationMs":1000},"retry":{"maxRetries":2,"initialDelayMs":5000,"maxDelayMs":5000}}),
    );
    h.turn(&s, "hi");
    let deadline = h.take("timer");
    let http = h.take("http");
    h.now += 100.0;
    h.respond(&http, 529, json!([]), br#"{"type":"error","error":{"type":"overloaded_error","message":"busy"}}"#, 64);
    let backoff = h.take("timer");
    h.now += 900.0;
    h.cmd(json!({"op":"timer_fired","id":deadline["id"]})).unwrap();
    let done = h.take("run_finished");
    assert_eq!(done["error"]["code"], "BUDGET_EXHAUSTED");
    assert_eq!(done["error"]["details"]["budgetType"], "time");
    assert_eq!(h.take("timer_cancel")["id"], backoff["id"]);
    assert!(h.effects.iter().all(|e| e["kind"] != "http"), "no retry is sent");

    // A backoff that ends before the deadline fires: the retry is not sent past the budget either.
    let mut h = Harness::proxy();
    let s = h.session(
        json!({"budget":{"durationMs":1000},"retry":{"maxRetries":2,"initialDelayMs":5000,"maxDelayMs":5000}}),
    );
    h.turn(&s, "hi");
    h.take("timer");
    let http = h.take("http");
    h.respond(&http, 529, json!([]), br#"{"type":"error","error":{"type":"overloaded_error","message":"busy"}}"#, 64);
    let backoff = h.take("timer");
    h.now += 5000.0;
    h.cmd(json!({"op":"timer_fired","id":backoff["id"]})).unwrap();
    assert_eq!(h.take("run_finished")["error"]["code"], "BUDGET_EXHAUSTED");
    assert!(h.effects.iter().all(|e| e["kind"] != "http"), "no retry is sent");
}

/// Compaction's summary request counts toward the run's tokens (and takes
/// its time): a request the budget no longer allows is not sent after it.
#[test]
fn the_request_after_a_compaction_is_held_to_the_budget() {
    let mut h = Harness::proxy();
    let s = h.session(json!({"compaction":{"thresholdTokens":10,"keepRecentTurns":1}}));
    for (prompt, answer) in [("my name is Ada", "Hello Ada."), ("I like tea", "Noted.")] {
        h.turn(&s, prompt);
        let http = h.take("http");
        h.answer(&http, &anthropic(answer, &[]));
        h.take("run_finished");
        h.effects.clear();
    }
    h.cmd(json!({"op":"turn","session":s,"prompt":"what is my name","budget":{"tokens":100}})).unwrap();
    let summary = h.take("http");
    let sent: Value = serde_json::from_str(summary["body"].as_str().unwrap()).unwrap();
    assert!(sent["system"].as_str().is_some_and(|s| s.contains("Summarize")), "a summary request first");
    h.answer(&summary, &anthropic("Ada likes tea.", &[]));
    let done = h.take("run_finished");
    assert_eq!(done["error"]["code"], "BUDGET_EXHAUSTED");
    assert_eq!(done["error"]["details"]["budgetType"], "tokens");
    assert_eq!(done["error"]["details"]["used"], 120);
    assert!(h.effects.iter().all(|e| e["kind"] != "http"), "no request past the budget");
}
