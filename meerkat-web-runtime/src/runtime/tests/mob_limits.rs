//! Storm limits and inbox bounds: `limit_reached` once while a limit
//! bites (not once per refused message), empty bodies refused, and the
//! bus's own failure notices held to `maxInboxDepth` like messages.

use super::mobs::team;
use super::*;

/// A team under `limits` (its `turn_driven` profiles never wake on
/// messages), subscribed to, with lead-1 and worker-1 spawned.
struct Team {
    h: Harness,
    mob: String,
    sub: u64,
    lead: String,
    worker: String,
}

fn team_with(limits: Value, turn_driven: &[&str]) -> Team {
    let mut h = Harness::proxy();
    let mut def = team();
    for profile in turn_driven {
        def["profiles"][profile]["runtimeMode"] = json!("turn_driven");
    }
    def["limits"] = limits;
    let mob = h.mob(def);
    let sub = h.subscribe(&mob);
    let [lead, worker] = <[String; 2]>::try_from(h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")])).unwrap();
    Team { h, mob, sub, lead, worker }
}

/// The tool results of the last user message of a request body: (text, is_error).
fn tool_results(body: &Value) -> Vec<(String, bool)> {
    let last = body["messages"].as_array().unwrap().last().unwrap();
    let parts = last["content"].as_array().unwrap().iter().filter(|p| p["type"] == "tool_result");
    parts.map(|p| (p["content"][0]["text"].as_str().unwrap().to_string(), p["is_error"] == true)).collect()
}

/// `session`'s run makes these comms calls in one answer, then ends; their results.
fn calls(h: &mut Harness, session: &str, calls: &[(&str, Value)]) -> Vec<(String, bool)> {
    let named: Vec<(String, &str, Value)> =
        calls.iter().enumerate().map(|(i, (tool, args))| (format!("c{i}"), *tool, args.clone())).collect();
    let borrowed: Vec<(&str, &str, Value)> = named.iter().map(|(id, t, a)| (id.as_str(), *t, a.clone())).collect();
    let _ = h.reply(session, "", &borrowed);
    tool_results(&h.reply(session, "done", &[]))
}

fn limits_reached(h: &mut Harness, mob: &str, sub: u64) -> Vec<(String, String)> {
    let events = h.mob_events(mob, sub);
    let limits = events.iter().filter(|e| e["event"]["type"] == "limit_reached");
    limits
        .map(|e| (e["event"]["limit"].as_str().unwrap().into(), e["event"]["member"].as_str().unwrap().into()))
        .collect()
}

fn message(to: &str, body: &str) -> (&'static str, Value) {
    ("send_message", json!({"to":to,"body":body}))
}

#[test]
fn a_full_inbox_reports_limit_reached_once_until_it_is_read() {
    let Team { mut h, mob, sub, lead, worker } = team_with(json!({"maxInboxDepth": 2}), &["worker"]);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Flood worker-1."})).unwrap();
    let storm: Vec<_> = (0..5).map(|_| message("worker-1", "more")).collect();
    let results = calls(&mut h, &lead, &storm);
    let refused = results.iter().filter(|(t, e)| *e && t.starts_with("INBOX_FULL")).count();
    assert_eq!(refused, 3, "{results:?}");
    assert_eq!(limits_reached(&mut h, &mob, sub), [("maxInboxDepth".to_string(), "worker-1".to_string())]);
    // Another storm at the inbox still full: nothing new to report.
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Again."})).unwrap();
    let _ = calls(&mut h, &lead, &storm);
    assert_eq!(limits_reached(&mut h, &mob, sub), []);
    // worker-1 reads its inbox: the next time it fills, that is reported again.
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"Read your inbox."})).unwrap();
    let _ = h.reply(&worker, "Read.", &[]);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Once more."})).unwrap();
    let results = calls(&mut h, &lead, &storm);
    assert_eq!(results.iter().filter(|(_, e)| *e).count(), 3, "{results:?}");
    assert_eq!(limits_reached(&mut h, &mob, sub), [("maxInboxDepth".to_string(), "worker-1".to_string())]);
}

#[test]
fn a_run_past_max_hops_reports_limit_reached_once() {
    let Team { mut h, mob, sub, lead, worker } = team_with(json!({"maxHops": 1}), &["lead"]);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Ask worker-1."})).unwrap();
    let _ = calls(&mut h, &lead, &[message("worker-1", "Go.")]);
    // worker-1 woke one hop in: every message it tries is refused, reported once.
    let results = calls(&mut h, &worker, &[message("lead-1", "a"), message("lead-1", "b"), message("lead-1", "c")]);
    assert!(results.iter().all(|(t, e)| *e && t.starts_with("HOP_LIMIT")), "{results:?}");
    assert_eq!(limits_reached(&mut h, &mob, sub), [("maxHops".to_string(), "worker-1".to_string())]);
}

#[test]
fn empty_bodies_are_refused_as_tool_results() {
    let Team { mut h, mob, sub, lead, worker } = team_with(json!({}), &["worker"]);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Say nothing."})).unwrap();
    let empty = [
        message("worker-1", ""),
        message("worker-1", " \n\t "),
        ("send_request", json!({"to":"worker-1","body":"","intent":"something"})),
        ("send_request", json!({"to":"worker-1","body":"Sum 2+2."})),
    ];
    let results = calls(&mut h, &lead, &empty);
    for (text, is_error) in &results[..3] {
        assert!(*is_error && text.starts_with("EMPTY_MESSAGE"), "{text}");
    }
    assert!(!results[3].1, "{results:?}");
    let status = h.cmd(json!({"op":"mob_member_status","mob":mob,"member":"worker-1"})).unwrap();
    assert_eq!(status["inboxDepth"], 1);
    // An empty response is refused too, and the request stays open.
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"Answer it."})).unwrap();
    let respond = |body: &str| ("send_response", json!({"to":"lead-1","requestId":"req-1","body":body}));
    let results = calls(&mut h, &worker, &[respond(""), respond("Four.")]);
    assert!(results[0].1 && results[0].0.starts_with("EMPTY_MESSAGE"), "{results:?}");
    assert!(!results[1].1, "{results:?}");
    let delivered = h.mob_events(&mob, sub).into_iter().filter(|e| e["event"]["type"] == "message_delivered").count();
    assert_eq!(delivered, 2, "the request and its response only");
}

#[test]
fn failure_notices_are_held_to_the_inbox_depth() {
    let mut h = Harness::proxy();
    let mut def = json!({"id":"m","orchestrator":{"profile":"lead"},"limits":{"maxInboxDepth":2,"requestTimeoutMs":1000},
        "profiles":{"lead":{"model":"claude-sonnet-4-6","runtimeMode":"turn_driven"},
                    "worker":{"model":"claude-sonnet-4-6","runtimeMode":"turn_driven"}}});
    def["wiring"] = json!({"autoWireOrchestrator": true});
    let mob = h.mob(def);
    let sub = h.subscribe(&mob);
    let rows = [("lead", "lead-1"), ("worker", "w1"), ("worker", "w2"), ("worker", "w3")];
    let lead = h.spawn(&mob, &rows).remove(0);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Ask everyone."})).unwrap();
    let ask = |to: &str| ("send_request", json!({"to":to,"body":"Anything?"}));
    let results = calls(&mut h, &lead, &[ask("w1"), ask("w2"), ask("w3")]);
    assert!(results.iter().all(|(_, e)| !e), "{results:?}");
    // No worker answers (turn-driven): each request times out.
    h.now += 1000.0;
    let timers: Vec<Value> = h.effects.iter().filter(|e| e["kind"] == "timer").cloned().collect();
    assert_eq!(timers.len(), 3);
    for timer in timers {
        h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    }
    let failed = h.events(&lead).into_iter().filter(|e| e["type"] == "interaction_failed").count();
    assert_eq!(failed, 3, "the requester's events tell of every failure");
    let status = h.cmd(json!({"op":"mob_member_status","mob":mob,"member":"lead-1"})).unwrap();
    assert_eq!(status["inboxDepth"], 2, "an inbox holds maxInboxDepth items, notices too");
    assert_eq!(limits_reached(&mut h, &mob, sub), [("maxInboxDepth".to_string(), "lead-1".to_string())]);
}

/// A mob definition of `id` (the team's profiles).
fn team_of(id: &str) -> Value {
    let mut def = team();
    def["id"] = json!(id);
    def
}

#[test]
fn mobs_of_new_ids_made_and_destroyed_for_ever_never_run_out_of_room() {
    let mut h = Harness::proxy();
    let first = h.mob(team_of("m-0"));
    let old_sub = h.subscribe(&first);
    h.cmd(json!({"op":"mob_lifecycle","mob":first,"action":"destroy"})).unwrap();
    for i in 1..600 {
        let mob = h.mob(team_of(&format!("m-{i}")));
        h.cmd(json!({"op":"mob_lifecycle","mob":mob,"action":"destroy"})).unwrap();
    }
    let listed = h.cmd(json!({"op":"list_mobs"})).unwrap();
    assert!(listed.as_array().unwrap().len() <= 256, "{}", listed.as_array().unwrap().len());
    // m-0 was forgotten to make room; made again, its subscriptions are numbered past the old one's.
    let again = h.mob(team_of("m-0"));
    let sub = h.subscribe(&again);
    assert!(sub > old_sub, "{sub} after {old_sub}");
    assert!(h.cmd(json!({"op":"mob_poll","mob":again,"subscription":old_sub})).is_err());
}

#[test]
fn live_mobs_still_refuse_a_new_one_past_the_limit() {
    let mut h = Harness::proxy();
    for i in 0..256 {
        h.mob(team_of(&format!("live-{i}")));
    }
    let refused = h.cmd(json!({"op":"create_mob","definition":team_of("one-more")})).unwrap_err();
    assert!(refused["message"].as_str().unwrap().contains("at most 256 mobs"), "{refused}");
    // One destroyed makes room, and only one.
    h.cmd(json!({"op":"mob_lifecycle","mob":"live-7","action":"destroy"})).unwrap();
    h.mob(team_of("one-more"));
    assert!(h.cmd(json!({"op":"create_mob","definition":team_of("two-more")})).is_err());
}
