//! Event readers with their own cursors, runs started by injected input,
//! and the session API around them.

use super::*;

fn read(h: &mut Harness, session: &str, reader: u64) -> Vec<Value> {
    serde_json::from_str(&h.rt.drain_events(session, reader as u32).unwrap()).unwrap()
}

#[test]
fn readers_have_their_own_cursors_and_truncation() {
    let mut h = Harness::new(json!({"anthropicApiKey":"k","model":"claude-x","eventQueueCapacity":6}));
    let s = h.session(json!({}));
    let sub = h.cmd(json!({"op":"open_reader","session":s})).unwrap()["reader"].as_u64().unwrap();
    h.turn(&s, "hi");
    let http = h.take("http");
    let id = http["id"].as_u64().unwrap() as u32;
    h.cmd(json!({"op":"http_head","id":id,"status":200})).unwrap();
    let body = fixture("anthropic/a-text.sse");
    // The subscriber keeps up chunk by chunk; pollEvents' reader does not.
    let mut seen = Vec::new();
    for chunk in body.chunks(40) {
        h.rt.push_body(h.now, id, chunk);
        seen.extend(read(&mut h, &s, sub));
    }
    h.cmd(json!({"op":"http_end","id":id})).unwrap();
    seen.extend(read(&mut h, &s, sub));
    assert!(seen.iter().all(|e| e["type"] != "stream_truncated"), "the subscriber never fell behind");
    let seqs: Vec<u64> = seen.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    let slow = read(&mut h, &s, 0);
    assert_eq!(slow[0]["type"], "stream_truncated");
    assert_eq!(slow.len(), 7);
    assert_eq!(slow.last().unwrap()["type"], "run_completed");
    // Closed readers are gone; the default reader cannot be closed.
    h.cmd(json!({"op":"close_reader","session":s,"reader":sub})).unwrap();
    assert_eq!(h.rt.drain_events(&s, sub as u32).unwrap_err().code, "INVALID_ARGUMENT");
    h.cmd(json!({"op":"close_reader","session":s,"reader":0})).unwrap();
    assert!(h.rt.drain_events(&s, 0).is_ok());
}

#[test]
fn runs_started_by_injected_input_queue_behind_the_current_run() {
    let mut h = Harness::proxy();
    let s = h.session(json!({}));
    let first = h.turn(&s, "a user prompt");
    let injected = h.rt.inject(h.now, &s, "[message from lead-1 (lead)]: status?".to_string()).unwrap();
    h.collect();
    assert_ne!(first, injected);
    assert_eq!(h.kinds(), ["http"], "the injected input waits");
    let http = h.take("http");
    h.answer(&http, &anthropic("first answer", &[]));
    // The first run's end starts the injected one, in the same reply.
    let done = h.take("run_finished");
    assert_eq!(done["runId"], first);
    let http = h.take("http");
    let sent: Value = serde_json::from_str(http["body"].as_str().unwrap()).unwrap();
    assert_eq!(sent["messages"][2]["content"][0]["text"], "[message from lead-1 (lead)]: status?");
    h.answer(&http, &anthropic("all good", &[]));
    let done = h.take("run_finished");
    assert_eq!(done["runId"], injected);
    assert_eq!(done["result"]["text"], "all good");
    // A user turn on a busy session is refused; an injection on an idle one starts at once.
    let now = h.rt.inject(h.now, &s, "ping".to_string()).unwrap();
    h.collect();
    assert_eq!(h.code(json!({"op":"turn","session":s,"prompt":"x"})), "SESSION_BUSY");
    let http = h.take("http");
    // Destroying the session cancels the run and anything queued.
    let queued = h.rt.inject(h.now, &s, "queued".to_string()).unwrap();
    h.cmd(json!({"op":"destroy_session","session":s})).unwrap();
    let ended: Vec<u64> =
        h.effects.iter().filter(|e| e["kind"] == "run_finished").map(|e| e["runId"].as_u64().unwrap()).collect();
    assert_eq!(ended, [queued, now]);
    assert_eq!(h.take("http_abort")["id"], http["id"]);
}

#[test]
fn archive_context_and_session_info() {
    let mut h = Harness::proxy();
    let s = h.session(json!({"systemPrompt":"Be brief."}));
    h.cmd(json!({"op":"append_system_context","session":s,"text":"The user is in Paris."})).unwrap();
    assert_eq!(h.code(json!({"op":"append_system_context","session":s,"text":"  "})), "INVALID_ARGUMENT");
    h.now = 1_764_700_000_000.0;
    h.turn(&s, "hi");
    let http = h.take("http");
    let sent: Value = serde_json::from_str(http["body"].as_str().unwrap()).unwrap();
    assert_eq!(sent["system"], "Be brief.\n\nThe user is in Paris.");
    let list = h.cmd(json!({"op":"list_sessions"})).unwrap();
    assert_eq!(list[0]["isActive"], true);
    assert_eq!(h.code(json!({"op":"archive","session":s})), "SESSION_BUSY");
    h.now += 1500.0;
    h.answer(&http, &anthropic("ok", &[]));
    h.cmd(json!({"op":"archive","session":s})).unwrap();
    assert_eq!(h.code(json!({"op":"turn","session":s,"prompt":"more"})), "SESSION_ARCHIVED");
    // Appended context is a write too: refused like a turn.
    assert_eq!(h.code(json!({"op":"append_system_context","session":s,"text":"later"})), "SESSION_ARCHIVED");
    assert_eq!(h.history(&s).len(), 2);
    let info = &h.cmd(json!({"op":"list_sessions"})).unwrap()[0];
    assert_eq!(info["sessionId"], s.as_str());
    assert_eq!(info["messageCount"], 2);
    assert_eq!(info["totalTokens"], 120);
    assert_eq!(info["isActive"], false);
    assert_eq!(info["createdAt"], "1970-01-01T00:00:01.000Z");
    assert_eq!(info["updatedAt"], "2025-12-02T18:26:41.500Z");
    let caps = h.cmd(json!({"op":"capabilities"})).unwrap();
    let status = |id: &str| caps.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap()["status"].clone();
    assert_eq!((status("hooks"), status("shell")), (json!("Available"), json!("NotCompiled")));
}

/// A member's subscription (`mob_subscribe` with `member`): that member's
/// events only, never the mob's own or another member's, following the
/// member across a respawn from the new session's first event.
#[test]
fn a_member_subscription_follows_its_member_across_respawns() {
    use super::mobs::team;
    let mut h = Harness::proxy();
    let mob = h.mob(team());
    let sessions = h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")]);
    let sub =
        h.cmd(json!({"op":"mob_subscribe","mob":mob,"member":"worker-1"})).unwrap()["subscription"].as_u64().unwrap();
    let whole = h.subscribe(&mob);
    let poll = |h: &mut Harness| -> Vec<Value> { h.mob_events(&mob, sub) };

    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"plan"})).unwrap();
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"dig"})).unwrap();
    h.reply(&sessions[0], "Planned.", &[]);
    h.reply(&sessions[1], "Dug.", &[]);
    let items = poll(&mut h);
    assert!(items.iter().all(|i| i["member"] == "worker-1"), "{items:?}");
    let types: Vec<&str> = items.iter().map(|i| i["event"]["type"].as_str().unwrap()).collect();
    assert_eq!(types.first(), Some(&"run_started"));
    assert_eq!(types.last(), Some(&"run_completed"));

    let out = h.cmd(json!({"op":"mob_respawn","mob":mob,"member":"worker-1","initialMessage":"Back."})).unwrap();
    let fresh = out["sessionId"].as_str().unwrap().to_string();
    h.reply(&fresh, "Back at it.", &[]);
    let items = poll(&mut h);
    let events: Vec<&Value> = items.iter().map(|i| &i["event"]).collect();
    assert!(items.iter().all(|i| i["member"] == "worker-1"), "{items:?}");
    assert_eq!(events.first().map(|e| &e["type"]), Some(&json!("run_started")), "{events:?}");
    assert_eq!(events.first().map(|e| &e["sessionId"]), Some(&json!(fresh)));
    assert_eq!(events.last().map(|e| &e["type"]), Some(&json!("run_completed")));
    // The whole mob's subscription saw the respawn itself; the member's did not.
    let mob_events: Vec<Value> = h.mob_events(&mob, whole).into_iter().filter(|i| i["member"].is_null()).collect();
    assert!(mob_events.iter().any(|i| i["event"]["type"] == "member_spawned"), "{mob_events:?}");
    assert!(poll(&mut h).is_empty());

    assert_eq!(h.code(json!({"op":"mob_subscribe","mob":mob,"member":"ghost"})), "MEMBER_NOT_FOUND");
    assert_eq!(h.code(json!({"op":"mob_subscribe","mob":mob,"member":7})), "INVALID_COMMAND");
    h.cmd(json!({"op":"mob_unsubscribe","mob":mob,"subscription":sub})).unwrap();
    assert_eq!(h.code(json!({"op":"mob_poll","mob":mob,"subscription":sub})), "INVALID_ARGUMENT");
}
