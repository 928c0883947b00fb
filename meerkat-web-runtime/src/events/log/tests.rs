use super::*;
use crate::events::Event;
use crate::events::StopReason;
use crate::usage::Usage;
use serde_json::{Value, json};

fn parse(json: &str) -> Vec<Value> {
    serde_json::from_str(json).unwrap()
}

fn seqs(events: &[Value]) -> Vec<u64> {
    events.iter().map(|e| e["seq"].as_u64().unwrap()).collect()
}

#[test]
fn shapes_match_the_sdk_reference_with_a_sequence_number() {
    let mut log = EventLog::new(10);
    log.push(&Event::TurnStarted { turn_number: 1 });
    log.push_text_delta("h\"i\n");
    log.push(&Event::TurnCompleted {
        stop_reason: StopReason::EndTurn,
        usage: Usage { input_tokens: 1, output_tokens: 2, ..Usage::default() },
    });
    let v = parse(&log.read(DEFAULT_READER).unwrap());
    assert_eq!(v[0], json!({"type":"turn_started","seq":1,"turnNumber":1}));
    assert_eq!(v[1], json!({"type":"text_delta","seq":2,"delta":"h\"i\n"}));
    assert_eq!(v[2]["stopReason"], "end_turn");
    assert_eq!(v[2]["usage"]["inputTokens"], 1);
    assert_eq!(log.read(DEFAULT_READER).unwrap(), "[]");
}

#[test]
fn a_kept_event_is_logged_as_if_pushed_when_it_was_kept() {
    let event = Event::InteractionComplete { interaction_id: "r1", result: "ok" };
    let kept = event.keep();
    let (mut pushed, mut logged) = (EventLog::new(10), EventLog::new(10));
    pushed.push(&event);
    logged.push_kept(&kept);
    assert_eq!(logged.read(DEFAULT_READER), pushed.read(DEFAULT_READER));
    logged.push_kept(&Event::MemberRetired { member: "" }.keep());
    let v = parse(&logged.read(DEFAULT_READER).unwrap());
    assert_eq!(v[0], json!({"type":"member_retired","seq":2,"member":""}));
}

#[test]
fn readers_never_take_each_others_events() {
    let mut log = EventLog::new(100);
    log.push_text_delta("a");
    let sub = log.open_reader(false).unwrap();
    log.push_text_delta("b");
    log.push_text_delta("c");
    assert_eq!(seqs(&parse(&log.read(sub).unwrap())), [2, 3]);
    assert_eq!(seqs(&parse(&log.read(DEFAULT_READER).unwrap())), [1, 2, 3]);
    log.push_text_delta("d");
    assert_eq!(seqs(&parse(&log.read(DEFAULT_READER).unwrap())), [4]);
    assert_eq!(seqs(&parse(&log.read(sub).unwrap())), [4]);
    assert_eq!(log.unread(sub), 0);
    assert!(log.close_reader(sub));
    assert!(!log.close_reader(sub));
    assert!(!log.close_reader(DEFAULT_READER));
    assert!(log.read(sub).is_none());
}

#[test]
fn a_reader_that_falls_behind_gets_its_own_truncation_marker() {
    let mut log = EventLog::new(3);
    let fast = log.open_reader(false).unwrap();
    for i in 0..5 {
        log.push_text_delta(&i.to_string());
        // `fast` keeps up; the default reader does not.
        assert_eq!(parse(&log.read(fast).unwrap()).len(), 1);
    }
    let slow = parse(&log.read(DEFAULT_READER).unwrap());
    let types: Vec<&str> = slow.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["stream_truncated", "text_delta", "text_delta", "text_delta"]);
    assert!(slow[0]["reason"].as_str().unwrap().starts_with("2 events were dropped"));
    assert_eq!(slow[0]["dropped"], 2);
    assert_eq!(seqs(&slow), [2, 3, 4, 5]);
    log.push(&Event::RunCompleted { session_id: "s", result: "r", usage: Usage::default() });
    // The fast reader never saw a gap.
    assert_eq!(parse(&log.read(fast).unwrap())[0]["type"], "run_completed");
    // Truncation when nothing is left after the gap.
    let mut log = EventLog::new(1);
    let sub = log.open_reader(false).unwrap();
    log.push_text_delta("a");
    log.push_text_delta("b");
    let _ = log.read(sub);
    log.push_text_delta("c");
    let _ = log.read(sub);
    let v = parse(&log.read(DEFAULT_READER).unwrap());
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["type"], "stream_truncated");
}

#[test]
fn memory_is_freed_once_every_reader_has_read() {
    let mut log = EventLog::new(1_000_000);
    let long = "x".repeat(1000);
    for _ in 0..100 {
        log.push_text_delta(&long);
        let _ = log.read(DEFAULT_READER);
    }
    assert!(log.buf.is_empty());
    let sub = log.open_reader(false).unwrap();
    for _ in 0..100 {
        log.push_text_delta(&long);
        let _ = log.read(sub);
    }
    // The default reader has read nothing since: everything is kept for it.
    assert_eq!(log.unread(DEFAULT_READER), 100);
    assert_eq!(parse(&log.read(DEFAULT_READER).unwrap()).len(), 100);
    assert!(log.buf.is_empty());
    // Bounded: the oldest are dropped, the buffer is compacted.
    let mut log = EventLog::new(10);
    for _ in 0..10_000 {
        log.push_text_delta(&long);
    }
    assert!(log.buf.len() < 30 * 1024, "{}", log.buf.len());
    let v = parse(&log.read(DEFAULT_READER).unwrap());
    assert_eq!(v.len(), 11);
    assert_eq!(v[10]["seq"], 10_000);
}

#[test]
fn an_unpolled_log_keeps_only_what_a_reader_has_yet_to_read() {
    let mut log = EventLog::unpolled(100);
    assert!(log.read(DEFAULT_READER).is_none(), "no poll reader");
    log.push_text_delta("nobody reads this");
    log.push(&Event::TurnStarted { turn_number: 1 });
    assert_eq!(log.retained(), 0);
    let sub = log.open_reader(false).unwrap();
    log.push_text_delta("a");
    log.push_kept(&Event::MemberRetired { member: "m" }.keep());
    assert_eq!(log.retained(), 2);
    // Numbered as if kept: sequence numbers never repeat.
    assert_eq!(seqs(&parse(&log.read(sub).unwrap())), [3, 4]);
    assert_eq!(log.retained(), 0);
    log.push_text_delta("b");
    assert!(log.close_reader(sub));
    assert_eq!(log.retained(), 0);
    log.push_text_delta("c");
    assert_eq!((log.retained(), log.next_seq()), (0, 7));
}

#[test]
fn a_long_burst_read_at_once_gives_its_buffers_back() {
    let mut log = EventLog::new(100_000);
    for _ in 0..20_000 {
        log.push_text_delta("a delta of a long answer");
    }
    assert!(log.reserved_bytes() > 1_000_000);
    assert_eq!(parse(&log.read(DEFAULT_READER).unwrap()).len(), 20_000);
    assert_eq!(log.reserved_bytes(), 0);
    // Small buffers stay for reuse: a streamed answer read chunk by chunk
    // does not allocate them anew for every read.
    log.push_text_delta("short");
    log.read(DEFAULT_READER).unwrap();
    assert!(log.reserved_bytes() > 0);
}
