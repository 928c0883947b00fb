//! Retries (timer effects, backoff, server hints) and interrupts.

use super::*;

fn overloaded_midstream() -> Vec<u8> {
    let full = fixture("anthropic/a-text.sse");
    // Cut after a whole event: three deltas have streamed.
    let cut = full.windows(2).enumerate().filter(|(_, w)| w == b"\n\n").map(|(i, _)| i + 2).nth(4).unwrap();
    let mut body = full[..cut].to_vec();
    body.extend_from_slice(
        b"event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
    );
    body
}

fn kinds(effects: &[Value]) -> Vec<&str> {
    effects.iter().map(|e| e["kind"].as_str().unwrap()).collect()
}

#[test]
fn a_midstream_overload_is_retried_and_the_result_has_no_duplicated_text() {
    let mut h = Harness::proxy();
    let s = h.session(json!({}));
    // As the Worker reads: a text_complete whose text is the deltas gets elided.
    let compact = h.cmd(json!({"op":"open_reader","session":s,"compact":true})).unwrap()["reader"].as_u64().unwrap();
    h.cmd(json!({"op":"turn","session":s,"prompt":"hi"})).unwrap();
    let http = h.take("http");
    h.respond(&http, 200, json!([]), &overloaded_midstream(), 64);
    assert_eq!(kinds(&h.effects), ["http_abort", "timer"]);
    h.take("http_abort");
    let timer = h.take("timer");
    let delay = timer["delayMs"].as_u64().unwrap();
    assert!((250..=500).contains(&delay), "first backoff {delay}");
    // An early or unknown timer changes nothing.
    assert_eq!(h.code(json!({"op":"timer_fired","id":999})), "UNKNOWN_EFFECT");
    assert_eq!(h.code(json!({"op":"http_end","id":timer["id"]})), "UNKNOWN_EFFECT");
    h.now += delay as f64;
    h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    let retry = h.take("http");
    assert_eq!(retry["body"], http["body"], "the same request is sent again");
    h.respond(&retry, 200, json!([]), &fixture("anthropic/a-text.sse"), 64);
    let done = h.take("run_finished");
    let expected = "Paris is mild this week: around 18 °C and mostly sunny ☀️ — pack a light jacket for the evenings.";
    assert_eq!(done["result"]["text"], expected);
    assert_eq!(done["result"]["turns"], 1);
    let events = h.events(&s);
    let retrying = events.iter().find(|e| e["type"] == "retrying").unwrap();
    assert_eq!(retrying["attempt"], 1);
    assert_eq!(retrying["maxAttempts"], 2);
    assert_eq!(retrying["delayMs"], delay);
    assert!(retrying["error"].as_str().unwrap().contains("overloaded_error"));
    // Three deltas had streamed: a reader that joins deltas must start over.
    assert_eq!(retrying["textDiscarded"], true);
    let at = events.iter().position(|e| e["type"] == "retrying").unwrap();
    let after: String =
        events[at..].iter().filter(|e| e["type"] == "text_delta").map(|e| e["delta"].as_str().unwrap()).collect();
    assert_eq!(after, expected, "the deltas after the retry are the whole answer");
    assert_eq!(types(&events).iter().filter(|t| *t == "turn_started").count(), 1);
    // The compact reader: the answer is elided again, its deltas counted from the retry.
    let read: Vec<Value> = serde_json::from_str(&h.rt.drain_events(&s, compact as u32).unwrap()).unwrap();
    let complete = read.iter().find(|e| e["type"] == "text_complete").unwrap();
    assert_eq!(complete["elided"], true);
    assert_eq!(complete["content"], "");
    // Only the successful attempt is in the transcript.
    let history = h.cmd(json!({"op":"history","session":s})).unwrap();
    assert_eq!(history[1]["content"][0]["text"], expected);
}

#[test]
fn retry_after_is_honoured_and_exhausted_retries_name_the_cause() {
    let mut h = Harness::new(json!({"anthropicApiKey":"k","model":"claude-x",
        "retry":{"maxRetries":2,"initialDelayMs":100,"maxDelayMs":20000}}));
    let s = h.session(json!({}));
    h.cmd(json!({"op":"turn","session":s,"prompt":"hi"})).unwrap();
    let raw = fixture("anthropic/e-429-rate-limit.http");
    let (headers, body) = crate::test_support::split_http(&raw);
    for attempt in 1..=2 {
        let http = h.take("http");
        h.respond(&http, 429, json!(headers), &body, 1000);
        let timer = h.take("timer");
        assert_eq!(timer["delayMs"], 17_000, "attempt {attempt} waits what retry-after says");
        h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    }
    let http = h.take("http");
    h.respond(&http, 429, json!(headers), &body, 1000);
    let error = &h.take("run_finished")["error"];
    assert_eq!(error["code"], "PROVIDER_RATE_LIMITED");
    assert!(error["message"].as_str().unwrap().ends_with("(after 2 retries)"));
    let events = h.events(&s);
    let retries: Vec<&Value> = events.iter().filter(|e| e["type"] == "retrying").collect();
    assert_eq!(retries.len(), 2);
    // Refused before any text: nothing to discard, and the field is left out.
    assert!(retries.iter().all(|e| e.get("textDiscarded").is_none()));
}

#[test]
fn a_hint_longer_than_the_cap_fails_at_once_and_permanent_errors_are_not_retried() {
    let mut h = Harness::new(json!({"anthropicApiKey":"k","model":"claude-x","retry":{"maxDelayMs":5000}}));
    let s = h.session(json!({}));
    h.cmd(json!({"op":"turn","session":s,"prompt":"hi"})).unwrap();
    let http = h.take("http");
    let body = br#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#;
    h.respond(&http, 429, json!([["retry-after", "60"]]), body, 100);
    let error = &h.take("run_finished")["error"];
    assert!(error["message"].as_str().unwrap().contains("longer than retry.maxDelayMs 5000"));

    h.cmd(json!({"op":"turn","session":s,"prompt":"hi"})).unwrap();
    let http = h.take("http");
    let body = br#"{"type":"error","error":{"type":"authentication_error","message":"bad key"}}"#;
    h.respond(&http, 401, json!([]), body, 100);
    assert_eq!(h.take("run_finished")["error"]["code"], "PROVIDER_AUTH");
    assert!(h.effects.is_empty());
}

#[test]
fn network_errors_are_retried_and_a_session_policy_overrides_the_runtime() {
    let mut h = Harness::proxy();
    let s = h.session(json!({"retry":{"maxRetries":1,"initialDelayMs":10,"maxDelayMs":10}}));
    h.cmd(json!({"op":"turn","session":s,"prompt":"hi"})).unwrap();
    let http = h.take("http");
    h.cmd(json!({"op":"http_error","id":http["id"],"message":"connection reset"})).unwrap();
    let timer = h.take("timer");
    assert!((5..=10).contains(&timer["delayMs"].as_u64().unwrap()));
    h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    let http = h.take("http");
    h.cmd(json!({"op":"http_error","id":http["id"],"message":"connection reset"})).unwrap();
    assert_eq!(h.take("run_finished")["error"]["code"], "NETWORK_ERROR");
}

#[test]
fn destroying_a_session_while_backing_off_cancels_the_timer() {
    let mut h = Harness::proxy();
    let s = h.session(json!({}));
    h.cmd(json!({"op":"turn","session":s,"prompt":"hi"})).unwrap();
    let http = h.take("http");
    h.cmd(json!({"op":"http_error","id":http["id"],"message":"offline"})).unwrap();
    let timer = h.take("timer");
    h.cmd(json!({"op":"destroy_session","session":s})).unwrap();
    assert_eq!(h.take("timer_cancel")["id"], timer["id"]);
    assert_eq!(h.take("run_finished")["error"]["code"], "CANCELLED");
    assert_eq!(h.code(json!({"op":"timer_fired","id":timer["id"]})), "UNKNOWN_EFFECT");
}

#[test]
fn interrupt_while_streaming_keeps_the_partial_text() {
    let mut h = Harness::proxy();
    let s = h.session(json!({}));
    h.cmd(json!({"op":"turn","session":s,"prompt":"tell me"})).unwrap();
    let http = h.take("http");
    let id = http["id"].as_u64().unwrap() as u32;
    h.cmd(json!({"op":"http_head","id":id,"status":200})).unwrap();
    let body = fixture("anthropic/a-text.sse");
    let _ = h.rt.push_body(h.now, id, &body[..1000]);
    h.cmd(json!({"op":"interrupt","session":s})).unwrap();
    assert_eq!(h.take("http_abort")["id"], id);
    let done = h.take("run_finished");
    let text = done["result"]["text"].as_str().unwrap();
    assert!(text.starts_with("Paris is mild") && text.len() < 90, "{text}");
    let events = h.events(&s);
    let completed = events.iter().find(|e| e["type"] == "turn_completed").unwrap();
    assert_eq!(completed["stopReason"], "cancelled");
    assert_eq!(events.last().unwrap()["type"], "run_completed");
    // The transcript holds the prompt and the partial answer; the next turn works.
    let history = h.cmd(json!({"op":"history","session":s})).unwrap();
    assert_eq!(history[1]["content"][0]["text"], text);
    assert_eq!(h.code(json!({"op":"http_end","id":id})), "UNKNOWN_EFFECT");
    h.cmd(json!({"op":"turn","session":s,"prompt":"go on"})).unwrap();
    assert_eq!(h.take("http")["sessionId"], s.as_str());
}

#[test]
fn interrupt_while_tools_run_pairs_every_call_with_a_result() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    let s = h.session(json!({}));
    h.cmd(json!({"op":"turn","session":s,"prompt":"weather?"})).unwrap();
    let http = h.take("http");
    h.respond(&http, 200, json!([]), &fixture("anthropic/b-tool-call.sse"), 100);
    let tool = h.take("tool");
    h.cmd(json!({"op":"interrupt","session":s})).unwrap();
    let done = h.take("run_finished");
    assert_eq!(done["result"]["text"], "I'll check the current weather in Paris.");
    assert_eq!(h.code(json!({"op":"tool_result","id":tool["id"],"content":"late"})), "UNKNOWN_EFFECT");
    let history = h.cmd(json!({"op":"history","session":s})).unwrap();
    let result = &history[2]["content"][0];
    assert_eq!(result["type"], "tool_result");
    assert_eq!(result["is_error"], true);
    assert!(result["content"][0]["text"].as_str().unwrap().starts_with("INTERRUPTED"));
    // The next request carries a consistent transcript.
    h.cmd(json!({"op":"turn","session":s,"prompt":"never mind"})).unwrap();
    let body: Value = serde_json::from_str(h.take("http")["body"].as_str().unwrap()).unwrap();
    let msgs = body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 3, "tool results and the new prompt share the user turn");
    assert_eq!(msgs[2]["content"][0]["type"], "tool_result");
    assert_eq!(msgs[2]["content"][1]["text"], "never mind");
}

#[test]
fn interrupt_before_the_head_while_backing_off_and_when_idle() {
    let mut h = Harness::proxy();
    let s = h.session(json!({}));
    h.cmd(json!({"op":"interrupt","session":s})).unwrap();
    assert!(h.effects.is_empty(), "an idle session ignores interrupt");

    h.cmd(json!({"op":"turn","session":s,"prompt":"one"})).unwrap();
    let http = h.take("http");
    h.cmd(json!({"op":"interrupt","session":s})).unwrap();
    assert_eq!(kinds(&h.effects), ["http_abort", "run_finished"]);
    assert_eq!(h.take("run_finished")["result"]["text"], "");
    h.effects.clear();
    let _ = http;

    h.cmd(json!({"op":"turn","session":s,"prompt":"two"})).unwrap();
    let http = h.take("http");
    h.cmd(json!({"op":"http_error","id":http["id"],"message":"offline"})).unwrap();
    let timer = h.take("timer");
    h.cmd(json!({"op":"interrupt","session":s})).unwrap();
    assert_eq!(h.take("timer_cancel")["id"], timer["id"]);
    assert!(h.take("run_finished").get("result").is_some());
    assert_eq!(h.code(json!({"op":"interrupt","session":"nope"})), "SESSION_NOT_FOUND");
}
