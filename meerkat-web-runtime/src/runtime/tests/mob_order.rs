//! A mob subscription lists items in the order they happened, across the
//! mob's log and its members', even within one millisecond (the core's
//! clock is the host's `Date.now()`): every mob event comes after what
//! caused it and before what it causes. And a subscription nobody polls
//! keeps at most `eventQueueCapacity` items while the mob goes on.

use super::mobs::team;
use super::*;

/// Where the first item `is` appears in `items`.
fn at(items: &[Value], what: &str, is: impl Fn(&Value) -> bool) -> usize {
    items.iter().position(is).unwrap_or_else(|| panic!("no {what} in {items:#?}"))
}

fn event_is(item: &Value, member: Option<&str>, kind: &str) -> bool {
    item["member"].as_str() == member && item["event"]["type"] == kind
}

/// Step `a` (worker), then step `b` (lead).
fn two_steps() -> Value {
    json!({"id":"two","profiles":{"lead":{"model":"claude-sonnet-4-6"},"worker":{"model":"claude-sonnet-4-6"}},
      "flows":{"f":{"steps":[
        {"id":"a","role":"worker","message":"First."},
        {"id":"b","role":"lead","message":"Then.","dependsOn":["a"]}]}}})
}

/// The two steps run: worker-1 answers step `a`, which dispatches step
/// `b` to lead-1. What the mob's subscription reads meanwhile.
fn two_steps_run() -> Vec<Value> {
    let mut h = Harness::proxy();
    let mob = h.mob(two_steps());
    let s = h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")]);
    let sub = h.subscribe(&mob);
    h.cmd(json!({"op":"mob_run_flow","mob":mob,"flow":"f"})).unwrap();
    h.reply(&s[1], "Found it.", &[]);
    assert!(h.has_http(&s[0]), "step b is dispatched to lead-1");
    h.mob_events(&mob, sub)
}

fn step_is(item: &Value, step: &str, status: &str) -> bool {
    item["event"]["type"] == "flow_step_changed" && item["event"]["step"] == step && item["event"]["status"] == status
}

/// Items are numbered 1, 2, 3… with no gap.
fn assert_gapless(items: &[Value]) {
    let seqs: Vec<u64> = items.iter().map(|i| i["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=items.len() as u64).collect::<Vec<_>>());
}

#[test]
fn a_step_end_comes_before_the_step_change_and_the_next_step_it_causes() {
    let items = two_steps_run();
    assert!(items.iter().all(|i| i["timestampMs"] == 1000), "one millisecond: {items:#?}");
    let ended = at(&items, "worker-1's run_completed", |i| event_is(i, Some("worker-1"), "run_completed"));
    let changed = at(&items, "a:completed", |i| step_is(i, "a", "completed"));
    let started = at(&items, "lead-1's run_started", |i| event_is(i, Some("lead-1"), "run_started"));
    assert!(ended < changed && changed < started, "{ended} {changed} {started}: {items:#?}");
    assert_gapless(&items);
}

/// A step says it is dispatched to a member before that member's run
/// starts (the run is the step's doing).
#[test]
fn a_step_is_dispatched_before_its_member_run_starts() {
    let items = two_steps_run();
    for (step, member) in [("a", "worker-1"), ("b", "lead-1")] {
        let dispatched = at(&items, "the step's dispatch", |i| step_is(i, step, "dispatched"));
        assert_eq!(items[dispatched]["event"]["member"], member);
        let started = at(&items, "the member's run_started", |i| event_is(i, Some(member), "run_started"));
        assert!(dispatched < started, "step {step}: {dispatched} {started}: {items:#?}");
    }
}

/// lead-1 tells worker-1 something: its send, the delivery, then the
/// run the message wakes.
#[test]
fn a_message_comes_between_its_send_and_the_run_it_wakes() {
    let mut h = Harness::proxy();
    let mob = h.mob(team());
    let [lead, worker] = <[String; 2]>::try_from(h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")])).unwrap();
    let sub = h.subscribe(&mob);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Ask worker-1."})).unwrap();
    h.reply(&lead, "", &[("t1", "send_message", json!({"to":"worker-1","body":"Find three sources."}))]);
    h.reply(&lead, "Asked.", &[]);
    h.reply(&worker, "", &[("t2", "send_message", json!({"to":"lead-1","body":"Three sources."}))]);
    let items = h.mob_events(&mob, sub);
    assert!(items.iter().all(|i| i["timestampMs"] == 1000), "one millisecond: {items:#?}");
    let delivered =
        |to: &'static str| move |i: &Value| i["event"]["type"] == "message_delivered" && i["event"]["to"] == to;
    let sent = at(&items, "lead-1's send", |i| event_is(i, Some("lead-1"), "tool_execution_completed"));
    let to_worker = at(&items, "the delivery to worker-1", delivered("worker-1"));
    let woke = at(&items, "worker-1's run_started", |i| event_is(i, Some("worker-1"), "run_started"));
    assert!(sent < to_worker && to_worker < woke, "{sent} {to_worker} {woke}: {items:#?}");
    // lead-1's run ended before worker-1's answer woke it again.
    let lead_done = at(&items, "lead-1's run_completed", |i| event_is(i, Some("lead-1"), "run_completed"));
    let answered = items.iter().rposition(|i| event_is(i, Some("worker-1"), "tool_execution_completed")).unwrap();
    let to_lead = at(&items, "the delivery to lead-1", delivered("lead-1"));
    let rewoke = items.iter().rposition(|i| event_is(i, Some("lead-1"), "run_started")).unwrap();
    assert!(lead_done < to_lead && answered < to_lead && to_lead < rewoke, "{items:#?}");
    assert_gapless(&items);
}

/// Member work and mob events, over and over; a subscription nobody polls.
/// The subscription's kept items at the end, and what its poll hands over.
fn busy_mob(capacity: usize) -> (Vec<(usize, usize)>, Vec<Value>) {
    let mut h = Harness::new(json!({"anthropicApiKey":"proxy","anthropicBaseUrl":"http://127.0.0.1:3100/anthropic",
        "model":"claude-sonnet-4-6","eventQueueCapacity":capacity}));
    let mob = h.mob(team());
    let s = h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")]);
    let sub = h.subscribe(&mob);
    let mut held = Vec::new();
    for _ in 0..40 {
        h.cmd(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"dig"})).unwrap();
        h.reply(&s[1], "ok", &[]);
        h.cmd(json!({"op":"mob_unwire","mob":mob,"a":"lead-1","b":"worker-1"})).unwrap();
        h.cmd(json!({"op":"mob_wire","mob":mob,"a":"lead-1","b":"worker-1"})).unwrap();
        held.push(h.rt.mobs.get(&mob).unwrap().subscriptions[0].kept.held());
    }
    (held, h.mob_events(&mob, sub))
}

#[test]
fn a_subscription_nobody_polls_keeps_at_most_the_capacity() {
    let (held, items) = busy_mob(16);
    for (items, events) in held {
        assert!(items <= 16, "{items} items kept");
        assert!(events <= 2 * 16 + 64, "{events} events held");
    }
    assert_eq!(items.len(), 16, "{items:#?}");
    // The newest items, after one marker for all the others.
    let (_, all) = busy_mob(65_536);
    assert_eq!(items[0]["event"]["type"], "stream_truncated", "{items:#?}");
    assert_eq!(items[0]["event"]["dropped"].as_u64().unwrap(), all.len() as u64 - 15);
    let kinds = |items: &[Value]| -> Vec<(Value, Value)> {
        items.iter().map(|i| (i["member"].clone(), i["event"]["type"].clone())).collect()
    };
    assert_eq!(kinds(&items[1..]), kinds(&all[all.len() - 15..]));
    assert!(items[1..].iter().all(|i| i["event"]["type"] != "stream_truncated"));
    assert_gapless(&items);
}

/// worker-1 streams an answer of 6 pieces while nobody polls, and the
/// mob logs an event in the middle of it (an unwire) and one after (a
/// wire), each reading the subscription's logs up to it: what a poll
/// hands over. Each log alone stays within `capacity`; what the
/// subscription keeps from both readings may not.
fn answer_around_mob_events(capacity: usize) -> Vec<Value> {
    let mut h = Harness::new(json!({"anthropicApiKey":"proxy","anthropicBaseUrl":"http://127.0.0.1:3100/anthropic",
        "model":"claude-sonnet-4-6","eventQueueCapacity":capacity}));
    let mob = h.mob(team());
    let s = h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")]);
    let sub = h.subscribe(&mob);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"dig"})).unwrap();
    let delta = |k: usize| {
        format!(
            "event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"w{k} \"}}}}\n\n"
        )
    };
    let mut first = String::from(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n\
         event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
    );
    (0..3).for_each(|k| first += &delta(k));
    let mut rest: String = (3..6).map(delta).collect();
    rest += "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n\
             event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":5}}\n\n\
             event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    let id = h.http_of(&s[1])["id"].as_u64().unwrap() as u32;
    h.cmd(json!({"op":"http_head","id":id,"status":200,"headers":[]})).unwrap();
    h.rt.push_body(h.now, id, first.as_bytes());
    h.cmd(json!({"op":"mob_unwire","mob":mob,"a":"lead-1","b":"worker-1"})).unwrap();
    h.rt.push_body(h.now, id, rest.as_bytes());
    h.raw(&json!({"op":"http_end","id":id}).to_string());
    h.cmd(json!({"op":"mob_wire","mob":mob,"a":"lead-1","b":"worker-1"})).unwrap();
    h.mob_events(&mob, sub)
}

/// A kept `text_complete` or `run_completed` whose turn lost some of its
/// deltas to the bound is not handed over with its text left for the page
/// to join (the page would show part of the answer as all of it): it goes
/// too, counted in the marker.
#[test]
fn a_short_form_whose_deltas_were_dropped_is_dropped_too() {
    let all = answer_around_mob_events(65_536);
    let is = |item: &Value, kind: &str| item["event"]["type"] == kind;
    // Unbounded, the answer comes once, in its deltas: the two events that repeat it are short.
    let shorts: Vec<&Value> = all.iter().filter(|i| i["event"]["elided"] == true).collect();
    assert_eq!(shorts.len(), 2, "{all:#?}");
    let items = answer_around_mob_events(10);
    assert!(items.len() <= 10, "{items:#?}");
    assert!(is(&items[0], "stream_truncated"), "{items:#?}");
    assert!(items.iter().any(|i| is(i, "text_delta")), "some deltas are kept: {items:#?}");
    assert!(
        !items.iter().any(|i| is(i, "text_delta") && i["event"]["delta"] == "w0 "),
        "the first is gone: {items:#?}"
    );
    assert!(items.iter().all(|i| i["event"]["elided"].is_null()), "{items:#?}");
    assert!(!items.iter().any(|i| is(i, "text_complete") || is(i, "run_completed")), "{items:#?}");
    // Every event is either handed over or counted as dropped.
    let dropped = items[0]["event"]["dropped"].as_u64().unwrap();
    assert_eq!(dropped + items.len() as u64 - 1, all.len() as u64, "{items:#?}");
    assert_gapless(&items);
}
