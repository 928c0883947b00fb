use super::*;
use crate::provider::{Endpoint, Secret, ThinkingConfig};
use crate::provider::{WireApi, header};
use crate::test_support::{self, Collected, fixture, fixture_json, raw, split_http, value};
use serde_json::{Value, json};

const IDS: &str = "call_7_";

fn parser() -> Box<dyn StreamParser> {
    Box::new(stream(IDS))
}

fn run(chunks: &[&[u8]]) -> (String, CoreResult<AssistantTurn>) {
    test_support::run(&parser, chunks)
}

/// Whole, at every split point, and one byte at a time: identical results.
fn all_chunkings(body: &[u8]) -> (String, CoreResult<AssistantTurn>) {
    test_support::all_chunkings(&parser, body)
}

fn turn_of(body: &[u8]) -> (String, AssistantTurn) {
    let (text, turn) = all_chunkings(body);
    (text, turn.unwrap())
}

fn error_of(body: &[u8]) -> (String, CoreError) {
    let (text, turn) = all_chunkings(body);
    (text, turn.unwrap_err())
}

/// CRLF-framed data-only events, as Gemini sends them.
fn sse(events: &[Value]) -> Vec<u8> {
    events.iter().map(|e| format!("data: {e}\r\n\r\n")).collect::<String>().into_bytes()
}

fn chunk(parts: Value, finish: Option<&str>, candidates_tokens: u64) -> Value {
    let mut candidate = json!({"content": {"parts": parts, "role": "model"}, "index": 0});
    if let Some(reason) = finish {
        candidate["finishReason"] = json!(reason);
    }
    json!({
        "candidates": [candidate],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": candidates_tokens, "totalTokenCount": 10 + candidates_tokens},
    })
}

fn usage_matches(usage: &Usage, expected: &Value) {
    let u = &expected["usage_normalized"];
    assert_eq!(usage.input_tokens, u["input_tokens_uncached"].as_u64().unwrap());
    assert_eq!(usage.output_tokens, u["output_tokens"].as_u64().unwrap());
    assert_eq!(usage.cache_read_tokens, u["cache_read_tokens"].as_u64());
    assert_eq!(usage.cache_creation_tokens, u["cache_write_tokens"].as_u64());
    let total = usage.input_tokens + usage.output_tokens + usage.cache_read_tokens.unwrap_or(0);
    assert_eq!(total, u["total_tokens"].as_u64().unwrap());
}

// ---------------------------------------------------------------- stream

#[test]
fn text_fixture_matches_expected() {
    let expected = fixture_json("gemini/a-text.expected.json");
    let (streamed, turn) = turn_of(&fixture("gemini/a-text.sse"));
    assert_eq!(streamed, expected["text"].as_str().unwrap());
    assert_eq!(turn.text(), streamed);
    assert_eq!(turn.content.len(), 1, "text parts of all chunks make one part");
    assert_eq!(expected["stop_reason_normalized"], "stop");
    assert_eq!(turn.stop_reason, StopReason::EndTurn);
    assert!(turn.tool_calls.is_empty());
    usage_matches(&turn.usage, &expected);
}

#[test]
fn tool_call_fixture_matches_expected() {
    let expected = fixture_json("gemini/b-tool-call.expected.json");
    let (streamed, turn) = turn_of(&fixture("gemini/b-tool-call.sse"));
    assert_eq!(streamed, expected["text"].as_str().unwrap());
    assert_eq!(expected["stop_reason_normalized"], "tool_calls");
    assert_eq!(turn.stop_reason, StopReason::ToolUse);
    let call = &expected["tool_calls"][0];
    assert_eq!(turn.tool_calls.len(), 1);
    assert_eq!(turn.tool_calls[0].id, "call_7_0", "the wire has no id: it is synthesized");
    assert_eq!(turn.tool_calls[0].name, call["name"].as_str().unwrap());
    assert_eq!(value(turn.tool_calls[0].args.as_ref().unwrap()), call["arguments"]);
    let signature = call["thought_signature"].as_str().unwrap();
    match &turn.content[..] {
        [Part::ToolUse { id, name, input, signature: Some(sig) }] => {
            assert_eq!((id.as_str(), name.as_str(), sig.as_str()), ("call_7_0", "get_weather", signature));
            assert_eq!(value(input), call["arguments"]);
        }
        other => panic!("unexpected content {other:?}"),
    }
    usage_matches(&turn.usage, &expected);
}

#[test]
fn lf_cr_and_crlf_framing_and_comments_give_the_same_turn() {
    let events = [
        chunk(json!([{"text": "Hello, "}]), None, 2),
        chunk(json!([{"text": "wörld ☀️"}]), None, 4),
        chunk(json!([{"text": "!"}]), Some("STOP"), 5),
    ];
    let crlf = sse(&events);
    let (text, expected) = turn_of(&crlf);
    assert_eq!(text, "Hello, wörld ☀️!");
    let lf: String = events.iter().map(|e| format!(": keep-alive\ndata: {e}\n\n")).collect();
    let cr = format!("data: {}\r\rdata:{}\n\ndata: {}\r\n\r\n", events[0], events[1], events[2]);
    for body in [lf, cr] {
        let (t, turn) = turn_of(body.as_bytes());
        assert_eq!((t.as_str(), &turn), (text.as_str(), &expected));
    }
}

#[test]
fn thoughts_are_kept_apart_from_the_answer() {
    let body = sse(&[
        chunk(json!([{"text": "Let me ", "thought": true}]), None, 1),
        chunk(json!([{"text": "think.", "thought": true, "thoughtSignature": "sig=="}, {"text": "Answer"}]), None, 2),
        chunk(json!([{"text": " here."}, {"text": "", "thoughtSignature": "tail=="}]), Some("STOP"), 3),
    ]);
    let (text, turn) = turn_of(&body);
    assert_eq!(text, "Answer here.");
    assert_eq!(
        turn.content,
        vec![
            Part::Thinking { thinking: "Let me think.".into(), signature: Some("sig==".into()) },
            Part::Text { text: "Answer here.".into() },
        ]
    );
    assert_eq!(turn.text(), "Answer here.");
    assert_eq!(turn.stop_reason, StopReason::EndTurn);
}

#[test]
fn parallel_calls_get_sequential_ids_and_odd_arguments_are_typed() {
    let body = sse(&[
        chunk(json!([{"text": "Checking both."}]), None, 3),
        chunk(
            json!([
                {"functionCall": {"name": "get_weather", "args": {"location": "Paris"}}, "thoughtSignature": "s1"},
                {"functionCall": {"name": "get_weather", "args": {"location": "London"}}},
                {"functionCall": {"name": "clock"}},
                {"functionCall": {"name": "bad", "args": [1, 2]}},
            ]),
            Some("STOP"),
            9,
        ),
    ]);
    let (text, turn) = turn_of(&body);
    assert_eq!(text, "Checking both.");
    assert_eq!(turn.stop_reason, StopReason::ToolUse);
    let ids: Vec<&str> = turn.tool_calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["call_7_0", "call_7_1", "call_7_2", "call_7_3"]);
    assert_eq!(turn.tool_calls[1].args, Ok(raw(&json!({"location": "London"}))));
    assert_eq!(turn.tool_calls[2].args, Ok(raw(&json!({}))));
    assert!(turn.tool_calls[3].args.as_ref().unwrap_err().contains("must be a JSON object"));
    assert!(matches!(&turn.content[1], Part::ToolUse { signature: Some(s), .. } if s == "s1"));
    assert!(matches!(&turn.content[2], Part::ToolUse { signature: None, .. }));
    assert!(matches!(&turn.content[4], Part::ToolUse { input, .. } if input.as_str() == "{}"));
    assert_eq!(turn.usage.output_tokens, 9, "running totals: the last usage wins, never a sum");
}

#[test]
fn finish_reasons_map_and_the_last_one_counts() {
    let cases = [
        ("STOP", StopReason::EndTurn),
        ("MAX_TOKENS", StopReason::MaxTokens),
        ("SAFETY", StopReason::ContentFilter),
        ("RECITATION", StopReason::ContentFilter),
        ("PROHIBITED_CONTENT", StopReason::ContentFilter),
        ("SPII", StopReason::ContentFilter),
        ("IMAGE_SAFETY", StopReason::ContentFilter),
        ("LANGUAGE", StopReason::EndTurn),
        ("SOMETHING_NEW", StopReason::EndTurn),
    ];
    for (reason, expected) in cases {
        // Older models repeat STOP on every chunk; the last value counts.
        let body = sse(&[chunk(json!([{"text": "a"}]), Some("STOP"), 1), chunk(json!([]), Some(reason), 2)]);
        assert_eq!(run(&[&body]).1.unwrap().stop_reason, expected, "{reason}");
    }
    // A filtered candidate may come without content.
    let body = sse(&[json!({"candidates": [{"finishReason": "SAFETY", "index": 0}]})]);
    let (_, turn) = turn_of(&body);
    assert_eq!((turn.stop_reason, turn.content.len()), (StopReason::ContentFilter, 0));
}

#[test]
fn a_botched_tool_call_is_a_retryable_error_not_an_empty_answer() {
    for reason in ["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS"] {
        let body = sse(&[chunk(json!([{"text": "Let me "}]), None, 1), chunk(json!([]), Some(reason), 2)]);
        let (text, turn) = run(&[&body]);
        assert_eq!(text, "Let me ", "what streamed stays streamed (a retry says it is discarded)");
        let err = turn.unwrap_err();
        assert_eq!((err.code, err.retryable), ("PROVIDER_ERROR", true), "{reason}");
        assert!(err.message.contains(reason), "{}", err.message);
    }
}

#[test]
fn blocked_prompt_is_a_content_filter_stop_not_an_error() {
    let body = sse(&[json!({
        "promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},
        "usageMetadata": {"promptTokenCount": 7, "totalTokenCount": 7},
    })]);
    let (text, turn) = turn_of(&body);
    assert_eq!(text, "");
    assert_eq!(turn.stop_reason, StopReason::ContentFilter);
    assert!(turn.content.is_empty() && turn.tool_calls.is_empty());
    assert_eq!(turn.usage, Usage { input_tokens: 7, cache_read_tokens: Some(0), ..Usage::default() });
}

#[test]
fn midstream_bare_error_is_typed() {
    let head = sse(&[chunk(json!([{"text": "Hel"}]), None, 1), chunk(json!([{"text": "lo"}]), None, 2)]);
    let one_line = br#"{"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}}"#;
    let pretty = "{\r\n  \"error\": {\r\n    \"code\": 500,\r\n    \"message\": \"An internal error has occurred.\",\r\n    \"status\": \"INTERNAL\"\r\n  }\r\n}\r\n";
    let bodies: [(Vec<u8>, &str); 4] = [
        ([&head[..], one_line, b"\r\n"].concat(), "PROVIDER_OVERLOADED"),
        // The last line of the body may lack its line end.
        ([&head[..], one_line].concat(), "PROVIDER_OVERLOADED"),
        // Pretty-printed over several lines, after a stray garbage line.
        ([&head[..], b"garbage\r\n", pretty.as_bytes()].concat(), "PROVIDER_UNAVAILABLE"),
        // The same object as a regular data event.
        ([&head[..], b"data: ", one_line, b"\r\n\r\n"].concat(), "PROVIDER_OVERLOADED"),
    ];
    for (body, code) in bodies {
        let (text, err) = error_of(&body);
        assert_eq!(text, "Hello");
        assert_eq!(err.code, code, "{err}");
        assert!(err.retryable);
    }
    let (_, err) = error_of(&[&head[..], one_line].concat());
    assert!(err.message.contains("The model is overloaded"), "{err}");
}

#[test]
fn a_body_without_finish_reason_is_truncated() {
    let full = fixture("gemini/a-text.sse");
    let last_event = full.windows(6).rposition(|w| w == b"data: ").unwrap();
    for cut in [0, 10, last_event, full.len() - 2] {
        let err = run(&[&full[..cut]]).1.unwrap_err();
        assert_eq!(err.code, "STREAM_TRUNCATED", "cut at {cut}");
        assert!(err.retryable);
    }
    let err = run(&[&full[..last_event], b"{\"error\": {\r\n"]).1.unwrap_err();
    assert_eq!(err.code, "STREAM_TRUNCATED");
    assert!(err.message.contains("unparsed text"), "{err}");
}

#[test]
fn partial_keeps_visible_text_and_usage_only() {
    let body = sse(&[
        chunk(json!([{"text": "hmm", "thought": true}, {"text": "Part"}]), None, 2),
        chunk(json!([{"text": "ial"}, {"functionCall": {"name": "clock", "args": {}}}]), None, 4),
    ]);
    let mut parser = stream(IDS);
    let mut sink = Collected::default();
    parser.feed(&body, &mut sink).unwrap();
    let turn = parser.partial();
    assert_eq!(turn.content, vec![Part::Text { text: "Partial".into() }]);
    assert!(turn.tool_calls.is_empty());
    assert_eq!((turn.stop_reason, turn.usage.output_tokens), (StopReason::Cancelled, 4));
}

#[test]
fn garbage_gives_typed_errors_never_panics() {
    let cases: [&[u8]; 8] = [
        b"data: {not json\r\n\r\n",
        b"data: [1,2,3]\r\n\r\n",
        b"data: {\"candidates\": 5, \"usageMetadata\": []}\r\n\r\n",
        b"data: {\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": 1}, {\"text\": 2}]}}]}\r\n\r\n",
        b"\xff\xfe\x00garbage\n\ndata: \xff\n\n",
        b"{\"error\": 5}\n",
        b"data: {\"error\": {}}\n\n",
        b"{\"error\": {\"code\": 99999999999, \"status\": 3}}",
    ];
    for case in cases {
        let (_, result) = run(&[case]);
        let err = result.unwrap_err();
        assert!(err.code.starts_with("STREAM_") || err.code.starts_with("PROVIDER_"), "{err}");
    }
    let mut rng = crate::ids::Rng::from_entropy(b"gemini garbage");
    for _ in 0..300 {
        let len = (rng.next_u64() % 400) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        let _ = run(&[&bytes]);
        let framed = [&b"data: "[..], &bytes, b"\r\n\r\n"].concat();
        let _ = run(&[&framed]);
    }
    // A flood of parts is refused, not buffered without bound.
    let parts: Vec<Value> = (0..MAX_BLOCKS + 1).map(|i| json!({"text": "x", "thought": i % 2 == 0})).collect();
    assert_eq!(run(&[&sse(&[chunk(json!(parts), Some("STOP"), 1)])]).1.unwrap_err().code, "STREAM_PROTOCOL");
}

// ---------------------------------------------------------------- errors

fn google(code: u16, status: &str, message: &str, details: Value) -> Vec<u8> {
    json!({"error": {"code": code, "message": message, "status": status, "details": details}}).to_string().into_bytes()
}

#[test]
fn rate_limit_fixture_gives_the_retry_info_delay() {
    let expected = fixture_json("gemini/e-429-rate-limit.expected.json");
    let (headers, body) = split_http(&fixture("gemini/e-429-rate-limit.http"));
    let err = classify_error(429, &headers, &body);
    assert_eq!(err.code, "PROVIDER_RATE_LIMITED");
    assert_eq!(err.retryable, expected["error"]["retryable"].as_bool().unwrap());
    assert_eq!(err.retry_after_ms, Some(expected["error"]["retry_after_seconds"].as_u64().unwrap() * 1000));
    assert!(err.message.contains("RESOURCE_EXHAUSTED"), "{err}");
}

#[test]
fn retry_delays_and_daily_quotas() {
    let retry = |delay: &str| json!([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}]);
    for (delay, ms) in
        [("34s", Some(34_000)), ("34.4s", Some(34_400)), ("0.5s", Some(500)), ("1.0000001s", Some(1_000))]
    {
        let err = classify_error(429, &[], &google(429, "RESOURCE_EXHAUSTED", "slow down", retry(delay)));
        assert_eq!((err.code, err.retryable, err.retry_after_ms), ("PROVIDER_RATE_LIMITED", true, ms), "{delay}");
    }
    // No usable RetryInfo: the headers, if any.
    let headers = vec![("Retry-After".to_string(), "7".to_string())];
    let err = classify_error(429, &headers, &google(429, "RESOURCE_EXHAUSTED", "slow down", retry("soon")));
    assert_eq!(err.retry_after_ms, Some(7_000));
    assert_eq!(classify_error(429, &[], b"").retry_after_ms, None);

    let daily = json!([
        {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
         "violations": [{"quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier", "quotaValue": "250"}]},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "43s"},
    ]);
    let err = classify_error(429, &[], &google(429, "RESOURCE_EXHAUSTED", "quota", daily));
    assert_eq!((err.code, err.retryable), ("PROVIDER_QUOTA", false));
}

#[test]
fn google_error_model_is_classified() {
    let key = json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                      "domain": "googleapis.com"}]);
    let cases: [(u16, &str, Value, &str, bool); 9] = [
        (400, "INVALID_ARGUMENT", key, "PROVIDER_AUTH", false),
        (400, "INVALID_ARGUMENT", json!([]), "PROVIDER_BAD_REQUEST", false),
        (400, "FAILED_PRECONDITION", json!(null), "PROVIDER_BAD_REQUEST", false),
        (404, "NOT_FOUND", json!([]), "PROVIDER_BAD_REQUEST", false),
        (401, "UNAUTHENTICATED", json!([]), "PROVIDER_AUTH", false),
        (403, "PERMISSION_DENIED", json!([]), "PROVIDER_AUTH", false),
        (500, "INTERNAL", json!([]), "PROVIDER_UNAVAILABLE", true),
        (503, "UNAVAILABLE", json!([]), "PROVIDER_OVERLOADED", true),
        (504, "DEADLINE_EXCEEDED", json!([]), "PROVIDER_UNAVAILABLE", true),
    ];
    for (status, name, details, code, retryable) in cases {
        let err = classify_error(status, &[], &google(status, name, "why", details));
        assert_eq!((err.code, err.retryable), (code, retryable), "{status} {name}: {err}");
        assert!(err.message.contains(&format!("HTTP {status}: {name}: why")), "{err}");
    }
    // Not Google's model: the status code decides.
    assert_eq!(classify_error(502, &[], b"<html>bad gateway</html>").code, "PROVIDER_UNAVAILABLE");
    assert_eq!(classify_error(403, &[], b"").code, "PROVIDER_AUTH");
    assert_eq!(classify_error(418, &[], b"\xff").code, "PROVIDER_ERROR");
    assert_eq!(classify_error(409, &[], &google(409, "ALREADY_EXISTS", "x", json!([]))).code, "PROVIDER_UNAVAILABLE");
    // Errors of the non-SSE endpoint come in an array.
    let wrapped = format!("[{}]", String::from_utf8(google(503, "UNAVAILABLE", "busy", json!([]))).unwrap());
    assert_eq!(classify_error(503, &[], wrapped.as_bytes()).code, "PROVIDER_OVERLOADED");
}

// ---------------------------------------------------------------- request

mod request;

#[test]
fn the_provider_is_wired_in() {
    let provider = WireApi::Gemini.implementation().unwrap();
    let mut parser = provider.stream_parser("call_9_");
    let mut sink = Collected::default();
    parser.feed(&fixture("gemini/b-tool-call.sse"), &mut sink).unwrap();
    assert_eq!(parser.finish(&mut sink).unwrap().tool_calls[0].id, "call_9_0");
    assert_eq!(provider.classify_error(503, &[], b"").code, "PROVIDER_UNAVAILABLE");
}

#[test]
fn a_proxys_done_marker_after_the_answer_changes_nothing() {
    let mut body = fixture("gemini/a-text.sse");
    let (text, whole) = turn_of(&body);
    body.extend_from_slice(b"data: [DONE]\r\n\r\n");
    let (with_done, turn) = turn_of(&body);
    assert_eq!(with_done, text);
    assert_eq!(turn.stop_reason, whole.stop_reason);
}
