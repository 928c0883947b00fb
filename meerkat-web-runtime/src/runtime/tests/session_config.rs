//! What `create_session` and `turn` refuse before anything runs: a session
//! config resolved against the runtime's settings, and prompts.

use super::*;
use serde_json::{Value, json};

#[test]
fn session_config_is_resolved_against_the_runtime() {
    let mut h = Harness::new(json!({"anthropicApiKey":"k"}));
    assert_eq!(h.code(json!({"op":"create_session","config":{}})), "MODEL_REQUIRED");
    assert_eq!(h.code(json!({"op":"create_session","config":{"model":"llama-3"}})), "UNSUPPORTED_MODEL");
    assert_eq!(
        h.code(json!({"op":"create_session","config":{"model":"claude-x","provider":"acme"}})),
        "INVALID_CONFIG"
    );
    assert_eq!(h.code(json!({"op":"create_session","config":{"model":"claude-x","tools":["nope"]}})), "TOOL_NOT_FOUND");
    assert_eq!(h.code(json!({"op":"create_session","config":{"model":"claude-x","apiKey":"k"}})), "INVALID_CONFIG");
    assert_eq!(h.code(json!({"op":"create_session","config":"claude-x"})), "INVALID_CONFIG");
    assert_eq!(
        h.code(json!({"op":"create_session","config":{"model":"claude-x","thinking":{"budgetTokens":10}}})),
        "INVALID_CONFIG"
    );
    // Claude refuses thinking with a temperature other than 1 (a 400 at the first turn).
    let thinking = json!({"budgetTokens":2048});
    let err = h.cmd(json!({"op":"create_session","config":{"model":"claude-x","thinking":thinking,"temperature":0.2}}));
    assert!(err.unwrap_err()["message"].as_str().unwrap().contains("drop temperature or thinking"));
    h.session(json!({"model":"claude-x","thinking":thinking,"temperature":1}));
    let mut g = Harness::new(json!({"geminiApiKey":"k"}));
    g.session(json!({"model":"gemini-2.5-flash","thinking":thinking,"temperature":0.2}));
    assert_eq!(h.cmd(json!({"op":"list_sessions"})).unwrap().as_array().unwrap().len(), 1);
    let mut h = Harness::new(json!({"openaiApiKey":"k"}));
    assert_eq!(h.code(json!({"op":"create_session","config":{"model":"claude-x"}})), "PROVIDER_NOT_CONFIGURED");
    assert_eq!(h.cmd(json!({"op":"list_sessions"})).unwrap(), json!([]));
}

#[test]
fn a_provider_without_a_model_does_not_take_another_providers_default() {
    let mut h = Harness::new(json!({"anthropicApiKey":"k","geminiApiKey":"k","openaiApiKey":"k","model":"claude-x"}));
    let err = h.cmd(json!({"op":"create_session","config":{"provider":"gemini"}})).unwrap_err();
    assert_eq!(err["code"], "MODEL_REQUIRED");
    assert!(
        err["message"].as_str().unwrap().contains("provider gemini needs a model: the runtime's default, claude-x,")
    );
    assert_eq!(h.code(json!({"op":"create_session","config":{"provider":"openai"}})), "MODEL_REQUIRED");
    assert_eq!(h.cmd(json!({"op":"list_sessions"})).unwrap(), json!([]));
    // The default's own provider, a model given, or a default no provider claims (a custom name) still go.
    h.session(json!({"provider":"anthropic"}));
    h.session(json!({"provider":"gemini","model":"gemini-2.5-flash"}));
    let mut custom = Harness::new(json!({"openaiApiKey":"k","model":"llama-3.3-70b"}));
    custom.session(json!({"provider":"openai"}));
}

#[test]
fn prompts_are_validated() {
    let mut h = Harness::new(json!({"anthropicApiKey":"k","model":"claude-x","maxPromptBytes":16}));
    let s = h.session(json!({}));
    assert_eq!(h.code(json!({"op":"turn","session":s,"prompt":"this is far too long"})), "PROMPT_TOO_LARGE");
    assert_eq!(h.code(json!({"op":"turn","session":s,"prompt":42})), "INVALID_ARGUMENT");
    assert_eq!(h.code(json!({"op":"turn","session":s,"prompt":[]})), "INVALID_ARGUMENT");
    assert_eq!(h.code(json!({"op":"turn","session":s,"prompt":[{"type":"video"}]})), "INVALID_ARGUMENT");
    // Blank text is no prompt (Anthropic refuses a blank text block, after the run began).
    assert_eq!(h.code(json!({"op":"turn","session":s,"prompt":" \n\t"})), "INVALID_ARGUMENT");
    assert_eq!(h.code(json!({"op":"turn","session":s,"prompt":[{"type":"text","text":"  "}]})), "INVALID_ARGUMENT");
    assert_eq!(
        h.code(json!({"op":"turn","session":s,"prompt":[{"type":"image","media_type":"image/bmp","data":"AA=="}]})),
        "INVALID_ARGUMENT"
    );
    assert!(h.effects.is_empty());
    assert_eq!(h.cmd(json!({"op":"history","session":s})).unwrap(), json!([]));
    h.cmd(json!({"op":"turn","session":s,"prompt":[{"type":"text","text":"hi"},{"type":"image","media_type":"image/png","data":"AA=="}]})).unwrap();
    let http = h.take("http");
    let body: Value = serde_json::from_str(http["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["messages"][0]["content"][1]["source"]["media_type"], "image/png");
}
