//! What a mob subscription has gathered from its logs (the mob's own and
//! each member's) and not yet handed over: one poll's reading before
//! `poll_mob` merges it by time, and what a respawned member's old session
//! left unread, kept in the subscription until its next poll.

use crate::events::{EventLog, ReaderId};
use crate::json::ObjectWriter;

/// Events read one after another, as JSON (each followed by a comma),
/// `(whole ms, start in text)` of each, and which events came from which
/// source.
#[derive(Debug, Default)]
pub struct Unread {
    pub text: String,
    pub marks: Vec<(u64, usize)>,
    pub sources: Vec<Source>,
}

/// One log's events in an [`Unread`]: `marks[first..end]`, ending at `bytes_end` in `text`.
#[derive(Debug)]
pub struct Source {
    pub who: Option<usize>,
    pub first: usize,
    pub end: usize,
    pub bytes_end: usize,
}

impl Unread {
    /// Append what `reader` has not read of `log`; `false` for an unknown reader.
    pub fn read(&mut self, log: &mut EventLog, reader: ReaderId, who: Option<usize>) -> bool {
        let first = self.marks.len();
        let known = log.read_marked(reader, &mut self.text, &mut self.marks);
        if self.marks.len() > first {
            self.sources.push(Source { who, first, end: self.marks.len(), bytes_end: self.text.len() });
        }
        known
    }

    /// Keep at most `capacity` events, the newest: the oldest go, and one
    /// `stream_truncated` takes their place, as a log says its own gaps (a
    /// gap among them is counted in).
    pub fn keep_newest(&mut self, capacity: usize) {
        let capacity = capacity.max(2);
        if self.marks.len() <= capacity {
            return;
        }
        let cut = self.marks.len() + 1 - capacity;
        let Some(&(ms, bytes)) = self.marks.get(cut) else { return };
        let event = |k: usize| self.marks.get(k).and_then(|m| self.text.get(m.1..bytes)).unwrap_or_default();
        let mut dropped = 0;
        for k in 0..cut {
            let gap = event(k).starts_with(r#"{"type":"stream_truncated""#);
            dropped += if gap { number_after(event(k), r#""dropped":"#) } else { 1 };
        }
        // The gap takes the seq of the last event it stands for, as in a log.
        let seq = number_after(event(cut - 1), r#""seq":"#);
        let reason = format!(
            "{dropped} events were dropped because at most {capacity} unread events are kept; poll more often or raise eventQueueCapacity"
        );
        // Written as `Event::StreamTruncated` is, without calling into the core for it.
        let mut text = String::new();
        let mut o = ObjectWriter::new(&mut text);
        o.str("type", "stream_truncated").u64("seq", seq).str("reason", &reason).u64("dropped", dropped);
        o.end();
        text.push(',');
        let len = text.len();
        text.push_str(self.text.get(bytes..).unwrap_or_default());
        let mut marks = vec![(ms, 0)];
        marks.extend(self.marks.drain(cut..).map(|(ms, at)| (ms, at + len - bytes)));
        let who = self.sources.first().and_then(|s| s.who);
        let mut sources = vec![Source { who, first: 0, end: 1, bytes_end: len }];
        for s in self.sources.drain(..).filter(|s| s.end > cut) {
            let first = s.first.max(cut) + 1 - cut;
            sources.push(Source { who: s.who, first, end: s.end + 1 - cut, bytes_end: s.bytes_end + len - bytes });
        }
        *self = Unread { text, marks, sources };
    }
}

/// The whole number after the first `key` in `text` (0 if none).
fn number_after(text: &str, key: &str) -> u64 {
    let digits = text.split_once(key).map_or("", |(_, rest)| rest);
    digits.bytes().take_while(u8::is_ascii_digit).fold(0, |n, d| n.wrapping_mul(10).wrapping_add(u64::from(d - b'0')))
}
