//! The request side: URL, headers and body of a Gemini request, and a
//! streamed answer round-tripped into the next one.

use super::*;

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
