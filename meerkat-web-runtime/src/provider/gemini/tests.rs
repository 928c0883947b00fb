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

fn endpoint(base: Option<&str>) -> Endpoint {
    Endpoint { api_key: Some(Secret::new("AIza-test")), base_url: base.map(str::to_string), bearer: false }
}

fn request<'a>(endpoint: &'a Endpoint, messages: &'a [Message]) -> LlmRequest<'a> {
    crate::test_support::plain_request(endpoint, "gemini-2.5-flash", messages)
}

fn body_of(http: &HttpRequest) -> Value {
    serde_json::from_str(&http.body).unwrap()
}

fn text(text: &str) -> Part {
    Part::Text { text: text.into() }
}

#[test]
fn url_headers_and_minimal_body() {
    let messages = [Message::user(vec![text("Hi")])];
    let default = endpoint(None);
    let http = build_request(&request(&default, &messages));
    assert_eq!(
        http.url,
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    );
    assert_eq!(http.method, "POST");
    assert_eq!(header(&http.headers, "x-goog-api-key"), Some("AIza-test"));
    assert_eq!(header(&http.headers, "content-type"), Some("application/json"));
    assert!(!http.url.contains("AIza"), "the key never goes into the URL");
    assert_eq!(
        body_of(&http),
        json!({"contents": [{"role": "user", "parts": [{"text": "Hi"}]}], "generationConfig": {"maxOutputTokens": 1024}})
    );

    let proxy = endpoint(Some("http://127.0.0.1:3100/gemini/"));
    let mut req = request(&proxy, &messages);
    assert_eq!(
        build_request(&req).url,
        "http://127.0.0.1:3100/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    );
    req.model = "models/gemini-x?key=1#y";
    assert_eq!(
        build_request(&req).url,
        "http://127.0.0.1:3100/gemini/v1beta/models/gemini-x%3Fkey%3D1%23y:streamGenerateContent?alt=sse"
    );
}

#[test]
fn request_matches_the_documented_shape() {
    let tool = crate::provider::ToolSpec {
        input_schema: r#"{"type":"object","properties":{"location":{"type":"string"}},"required":["location"],"additionalProperties":false}"#,
        ..crate::test_support::weather_tool()
    };
    let tools = [tool];
    let schema = raw(&json!({"type": "object", "properties": {"answer": {"type": "string"}}}));
    let temperature = raw(&json!(0.2));
    let thinking = ThinkingConfig { budget_tokens: 2048 };
    let messages = vec![
        Message::user(vec![text("Hi! I'm visiting Paris.")]),
        Message::assistant(vec![
            Part::Thinking { thinking: "plan".into(), signature: Some("t".into()) },
            Part::RedactedThinking { data: "x".into() },
            text(""),
            text("Great choice!"),
        ]),
        Message::user(vec![text("Weather?")]),
        Message::user(vec![Part::Image { media_type: "image/png".into(), data: "iVBORw0KGgo=".into() }]),
        Message::assistant(vec![
            Part::ToolUse {
                id: "call_3_0".into(),
                name: "get_weather".into(),
                input: raw(&json!({"location": "Paris"})),
                signature: Some("CiQBsig".into()),
            },
            Part::ToolUse { id: "call_3_1".into(), name: "get_time".into(), input: raw(&json!({})), signature: None },
        ]),
        Message::user(vec![
            Part::ToolResult {
                tool_use_id: "call_3_0".into(),
                content: vec![
                    text("18 °C, "),
                    text("sunny"),
                    Part::Image { media_type: "image/jpeg".into(), data: "/9j/4AAQ".into() },
                ],
                is_error: false,
            },
            Part::ToolResult { tool_use_id: "call_3_1".into(), content: vec![text("no clock")], is_error: true },
        ]),
        // Only thinking: nothing to send, and the user turns around it merge.
        Message::assistant(vec![Part::Thinking { thinking: "hm".into(), signature: None }]),
        Message::user(vec![text("Thanks")]),
    ];
    let proxy = endpoint(None);
    // Gemini 3 takes JSON mode beside function declarations.
    let req = LlmRequest {
        model: "gemini-3-pro-preview",
        system_prompt: Some("Be concise."),
        tools: &tools,
        temperature: Some(&temperature),
        thinking: Some(&thinking),
        output_schema: Some(&schema),
        ..request(&proxy, &messages)
    };
    let expected = json!({
        "systemInstruction": {"parts": [{"text": "Be concise."}]},
        "contents": [
            {"role": "user", "parts": [{"text": "Hi! I'm visiting Paris."}]},
            {"role": "model", "parts": [{"text": "Great choice!"}]},
            {"role": "user", "parts": [
                {"text": "Weather?"},
                {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
            ]},
            {"role": "model", "parts": [
                {"functionCall": {"name": "get_weather", "args": {"location": "Paris"}}, "thoughtSignature": "CiQBsig"},
                {"functionCall": {"name": "get_time", "args": {}}},
            ]},
            {"role": "user", "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"result": "18 °C, sunny"}}},
                {"functionResponse": {"name": "get_time", "response": {"error": "no clock"}}},
                {"inlineData": {"mimeType": "image/jpeg", "data": "/9j/4AAQ"}},
                {"text": "Thanks"},
            ]},
        ],
        "tools": [{"functionDeclarations": [{
            "name": "get_weather",
            "description": "Get the current weather for a city.",
            "parametersJsonSchema": {"type": "object", "properties": {"location": {"type": "string"}},
                                     "required": ["location"], "additionalProperties": false},
        }]}],
        "generationConfig": {
            "maxOutputTokens": 1024,
            "temperature": 0.2,
            "responseMimeType": "application/json",
            "responseJsonSchema": {"type": "object", "properties": {"answer": {"type": "string"}}},
            "thinkingConfig": {"thinkingBudget": 2048, "includeThoughts": true},
        },
    });
    assert_eq!(body_of(&build_request(&req)), expected);
}

#[test]
fn text_parts_of_one_content_are_kept_apart_by_a_blank_line() {
    // A compaction summary, then a turn holding a peer's message and the
    // host's words: Gemini reads the parts as one text, so each after the
    // first starts on a line of its own (a tool's result or an image between
    // them already separates them).
    let messages = [
        Message::user(vec![text("[Summary of the earlier conversation]\nThe user is Ada.")]),
        Message::user(vec![text("[message from lead-1 (lead)]: Start."), text("Go.")]),
        Message::assistant(vec![text("On it.")]),
        Message::user(vec![
            text("Look:"),
            Part::Image { media_type: "image/png".into(), data: "iVBORw0KGgo=".into() },
            text("ok?"),
        ]),
    ];
    let proxy = endpoint(None);
    let body = body_of(&build_request(&request(&proxy, &messages)));
    assert_eq!(
        body["contents"],
        json!([
            {"role": "user", "parts": [
                {"text": "[Summary of the earlier conversation]\nThe user is Ada."},
                {"text": "\n\n[message from lead-1 (lead)]: Start."},
                {"text": "\n\nGo."},
            ]},
            {"role": "model", "parts": [{"text": "On it."}]},
            {"role": "user", "parts": [
                {"text": "Look:"},
                {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
                {"text": "ok?"},
            ]},
        ])
    );
}

#[test]
fn models_before_gemini_3_get_no_json_mode_beside_tools() {
    let schema = raw(&json!({"type": "object"}));
    let tools = [crate::test_support::weather_tool()];
    let messages = vec![Message::user(vec![text("Weather?")])];
    let proxy = endpoint(None);
    let config = |model: &str, tools: &[crate::provider::ToolSpec<'_>]| {
        let req = LlmRequest { model, tools, output_schema: Some(&schema), ..request(&proxy, &messages) };
        body_of(&build_request(&req))["generationConfig"].clone()
    };
    for old in ["gemini-2.5-flash", "models/gemini-2.0-flash", "gemini-1.5-pro", "Gemini-2.5-Pro"] {
        let g = config(old, &tools);
        assert!(g.get("responseMimeType").is_none() && g.get("responseJsonSchema").is_none(), "{old}: {g}");
        // ...and the model is asked in words.
        let req = LlmRequest {
            model: old,
            system_prompt: Some("Be brief."),
            tools: &tools,
            output_schema: Some(&schema),
            ..request(&proxy, &messages)
        };
        let system = body_of(&build_request(&req))["systemInstruction"]["parts"][0]["text"].clone();
        assert_eq!(system, format!("Be brief.\n\n{JSON_INSTRUCTION}\n{{\"type\":\"object\"}}"));
        // Without tools JSON mode is fine on every model.
        assert_eq!(config(old, &[])["responseMimeType"], "application/json");
    }
    for new in ["gemini-3-pro-preview", "gemini-3.5-flash", "gemini-flash-latest"] {
        assert_eq!(config(new, &tools)["responseMimeType"], "application/json", "{new}");
    }
}

#[test]
fn a_streamed_call_round_trips_into_the_next_request() {
    let (_, turn) = turn_of(&fixture("gemini/b-tool-call.sse"));
    let call = &turn.tool_calls[0];
    let mut messages = vec![Message::user(vec![text("Weather in Paris?")]), Message::assistant(turn.content.clone())];
    messages.push(Message::user(vec![Part::ToolResult {
        tool_use_id: call.id.clone(),
        content: vec![text("18 °C, sunny")],
        is_error: false,
    }]));
    let ep = endpoint(None);
    let body = body_of(&build_request(&request(&ep, &messages)));
    let expected = fixture_json("gemini/b-tool-call.expected.json");
    let model = &body["contents"][1]["parts"][0];
    assert_eq!(model["functionCall"]["args"], expected["tool_calls"][0]["arguments"]);
    assert_eq!(model["thoughtSignature"], expected["tool_calls"][0]["thought_signature"]);
    assert_eq!(body["contents"][2]["parts"][0]["functionResponse"]["name"], "get_weather");
    // An orphan result (corrupt history) still names something.
    let orphan = [Message::user(vec![Part::ToolResult { tool_use_id: "x1".into(), content: vec![], is_error: false }])];
    let body = body_of(&build_request(&request(&ep, &orphan)));
    assert_eq!(body["contents"][0]["parts"][0]["functionResponse"], json!({"name": "x1", "response": {"result": ""}}));
}

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
