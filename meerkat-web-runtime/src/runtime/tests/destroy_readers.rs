//! A session or mob destroyed while a run is in flight: every reader gets
//! what it had not read, up to the run's end (`run_failed`): a session's
//! readers from the host (it reads each it holds just before the destroy,
//! whose reply is the run's end), a mob's subscriptions in one last poll; then
//! the session (or mob) is gone.

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
fn destroying_a_session_replies_with_its_runs_end() {
    let mut h = Harness::proxy();
    let s = h.session(json!({}));
    let sub = reader(&mut h, &s);
    h.turn(&s, "hi");
    let http = h.take("http");
    h.cmd(json!({"op":"http_head","id":http["id"],"status":200})).unwrap();
    // What the host reads of its readers just before the destroy (the poll reader's, once pollEvents was used)...
    for r in [sub, 0] {
        assert_eq!(types(&read(&mut h, &s, r).unwrap()), ["run_started", "turn_started"]);
    }
    let end = h.cmd(json!({"op":"destroy_session","session":s})).unwrap();
    assert_eq!(h.take("run_finished")["error"]["code"], "CANCELLED");

    // ...then what the destroy appended, as the poll reader reads it: the run's end, for each of them.
    let end: Vec<Value> = serde_json::from_value(end).unwrap();
    assert_eq!(types(&end), ["run_failed"]);
    assert_eq!(end[0]["sessionId"], s.as_str());
    assert_eq!(end[0]["error"], "the session was destroyed while a turn was in flight");
    // The core keeps nothing of it.
    for r in [sub, 0] {
        assert_eq!(read(&mut h, &s, r).unwrap_err(), "SESSION_NOT_FOUND");
    }

    // A session never polled (a stream's): the reply is still only the run's
    // end, not the whole run its poll reader kept for nobody.
    let u = h.session(json!({}));
    h.turn(&u, "hi");
    let http = h.take("http");
    h.cmd(json!({"op":"http_head","id":http["id"],"status":200})).unwrap();
    let end: Vec<Value> = serde_json::from_value(h.cmd(json!({"op":"destroy_session","session":u})).unwrap()).unwrap();
    assert_eq!(types(&end), ["run_failed"]);

    // An idle session's destroy appends nothing; an unknown one is refused.
    let t = h.session(json!({}));
    assert_eq!(h.cmd(json!({"op":"destroy_session","session":t})).unwrap(), json!([]));
    assert_eq!(h.code(json!({"op":"destroy_session","session":t})), "SESSION_NOT_FOUND");
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
