//! Comms edges the simulated provider cannot reach: a request's `intent`
//! held to the body's size bound, and a request that fails counting its
//! hops, so a member retrying unanswered requests still meets `maxHops`.

use super::mobs::{team, tool_result};
use super::*;

/// lead-1 (autonomous) and worker-1 (turn-driven: it never answers on its own).
fn silent_worker(limits: Value) -> (Harness, String, String, String) {
    let mut h = Harness::proxy();
    let mut def = team();
    def["profiles"]["worker"]["runtimeMode"] = json!("turn_driven");
    def["limits"] = limits;
    let mob = h.mob(def);
    let [lead, worker] = <[String; 2]>::try_from(h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")])).unwrap();
    (h, mob, lead, worker)
}

#[test]
fn an_intent_larger_than_a_body_may_be_is_refused() {
    let (mut h, mob, lead, _) = silent_worker(json!({}));
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"go"})).unwrap();
    let intent = "x".repeat(70 * 1024);
    let args = json!({"to":"worker-1","body":"Look this up.","intent":intent});
    let _ = h.reply(&lead, "", &[("a", "send_request", args)]);
    let body = h.reply(&lead, "done", &[]);
    let (text, is_error) = tool_result(&body);
    assert!(is_error && text.starts_with("MESSAGE_TOO_LARGE"), "{text}");
    let status = h.cmd(json!({"op":"mob_member_status","mob":mob,"member":"worker-1"})).unwrap();
    assert_eq!(status["inboxDepth"], 0);
}

#[test]
fn retrying_unanswered_requests_ends_at_max_hops() {
    let (mut h, mob, lead, _) = silent_worker(json!({"maxHops": 2, "requestTimeoutMs": 1000}));
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Ask worker-1."})).unwrap();
    let ask = || ("r", "send_request", json!({"to":"worker-1","body":"Anything yet?"}));
    let mut refused = None;
    for _ in 0..4 {
        let _ = h.reply(&lead, "", &[ask()]);
        let body = h.reply(&lead, "asked", &[]);
        let (text, _) = tool_result(&body);
        if text.starts_with("HOP_LIMIT") {
            refused = Some(text);
            break;
        }
        // The request times out; the notice wakes lead-1, which asks again.
        let timer = h.effects.iter().rposition(|e| e["kind"] == "timer" && e["delayMs"] == 1000).unwrap();
        let timer = h.effects.remove(timer);
        h.now += 1000.0;
        h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    }
    assert!(refused.is_some(), "a member asking again after each time-out was never stopped by maxHops");
}
