//! Skills through the runtime: preloaded and per-turn injection, a source
//! that goes away, HTTP sources fetched through effects.

use super::*;

fn body(http: &Value) -> Value {
    serde_json::from_str(http["body"].as_str().unwrap()).unwrap()
}

#[test]
fn skills_are_injected_into_the_system_prompt() {
    let mut h = Harness::proxy();
    h.cmd(json!({"op":"add_skill_source","source":{"sourceUuid":"kit","skills":[
        {"name":"email","description":"Find emails","content":"Extract every address."},
        {"content":"---\nname: tone\n---\nWrite kindly."}]}}))
        .unwrap();
    assert_eq!(
        h.code(json!({"op":"create_session","config":{"preloadSkills":[{"sourceUuid":"kit","skillName":"nope"}]}})),
        "SKILL_NOT_FOUND"
    );
    let s = h.session(json!({"systemPrompt":"Base.","preloadSkills":["kit/email"]}));
    h.cmd(json!({"op":"turn","session":s,"prompt":"hi","skillRefs":[{"sourceUuid":"kit","skillName":"tone"}]}))
        .unwrap();
    let system = body(&h.take("http"))["system"].as_str().unwrap().to_string();
    assert!(system.starts_with("Base.\n\n# Skills"), "{system}");
    assert!(system.contains("## email\nFind emails\n\nExtract every address."));
    assert!(system.contains("## tone\nWrite kindly."));
    let events = h.events(&s);
    let resolved = events.iter().find(|e| e["type"] == "skills_resolved").unwrap();
    assert_eq!(resolved["skills"], json!(["kit/email", "kit/tone"]));
    assert_eq!(resolved["injectionBytes"].as_u64().unwrap() as usize, system.len() - "Base.\n\n".len());
    // An unknown reference in a turn is refused before anything is sent.
    let other = h.session(json!({}));
    h.effects.clear();
    assert_eq!(
        h.code(json!({"op":"turn","session":other,"prompt":"x","skillRefs":["kit/missing"]})),
        "SKILL_NOT_FOUND"
    );
    assert!(h.effects.is_empty());
    // A preloaded skill whose source is gone is reported, and the run goes on.
    h.cmd(json!({"op":"interrupt","session":s})).unwrap();
    h.cmd(json!({"op":"remove_skill_source","sourceUuid":"kit"})).unwrap();
    h.events(&s);
    h.turn(&s, "again");
    assert_eq!(body(&h.take("http"))["system"], "Base.");
    let failed = h.events(&s).into_iter().find(|e| e["type"] == "skill_resolution_failed").unwrap();
    assert_eq!(failed["reference"], "kit/email");
}

#[test]
fn http_sources_load_through_effects_and_report_their_health() {
    let mut h = Harness::proxy();
    let ok = h
        .cmd(json!({"op":"add_skill_source","source":{"url":"http://127.0.0.1:9/kit/index.json","sourceUuid":"web"}}))
        .unwrap();
    assert_eq!(ok, json!({"sourceUuid":"web","pending":true}));
    let index = h.take("http");
    assert_eq!((index["method"].as_str(), index.get("sessionId")), (Some("GET"), None));
    let listing = json!({"skills":[{"name":"email","description":"Find emails","url":"email.md"},{"name":"bad"}]});
    h.answer(&index, listing.to_string().as_bytes());
    let doc = h.take("http");
    assert_eq!(doc["url"], "http://127.0.0.1:9/kit/email.md");
    h.answer(&doc, b"Extract every address.");
    assert_eq!(h.take("skill_source_ready"), json!({"kind":"skill_source_ready","sourceUuid":"web"}));
    let s = h.session(json!({}));
    h.cmd(json!({"op":"turn","session":s,"prompt":"x","skillRefs":["web/email"]})).unwrap();
    let http = h.take("http");
    h.answer(&http, &anthropic("done", &[]));
    let result = &h.take("run_finished")["result"];
    let health = &result["skillDiagnostics"]["sourceHealth"];
    assert_eq!(
        (health["state"].as_str(), health["invalidCount"].as_u64(), health["totalCount"].as_u64()),
        (Some("degraded"), Some(1), Some(2))
    );
    assert_eq!(result["skillDiagnostics"]["quarantined"][0]["skillId"], "bad");
    // Unknown source ids and bad sources.
    assert_eq!(h.code(json!({"op":"refresh_skill_source","sourceUuid":"nope"})), "SKILL_SOURCE_NOT_FOUND");
    assert_eq!(h.code(json!({"op":"add_skill_source","source":{"url":"file:///etc"}})), "INVALID_SKILL_SOURCE");
    let sources = h.cmd(json!({"op":"list_skill_sources"})).unwrap();
    assert_eq!(sources[0]["kind"], "http");
    assert_eq!(sources[0]["skills"], json!([{"name":"email","description":"Find emails"}]));
}
