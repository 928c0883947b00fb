//! A session or mob destroyed while a run is in flight: every reader gets
//! what it had not read, up to the run's end (`run_failed`): a session's
//! in the destroy's reply (the host hands each its last read), a mob's
//! subscriptions in one last poll; then the session (or mob) is gone.

use super::mobs::team;
use super::*;

fn read(h: &mut Harness, session: &str, reader: u64) -> Result<Vec<Value>, String> {
    let text = h.rt.drain_events(session, reader as u32).map_err(|e| e.code.to_string())?;
    Ok(serde_json::from_str(&text).unwrap())
}

fn reader(h: &mut Harness, session: &str) -> u64 {
    h.cmd(json!({"op":"open_reader","session":session})).unwrap()["reader"].as_u64().unwrap()
}

#[test]
fn destroying_a_session_hands_its_readers_last_events_to_the_host() {
    let mut h = Harness::proxy();
    let s = h.session(json!({}));
    let (sub, idle, caught_up) = (reader(&mut h, &s), reader(&mut h, &s), reader(&mut h, &s));
    h.turn(&s, "hi");
    let http = h.take("http");
    assert_eq!(types(&read(&mut h, &s, idle).unwrap()), ["run_started", "turn_started"]);
    read(&mut h, &s, caught_up).unwrap();
    h.cmd(json!({"op":"http_head","id":http["id"],"status":200})).unwrap();
    let tails = h.cmd(json!({"op":"destroy_session","session":s,"poll":true})).unwrap();
    assert_eq!(h.take("run_finished")["error"]["code"], "CANCELLED");

    // Each reader's last events, from where it was, to the run's end, as its own read's text.
    let last = |r: u64| -> Vec<Value> { serde_json::from_str(tails[r.to_string()].as_str().unwrap()).unwrap() };
    let events = last(sub);
    assert_eq!(types(&events), ["run_started", "turn_started", "run_failed"]);
    assert_eq!(events[2]["sessionId"], s.as_str());
    assert_eq!(events[2]["error"], "the session was destroyed while a turn was in flight");
    assert_eq!(types(&last(idle)), ["run_failed"]);
    assert_eq!(
        types(&last(0)),
        ["run_started", "turn_started", "run_failed"],
        "poll: true hands the poll reader's over"
    );
    assert_eq!(tails.as_object().unwrap().len(), 4, "{tails}");
    // The core keeps nothing of it.
    for r in [sub, idle, 0] {
        assert_eq!(read(&mut h, &s, r).unwrap_err(), "SESSION_NOT_FOUND");
    }

    // Without `poll`, the poll reader's events go with the session; a reader with nothing new gets no entry.
    let t = h.session(json!({}));
    reader(&mut h, &t);
    assert_eq!(h.cmd(json!({"op":"destroy_session","session":t})).unwrap(), json!({}));
    let t = h.session(json!({}));
    h.turn(&t, "hi");
    let tails = h.cmd(json!({"op":"destroy_session","session":t})).unwrap();
    assert_eq!(tails, json!({}));
}

#[test]
fn a_destroyed_mobs_subscriptions_read_the_runs_ends_then_mob_not_running() {
    let mut h = Harness::proxy();
    let mob = h.mob(team());
    let session = h.spawn(&mob, &[("worker", "worker-1")]).remove(0);
    let member =
        h.cmd(json!({"op":"mob_subscribe","mob":mob,"member":"worker-1"})).unwrap()["subscription"].as_u64().unwrap();
    let whole = h.subscribe(&mob);
    h.mob_events(&mob, whole);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"dig"})).unwrap();
    assert!(h.has_http(&session), "the run is in flight");
    h.cmd(json!({"op":"mob_lifecycle","mob":mob,"action":"destroy"})).unwrap();

    let items = h.mob_events(&mob, member);
    let end = items.last().unwrap();
    assert_eq!(end["event"]["type"], "run_failed", "{items:?}");
    assert_eq!(end["member"], "worker-1");
    assert!(end["event"]["error"].as_str().unwrap().contains("was destroyed"), "{end:?}");
    let items = h.mob_events(&mob, whole);
    let kinds: Vec<&str> = items.iter().map(|i| i["event"]["type"].as_str().unwrap()).collect();
    let failed = kinds.iter().position(|k| *k == "run_failed").expect("the run's end");
    assert_eq!(items[failed]["member"], "worker-1", "{items:?}");
    assert_eq!(kinds.last(), Some(&"mob_status_changed"), "{kinds:?}");
    assert_eq!(items.last().unwrap()["event"]["status"], "destroyed");
    for sub in [member, whole] {
        let code = h.code(json!({"op":"mob_poll","mob":mob,"subscription":sub}));
        assert_eq!(code, "MOB_NOT_RUNNING");
    }
}
