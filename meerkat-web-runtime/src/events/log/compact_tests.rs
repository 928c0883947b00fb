//! Compact readers: the answer's text once. What a compact reader reads,
//! rebuilt as the page does it (`src/elided.ts`), is exactly what a
//! full reader reads at the same moments, whatever the gaps.
use super::*;
use crate::events::Event;
use crate::ids::Rng;
use crate::usage::Usage;
use serde_json::{Value, json};

/// The page's side: join the deltas since each `turn_started`; an elided
/// event gets them back (and loses the mark).
#[derive(Default)]
struct Rebuild {
    deltas: String,
}

impl Rebuild {
    fn apply(&mut self, batch: &str) -> Vec<Value> {
        let mut events: Vec<Value> = serde_json::from_str(batch).unwrap();
        for e in &mut events {
            match e["type"].as_str().unwrap() {
                "turn_started" => self.deltas.clear(),
                "text_delta" => self.deltas.push_str(e["delta"].as_str().unwrap()),
                _ => {}
            }
            if e.get("elided").is_some() {
                let field = if e["type"] == "text_complete" { "content" } else { "result" };
                assert_eq!(e[field], "", "an elided text is empty");
                e[field] = json!(self.deltas);
                e.as_object_mut().unwrap().remove("elided");
            }
        }
        events
    }
}

fn complete(log: &mut EventLog, text: &str) {
    log.push(&Event::TextComplete { content: text });
    log.push(&Event::RunCompleted { session_id: "s", result: text, usage: Usage::default() });
}

fn turn(log: &mut EventLog, deltas: &[&str]) {
    log.push(&Event::TurnStarted { turn_number: 1 });
    for d in deltas {
        log.push_text_delta(d);
    }
}

#[test]
fn a_compact_reader_gets_the_answer_once_and_rebuilds_it() {
    let mut log = EventLog::new(100);
    let compact = log.open_reader(true).unwrap();
    let full = log.open_reader(false).unwrap();
    turn(&mut log, &["Hel", "lo ", "wörld ☀️"]);
    let first = log.read(compact).unwrap();
    complete(&mut log, "Hello wörld ☀️");
    let rest = log.read(compact).unwrap();
    assert!(rest.contains(r#"{"type":"text_complete","seq":5,"content":"","elided":true}"#), "{rest}");
    assert!(rest.contains(r#""result":"","usage":"#), "{rest}");
    let mut page = Rebuild::default();
    let mut rebuilt = page.apply(&first);
    rebuilt.extend(page.apply(&rest));
    assert_eq!(rebuilt, serde_json::from_str::<Vec<Value>>(&log.read(full).unwrap()).unwrap());
    // Other readers, the poll reader among them, get the whole text.
    assert!(log.read(DEFAULT_READER).unwrap().contains(r#""content":"Hello wörld ☀️""#));
}

#[test]
fn the_text_crosses_whole_when_the_reader_lacks_deltas_or_they_differ() {
    let mut log = EventLog::new(100);
    turn(&mut log, &["a", "b"]);
    // Opened mid-turn: it never saw "a" and "b".
    let late = log.open_reader(true).unwrap();
    complete(&mut log, "ab");
    assert!(!log.read(late).unwrap().contains("elided"));
    // The next turn it has whole; an answer that is not its deltas (a hook
    // rewrote it) crosses whole.
    turn(&mut log, &["x"]);
    complete(&mut log, "y");
    let read = log.read(late).unwrap();
    assert!(!read.contains("elided") && read.contains(r#""content":"y""#), "{read}");
    turn(&mut log, &["x"]);
    complete(&mut log, "x");
    assert_eq!(log.read(late).unwrap().matches("elided").count(), 2);
}

#[test]
fn a_gap_since_the_turn_began_means_the_whole_text() {
    let mut log = EventLog::new(4);
    let compact = log.open_reader(true).unwrap();
    turn(&mut log, &["a", "b", "c", "d", "e"]);
    complete(&mut log, "abcde");
    let read = log.read(compact).unwrap();
    assert!(read.contains("stream_truncated") && !read.contains("elided"), "{read}");
    assert!(read.contains(r#""content":"abcde""#));
    // Past the gap, whole again.
    turn(&mut log, &["f"]);
    complete(&mut log, "f");
    assert_eq!(log.read(compact).unwrap().matches("elided").count(), 2);
}

/// `read_marked` as a JSON array, its marks checked: one per event, each at
/// the event's first byte.
fn marked_read(log: &mut EventLog, reader: ReaderId) -> String {
    let (mut out, mut marks) = (String::new(), Vec::new());
    assert!(log.read_marked(reader, &mut out, &mut marks));
    let events: Vec<Value> = serde_json::from_str(&format!("[{}]", out.trim_end_matches(','))).unwrap();
    assert_eq!(marks.len(), events.len());
    for (i, &(_, at)) in marks.iter().enumerate() {
        let end = marks.get(i + 1).map_or(out.len(), |m| m.1);
        let one: Value = serde_json::from_str(out[at..end].trim_end_matches(',')).unwrap();
        assert_eq!(one, events[i]);
    }
    format!("[{}]", out.trim_end_matches(','))
}

/// Random pushes and reads (a small capacity makes gaps): the compact
/// reader, rebuilt, reads exactly what a full reader reads beside it.
#[test]
fn rebuilt_compact_reads_equal_full_reads_under_random_histories() {
    let mut rng = Rng::from_entropy(&[7; 32]);
    let mut elided = 0;
    for round in 0..300 {
        let mut log = EventLog::new(1 + (rng.next_u64() % 12) as usize);
        let (mut compact, mut full) = (None, None);
        // A second pair read as a mob poll reads member logs (`read_marked`).
        let (mut marked, mut marked_full) = (None, None);
        let mut page = Rebuild::default();
        let mut marked_page = Rebuild::default();
        let mut deltas = String::new();
        for _ in 0..60 {
            match rng.next_u64() % 9 {
                0 => {
                    log.push(&Event::TurnStarted { turn_number: 1 });
                    deltas.clear();
                }
                1..=3 => {
                    let d = ["a", "é", "\"q\"", "", "☀️"][(rng.next_u64() % 5) as usize];
                    log.push_text_delta(d);
                    deltas.push_str(d);
                }
                4 => {
                    let text = if rng.next_u64().is_multiple_of(4) { "other" } else { deltas.as_str() };
                    complete(&mut log, text);
                }
                5 if compact.is_none() => {
                    compact = log.open_reader(true);
                    full = log.open_reader(false);
                    marked = log.open_reader(true);
                    marked_full = log.open_reader(false);
                }
                _ => {
                    if let (Some(c), Some(f)) = (compact, full) {
                        let read = log.read(c).unwrap();
                        elided += read.matches(r#""elided":true"#).count();
                        let got = page.apply(&read);
                        let want: Vec<Value> = serde_json::from_str(&log.read(f).unwrap()).unwrap();
                        let strip = |v: Vec<Value>| -> Vec<Value> {
                            // The gap's own reason differs per reader kind only in its count: compare its seq.
                            v.into_iter()
                                .map(|e| if e["type"] == "stream_truncated" { json!(e["seq"]) } else { e })
                                .collect()
                        };
                        assert_eq!(strip(got), strip(want.clone()), "round {round}");
                        if let (Some(m), Some(mf)) = (marked, marked_full) {
                            let got = marked_page.apply(&marked_read(&mut log, m));
                            assert_eq!(
                                strip(got),
                                strip(serde_json::from_str(&marked_read(&mut log, mf)).unwrap()),
                                "round {round}, marked"
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(elided > 100, "the histories elided {elided} texts");
}
