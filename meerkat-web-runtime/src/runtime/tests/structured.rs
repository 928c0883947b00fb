//! Output schemas whose root is not an object: OpenAI's two APIs get them
//! inside a `{"value": …}` wrapper (they refuse any other root with a 400),
//! and the answer comes back out of it everywhere the caller looks.

use super::*;

fn harness() -> Harness {
    Harness::new(json!({"openaiApiKey":"k","anthropicApiKey":"k","geminiApiKey":"k","model":"gpt-4.1"}))
}

fn body(http: &Value) -> Value {
    serde_json::from_str(http["body"].as_str().unwrap()).unwrap()
}

/// A Chat Completions stream answering `text` in two pieces.
fn chat(text: &str) -> Vec<u8> {
    let (a, b) = text.split_at(text.len() / 2);
    let mut out = String::new();
    for piece in [a, b] {
        out +=
            &format!("data: {}\n\n", json!({"choices":[{"index":0,"delta":{"content":piece},"finish_reason":null}]}));
    }
    out += &format!("data: {}\n\n", json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}));
    out += "data: [DONE]\n\n";
    out.into_bytes()
}

/// A Responses stream answering `text`.
fn responses(text: &str) -> Vec<u8> {
    let item = json!({"type":"message","id":"msg_1","role":"assistant","status":"completed",
        "content":[{"type":"output_text","text":text,"annotations":[]}]});
    let events = [
        json!({"type":"response.output_item.added","output_index":0,
            "item":{"type":"message","id":"msg_1","role":"assistant","status":"in_progress","content":[]}}),
        json!({"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":text}),
        json!({"type":"response.output_item.done","output_index":0,"item":item}),
        json!({"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[item],
            "usage":{"input_tokens":5,"output_tokens":7,"total_tokens":12}}}),
    ];
    events
        .iter()
        .map(|e| format!("event: {}\ndata: {e}\n\n", e["type"].as_str().unwrap()))
        .collect::<String>()
        .into_bytes()
}

/// One turn with `schema`, answered with `answer`: the request body and the result.
fn ask(h: &mut Harness, s: &str, schema: &Value, answer: &dyn Fn(&str) -> Vec<u8>, text: &str) -> (Value, Value) {
    h.cmd(json!({"op":"turn","session":s,"prompt":"list","outputSchema":schema})).unwrap();
    let http = h.take("http");
    h.respond(&http, 200, json!([]), &answer(text), 7);
    (body(&http), h.take("run_finished")["result"].clone())
}

fn wrapper(schema: Value) -> Value {
    json!({"type":"object","properties":{"value":schema},"required":["value"],"additionalProperties":false})
}

#[test]
fn an_array_root_goes_wrapped_to_chat_completions_and_comes_back_bare() {
    let mut h = harness();
    let s = h.session(json!({}));
    let list = json!({"type":"array","items":{"type":"string"}});
    let (sent, result) = ask(&mut h, &s, &list, &chat, r#"{"value":["a","b"]}"#);
    assert_eq!(sent["response_format"]["json_schema"]["schema"], wrapper(list.clone()));
    assert_eq!(result["structuredOutput"], json!(["a", "b"]));
    assert_eq!(result["schemaWarnings"], json!([]));
    assert_eq!(result["text"], r#"["a","b"]"#);
    // The final events and the history carry the value, not the wrapper.
    let events = h.events(&s);
    let complete = events.iter().find(|e| e["type"] == "text_complete").unwrap();
    assert_eq!(complete["content"], r#"["a","b"]"#);
    assert_eq!(events.last().unwrap()["result"], r#"["a","b"]"#);
    let history = h.history(&s);
    assert_eq!(history.last().unwrap()["content"][0]["text"], r#"["a","b"]"#);

    // A mismatch inside the wrapper is a warning at the caller's own path.
    let (_, result) = ask(&mut h, &s, &list, &chat, r#"{"value":["a",2]}"#);
    assert_eq!(result["structuredOutput"], json!(["a", 2]));
    assert_eq!(result["schemaWarnings"][0]["path"], "/1");
    assert_eq!(result["schemaWarnings"][0]["provider"], "openai");

    // An answer that is not the wrapper is kept as it came and checked as is.
    let (_, result) = ask(&mut h, &s, &list, &chat, r#"{"items":["a"]}"#);
    assert_eq!(result["text"], r#"{"items":["a"]}"#);
    assert_eq!(result["structuredOutput"], json!({"items":["a"]}));
    assert_eq!(result["schemaWarnings"][0]["path"], "");
    let (_, result) = ask(&mut h, &s, &list, &chat, r#"["bare"]"#);
    assert_eq!((result["structuredOutput"].clone(), result["schemaWarnings"].clone()), (json!(["bare"]), json!([])));
    let (_, result) = ask(&mut h, &s, &list, &chat, "no JSON here");
    assert_eq!(result["text"], "no JSON here");
    assert!(result["schemaWarnings"][0]["message"].as_str().unwrap().contains("not valid JSON"));
}

#[test]
fn enum_and_any_of_roots_are_wrapped_and_refs_still_resolve() {
    let mut h = harness();
    let s = h.session(json!({}));
    let mood = json!({"type":"string","enum":["up","down"]});
    let (sent, result) = ask(&mut h, &s, &mood, &chat, "```json\n{\"value\":\"down\"}\n```");
    assert_eq!(sent["response_format"]["json_schema"]["schema"], wrapper(mood));
    assert_eq!((result["structuredOutput"].clone(), result["text"].clone()), (json!("down"), json!("\"down\"")));

    // `$defs` move up beside the wrapper, where `#/$defs/...` points.
    let either = json!({"anyOf":[{"$ref":"#/$defs/n"},{"type":"string"}],"$defs":{"n":{"type":"integer"}}});
    let (sent, result) = ask(&mut h, &s, &either, &chat, r#"{"value":3}"#);
    let mut expected = wrapper(json!({"anyOf":[{"$ref":"#/$defs/n"},{"type":"string"}]}));
    expected["$defs"] = json!({"n":{"type":"integer"}});
    assert_eq!(sent["response_format"]["json_schema"]["schema"], expected);
    assert_eq!((result["structuredOutput"].clone(), result["schemaWarnings"].clone()), (json!(3), json!([])));
    let (_, result) = ask(&mut h, &s, &either, &chat, r#"{"value":true}"#);
    assert_eq!(
        (result["structuredOutput"].clone(), result["schemaWarnings"][0]["path"].clone()),
        (json!(true), json!(""))
    );

    // An object root with an `anyOf` is refused as well: wrapped too.
    let object_any = json!({"type":"object","anyOf":[{"required":["a"]},{"required":["b"]}]});
    let (sent, result) = ask(&mut h, &s, &object_any, &chat, r#"{"value":{"a":1}}"#);
    assert_eq!(sent["response_format"]["json_schema"]["schema"], wrapper(object_any));
    assert_eq!(result["structuredOutput"], json!({"a":1}));

    // A plain object root goes as it is; its answer stays as it came.
    let point = json!({"type":"object","properties":{"value":{"type":"integer"}},"required":["value"]});
    let (sent, result) = ask(&mut h, &s, &point, &chat, r#"{"value":1}"#);
    assert_eq!(sent["response_format"]["json_schema"]["schema"], point);
    assert_eq!(result["structuredOutput"], json!({"value":1}));
    assert_eq!(result["text"], r#"{"value":1}"#);
}

#[test]
fn responses_wraps_too_claude_and_gemini_take_any_root() {
    let mut h = harness();
    let list = json!({"type":"array","items":{"type":"integer"}});
    let s = h.session(json!({"openaiApi":"responses"}));
    let (sent, result) = ask(&mut h, &s, &list, &responses, r#"{"value":[1,2]}"#);
    assert_eq!(sent["text"]["format"]["schema"], wrapper(list.clone()));
    assert_eq!((result["structuredOutput"].clone(), result["text"].clone()), (json!([1, 2]), json!("[1,2]")));

    let claude = h.session(json!({"model":"claude-sonnet-4-6"}));
    h.cmd(json!({"op":"turn","session":claude,"prompt":"list","outputSchema":list})).unwrap();
    assert_eq!(body(&h.take("http"))["output_config"]["format"]["schema"], list);
    let gemini = h.session(json!({"model":"gemini-2.5-flash"}));
    h.cmd(json!({"op":"turn","session":gemini,"prompt":"list","outputSchema":list})).unwrap();
    assert_eq!(body(&h.take("http"))["generationConfig"]["responseJsonSchema"], list);
}

#[test]
fn a_session_schema_is_wrapped_the_same_way() {
    let mut h = harness();
    let list = json!({"type":"array","items":{"type":"string"}});
    let s = h.session(json!({"outputSchema":list}));
    h.cmd(json!({"op":"turn","session":s,"prompt":"list"})).unwrap();
    let http = h.take("http");
    assert_eq!(body(&http)["response_format"]["json_schema"]["schema"], wrapper(list));
    h.respond(&http, 200, json!([]), &chat(r#"{"value":["x"]}"#), 64);
    let result = h.take("run_finished")["result"].clone();
    assert_eq!((result["structuredOutput"].clone(), result["text"].clone()), (json!(["x"]), json!(r#"["x"]"#)));
}
