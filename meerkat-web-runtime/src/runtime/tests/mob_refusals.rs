//! Mob commands refused for bad input change nothing: no member, session,
//! wire, run or event is left of them.

use super::mobs::team;
use super::*;

fn small_prompts() -> Harness {
    Harness::new(json!({"anthropicApiKey":"proxy","anthropicBaseUrl":"http://127.0.0.1:3100/anthropic",
        "model":"claude-sonnet-4-6","maxPromptBytes":64}))
}

fn event_types(h: &mut Harness, mob: &str, sub: u64) -> Vec<String> {
    h.mob_events(mob, sub).iter().map(|e| e["event"]["type"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_spawn_row_whose_initial_message_is_refused_leaves_nothing_behind() {
    let mut h = small_prompts();
    let mob = h.mob(team());
    h.spawn(&mob, &[("lead", "lead-1")]);
    let sub = h.subscribe(&mob);
    let sessions = h.cmd(json!({"op":"list_sessions"})).unwrap();
    let big = "x".repeat(100);
    let out = h
        .cmd(json!({"op":"mob_spawn","mob":mob,"specs":[
            {"profile":"worker","agent_identity":"big","initialMessage":big},
            {"profile":"worker","agent_identity":"empty","initialMessage":""},
            {"profile":"worker","agent_identity":"ok","initialMessage":"Hello."}]}))
        .unwrap();
    assert_eq!(out[0]["status"], "failed");
    assert_eq!(out[0]["code"], "PROMPT_TOO_LARGE");
    assert!(out[0]["message"].as_str().unwrap().starts_with("spawn spec.initialMessage: "), "{}", out[0]);
    assert_eq!(out[1]["status"], "failed");
    assert_eq!(out[1]["code"], "INVALID_ARGUMENT");
    assert!(out[1]["message"].as_str().unwrap().contains("initialMessage"), "{}", out[1]);
    assert_eq!(out[2]["status"], "spawned");
    // Only the good row made a member, a session, wires, events and a request.
    let members = h.cmd(json!({"op":"mob_members","mob":mob})).unwrap();
    let names: Vec<&str> = members.as_array().unwrap().iter().map(|m| m["agentIdentity"].as_str().unwrap()).collect();
    assert_eq!(names, ["lead-1", "ok"]);
    assert_eq!(members[0]["wiredTo"], json!(["ok"]));
    let now = h.cmd(json!({"op":"list_sessions"})).unwrap();
    assert_eq!(now.as_array().unwrap().len(), sessions.as_array().unwrap().len() + 1);
    let spawned: Vec<Value> = h
        .mob_events(&mob, sub)
        .into_iter()
        .filter(|e| e["event"]["type"] == "member_spawned")
        .map(|e| e["event"]["member"].clone())
        .collect();
    assert_eq!(spawned, [json!("ok")]);
    assert_eq!(h.kinds().iter().filter(|k| **k == "http").count(), 1);
    // The refused identities are free to use.
    h.spawn(&mob, &[("worker", "big"), ("worker", "empty")]);
}

#[test]
fn a_respawn_with_a_refused_message_changes_nothing() {
    let mut h = small_prompts();
    let mob = h.mob(team());
    h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")]);
    let before = h.cmd(json!({"op":"mob_members","mob":mob})).unwrap();
    let sub = h.subscribe(&mob);
    let big = "x".repeat(100);
    let e = h.cmd(json!({"op":"mob_respawn","mob":mob,"member":"worker-1","initialMessage":big})).unwrap_err();
    assert_eq!(e["code"], "PROMPT_TOO_LARGE");
    assert!(e["message"].as_str().unwrap().starts_with("initialMessage: "), "{e}");
    let e = h.cmd(json!({"op":"mob_respawn","mob":mob,"member":"worker-1","initialMessage":""})).unwrap_err();
    assert_eq!(e["code"], "INVALID_ARGUMENT");
    let e = h.cmd(json!({"op":"mob_respawn","mob":mob,"member":"worker-1","initialMessage":7})).unwrap_err();
    assert_eq!(e["code"], "INVALID_ARGUMENT");
    assert_eq!(h.cmd(json!({"op":"mob_members","mob":mob})).unwrap(), before);
    assert_eq!(event_types(&mut h, &mob, sub), Vec::<String>::new());
    assert!(h.effects.is_empty(), "{:?}", h.kinds());
    // A good respawn still works after the refusals.
    let out = h.cmd(json!({"op":"mob_respawn","mob":mob,"member":"worker-1","initialMessage":"Back."})).unwrap();
    assert_ne!(out["sessionId"], before[1]["sessionId"]);
}

#[test]
fn an_empty_message_is_refused_before_any_run() {
    let mut h = Harness::proxy();
    let mob = h.mob(team());
    h.spawn(&mob, &[("worker", "worker-1")]);
    let e = h.cmd(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":""})).unwrap_err();
    assert_eq!(e["code"], "INVALID_ARGUMENT");
    assert!(e["message"].as_str().unwrap().contains("empty"), "{e}");
    assert_eq!(h.code(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":[]})), "INVALID_ARGUMENT");
    // A plain session's turn refuses it the same way.
    let s = h.session(json!({}));
    assert_eq!(h.code(json!({"op":"turn","session":s,"prompt":""})), "INVALID_ARGUMENT");
    assert!(h.effects.is_empty(), "{:?}", h.kinds());
    // Steered into a running run, too.
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"Work."})).unwrap();
    let steer = json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"","handlingMode":"steer"});
    assert_eq!(h.code(steer), "INVALID_ARGUMENT");
}

#[test]
fn both_spellings_of_a_field_must_agree() {
    let mut h = Harness::proxy();
    let profile = |extra: Value| {
        let mut p = json!({"model":"claude-sonnet-4-6"});
        p.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({"id":"m","profiles":{"a":p}})
    };
    let conflicts = [
        json!({"runtimeMode":"turn_driven","runtime_mode":"autonomous_host"}),
        json!({"peerDescription":"One.","peer_description":"Two."}),
    ];
    for extra in conflicts {
        let e = h.cmd(json!({"op":"create_mob","definition":profile(extra.clone())})).unwrap_err();
        assert_eq!(e["code"], "INVALID_MOB_DEFINITION", "{extra}");
        let message = e["message"].as_str().unwrap();
        let keys: Vec<&String> = extra.as_object().unwrap().keys().collect();
        assert!(message.contains("profiles.a") && keys.iter().all(|k| message.contains(k.as_str())), "{message}");
    }
    assert_eq!(h.cmd(json!({"op":"list_mobs"})).unwrap(), json!([]));
    // The same value under both names is one value.
    let mob = h.mob(profile(json!({"runtimeMode":"turn_driven","runtime_mode":"turn_driven"})));
    let out = h
        .cmd(json!({"op":"mob_spawn","mob":mob,"specs":[
            {"profile":"a","agent_identity":"x","agentIdentity":"y"},
            {"profile":"a","agent_identity":"z","runtimeMode":"turn_driven","runtime_mode":"autonomous_host"},
            {"profile":"a","agent_identity":"w","agentIdentity":"w"}]}))
        .unwrap();
    for row in &out.as_array().unwrap()[..2] {
        assert_eq!(row["status"], "failed", "{row}");
        assert_eq!(row["code"], "INVALID_ARGUMENT");
    }
    assert!(out[0]["message"].as_str().unwrap().contains("agentIdentity and agent_identity"), "{}", out[0]);
    assert!(out[1]["message"].as_str().unwrap().contains("runtimeMode and runtime_mode"), "{}", out[1]);
    assert_eq!(out[2]["status"], "spawned");
    let members = h.cmd(json!({"op":"mob_members","mob":mob})).unwrap();
    assert_eq!(members.as_array().unwrap().len(), 1);
    assert_eq!(members[0]["runtimeMode"], "turn_driven");
}
