//! Long runs hold steady memory: what a session or a mob keeps does not
//! grow with the turns once compaction holds the history, and no event
//! log keeps events that nobody can read.

use super::mobs::team;
use super::*;
use crate::test_support::heap;

fn is_summary_request(http: &Value) -> bool {
    http["body"].as_str().unwrap().contains("Summarize the conversation")
}

/// One turn of `s`, a summary request answered first when one comes; the
/// session's events polled. Whether it compacted.
fn soak_turn(h: &mut Harness, s: &str, answer: &[u8], summary: &[u8]) -> bool {
    h.turn(s, "What is the weather like in Paris this week?");
    let mut compacted = false;
    loop {
        let http = h.take("http");
        if is_summary_request(&http) {
            h.answer(&http, summary);
            compacted = true;
        } else {
            h.answer(&http, answer);
            break;
        }
    }
    h.effects.clear();
    h.events(s);
    compacted
}

#[test]
fn a_long_session_with_compaction_holds_the_same_memory_cycle_after_cycle() {
    let mut h = Harness::proxy();
    let s = h.session(json!({"compaction":{"thresholdTokens":400,"keepRecentTurns":2}}));
    let answer = anthropic("Paris is mild this week: around 18 °C and mostly sunny, pack a light jacket.", &[]);
    let summary = anthropic("The user keeps asking about the weather in Paris; it is mild and sunny.", &[]);
    // What the thread holds right after each compaction: the same
    // history (summary and kept turns), the same buffers.
    let mut after = Vec::with_capacity(300); // grown here, it would count
    for _ in 0..300 {
        if soak_turn(&mut h, &s, &answer, &summary) {
            after.push(heap::live());
        }
    }
    assert!(after.len() >= 20, "compaction ran {} times", after.len());
    // Settled once the buffers reached their working size: to the byte.
    let settled = &after[3..];
    assert!(settled.iter().all(|held| *held == settled[0]), "held bytes after compaction drift: {settled:?}");
}

#[test]
fn a_mob_keeps_no_events_that_nobody_can_read() {
    let mut h = Harness::proxy();
    let mut def = team();
    def["limits"] = json!({"maxTurnsPerMemberPerMinute": 1000});
    let mob = h.mob(def);
    let ids = h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1"), ("worker", "worker-2")]);
    let sub = h.subscribe(&mob);
    // Members are read through subscriptions only: drop the harness's readers.
    for (session, reader) in core::mem::take(&mut h.member_readers) {
        h.cmd(json!({"op":"close_reader","session":session,"reader":reader})).unwrap();
    }
    let round = |h: &mut Harness, worker: &str, session: &str, lead: &str| {
        h.cmd(json!({"op":"mob_send","mob":mob,"member":worker,"content":"Find a source."})).unwrap();
        h.reply(session, "", &[("t1", "send_message", json!({"to":"lead-1","body":"Found one."}))]);
        h.reply(session, "Reported.", &[]);
        h.reply(lead, "Thanks.", &[]);
        h.effects.clear();
    };
    let held = |h: &Harness| {
        let logs = ids.iter().map(|id| h.rt.agents.get(id.as_str()).unwrap().session.events.retained());
        logs.sum::<usize>() + h.rt.mobs.get(mob.as_str()).unwrap().log.retained()
    };
    for i in 0..20 {
        let (worker, session) = if i % 2 == 0 { ("worker-1", &ids[1]) } else { ("worker-2", &ids[2]) };
        round(&mut h, worker, session, &ids[0]);
        assert!(held(&h) > 0, "the subscription has events to read");
        assert!(!h.mob_events(&mob, sub).is_empty());
        assert_eq!(held(&h), 0, "read by the only reader, every event is freed");
    }
    h.cmd(json!({"op":"mob_unsubscribe","mob":mob,"subscription":sub})).unwrap();
    round(&mut h, "worker-1", &ids[1], &ids[0]);
    assert_eq!(held(&h), 0, "with no reader, nothing is kept");
    // A reader opened now sees what comes from now on.
    let sub = h.subscribe(&mob);
    round(&mut h, "worker-2", &ids[2], &ids[0]);
    let events = h.mob_events(&mob, sub);
    assert!(events.iter().any(|e| e["event"]["type"] == "message_delivered"));
    assert!(events.iter().all(|e| e["member"] != "worker-1"));
}
