//! Tests of the shared parts, and the harness both OpenAI parsers' tests use.

use super::*;
use crate::error::CoreResult;
use crate::events::StopReason;
use crate::provider::Secret;
use crate::provider::{AssistantTurn, StreamParser, header};
pub use crate::test_support::{all_chunkings, run};
use crate::test_support::{fixture, fixture_json, split_http, value};
use serde_json::Value;

/// A fixture transcript gives what its `.expected.json` says, however cut.
pub fn check_fixture(parser: &dyn Fn() -> Box<dyn StreamParser>, name: &str) -> AssistantTurn {
    let expected = fixture_json(&format!("{name}.expected.json"));
    let (streamed, turn) = all_chunkings(parser, &fixture(&format!("{name}.sse")));
    let turn = turn.unwrap();
    assert_eq!(streamed, expected["text"].as_str().unwrap());
    assert_eq!(turn.text(), streamed);
    let stop = match expected["stop_reason_normalized"].as_str().unwrap() {
        "stop" => StopReason::EndTurn,
        "tool_calls" => StopReason::ToolUse,
        "length" => StopReason::MaxTokens,
        "content_filter" => StopReason::ContentFilter,
        other => panic!("unexpected normalized stop reason {other}"),
    };
    assert_eq!(turn.stop_reason, stop);
    let calls = expected["tool_calls"].as_array().unwrap();
    assert_eq!(turn.tool_calls.len(), calls.len());
    for (got, want) in turn.tool_calls.iter().zip(calls) {
        assert_eq!(got.id, want["id"].as_str().unwrap());
        assert_eq!(got.name, want["name"].as_str().unwrap());
        assert_eq!(value(got.args.as_ref().unwrap()), want["arguments"]);
        // The transcript keeps the call with its parsed input.
        assert!(turn.content.iter().any(|p| matches!(p,
            crate::transcript::Part::ToolUse { id, input, .. } if *id == got.id && value(input) == want["arguments"])));
    }
    let u = &expected["usage_normalized"];
    assert_eq!(turn.usage.input_tokens, u["input_tokens_uncached"].as_u64().unwrap());
    assert_eq!(turn.usage.output_tokens, u["output_tokens"].as_u64().unwrap());
    assert_eq!(turn.usage.cache_read_tokens, u["cache_read_tokens"].as_u64());
    assert_eq!(turn.usage.cache_creation_tokens, u["cache_write_tokens"].as_u64());
    turn
}

/// Random bytes, bare and framed as `data:` / `event: error`, many seeds:
/// the parser returns or errs, never panics.
pub fn fuzz(parser: &dyn Fn() -> Box<dyn StreamParser>, seed: &[u8]) {
    let mut rng = crate::ids::Rng::from_entropy(seed);
    for _ in 0..300 {
        let len = (rng.next_u64() % 400) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        let _ = run(parser, &[&bytes]);
        for prefix in [&b"data: "[..], b"event: error\ndata: "] {
            let mut framed = prefix.to_vec();
            framed.extend_from_slice(&bytes);
            framed.extend_from_slice(b"\n\n");
            let _ = run(parser, &[&framed]);
        }
    }
}

/// Every error a garbage case gives is typed as a stream or provider error.
pub fn assert_typed(result: CoreResult<AssistantTurn>, case: &[u8]) {
    let err = result.expect_err(&String::from_utf8_lossy(case));
    assert!(err.code.starts_with("STREAM_") || err.code.starts_with("PROVIDER_"), "{err}");
}

/// A 200 whose body is a JSON error instead of events, pretty or compact,
/// with or without a final line end, however cut: the error, not truncation.
pub fn json_error_bodies(parser: &dyn Fn() -> Box<dyn StreamParser>) {
    let pretty = "{\n    \"error\": {\n        \"message\": \"The model `gpt-9` does not exist\",\n        \"type\": \"invalid_request_error\",\n        \"param\": null,\n        \"code\": \"model_not_found\"\n    }\n}";
    let compact = r#"{"error":{"message":"Server busy","type":"server_error","code":null}}"#;
    for (body, code) in [(pretty, "PROVIDER_BAD_REQUEST"), (compact, "PROVIDER_UNAVAILABLE")] {
        for ending in ["", "\n", "\r\n"] {
            let body = format!("{body}{ending}");
            let err = all_chunkings(parser, body.as_bytes()).1.unwrap_err();
            assert_eq!(err.code, code, "{body:?}");
        }
    }
    // Stray text that is not an error stays a truncation.
    assert_eq!(run(parser, &[b"<html>oops</html>"]).1.unwrap_err().code, "STREAM_TRUNCATED");
}

fn error_body(kind: &str, code: Value) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"error":{"message":"m","type":kind,"param":null,"code":code}})).unwrap()
}

#[test]
fn rate_limit_fixture_is_retryable_with_its_hint() {
    let expected = fixture_json("openai/e-429-rate-limit.expected.json");
    let (headers, body) = split_http(&fixture("openai/e-429-rate-limit.http"));
    let err = classify_error(429, &headers, &body);
    assert_eq!(err.code, "PROVIDER_RATE_LIMITED");
    assert_eq!(err.retryable, expected["error"]["retryable"].as_bool().unwrap());
    let seconds = expected["error"]["retry_after_seconds"].as_u64().unwrap();
    assert_eq!(err.retry_after_ms, Some(seconds * 1000));
    assert!(err.message.contains("rate_limit_exceeded"), "{}", err.message);
    assert!(err.message.contains("Rate limit reached for gpt-4.1"));
}

#[test]
fn http_errors_by_code_and_status() {
    let retry = vec![("retry-after-ms".to_string(), "250".to_string())];
    let quota = classify_error(429, &retry, &error_body("insufficient_quota", "insufficient_quota".into()));
    assert_eq!((quota.code, quota.retryable, quota.retry_after_ms), ("PROVIDER_QUOTA", false, None));
    let limited = classify_error(429, &retry, &error_body("tokens", "rate_limit_exceeded".into()));
    assert_eq!((limited.code, limited.retryable, limited.retry_after_ms), ("PROVIDER_RATE_LIMITED", true, Some(250)));
    // A 429 nobody explains is still a rate limit.
    assert_eq!(classify_error(429, &[], b"").code, "PROVIDER_RATE_LIMITED");

    let auth = classify_error(401, &[], &error_body("invalid_request_error", "invalid_api_key".into()));
    assert_eq!((auth.code, auth.retryable), ("PROVIDER_AUTH", false));
    assert!(auth.message.contains("invalid_api_key"));
    assert_eq!(classify_error(403, &[], &error_body("invalid_request_error", Value::Null)).code, "PROVIDER_AUTH");
    for status in [400, 404, 422] {
        let err = classify_error(status, &[], &error_body("invalid_request_error", Value::Null));
        assert_eq!((err.code, err.retryable), ("PROVIDER_BAD_REQUEST", false), "{status}");
    }
    for status in [500, 502, 503, 504] {
        let err = classify_error(status, &retry, &error_body("server_error", Value::Null));
        assert_eq!((err.code, err.retryable), ("PROVIDER_UNAVAILABLE", true), "{status}");
        assert_eq!(err.retry_after_ms, Some(250));
    }
    let over = classify_error(503, &[], &error_body("server_error", "overloaded".into()));
    assert_eq!((over.code, over.retryable), ("PROVIDER_OVERLOADED", true));
    assert_eq!(classify_error(529, &[], b"{}").code, "PROVIDER_OVERLOADED");
    // Bodies we cannot read fall back to the status.
    assert_eq!(classify_error(502, &[], b"<html>bad gateway</html>").code, "PROVIDER_UNAVAILABLE");
    assert_eq!(classify_error(418, &[], b"\xff\xfe").code, "PROVIDER_ERROR");
    assert_eq!(classify_error(400, &[], br#"{"error":"bad"}"#).code, "PROVIDER_BAD_REQUEST");
    assert_eq!(classify_error(418, &[], &error_body("server_error", Value::Null)).code, "PROVIDER_UNAVAILABLE");
    // Numeric codes from compatible services are read, not refused.
    let numeric = classify_error(500, &[], &error_body("", 500.into()));
    assert!(numeric.message.contains("500: m"), "{}", numeric.message);
}

#[test]
fn stream_errors_by_code() {
    let json = |text: &str| crate::json::parse(text).unwrap().to_text();
    let parse = |text: &str| stream_error(Some(&crate::json::parse(&json(text)).unwrap()));
    let err = parse(r#"{"type":"server_error","code":null,"message":"The server had an error"}"#);
    assert_eq!((err.code, err.retryable), ("PROVIDER_UNAVAILABLE", true));
    assert!(err.message.contains("The server had an error"));
    assert_eq!(parse(r#"{"code":"rate_limit_exceeded","message":"slow"}"#).code, "PROVIDER_RATE_LIMITED");
    assert_eq!(parse(r#"{"code":"insufficient_quota"}"#).code, "PROVIDER_QUOTA");
    assert_eq!(
        parse(r#"{"type":"invalid_request_error","code":"context_length_exceeded"}"#).code,
        "PROVIDER_BAD_REQUEST"
    );
    let over = parse(r#"{"code":"server_is_overloaded"}"#);
    assert_eq!((over.code, over.retryable), ("PROVIDER_OVERLOADED", true));
    let unknown = parse(r#"{"code":"ERR_SOMETHING","message":"Something went wrong"}"#);
    assert_eq!((unknown.code, unknown.retryable), ("PROVIDER_ERROR", false));
    let none = stream_error(None);
    assert_eq!((none.code, none.retryable), ("PROVIDER_UNAVAILABLE", true));
    let plain = parse(r#""plain text""#);
    assert_eq!((plain.code, plain.retryable), ("PROVIDER_ERROR", false));
    assert!(plain.message.contains("plain text"));
    // No kind at all: the server failed on a request it had accepted.
    let unexplained = parse(r#"{"type":"error","code":null,"message":"An error occurred"}"#);
    assert_eq!((unexplained.code, unexplained.retryable), ("PROVIDER_UNAVAILABLE", true));
}

#[test]
fn usage_takes_cached_tokens_out_of_the_input() {
    let wire = crate::json::parse(
        r#"{"prompt_tokens":100,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":60,"cache_write_tokens":30}}"#,
    )
    .unwrap();
    let u = usage(&wire, "prompt_tokens", "completion_tokens", "prompt_tokens_details");
    assert_eq!(
        u,
        Usage { input_tokens: 10, output_tokens: 7, cache_read_tokens: Some(60), cache_creation_tokens: Some(30) }
    );
    // Inconsistent counts saturate instead of wrapping.
    let wire = crate::json::parse(r#"{"input_tokens":5,"input_tokens_details":{"cached_tokens":9}}"#).unwrap();
    assert_eq!(usage(&wire, "input_tokens", "output_tokens", "input_tokens_details").input_tokens, 0);
    let none = usage(&crate::json::parse("{}").unwrap(), "input_tokens", "output_tokens", "input_tokens_details");
    assert_eq!(none, Usage::default());
}

#[test]
fn endpoint_headers_and_data_urls() {
    let keyed = Endpoint {
        api_key: Some(Secret::new("sk-test")),
        base_url: Some("http://127.0.0.1:3100/openai/v1/".into()),
        bearer: false,
    };
    assert_eq!(url(&keyed, "/responses"), "http://127.0.0.1:3100/openai/v1/responses");
    let h = headers(&keyed);
    assert_eq!(header(&h, "authorization"), Some("Bearer sk-test"));
    assert_eq!(header(&h, "content-type"), Some("application/json"));
    assert_eq!(header(&h, "accept"), Some("text/event-stream"));
    let bare = Endpoint { api_key: None, base_url: None, bearer: false };
    assert_eq!(url(&bare, "/chat/completions"), "https://api.openai.com/v1/chat/completions");
    assert_eq!(header(&headers(&bare), "authorization"), None);

    let mut out = String::new();
    write_data_url("image/png", "iVBORw0KGgo=", &mut out);
    assert_eq!(out, r#""data:image/png;base64,iVBORw0KGgo=""#);
    let image = Part::Image { media_type: "image/png".into(), data: "AA==".into() };
    assert_eq!(tool_result_text(std::slice::from_ref(&image), false), "(1 image(s) attached in the next message)");
    assert_eq!(tool_result_text(&[Part::Text { text: "18 °C".into() }, image], false), "18 °C");
}

#[test]
fn a_tool_error_says_so_in_its_text() {
    // Neither API has Anthropic's `is_error` or Gemini's `error` key: a
    // handler's `{ content: "nope", isError: true }` must not read as a success.
    let text = |t: &str| [Part::Text { text: t.into() }];
    assert_eq!(tool_result_text(&text("nope"), true), "Error: nope");
    assert_eq!(tool_result_text(&text(""), true), "Error: ");
    // Already said (a handler that threw): not said twice.
    assert_eq!(tool_result_text(&text("Error: clock is broken"), true), "Error: clock is broken");
    assert_eq!(tool_result_text(&text("nope"), false), "nope");
}
