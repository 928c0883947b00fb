use super::*;
use crate::json::Raw;
use crate::provider::ToolSpec;
use crate::provider::openai_shared::tests::{all_chunkings, assert_typed, check_fixture, fuzz, json_error_bodies, run};
use crate::provider::{Endpoint, Secret};
use crate::provider::{WireApi, header};
use crate::test_support::{Collected, Gen, Style, fixture, raw, same_as_general, value};
use serde_json::{Value, json};

fn parser() -> Box<dyn StreamParser> {
    Box::new(stream("call_7_"))
}

/// Data-only events, then `[DONE]` when `done`.
fn sse(chunks: &[Value], done: bool) -> Vec<u8> {
    let mut out = String::new();
    for c in chunks {
        out.push_str(&format!("data: {c}\n\n"));
    }
    if done {
        out.push_str("data: [DONE]\n\n");
    }
    out.into_bytes()
}

fn delta(delta: Value) -> Value {
    json!({"object":"chat.completion.chunk","choices":[{"index":0,"delta":delta,"finish_reason":null}],"usage":null})
}

fn finish(reason: &str) -> Value {
    json!({"choices":[{"index":0,"delta":{},"finish_reason":reason}],"usage":null})
}

fn usage_chunk() -> Value {
    json!({"choices":[],"usage":{"prompt_tokens":50,"completion_tokens":9,"prompt_tokens_details":{"cached_tokens":20}}})
}

#[test]
fn text_fixture_matches_expected() {
    let turn = check_fixture(&parser, "openai/chat/a-text");
    assert_eq!(turn.content.len(), 1);
    assert_eq!(turn.usage.cache_read_tokens, Some(1792));
}

#[test]
fn tool_call_fixture_matches_expected() {
    let turn = check_fixture(&parser, "openai/chat/b-tool-call");
    assert_eq!(turn.content.len(), 1, "a tool-only answer has no text part");
}

#[test]
fn parallel_calls_refusals_and_invented_ids() {
    let body = sse(
        &[
            json!({"choices":[],"prompt_filter_results":[]}),
            delta(json!({"role":"assistant","content":null,"refusal":null})),
            delta(json!({"refusal":"I can't"})),
            delta(json!({"content":" do that, but"})),
            delta(
                json!({"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"clock","arguments":""}}]}),
            ),
            delta(
                json!({"tool_calls":[{"index":1,"type":"function","function":{"name":"calc","arguments":"{\"a\":"}}]}),
            ),
            delta(json!({"tool_calls":[{"index":1,"function":{"arguments":" 1}"}}]})),
            delta(json!({"tool_calls":[{"index":3,"id":"call_d","function":{"name":"bad","arguments":"[1]"}}]})),
            // A second candidate (n > 1) is not followed.
            json!({"choices":[{"index":1,"delta":{"content":"IGNORED"}}]}),
            finish("stop"),
            usage_chunk(),
        ],
        true,
    );
    let (text, turn) = all_chunkings(&parser, &body);
    let turn = turn.unwrap();
    assert_eq!(text, "I can't do that, but");
    assert_eq!(turn.text(), text);
    // Calls decide the stop reason even when finish_reason says `stop`.
    assert_eq!(turn.stop_reason, StopReason::ToolUse);
    let ids: Vec<&str> = turn.tool_calls.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["call_a", "call_7_1", "call_d"]);
    assert_eq!(turn.tool_calls[0].args, Ok(raw(&json!({}))));
    assert_eq!(turn.tool_calls[1].args, Ok(raw(&json!({"a": 1}))));
    assert!(turn.tool_calls[2].args.as_ref().unwrap_err().contains("must be a JSON object"));
    assert_eq!(turn.content.len(), 4);
    assert_eq!(
        turn.usage,
        Usage { input_tokens: 30, output_tokens: 9, cache_read_tokens: Some(20), ..Usage::default() }
    );
}

#[test]
fn a_refusal_stops_for_content_filter_as_on_the_other_apis() {
    // The model refuses: `delta.refusal` pieces and `finish_reason: stop`
    // (Anthropic says `refusal`, Gemini `SAFETY`: both `content_filter`).
    let body = sse(
        &[
            delta(json!({"role":"assistant","content":null,"refusal":""})),
            delta(json!({"refusal":"I'm sorry, "})),
            delta(json!({"refusal":"I can't help with that."})),
            finish("stop"),
            usage_chunk(),
        ],
        true,
    );
    let (text, turn) = all_chunkings(&parser, &body);
    let turn = turn.unwrap();
    assert_eq!(text, "I'm sorry, I can't help with that.");
    assert_eq!(turn.stop_reason, StopReason::ContentFilter);
    // An empty refusal is no refusal.
    let plain = sse(&[delta(json!({"content":"Hi","refusal":""})), finish("stop")], true);
    assert_eq!(run(&parser, &[&plain]).1.unwrap().stop_reason, StopReason::EndTurn);
}

#[test]
fn calls_without_index_follow_their_ids() {
    let body = sse(
        &[
            delta(json!({"tool_calls":[{"id":"c1","function":{"name":"a","arguments":"{\"x\""}}]})),
            delta(json!({"tool_calls":[{"function":{"arguments":":1}"}}]})),
            delta(json!({"tool_calls":[{"id":"c2","function":{"name":"b","arguments":"{}"}}]})),
            finish("tool_calls"),
        ],
        true,
    );
    let turn = all_chunkings(&parser, &body).1.unwrap();
    assert_eq!(turn.tool_calls.len(), 2);
    assert_eq!((turn.tool_calls[0].id.as_str(), turn.tool_calls[1].name.as_str()), ("c1", "b"));
    assert_eq!(value(turn.tool_calls[0].args.as_ref().unwrap()), json!({"x": 1}));
}

#[test]
fn finish_reasons_map_to_stop_reasons() {
    for (reason, stop) in [
        ("stop", StopReason::EndTurn),
        ("length", StopReason::MaxTokens),
        ("content_filter", StopReason::ContentFilter),
        ("tool_calls", StopReason::ToolUse),
        ("function_call", StopReason::ToolUse),
        ("something_new", StopReason::EndTurn),
    ] {
        let body = sse(&[delta(json!({"content":"hi"})), finish(reason), usage_chunk()], true);
        assert_eq!(run(&parser, &[&body]).1.unwrap().stop_reason, stop, "{reason}");
    }
    // No usage chunk (include_usage off, or a proxy drops it): zero usage.
    let body = sse(&[delta(json!({"content":"hi"})), finish("stop")], true);
    assert_eq!(run(&parser, &[&body]).1.unwrap().usage, Usage::default());
}

#[test]
fn midstream_errors_are_typed() {
    let error = json!({"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}});
    let body = sse(&[delta(json!({"content":"Hel"})), error], false);
    let (text, result) = all_chunkings(&parser, &body);
    assert_eq!(text, "Hel");
    let err = result.unwrap_err();
    assert_eq!((err.code, err.retryable), ("PROVIDER_UNAVAILABLE", true));
    assert!(err.message.contains("The server had an error"));

    let overloaded = sse(&[json!({"error":{"message":"Overloaded","type":"overloaded_error"}})], false);
    let err = run(&parser, &[&overloaded]).1.unwrap_err();
    assert_eq!((err.code, err.retryable), ("PROVIDER_OVERLOADED", true));
    let named = b"event: error\ndata: {\"message\":\"quota\",\"code\":\"insufficient_quota\"}\n\n";
    assert_eq!(run(&parser, &[named]).1.unwrap_err().code, "PROVIDER_QUOTA");
    // `"error": null` is an ordinary chunk.
    let body = sse(&[json!({"error":null,"choices":[{"index":0,"delta":{"content":"ok"}}]})], true);
    assert_eq!(run(&parser, &[&body]).1.unwrap().text(), "ok");
}

#[test]
fn truncation_is_typed_and_partial_keeps_the_text() {
    let full = fixture("openai/chat/a-text.sse");
    let text = String::from_utf8(full.clone()).unwrap();
    let before_done = text.find("data: [DONE]").unwrap();
    for cut in [0, 300, before_done] {
        let err = run(&parser, &[&full[..cut]]).1.unwrap_err();
        assert_eq!((err.code, err.retryable), ("STREAM_TRUNCATED", true), "cut at {cut}");
    }
    // `[DONE]` without its blank line is not a whole event.
    let err = run(&parser, &[&full[..full.len() - 2]]).1.unwrap_err();
    assert_eq!(err.code, "STREAM_TRUNCATED");

    let mut p = parser();
    let mut sink = Collected::default();
    let cut = text.find(" and mostly sunny").unwrap();
    p.feed(&full[..cut], &mut sink).unwrap();
    let partial = p.partial();
    assert_eq!(partial.text(), "Paris is mild this week: around 18 °C");
    assert_eq!((partial.stop_reason, partial.tool_calls.len()), (StopReason::Cancelled, 0));
}

#[test]
fn events_after_done_are_ignored() {
    let mut body = sse(&[delta(json!({"content":"a"})), finish("stop")], true);
    body.extend_from_slice(b"data: {not json\n\n");
    assert_eq!(run(&parser, &[&body]).1.unwrap().text(), "a");
}

#[test]
fn garbage_gives_typed_errors_never_panics() {
    let cases: [&[u8]; 10] = [
        b"data: {not json\n\n",
        b"data: [1,2,3]\n\n",
        b"data: \"text\"\n\n",
        b"data: {\"choices\":\"zero\"}\n\n",
        b"data: {\"choices\":[{\"delta\":{\"tool_calls\":{\"index\":0}}}]}\n\n",
        b"data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":\"zero\"}]}}]}\n\n",
        b"data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":99999999999}]}}]}\n\n",
        b"data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":-1}]}}]}\n\n",
        b"\xff\xfe\x00garbage\n\ndata: \xff\n\n",
        b"data: {\"choices\":[{\"delta\":{\"content\":7,\"refusal\":[],\"tool_calls\":null}}],\"usage\":3}\n\n",
    ];
    for case in cases {
        assert_typed(run(&parser, &[case]).1, case);
    }
    json_error_bodies(&parser);
    fuzz(&parser, b"openai chat garbage");
}

use crate::test_support::weather_tool;

fn history() -> Vec<Message> {
    let png = || Part::Image { media_type: "image/png".into(), data: "iVBORw0KGgo=".into() };
    vec![
        Message::user(vec![Part::Text { text: "Hi".into() }]),
        Message::assistant(vec![
            Part::Thinking { thinking: "hmm".into(), signature: None },
            Part::Text { text: "Checking.".into() },
            Part::ToolUse {
                id: "call_1".into(),
                name: "get_weather".into(),
                input: raw(&json!({"location":"Paris"})),
                signature: None,
            },
            Part::ToolUse { id: "call_2".into(), name: "snapshot".into(), input: raw(&json!({})), signature: None },
        ]),
        Message::user(vec![
            Part::ToolResult {
                tool_use_id: "call_1".into(),
                content: vec![Part::Text { text: "18 °C".into() }],
                is_error: false,
            },
            Part::ToolResult { tool_use_id: "call_2".into(), content: vec![png()], is_error: false },
        ]),
        Message::assistant(vec![Part::RedactedThinking { data: "x".into() }]),
        Message::user(vec![Part::Text { text: String::new() }, Part::Text { text: "And this?".into() }, png()]),
    ]
}

fn request(endpoint: &Endpoint, messages: &[Message], tools: &[ToolSpec<'_>], schema: Option<&Raw>) -> Value {
    let temperature = raw(&json!(0.2));
    let http = build_request(&LlmRequest {
        endpoint,
        model: "gpt-4.1",
        system_prompt: Some("Be concise."),
        messages,
        tools,
        max_tokens: 1024,
        temperature: Some(&temperature),
        thinking: None,
        output_schema: schema,
    });
    serde_json::from_str(&http.body).unwrap()
}

#[test]
fn request_matches_the_documented_shape() {
    let endpoint = Endpoint {
        api_key: Some(Secret::new("sk-test")),
        base_url: Some("http://127.0.0.1:3100/openai/v1/".into()),
        bearer: false,
    };
    let tool = weather_tool();
    let messages = history();
    let http = OpenAiChat.build_request(&LlmRequest {
        endpoint: &endpoint,
        model: "gpt-4.1",
        system_prompt: None,
        messages: &messages,
        tools: &[],
        max_tokens: 5,
        temperature: None,
        thinking: None,
        output_schema: None,
    });
    assert_eq!(http.url, "http://127.0.0.1:3100/openai/v1/chat/completions");
    assert_eq!(http.method, "POST");
    assert_eq!(header(&http.headers, "authorization"), Some("Bearer sk-test"));
    assert_eq!(header(&http.headers, "accept"), Some("text/event-stream"));
    let bare: Value = serde_json::from_str(&http.body).unwrap();
    assert_eq!(bare["messages"][0]["role"], "user", "no system message without a system prompt");
    for absent in ["tools", "temperature", "response_format"] {
        assert!(bare.get(absent).is_none(), "{absent}");
    }

    let body = request(&endpoint, &messages, &[tool], None);
    assert_eq!(body["model"], "gpt-4.1");
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"], json!({"include_usage": true}));
    assert_eq!(body["max_completion_tokens"], 1024);
    assert_eq!(body["temperature"], json!(0.2));
    assert_eq!(
        body["tools"],
        json!([{"type":"function","function":{"name":"get_weather","description":"Get the current weather for a city.",
            "parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}}])
    );
    let png = json!({"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}});
    assert_eq!(
        body["messages"],
        json!([
            {"role":"system","content":"Be concise."},
            {"role":"user","content":"Hi"},
            {"role":"assistant","content":"Checking.","tool_calls":[
                {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Paris\"}"}},
                {"id":"call_2","type":"function","function":{"name":"snapshot","arguments":"{}"}}]},
            {"role":"tool","tool_call_id":"call_1","content":"18 °C"},
            {"role":"tool","tool_call_id":"call_2","content":"(1 image(s) attached in the next message)"},
            {"role":"user","content":[png]},
            {"role":"user","content":[{"type":"text","text":"And this?"}, png]},
        ])
    );
}

#[test]
fn tool_only_assistant_turns_have_null_content_and_schemas_become_response_format() {
    let endpoint = Endpoint { api_key: None, base_url: None, bearer: false };
    let messages = vec![Message::assistant(vec![Part::ToolUse {
        id: "c".into(),
        name: "t".into(),
        input: raw(&json!({"q":"a \"quoted\" word"})),
        signature: None,
    }])];
    let schema = raw(&json!({"type":"object","properties":{"answer":{"type":"string"}}}));
    let body = request(&endpoint, &messages, &[], Some(&schema));
    let assistant = &body["messages"][1];
    assert_eq!(assistant["content"], Value::Null);
    let arguments = assistant["tool_calls"][0]["function"]["arguments"].as_str().unwrap();
    assert_eq!(serde_json::from_str::<Value>(arguments).unwrap(), json!({"q":"a \"quoted\" word"}));
    assert_eq!(
        body["response_format"],
        json!({"type":"json_schema","json_schema":{"name":"output","schema":value(&schema),"strict":false}})
    );
}

#[test]
fn the_wire_api_has_this_implementation() {
    assert!(WireApi::OpenAiChat.implementation().is_some());
    let (headers, body) = crate::test_support::split_http(&fixture("openai/e-429-rate-limit.http"));
    let err = OpenAiChat.classify_error(429, &headers, &body);
    assert_eq!((err.code, err.retry_after_ms), ("PROVIDER_RATE_LIMITED", Some(1000)));
}

// ---------------------------------------------------------------- fast path

fn general() -> Box<dyn StreamParser> {
    let mut stream = stream("call_7_");
    stream.handler.fast.off = true;
    Box::new(stream)
}

/// One chunk in `style`: mostly text, sometimes what else a stream
/// carries (role, finish, usage, refusals, tool calls, other choices, odd
/// values), which the fast path must leave to the general one. Some
/// servers do one of those on every chunk (`style.order` picks which).
fn chunk(g: &mut Gen, style: &Style, id: &str) -> String {
    let inner = Style { extra: Vec::new(), ..style.clone() };
    let (text, other) = (g.text(), g.text());
    let every = |mode| style.order % 16 == mode;
    let mut delta = vec![("content", g.string(&text, style))];
    match g.below(40) {
        _ if every(1) => delta.push(("refusal", "\"Sorry\"".into())),
        _ if every(2) => delta.push(("tool_calls", r#"[{"index":0,"function":{"arguments":"{}"}}]"#.into())),
        0 => delta = vec![("role", "\"assistant\"".into()), ("content", "\"\"".into()), ("refusal", "null".into())],
        1 => delta.push(("refusal", g.string(&other, style))),
        2 => {
            let args = g.string(r#"{"location":"Par"#, style);
            let call = format!(
                r#"{{"index":0,"id":"call_1","type":"function","function":{{"name":"get_weather","arguments":{args}}}}}"#
            );
            delta = vec![("tool_calls", format!("[{call}]"))];
        }
        3 => delta = vec![("content", "null".into())],
        4 => delta.push(("content", g.string(&other, style))),
        5 => delta = vec![("con\\u0074ent", g.string(&other, style))],
        6 => delta = vec![("content", "42".into())],
        7 => delta.push(("tool_calls", "null".into())),
        8 => delta.push(("tool_calls", "[]".into())),
        9 => delta.push(("refusal", "\"\"".into())),
        _ => {}
    }
    let index = match g.below(60) {
        _ if every(3) => "\"0\"",
        0 => "1",
        1 => "\"0\"",
        2 => "0.0",
        _ => "0",
    };
    let finish = match g.below(30) {
        0 => "\"stop\"",
        1 => "\"length\"",
        2 => "7",
        _ => "null",
    };
    let logprobs = if every(4) || g.one_in(50) { r#"{"content":[]}"# } else { "null" };
    let mut choice = vec![("index", index.to_string()), ("delta", g.object(&delta, &inner))];
    choice.extend([("logprobs", logprobs.to_string()), ("finish_reason", finish.to_string())]);
    let choice = g.object(&choice, &inner);
    let second = format!(r#"{{"index":1,"delta":{{"content":{}}}}}"#, g.string(&other, style));
    let choices = match g.below(60) {
        _ if every(5) => format!("[{choice},{second}]"),
        _ if every(6) => format!("[{second},{choice}]"),
        0 => "[]".to_string(),
        1 => format!("[{choice},{second}]"),
        2 => "null".to_string(),
        _ => format!("[{choice}]"),
    };
    let usage = match g.below(60) {
        _ if every(7) => r#"{"prompt_tokens":5,"completion_tokens":3}"#,
        0 => r#"{"prompt_tokens":5,"completion_tokens":3}"#,
        1 => "7",
        _ => "null",
    };
    let len = 2 + g.below(13);
    let padding = g.token(len);
    let mut top = vec![
        ("id", g.string(id, style)),
        ("object", "\"chat.completion.chunk\"".into()),
        ("created", (1_756_728_000 + g.below(3)).to_string()),
        ("model", "\"gpt-4.1-2025-04-14\"".into()),
        ("choices", choices),
        ("usage", usage.to_string()),
        ("obfuscation", g.string(&padding, style)),
    ];
    // Some servers send `"error":null` on every chunk; then one with an error.
    match (every(8), g.below(200)) {
        (true, 0) => top.push(("error", "\"boom\"".into())),
        (true, _) => top.push(("error", "null".into())),
        (false, 0) => top.push(("error", r#"{"message":"boom","type":"server_error"}"#.into())),
        (false, 1) => top.push(("choices", "[]".into())),
        _ => {}
    }
    g.object(&top, style)
}

/// Runs of chunks, each run in one server's style, then usage and [DONE]
/// (usually).
fn generated_stream(g: &mut Gen) -> Vec<u8> {
    let mut out = String::new();
    for _ in 0..1 + g.below(4) {
        let style = g.style();
        let id = format!("chatcmpl-{}", g.token(29));
        for _ in 0..g.below(40) {
            let line_end = if g.one_in(50) { "\r\n" } else { "\n" };
            let name = if g.one_in(200) { "event: error\n" } else { "" };
            out.push_str(&format!("{name}data: {}{line_end}{line_end}", chunk(g, &style, &id)));
        }
    }
    out.push_str(&format!("data: {}\n\n", usage_chunk()));
    if !g.one_in(10) {
        out.push_str("data: [DONE]\n\n");
    }
    out.into_bytes()
}

#[test]
fn the_fast_path_reads_every_stream_as_the_general_one() {
    let mut g = Gen::new(b"openai chat fast path");
    let (mut deltas, mut fast) = (0, 0);
    for _ in 0..400 {
        let body = generated_stream(&mut g);
        deltas += same_as_general(&parser, &general, &body, &mut g).len();
        let mut stream = stream("call_7_");
        let _ = stream.feed(&body, &mut Collected::default());
        fast += stream.handler.shape.reads.get();
    }
    // Many text deltas took the fast path (a chunk the general path
    // reads, or whose text is escaped, leaves a stream without a shape
    // until the next plain one).
    assert!(fast * 8 > deltas && deltas > 5000, "{fast} of {deltas}");
}

#[test]
fn the_fast_path_reads_the_fixtures_however_cut() {
    for name in ["a-text", "b-tool-call"] {
        let body = fixture(&format!("openai/chat/{name}.sse"));
        let mut g = Gen::new(name.as_bytes());
        for _ in 0..200 {
            same_as_general(&parser, &general, &body, &mut g);
        }
    }
}

#[test]
fn chunks_that_carry_more_than_text_are_never_read_by_shape() {
    // Each kind on every chunk, so a shape learned from one would be used;
    // only plain text without usage is.
    let kinds = [
        r#"[{"index":0,"delta":{"content":"T"}}]"#,
        r#"[{"index":0,"delta":{"content":"T","refusal":"Sorry"}}]"#,
        r#"[{"index":0,"delta":{"content":"T","tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}]"#,
        r#"[{"index":0,"delta":{"content":"T"}},{"index":1,"delta":{"content":"U"}}]"#,
        r#"[{"index":1,"delta":{"content":"U"}},{"index":0,"delta":{"content":"T"}}]"#,
    ];
    for (i, kind) in kinds.iter().enumerate() {
        for usage in ["null", r#"{"prompt_tokens":5,"completion_tokens":N}"#] {
            let chunk = |t: &str, n: &str| {
                format!("data: {{\"choices\":{},\"usage\":{}}}\n\n", kind.replace('T', t), usage.replace('N', n))
            };
            let body = format!("{}{}{}data: [DONE]\n\n", chunk("a", "1"), chunk("b", "2"), chunk("c", "3"));
            let deltas = same_as_general(&parser, &general, body.as_bytes(), &mut Gen::new(body.as_bytes()));
            assert!(!deltas.is_empty(), "{body}");
            let mut stream = stream("call_7_");
            stream.feed(body.as_bytes(), &mut Collected::default()).unwrap();
            let fast = i == 0 && usage == "null";
            assert_eq!(stream.handler.shape.reads.get(), if fast { 2 } else { 0 }, "{body}");
        }
    }
}
