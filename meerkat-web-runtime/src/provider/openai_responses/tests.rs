use super::*;
use crate::provider::openai_shared::tests::{all_chunkings, assert_typed, check_fixture, fuzz, json_error_bodies, run};
use crate::provider::{Endpoint, Secret};
use crate::provider::{WireApi, header};
use crate::test_support::{Collected, Gen, Style, fixture, raw, same_as_general, value};
use serde_json::{Value, json};

fn parser() -> Box<dyn StreamParser> {
    Box::new(stream("call_9_"))
}

/// `event: <type>` + `data:` pairs, numbered like the real stream.
fn sse(events: &[Value]) -> Vec<u8> {
    let mut out = String::new();
    for (n, e) in events.iter().enumerate() {
        let mut e = e.clone();
        e["sequence_number"] = json!(n);
        out.push_str(&format!("event: {}\ndata: {}\n\n", e["type"].as_str().unwrap_or("message"), e));
    }
    out.into_bytes()
}

fn text(delta: &str) -> Value {
    json!({"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":delta,"obfuscation":"xyz"})
}

fn call_added(index: u64, item_id: &str, call_id: &str, name: &str) -> Value {
    json!({"type":"response.output_item.added","output_index":index,
        "item":{"id":item_id,"type":"function_call","status":"in_progress","arguments":"","call_id":call_id,"name":name}})
}

fn args_delta(item_id: &str, index: u64, delta: &str) -> Value {
    json!({"type":"response.function_call_arguments.delta","item_id":item_id,"output_index":index,"delta":delta})
}

fn completed() -> Value {
    json!({"type":"response.completed","response":{"status":"completed","incomplete_details":null,
        "usage":{"input_tokens":100,"input_tokens_details":{"cached_tokens":40},"output_tokens":12,"output_tokens_details":{"reasoning_tokens":5}}}})
}

#[test]
fn text_fixture_matches_expected() {
    let turn = check_fixture(&parser, "openai/responses/a-text");
    assert_eq!(turn.content.len(), 1);
}

#[test]
fn tool_call_fixture_matches_expected() {
    let turn = check_fixture(&parser, "openai/responses/b-tool-call");
    // The call id is `call_id`, never the `fc_` item id.
    assert!(turn.tool_calls[0].id.starts_with("call_"));
}

#[test]
fn parallel_calls_by_item_id_and_output_index() {
    let body = sse(&[
        json!({"type":"response.created","response":{"usage":null}}),
        json!({"type":"response.output_item.added","output_index":0,"item":{"id":"msg_1","type":"message","content":[]}}),
        text("Let me "),
        json!({"type":"response.refusal.delta","item_id":"msg_1","output_index":0,"delta":"check."}),
        call_added(1, "fc_a", "call_a", "clock"),
        call_added(2, "fc_b", "", "calc"),
        args_delta("fc_b", 2, "{\"a\":"),
        // Keyed by output_index alone, as some proxies send it.
        json!({"type":"response.function_call_arguments.delta","output_index":2,"delta":" 1}"}),
        json!({"type":"response.function_call_arguments.done","item_id":"fc_a","output_index":1,"arguments":"{}"}),
        json!({"type":"response.reasoning_summary_text.delta","delta":"ignored"}),
        json!({"type":"response.output_item.done","output_index":2,
            "item":{"id":"fc_b","type":"function_call","arguments":"{\"a\": 1}","call_id":"","name":"calc"}}),
        // An item whose start a proxy dropped still counts.
        json!({"type":"response.output_item.done","output_index":3,
            "item":{"id":"fc_c","type":"function_call","arguments":"{\"b\":2}","call_id":"call_c","name":"late"}}),
        json!({"type":"some.future.event","x":1}),
        completed(),
    ]);
    let (streamed, turn) = all_chunkings(&parser, &body);
    let turn = turn.unwrap();
    assert_eq!(streamed, "Let me check.");
    assert_eq!(turn.stop_reason, StopReason::ToolUse);
    let calls: Vec<(&str, &str)> = turn.tool_calls.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect();
    assert_eq!(calls, [("call_a", "clock"), ("call_9_1", "calc"), ("call_c", "late")]);
    assert_eq!(turn.tool_calls[0].args, Ok(raw(&json!({}))));
    assert_eq!(value(turn.tool_calls[1].args.as_ref().unwrap()), json!({"a": 1}));
    assert_eq!(value(turn.tool_calls[2].args.as_ref().unwrap()), json!({"b": 2}));
    assert_eq!(
        turn.usage,
        Usage { input_tokens: 60, output_tokens: 12, cache_read_tokens: Some(40), ..Usage::default() }
    );
    assert!(matches!(&turn.content[0], Part::Text { text } if text == "Let me check."));
}

#[test]
fn a_refusal_stops_for_content_filter_as_on_the_other_apis() {
    // A refusal content part, streamed by `response.refusal.delta`, in a
    // response that completes (Anthropic says `refusal`, Gemini `SAFETY`).
    let body = sse(&[
        json!({"type":"response.output_item.added","output_index":0,"item":{"id":"msg_1","type":"message","content":[]}}),
        json!({"type":"response.content_part.added","item_id":"msg_1","output_index":0,"content_index":0,
            "part":{"type":"refusal","refusal":""}}),
        json!({"type":"response.refusal.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"I can't "}),
        json!({"type":"response.refusal.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"help."}),
        json!({"type":"response.refusal.done","item_id":"msg_1","output_index":0,"content_index":0,"refusal":"I can't help."}),
        completed(),
    ]);
    let (streamed, turn) = all_chunkings(&parser, &body);
    let turn = turn.unwrap();
    assert_eq!(streamed, "I can't help.");
    assert_eq!(turn.stop_reason, StopReason::ContentFilter);
}

#[test]
fn incomplete_responses_map_their_reason() {
    for (reason, stop) in [
        ("max_output_tokens", StopReason::MaxTokens),
        ("content_filter", StopReason::ContentFilter),
        ("something_new", StopReason::MaxTokens),
    ] {
        let body = sse(&[
            text("Once upon"),
            json!({"type":"response.incomplete","response":{"status":"incomplete",
                "incomplete_details":{"reason":reason},"usage":{"input_tokens":3,"output_tokens":2}}}),
        ]);
        let turn = run(&parser, &[&body]).1.unwrap();
        assert_eq!((turn.stop_reason, turn.usage.output_tokens), (stop, 2), "{reason}");
    }
    // A trailing [DONE] from a proxy, and anything after the terminal event, are ignored.
    let mut body = sse(&[text("ok"), completed()]);
    body.extend_from_slice(b"data: [DONE]\n\ndata: {garbage\n\n");
    assert_eq!(all_chunkings(&parser, &body).1.unwrap().text(), "ok");
}

#[test]
fn both_error_event_shapes_and_response_failed_are_typed() {
    let documented = sse(&[
        text("Hel"),
        json!({"type":"error","code":"ERR_SOMETHING","message":"Something went wrong","param":null}),
    ]);
    let (streamed, result) = all_chunkings(&parser, &documented);
    assert_eq!(streamed, "Hel");
    let err = result.unwrap_err();
    assert_eq!((err.code, err.retryable), ("PROVIDER_ERROR", false));
    assert!(err.message.contains("Something went wrong"));

    let nested =
        sse(&[json!({"type":"error","error":{"type":"invalid_request_error","code":"context_length_exceeded",
        "message":"Your input exceeds the context window of this model.","param":"input"}})]);
    assert_eq!(run(&parser, &[&nested]).1.unwrap_err().code, "PROVIDER_BAD_REQUEST");
    let server = sse(&[json!({"type":"error","code":"server_error","message":"boom"})]);
    let err = run(&parser, &[&server]).1.unwrap_err();
    assert_eq!((err.code, err.retryable), ("PROVIDER_UNAVAILABLE", true));

    let failed = sse(&[json!({"type":"response.failed","response":{"status":"failed",
        "error":{"code":"rate_limit_exceeded","message":"slow down"},"usage":null}})]);
    let err = run(&parser, &[&failed]).1.unwrap_err();
    assert_eq!((err.code, err.retryable), ("PROVIDER_RATE_LIMITED", true));
    let overloaded = sse(&[json!({"type":"response.failed","response":{"error":{"code":"server_is_overloaded"}}})]);
    assert_eq!(run(&parser, &[&overloaded]).1.unwrap_err().code, "PROVIDER_OVERLOADED");
}

#[test]
fn an_error_event_whose_code_is_null_is_a_retryable_server_failure() {
    // The documented `error` event as the API reports its own failure
    // (`code: null`, nothing but a message), then `response.failed`: the
    // request was accepted (200), so this is the server's fault, like a 500.
    let body = sse(&[
        text("Hel"),
        json!({"type":"error","code":null,"message":"The server had an error while processing your request.","param":null}),
        json!({"type":"response.failed","response":{"status":"failed","error":{"code":"server_error","message":"m"}}}),
    ]);
    let err = all_chunkings(&parser, &body).1.unwrap_err();
    assert_eq!((err.code, err.retryable), ("PROVIDER_UNAVAILABLE", true), "{}", err.message);
    // The event's own `type` is no error kind.
    assert_eq!(err.message, "openai stream error The server had an error while processing your request.");
    // A failed response that says nothing about why.
    let failed = sse(&[json!({"type":"response.failed","response":{"status":"failed","error":null}})]);
    let err = run(&parser, &[&failed]).1.unwrap_err();
    assert_eq!((err.code, err.retryable), ("PROVIDER_UNAVAILABLE", true));
}

#[test]
fn truncation_is_typed_and_partial_keeps_the_text() {
    let full = fixture("openai/responses/a-text.sse");
    let source = String::from_utf8(full.clone()).unwrap();
    let before_end = source.find("event: response.completed").unwrap();
    for cut in [0, 500, before_end, full.len() - 1] {
        let err = run(&parser, &[&full[..cut]]).1.unwrap_err();
        assert_eq!((err.code, err.retryable), ("STREAM_TRUNCATED", true), "cut at {cut}");
    }
    // `[DONE]` alone does not end a Responses stream.
    let body = sse(&[text("a")]);
    let mut done = body.clone();
    done.extend_from_slice(b"data: [DONE]\n\n");
    assert_eq!(run(&parser, &[&done]).1.unwrap_err().code, "STREAM_TRUNCATED");

    let mut p = parser();
    let mut sink = Collected::default();
    let cut = source.find("event: response.output_text.done").unwrap();
    p.feed(&full[..cut], &mut sink).unwrap();
    let partial = p.partial();
    assert_eq!(partial.text(), sink.text);
    assert!(partial.text().starts_with("Paris is mild"));
    assert_eq!((partial.stop_reason, partial.tool_calls.len()), (StopReason::Cancelled, 0));
}

#[test]
fn garbage_gives_typed_errors_never_panics() {
    let cases: [&[u8]; 9] = [
        b"data: {not json\n\n",
        b"data: [1,2,3]\n\n",
        b"event: response.completed\ndata: 7\n\n",
        b"data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_x\",\"delta\":\"{}\"}\n\n",
        b"data: {\"type\":\"response.function_call_arguments.done\",\"output_index\":99999999999999999999}\n\n",
        b"data: {\"type\":\"response.output_item.added\",\"item\":\"function_call\"}\n\n",
        b"data: {\"type\":\"response.output_text.delta\",\"delta\":{\"a\":1}}\n\n",
        b"\xff\xfe\x00garbage\n\ndata: \xff\n\n",
        b"event: error\ndata: {}\n\n",
    ];
    for case in cases {
        assert_typed(run(&parser, &[case]).1, case);
    }
    // Endless new function calls are bounded.
    let many: Vec<Value> = (0..=MAX_CALLS as u64).map(|i| call_added(i, &format!("fc_{i}"), "c", "n")).collect();
    assert_eq!(run(&parser, &[&sse(&many)]).1.unwrap_err().code, "STREAM_PROTOCOL");
    json_error_bodies(&parser);
    fuzz(&parser, b"openai responses garbage");
}

fn history() -> Vec<Message> {
    let png = || Part::Image { media_type: "image/png".into(), data: "iVBORw0KGgo=".into() };
    vec![
        Message::user(vec![Part::Text { text: "Hi".into() }, png()]),
        Message::assistant(vec![
            Part::Thinking { thinking: "hmm".into(), signature: Some("s".into()) },
            Part::Text { text: "Checking.".into() },
            Part::ToolUse {
                id: "call_1".into(),
                name: "get_weather".into(),
                input: raw(&json!({"location":"Paris"})),
                signature: None,
            },
        ]),
        Message::user(vec![Part::ToolResult {
            tool_use_id: "call_1".into(),
            content: vec![Part::Text { text: "18 °C".into() }, png()],
            is_error: false,
        }]),
        Message::assistant(vec![Part::Text { text: "Sunny.".into() }]),
        Message::user(vec![Part::Text { text: "Thanks".into() }]),
    ]
}

#[test]
fn request_matches_the_documented_shape() {
    let endpoint = Endpoint {
        api_key: Some(Secret::new("sk-test")),
        base_url: Some("http://127.0.0.1:3100/openai/v1/".into()),
        bearer: false,
    };
    let tool = crate::test_support::weather_tool();
    let messages = history();
    let temperature = raw(&json!(1));
    let schema = raw(&json!({"type":"object"}));
    let http = OpenAiResponses.build_request(&LlmRequest {
        endpoint: &endpoint,
        model: "gpt-4.1",
        system_prompt: Some("Be concise."),
        messages: &messages,
        tools: &[tool],
        max_tokens: 1024,
        temperature: Some(&temperature),
        thinking: None,
        output_schema: Some(&schema),
    });
    assert_eq!(http.url, "http://127.0.0.1:3100/openai/v1/responses");
    assert_eq!(header(&http.headers, "authorization"), Some("Bearer sk-test"));
    assert_eq!(header(&http.headers, "content-type"), Some("application/json"));
    let body: Value = serde_json::from_str(&http.body).unwrap();
    assert_eq!(body["model"], "gpt-4.1");
    assert_eq!(body["stream"], true);
    assert_eq!(body["instructions"], "Be concise.");
    assert_eq!(body["max_output_tokens"], 1024);
    assert_eq!(body["temperature"], 1);
    assert!(body.get("stream_options").is_none() && body.get("messages").is_none());
    assert_eq!(
        body["tools"],
        json!([{"type":"function","name":"get_weather","description":"Get the current weather for a city.",
            "parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]},"strict":false}])
    );
    assert_eq!(
        body["text"],
        json!({"format":{"type":"json_schema","name":"output","schema":{"type":"object"},"strict":false}})
    );
    let image = json!({"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="});
    assert_eq!(
        body["input"],
        json!([
            {"role":"user","content":[{"type":"input_text","text":"Hi"}, image]},
            {"role":"assistant","content":"Checking."},
            {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"location\":\"Paris\"}"},
            {"type":"function_call_output","call_id":"call_1","output":"18 °C"},
            {"role":"user","content":[image]},
            {"role":"assistant","content":"Sunny."},
            {"role":"user","content":"Thanks"},
        ])
    );

    let bare = build_request(&LlmRequest {
        endpoint: &Endpoint { api_key: None, base_url: None, bearer: false },
        model: "o4-mini",
        system_prompt: Some(""),
        messages: &[],
        tools: &[],
        max_tokens: 16,
        temperature: None,
        thinking: None,
        output_schema: None,
    });
    assert_eq!(bare.url, "https://api.openai.com/v1/responses");
    assert_eq!(header(&bare.headers, "authorization"), None);
    let body: Value = serde_json::from_str(&bare.body).unwrap();
    assert_eq!(body, json!({"model":"o4-mini","stream":true,"store":false,"max_output_tokens":16,"input":[]}));
}

#[test]
fn the_wire_api_has_this_implementation() {
    assert!(WireApi::OpenAiResponses.implementation().is_some());
    let err = OpenAiResponses.classify_error(429, &[], br#"{"error":{"type":"insufficient_quota","code":"insufficient_quota","message":"You exceeded your current quota"}}"#);
    assert_eq!((err.code, err.retryable), ("PROVIDER_QUOTA", false));
}

fn message_added(index: u64, id: &str, phase: Option<&str>) -> Value {
    let mut item = json!({"id":id,"type":"message","status":"in_progress","role":"assistant","content":[]});
    if let Some(phase) = phase {
        item["phase"] = json!(phase);
    }
    json!({"type":"response.output_item.added","output_index":index,"item":item})
}

fn text_in(item_id: &str, index: u64, delta: &str) -> Value {
    json!({"type":"response.output_text.delta","item_id":item_id,"output_index":index,"content_index":0,"delta":delta})
}

#[test]
fn message_items_are_paragraphs_and_commentary_is_not_the_answer() {
    let body = sse(&[
        message_added(0, "msg_c", Some("commentary")),
        text_in("msg_c", 0, "Let me think about which tool..."),
        message_added(1, "msg_1", Some("final_answer")),
        text_in("msg_1", 1, "First part."),
        message_added(2, "msg_2", None),
        text_in("msg_2", 2, "Second "),
        text_in("msg_2", 2, "part."),
        completed(),
    ]);
    let (streamed, turn) = all_chunkings(&parser, &body);
    let turn = turn.unwrap();
    assert_eq!(turn.text(), "First part.\n\nSecond part.");
    // What streamed is exactly the answer: no commentary, the same break.
    assert_eq!(streamed, turn.text());
    // Interrupted: the same rule for what is kept.
    let mut p = parser();
    let mut sink = Collected::default();
    let cut = body.len() - 200;
    p.feed(&body[..cut], &mut sink).unwrap();
    assert_eq!(p.partial().text(), sink.text);
}

#[test]
fn a_trailing_done_after_the_terminal_event_is_ignored() {
    let mut body = sse(&[text("Hi"), completed()]);
    body.extend_from_slice(b"data: [DONE]\n\n");
    let (text, turn) = all_chunkings(&parser, &body);
    assert_eq!((text.as_str(), turn.unwrap().text()), ("Hi", "Hi".to_string()));
}

// ---------------------------------------------------------------- fast path

fn general() -> Box<dyn StreamParser> {
    let mut stream = stream("call_9_");
    stream.handler.fast.off = true;
    Box::new(stream)
}

/// One event: its `event:` name (or none) and its data, in `style`.
fn event(g: &Gen, style: &Style, kind: &str, seq: u64, members: &[(&str, String)]) -> String {
    let mut all = vec![("type", g.string(kind, style)), ("sequence_number", seq.to_string())];
    all.extend(members.iter().cloned());
    format!("event: {kind}\ndata: {}\n\n", g.object(&all, style))
}

/// A text delta for `item`, mostly plain, sometimes what the fast path
/// must leave to the general one (no type, odd fields, logprobs...). Some
/// servers do one of those on every delta (`style.order` picks which).
fn text_delta(g: &mut Gen, style: &Style, item: &(String, u64), seq: u64) -> String {
    let every = |mode| style.order % 12 == mode;
    let (text, padding) = (g.text(), g.token(2 + seq % 13));
    let mut members = vec![
        ("item_id", g.string(&item.0, style)),
        ("output_index", item.1.to_string()),
        ("content_index", "0".to_string()),
        ("delta", g.string(&text, style)),
        ("logprobs", if every(1) || g.one_in(50) { r#"[{"token":"x","logprob":-0.1}]"# } else { "[]" }.to_string()),
        ("obfuscation", g.string(&padding, style)),
    ];
    match g.below(40) {
        _ if every(2) => members.retain(|(k, _)| *k != "item_id"),
        0 => members.push(("delta", g.string("again", style))),
        1 => members[3].1 = "null".to_string(),
        2 => members[1].1 = "\"0\"".to_string(),
        3 => members.retain(|(k, _)| *k != "item_id"),
        _ => {}
    }
    // Audio transcripts stream in events of the same shape, not text.
    let kind = g.pick(&["response.refusal.delta", "response.audio_transcript.delta"]);
    let kind = if g.one_in(15) { kind } else { "response.output_text.delta" };
    let out = event(g, style, kind, seq, &members);
    if every(3) || g.one_in(60) {
        // The type only in the event name.
        return out.replacen(
            &format!("{}{}{}", g.string("type", style), style.colon, g.string(kind, style)),
            "\"x\":0",
            1,
        );
    }
    out
}

/// A Responses stream: message items (some commentary) and function calls,
/// each item's events in one server's style, then the terminal event
/// (usually).
fn generated_stream(g: &mut Gen) -> Vec<u8> {
    let style = g.style();
    let mut out = event(g, &style, "response.created", 0, &[("response", r#"{"id":"resp_1","usage":null}"#.into())]);
    let mut seq = 1;
    for index in 0..1 + g.below(3) {
        let id = format!("msg_{}", g.token(20));
        if g.one_in(4) {
            let call = format!(
                r#"{{"id":"fc_{index}","type":"function_call","call_id":"call_{index}","name":"f","arguments":""}}"#
            );
            out += &event(
                g,
                &style,
                "response.output_item.added",
                seq,
                &[("output_index", index.to_string()), ("item", call)],
            );
            let args = g.string(r#"{"a":1}"#, &style);
            let members =
                [("item_id", format!("\"fc_{index}\"")), ("output_index", index.to_string()), ("delta", args)];
            out += &event(g, &style, "response.function_call_arguments.delta", seq + 1, &members);
            seq += 2;
            continue;
        }
        let phase = if g.one_in(4) { r#","phase":"commentary""# } else { "" };
        let item = format!(r#"{{"id":"{id}","type":"message","status":"in_progress","content":[]{phase}}}"#);
        out += &event(
            g,
            &style,
            "response.output_item.added",
            seq,
            &[("output_index", index.to_string()), ("item", item)],
        );
        seq += 1;
        let style = if g.one_in(3) { g.style() } else { style.clone() };
        for _ in 0..g.below(40) {
            out += &text_delta(g, &style, &(id.clone(), index), seq);
            seq += 1;
        }
    }
    match g.below(12) {
        0 => {}
        1 => {
            out += &event(g, &style, "error", seq, &[("code", "\"server_error\"".into()), ("message", "\"m\"".into())])
        }
        2 => {
            out += &format!(
                "data: {}\n\n",
                json!({"type":"response.incomplete","response":{"incomplete_details":{"reason":"max_output_tokens"}}})
            )
        }
        _ => out += &format!("event: response.completed\ndata: {}\n\n", completed()),
    }
    out.into_bytes()
}

#[test]
fn the_fast_path_reads_every_stream_as_the_general_one() {
    let mut g = Gen::new(b"openai responses fast path");
    let (mut deltas, mut fast) = (0, 0);
    for _ in 0..600 {
        let body = generated_stream(&mut g);
        deltas += same_as_general(&parser, &general, &body, &mut g).len();
        let mut stream = stream("call_9_");
        let _ = stream.feed(&body, &mut Collected::default());
        fast += stream.handler.shape.reads.get();
    }
    // Most text deltas took the fast path.
    assert!(fast * 2 > deltas && deltas > 5000, "{fast} of {deltas}");
}

#[test]
fn the_fast_path_reads_the_fixtures_however_cut() {
    for name in ["a-text", "b-tool-call"] {
        let body = fixture(&format!("openai/responses/{name}.sse"));
        let mut g = Gen::new(name.as_bytes());
        for _ in 0..200 {
            same_as_general(&parser, &general, &body, &mut g);
        }
    }
}

#[test]
fn deltas_typed_only_by_their_event_name_are_never_read_by_shape() {
    // A shape holds the data, not the event name: the same data under
    // another name is another event.
    let data = r#"{"item_id":"msg_1","output_index":0,"delta":"T"}"#;
    let mut body = String::new();
    for (name, t) in
        [("response.output_text.delta", "a"), ("response.output_text.delta", "b"), ("response.output_text.done", "c")]
    {
        body += &format!("event: {name}\ndata: {}\n\n", data.replace('T', t));
    }
    body += &format!("data: {}\n\n", completed());
    let deltas = same_as_general(&parser, &general, body.as_bytes(), &mut Gen::new(b"names"));
    assert_eq!(deltas, ["a", "b"]);
    let mut stream = stream("call_9_");
    stream.feed(body.as_bytes(), &mut Collected::default()).unwrap();
    assert_eq!(stream.handler.shape.reads.get(), 0);
}
