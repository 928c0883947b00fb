use super::*;
use crate::provider::{Endpoint, Secret};
use crate::test_support::{self, fixture, fixture_json, raw, value};
use serde_json::{Value, json};

fn parser() -> Box<dyn StreamParser> {
    Box::new(stream())
}

fn run(chunks: &[&[u8]]) -> (String, CoreResult<AssistantTurn>) {
    test_support::run(&parser, chunks)
}

/// Whole, at every split point, and one byte at a time: identical results.
fn all_chunkings(body: &[u8]) -> (String, AssistantTurn) {
    let (text, turn) = test_support::all_chunkings(&parser, body);
    (text, turn.unwrap())
}

#[test]
fn text_fixture_matches_expected() {
    let expected = fixture_json("anthropic/a-text.expected.json");
    let (streamed, turn) = all_chunkings(&fixture("anthropic/a-text.sse"));
    assert_eq!(streamed, expected["text"].as_str().unwrap());
    assert_eq!(turn.text(), streamed);
    assert_eq!(turn.stop_reason, StopReason::EndTurn);
    assert!(turn.tool_calls.is_empty());
    let u = &expected["usage_normalized"];
    assert_eq!(turn.usage.input_tokens, u["input_tokens_uncached"].as_u64().unwrap());
    assert_eq!(turn.usage.output_tokens, u["output_tokens"].as_u64().unwrap());
    assert_eq!(turn.usage.cache_read_tokens, u["cache_read_tokens"].as_u64());
    assert_eq!(turn.usage.cache_creation_tokens, u["cache_write_tokens"].as_u64());
}

#[test]
fn tool_call_fixture_matches_expected() {
    let expected = fixture_json("anthropic/b-tool-call.expected.json");
    let (streamed, turn) = all_chunkings(&fixture("anthropic/b-tool-call.sse"));
    assert_eq!(streamed, expected["text"].as_str().unwrap());
    assert_eq!(turn.stop_reason, StopReason::ToolUse);
    let call = &expected["tool_calls"][0];
    assert_eq!(turn.tool_calls.len(), 1);
    assert_eq!(turn.tool_calls[0].id, call["id"].as_str().unwrap());
    assert_eq!(turn.tool_calls[0].name, call["name"].as_str().unwrap());
    assert_eq!(value(turn.tool_calls[0].args.as_ref().unwrap()), call["arguments"]);
    assert_eq!(turn.usage.output_tokens, 72);
    assert_eq!(turn.usage.input_tokens, 412);
    // The transcript keeps text then the tool_use with parsed input.
    assert!(matches!(&turn.content[1], Part::ToolUse { input, .. } if value(input) == call["arguments"]));
}

fn sse(events: &[Value]) -> Vec<u8> {
    let mut out = String::new();
    for e in events {
        out.push_str(&format!("event: {}\ndata: {}\n\n", e["type"].as_str().unwrap(), e));
    }
    out.into_bytes()
}

fn start() -> Value {
    json!({"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}})
}

fn stop(reason: &str) -> [Value; 2] {
    [
        json!({"type":"message_delta","delta":{"stop_reason":reason},"usage":{"output_tokens":9}}),
        json!({"type":"message_stop"}),
    ]
}

#[test]
fn thinking_is_kept_but_not_shown_and_unknown_events_are_ignored() {
    let [d, s] = stop("end_turn");
    let body = sse(&[
        start(),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig=="}}),
        json!({"type":"content_block_stop","index":0}),
        json!({"type":"some_future_event","x":1}),
        json!({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}),
        json!({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Answer"}}),
        json!({"type":"content_block_delta","index":1,"delta":{"type":"citations_delta","citation":{}}}),
        json!({"type":"content_block_stop","index":1}),
        d,
        s,
    ]);
    let (text, turn) = all_chunkings(&body);
    assert_eq!(text, "Answer");
    assert_eq!(turn.content[0], Part::Thinking { thinking: "Let me think".into(), signature: Some("sig==".into()) });
    assert_eq!(turn.usage.output_tokens, 9);
}

#[test]
fn parallel_tools_empty_and_invalid_arguments() {
    let [d, s] = stop("tool_use");
    let body = sse(&[
        start(),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"clock","input":{}}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}),
        json!({"type":"content_block_stop","index":0}),
        json!({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t2","name":"calc","input":{}}}),
        json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\": 1"}}),
        json!({"type":"content_block_stop","index":1}),
        d,
        s,
    ]);
    let (_, turn) = all_chunkings(&body);
    assert_eq!(turn.tool_calls[0].args, Ok(raw(&json!({}))));
    assert!(turn.tool_calls[1].args.as_ref().unwrap_err().contains("not valid JSON"));
    assert_eq!(turn.stop_reason, StopReason::ToolUse);
}

#[test]
fn midstream_error_and_truncation_are_typed() {
    let body = sse(&[
        start(),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}),
        json!({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}),
    ]);
    let (text, result) = run(&[&body]);
    assert_eq!(text, "Hel");
    let err = result.unwrap_err();
    assert_eq!(err.code, "PROVIDER_OVERLOADED");
    assert!(err.retryable);

    let truncated = &fixture("anthropic/a-text.sse")[..400];
    let err = run(&[truncated]).1.unwrap_err();
    assert_eq!(err.code, "STREAM_TRUNCATED");
    assert_eq!(run(&[b""]).1.unwrap_err().code, "STREAM_TRUNCATED");
}

#[test]
fn garbage_gives_typed_errors_never_panics() {
    let cases: [&[u8]; 7] = [
        b"data: {not json\n\n",
        b"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n",
        b"data: {\"type\":\"content_block_start\",\"index\":99999999,\"content_block\":{\"type\":\"text\"}}\n\n",
        b"data: {\"type\":\"content_block_start\",\"index\":\"zero\"}\n\n",
        b"data: [1,2,3]\n\n",
        b"\xff\xfe\x00garbage\n\ndata: \xff\n\n",
        b"event: error\ndata: {}\n\n",
    ];
    for case in cases {
        let (_, result) = run(&[case]);
        let err = result.unwrap_err();
        assert!(err.code.starts_with("STREAM_") || err.code.starts_with("PROVIDER_"), "{err}");
    }
    // Random bytes, many seeds: only typed errors.
    let mut rng = crate::ids::Rng::from_entropy(b"garbage");
    for _ in 0..300 {
        let len = (rng.next_u64() % 400) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        let _ = run(&[&bytes]);
        let mut framed = b"data: ".to_vec();
        framed.extend_from_slice(&bytes);
        framed.extend_from_slice(b"\n\n");
        let _ = run(&[&framed]);
    }
}

#[test]
fn http_errors_are_classified_from_status_and_body() {
    let raw = fixture("anthropic/e-429-rate-limit.http");
    let (headers, body) = crate::test_support::split_http(&raw);
    let err = classify_error(429, &headers, &body);
    assert_eq!(err.code, "PROVIDER_RATE_LIMITED");
    assert!(err.retryable);
    assert_eq!(err.retry_after_ms, Some(17_000));
    assert!(err.message.contains("rate_limit_error"));

    let body = br#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#;
    let err = classify_error(401, &[], body);
    assert_eq!((err.code, err.retryable), ("PROVIDER_AUTH", false));
    let body = br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    assert_eq!(classify_error(529, &[], body).code, "PROVIDER_OVERLOADED");
    let body = br#"{"type":"error","error":{"type":"billing_error","message":"no credit"}}"#;
    assert_eq!(classify_error(402, &[], body).code, "PROVIDER_QUOTA");
    assert_eq!(classify_error(503, &[], b"<html>bad gateway</html>").code, "PROVIDER_UNAVAILABLE");
    assert_eq!(classify_error(400, &[], b"").code, "PROVIDER_BAD_REQUEST");
    assert_eq!(classify_error(418, &[], b"\xff").code, "PROVIDER_ERROR");
}

#[test]
fn request_matches_the_documented_shape() {
    let endpoint = Endpoint {
        api_key: Some(Secret::new("sk-test")),
        base_url: Some("http://localhost:3100/anthropic/".into()),
        bearer: false,
    };
    let tool = test_support::weather_tool();
    let messages = vec![
        Message::user(vec![Part::Text { text: "Hi".into() }]),
        Message::assistant(vec![
            Part::Text { text: String::new() },
            Part::ToolUse {
                id: "t1".into(),
                name: "get_weather".into(),
                input: raw(&json!({"location":"Paris"})),
                signature: None,
            },
        ]),
        Message::user(vec![Part::ToolResult {
            tool_use_id: "t1".into(),
            content: vec![Part::Text { text: "18 °C".into() }],
            is_error: false,
        }]),
        Message::user(vec![
            Part::Text { text: "And this?".into() },
            Part::Image { media_type: "image/png".into(), data: "iVBORw0KGgo=".into() },
        ]),
    ];
    let tools = [tool];
    let req = LlmRequest {
        endpoint: &endpoint,
        model: "claude-sonnet-4-5",
        system_prompt: Some("Be concise."),
        messages: &messages,
        tools: &tools,
        max_tokens: 1024,
        temperature: None,
        thinking: None,
        output_schema: None,
    };
    let http = build_request(&req);
    assert_eq!(http.url, "http://localhost:3100/anthropic/v1/messages");
    assert_eq!(super::super::header(&http.headers, "x-api-key"), Some("sk-test"));
    assert_eq!(super::super::header(&http.headers, "anthropic-version"), Some("2023-06-01"));
    assert_eq!(super::super::header(&http.headers, "anthropic-dangerous-direct-browser-access"), Some("true"));
    let body: Value = serde_json::from_str(&http.body).unwrap();
    assert_eq!(body["stream"], true);
    assert_eq!(body["system"], "Be concise.");
    assert_eq!(body["max_tokens"], 1024);
    assert_eq!(body["tools"][0]["input_schema"]["required"][0], "location");
    let msgs = body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 3, "consecutive user messages merge: {msgs:?}");
    assert_eq!(msgs[1]["content"].as_array().unwrap().len(), 1, "empty text is dropped");
    assert_eq!(msgs[2]["content"][0]["type"], "tool_result");
    assert_eq!(msgs[2]["content"][0]["content"][0]["text"], "18 °C");
    assert_eq!(msgs[2]["content"][2]["source"]["type"], "base64");
    assert!(body.get("temperature").is_none());
    assert!(body.get("output_config").is_none());

    let schema = raw(&json!({"type":"object","properties":{"n":{"type":"integer"}}}));
    let http = build_request(&LlmRequest { output_schema: Some(&schema), ..req });
    let body: Value = serde_json::from_str(&http.body).unwrap();
    assert_eq!(body["output_config"]["format"]["type"], "json_schema");
    assert_eq!(body["output_config"]["format"]["schema"]["properties"]["n"]["type"], "integer");
}

/// The API refuses a message whose text blocks are all whitespace ("text
/// content blocks must contain non-whitespace text"): blank text is left
/// out, and a message left empty goes, its neighbours merging.
#[test]
fn blank_text_is_left_out_and_an_emptied_message_merges_its_neighbours() {
    let text = |t: &str| Part::Text { text: t.into() };
    let image = Part::Image { media_type: "image/png".into(), data: "iVBORw0KGgo=".into() };
    let messages = vec![
        Message::user(vec![text("first")]),
        Message::assistant(vec![text("\n\n")]),
        Message::user(vec![text(" \t"), image]),
        Message::assistant(vec![text("ok"), text(" ")]),
    ];
    let body = body_of(&messages, None);
    assert_eq!(
        body["messages"],
        json!([
            {"role":"user","content":[{"type":"text","text":"first"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},
            {"role":"assistant","content":[{"type":"text","text":"ok"}]}
        ])
    );
}

#[test]
fn the_compact_fast_path_agrees_with_the_general_parser() {
    let samples = [
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi \"there\"\n é"}}"#,
        r#"{"type":"content_block_delta","index":12,"delta":{"type":"input_json_delta","partial_json":"{\"a\": 1"}}  "#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2ln"}}"#,
    ];
    for data in samples {
        let (index, kind, piece) = compact_delta(data).unwrap_or_else(|| panic!("fast path missed {data}"));
        let tree = json::parse(data).unwrap();
        assert_eq!(index, tree.get("index").and_then(Json::as_u64));
        let delta = tree.get("delta").unwrap();
        assert_eq!(Some(kind), delta.get("type").and_then(Json::as_str));
        let field = DELTA_FIELDS.iter().find(|(k, _)| *k == kind).unwrap().1;
        assert_eq!(Some(piece.as_ref()), delta.get(field).and_then(Json::as_str));
    }
    // Other shapes fall back to the general parser.
    for other in [
        r#"{"index":0,"type":"content_block_delta","delta":{"type":"text_delta","text":"x"}}"#,
        r#"{"type":"content_block_delta","index":01,"delta":{"type":"text_delta","text":"x"}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x","extra":1}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"unterminated}}"#,
        r#"{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta","citation":{}}}"#,
    ] {
        assert!(compact_delta(other).is_none(), "{other}");
    }
}

#[test]
fn a_second_message_start_is_a_protocol_error() {
    let block = |i: u64, id: &str| json!({"type":"content_block_start","index":i,"content_block":{"type":"tool_use","id":id,"name":"get_weather","input":{}}});
    // A gateway that splices two messages: the second's blocks would
    // overwrite the first's by index, leaving a half-received call.
    let body = sse(&[
        start(),
        block(0, "toolu_a"),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"loc"}}),
        start(),
        block(0, "toolu_b"),
        stop("tool_use")[0].clone(),
        stop("tool_use")[1].clone(),
    ]);
    let (_, turn) = run(&[&body]);
    let error = turn.unwrap_err();
    assert_eq!(error.code, "STREAM_PROTOCOL");
    assert!(error.message.contains("second message_start"), "{}", error.message);
}

#[test]
fn anything_after_message_stop_is_ignored() {
    let mut body = fixture("anthropic/a-text.sse");
    let (text, whole) = all_chunkings(&body);
    // A gateway's trailing [DONE], and junk after it, change nothing.
    body.extend_from_slice(b"data: [DONE]\n\ndata: {not json\n\nevent: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}\n\n");
    let (again, turn) = all_chunkings(&body);
    assert_eq!((again, turn), (text, whole));
}

#[test]
fn a_message_with_tool_calls_stops_for_tools_whatever_the_wire_says() {
    // Some gateways say end_turn after tool_use blocks; the calls decide.
    let body = sse(&[
        start(),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"clock","input":{}}}),
        stop("end_turn")[0].clone(),
        stop("end_turn")[1].clone(),
    ]);
    let (_, turn) = all_chunkings(&body);
    assert_eq!(turn.stop_reason, StopReason::ToolUse);
    assert_eq!(turn.tool_calls.len(), 1);
}

#[test]
fn the_output_schema_is_sent_as_structured_outputs_take_it() {
    // The README's example: an open object with a bound Claude's grammar
    // cannot enforce. Sent as is, the API answers 400.
    let readme = json!({"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer","minimum":1}},
        "required":["city","days"]});
    assert_eq!(
        strict(&readme),
        json!({"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer","description":"(minimum: 1)"}},
            "required":["city","days"],"additionalProperties":false})
    );
    // A free-form object (a JSON flow step's default) closed would allow only {}.
    assert_eq!(strict(&json!({"type":"object"})), json!({"type":"object"}));
    // Nested objects, arrays, $defs, oneOf, descriptions kept and extended,
    // data (enum, const, default) left alone, minItems 0 or 1 kept.
    let nested = json!({
        "$defs":{"tag":{"type":"string","maxLength":20,"description":"A tag"}},
        "type":"object","additionalProperties":true,"description":"A post",
        "properties":{
            "tags":{"type":"array","items":{"$ref":"#/$defs/tag"},"minItems":1,"maxItems":5,"uniqueItems":true},
            "pick":{"oneOf":[{"type":"object","properties":{"a":{"const":{"minimum":3}}}},{"type":"null"}]},
            "mode":{"enum":["a","b"],"default":"a"},
            "many":{"type":"array","minItems":2,"prefixItems":[{"type":"number","multipleOf":0.5}]}
        },
        "minProperties":1
    });
    assert_eq!(
        strict(&nested),
        json!({
            "$defs":{"tag":{"type":"string","description":"A tag (maxLength: 20)"}},
            "type":"object",
            "properties":{
                "tags":{"type":"array","items":{"$ref":"#/$defs/tag"},"minItems":1,"description":"(maxItems: 5, uniqueItems: true)"},
                "pick":{"anyOf":[{"type":"object","properties":{"a":{"const":{"minimum":3}}},"additionalProperties":false},{"type":"null"}]},
                "mode":{"enum":["a","b"],"default":"a"},
                "many":{"type":"array","prefixItems":[{"type":"number","description":"(multipleOf: 0.5)"}],"description":"(minItems: 2)"}
            },
            "additionalProperties":false,
            "description":"A post (minProperties: 1)"
        })
    );
}

/// The schema an Anthropic request carries for `schema`.
fn strict(schema: &Value) -> Value {
    let schema = raw(schema);
    let messages = vec![Message::user(vec![Part::Text { text: "Hi".into() }])];
    body_of(&messages, Some(&schema))["output_config"]["format"]["schema"].clone()
}

/// The body of a plain request for `messages` (no system prompt, tools or thinking).
fn body_of(messages: &[Message], output_schema: Option<&json::Raw>) -> Value {
    let endpoint = Endpoint { api_key: Some(Secret::new("k")), base_url: None, bearer: false };
    let req = LlmRequest { output_schema, ..test_support::plain_request(&endpoint, "claude-sonnet-4-5", messages) };
    serde_json::from_str(&build_request(&req).body).unwrap()
}
