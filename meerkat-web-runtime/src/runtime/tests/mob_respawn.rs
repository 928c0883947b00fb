//! A respawn while the member is busy: every subscription that was reading
//! the old session still gets what it had not read of it, up to the end of
//! its run, before the new session's events; within `eventQueueCapacity`.

use super::mobs::team;
use super::*;

fn kinds(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["event"]["type"].as_str().unwrap()).collect()
}

#[test]
fn subscriptions_read_the_old_session_to_its_end_across_a_respawn() {
    let mut h = Harness::proxy();
    let mob = h.mob(team());
    let old = h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")]).remove(1);
    let member =
        h.cmd(json!({"op":"mob_subscribe","mob":mob,"member":"worker-1"})).unwrap()["subscription"].as_u64().unwrap();
    let whole = h.subscribe(&mob);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"dig"})).unwrap();
    assert!(h.has_http(&old), "the run is in flight");
    h.now += 5.0;
    let out = h.cmd(json!({"op":"mob_respawn","mob":mob,"member":"worker-1","initialMessage":"Back."})).unwrap();
    let fresh = out["sessionId"].as_str().unwrap().to_string();
    h.now += 5.0;
    h.reply(&fresh, "Back at it.", &[]);

    for sub in [member, whole] {
        let items: Vec<Value> = h.mob_events(&mob, sub).into_iter().filter(|i| i["member"] == "worker-1").collect();
        let sessions: Vec<&str> = items.iter().filter_map(|i| i["event"]["sessionId"].as_str()).collect();
        // The old session's run, from its start to its end, then the new one's.
        assert_eq!(kinds(&items).first(), Some(&"run_started"), "{items:?}");
        assert_eq!(sessions.first(), Some(&old.as_str()), "{items:?}");
        let end = items.iter().position(|i| i["event"]["type"] == "run_failed").expect("the old run's end");
        assert_eq!(items[end]["event"]["sessionId"], old.as_str());
        assert!(items[end]["event"]["error"].as_str().unwrap().contains("retired"), "{:?}", items[end]);
        let first_new = sessions.iter().position(|s| *s == fresh).expect("the new session's events");
        assert!(sessions[..first_new].iter().all(|s| *s == old), "{sessions:?}");
        assert!(sessions[first_new..].iter().all(|s| *s == fresh), "{sessions:?}");
        assert_eq!(kinds(&items).last(), Some(&"run_completed"));
        let seqs: Vec<u64> = items.iter().map(|i| i["seq"].as_u64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
        assert!(h.mob_events(&mob, sub).is_empty());
    }
}

#[test]
fn what_respawns_leave_unread_stays_within_the_capacity() {
    let mut h = Harness::new(json!({"anthropicApiKey":"proxy","anthropicBaseUrl":"http://127.0.0.1:3100/anthropic",
        "model":"claude-sonnet-4-6","eventQueueCapacity":8}));
    let mob = h.mob(team());
    h.spawn(&mob, &[("worker", "worker-1")]);
    let sub =
        h.cmd(json!({"op":"mob_subscribe","mob":mob,"member":"worker-1"})).unwrap()["subscription"].as_u64().unwrap();
    for _ in 0..6 {
        h.cmd(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"dig"})).unwrap();
        h.cmd(json!({"op":"mob_respawn","mob":mob,"member":"worker-1"})).unwrap();
    }
    let items = h.mob_events(&mob, sub);
    assert!(items.len() <= 8, "{} items: {items:?}", items.len());
    assert_eq!(items[0]["event"]["type"], "stream_truncated", "{items:?}");
    assert!(items[0]["event"]["dropped"].as_u64().unwrap() > 0);
    // The newest events are the ones kept: the last old session's run end.
    assert_eq!(kinds(&items).last(), Some(&"run_failed"), "{items:?}");
    assert!(items[1..].iter().all(|i| i["event"]["type"] != "stream_truncated"));
}
