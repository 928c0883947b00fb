//! What a mob subscription has gathered from its logs (the mob's own and
//! each member's) and not yet handed over: one reading of the logs
//! ([`Unread`]), merged by time into runs, and the merged runs a
//! subscription keeps between polls ([`Kept`]): before each mob event is
//! logged, every subscription of the mob reads its logs up to it, so the
//! event comes after what caused it and before what it causes, even
//! within one millisecond.

use super::{Member, write_run_head};
use crate::events::{EventLog, ReaderId, write_stream_truncated};

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

    /// Its events merged by millisecond, then by source (in reading
    /// order): `run(who, ms, marks from..to, text start..stop)` per run of
    /// one source and millisecond, oldest first.
    pub fn each_run(&self, mut run: impl FnMut(Option<usize>, u64, usize, usize, usize, usize)) {
        let (marks, sources) = (&self.marks, &self.sources);
        let mut cursors: Vec<usize> = sources.iter().map(|s| s.first).collect();
        // The earliest millisecond left, then every source's events of it, in order.
        while let Some(ms) =
            sources.iter().zip(&cursors).filter_map(|(s, &c)| marks.get(c).filter(|_| c < s.end)).map(|m| m.0).min()
        {
            for (source, cursor) in sources.iter().zip(cursors.iter_mut()) {
                let from = *cursor;
                let to = from + marks.iter().skip(from).take(source.end - from).take_while(|m| m.0 == ms).count();
                if to == from {
                    continue;
                }
                let start = marks.get(from).map_or(0, |m| m.1);
                let stop = marks.get(to).filter(|_| to < source.end).map_or(source.bytes_end, |m| m.1);
                run(source.who, ms, from, to, start, stop);
                *cursor = to;
            }
        }
    }

    /// Hand its events over as runs, merged by time and numbered from
    /// `*seq`, after what `out` holds: a poll with nothing kept and
    /// nothing to cut, without the copy into a [`Kept`].
    pub fn write(&self, members: &[Member], seq: &mut u64, out: &mut String) {
        self.each_run(|who, ms, from, to, start, stop| {
            write_run(members, who, *seq, ms, self.text.get(start..stop).unwrap_or_default(), out);
            *seq += (to - from) as u64;
        });
    }
}

/// Runs already merged, kept by a subscription for its next poll: each
/// source of `runs` is one run (one log, one millisecond), in order.
/// Within a capacity: the oldest go, and one `stream_truncated` stands for
/// them (`dropped` events, the last numbered `last_seq` in its log).
#[derive(Debug, Default)]
pub struct Kept {
    runs: Unread,
    /// Events before this one are gone.
    head: usize,
    dropped: u64,
    last_seq: u64,
    /// The source of the first event gone (the marker's).
    who: Option<usize>,
    /// Sources that lost events: their short forms (`"elided":true`)
    /// until their next `turn_started` cannot be rebuilt on the page.
    lost: Vec<Option<usize>>,
    capacity: usize,
}

/// Compact the kept buffers only past this many gone events.
const COMPACT_EVENTS: usize = 64;

impl Kept {
    /// Append `fresh`'s events, merged by time, then keep at most
    /// `capacity` items (a `stream_truncated` counted in).
    pub fn add(&mut self, fresh: &Unread, capacity: usize) {
        let runs = &mut self.runs;
        fresh.each_run(|who, ms, from, to, start, stop| {
            let base = runs.text.len();
            runs.text.push_str(fresh.text.get(start..stop).unwrap_or_default());
            let first = runs.marks.len();
            runs.marks.extend(fresh.marks.get(from..to).unwrap_or_default().iter().map(|m| (m.0, m.1 - start + base)));
            let (end, bytes_end) = (runs.marks.len(), runs.text.len());
            let last_ms = first.checked_sub(1).and_then(|k| runs.marks.get(k)).map(|m| m.0);
            match runs.sources.last_mut() {
                // One run with the one before: same source, same millisecond.
                Some(s) if s.who == who && last_ms == Some(ms) => (s.end, s.bytes_end) = (end, bytes_end),
                _ => runs.sources.push(Source { who, first, end, bytes_end }),
            }
        });
        self.trim(capacity);
    }

    /// Items it would hand over (a `stream_truncated` counted in), and
    /// events its buffers still hold (gone ones not yet cut off).
    #[cfg(test)]
    pub fn held(&self) -> (usize, usize) {
        (self.runs.marks.len() - self.head + usize::from(self.dropped > 0), self.runs.marks.len())
    }

    /// Bytes of the kept events' text.
    pub fn text_len(&self) -> usize {
        self.runs.text.len()
    }

    /// Nothing to hand over: no event, no marker for gone ones.
    pub fn is_empty(&self) -> bool {
        self.runs.marks.len() == self.head && self.dropped == 0
    }

    /// The text of kept event `k`, with its comma.
    fn event(&self, k: usize) -> &str {
        let (marks, text) = (&self.runs.marks, &self.runs.text);
        let start = marks.get(k).map_or(text.len(), |m| m.1);
        let stop = marks.get(k + 1).map_or(text.len(), |m| m.1);
        text.get(start..stop).unwrap_or_default()
    }

    fn trim(&mut self, capacity: usize) {
        let capacity = capacity.max(2);
        let live = self.runs.marks.len() - self.head;
        if live + usize::from(self.dropped > 0) <= capacity {
            return;
        }
        // Keep `capacity - 1` events and the marker.
        let cut = self.runs.marks.len() + 1 - capacity;
        if self.dropped == 0 {
            self.who = self.runs.sources.iter().find(|s| s.end > self.head).and_then(|s| s.who);
        }
        for source in self.runs.sources.iter().filter(|s| s.end > self.head && s.first < cut) {
            if !self.lost.contains(&source.who) {
                self.lost.push(source.who);
            }
        }
        for k in self.head..cut {
            let event = self.event(k);
            let gap = event.starts_with(r#"{"type":"stream_truncated""#);
            self.dropped += if gap { number_after(event, r#""dropped":"#) } else { 1 };
        }
        self.last_seq = number_after(self.event(cut - 1), r#""seq":"#);
        self.head = cut;
        self.capacity = capacity;
        if cut > COMPACT_EVENTS && cut * 2 > self.runs.marks.len() {
            let runs = &mut self.runs;
            let bytes = runs.marks.get(cut).map_or(runs.text.len(), |m| m.1);
            runs.text.drain(..bytes);
            runs.marks.drain(..cut);
            for m in &mut runs.marks {
                m.1 -= bytes;
            }
            runs.sources.retain(|s| s.end > cut);
            for s in &mut runs.sources {
                (s.first, s.end, s.bytes_end) = (s.first.max(cut) - cut, s.end - cut, s.bytes_end - bytes);
            }
            self.head = 0;
        }
    }

    /// Hand the kept items over as runs (see `write_run_head`), numbered
    /// from `*seq`, after what `out` holds; then keep nothing.
    pub fn write(&mut self, members: &[Member], seq: &mut u64, out: &mut String) {
        let skip = self.unrebuildable();
        let runs = core::mem::take(&mut self.runs);
        if self.dropped > 0 {
            let dropped = self.dropped + skip.len() as u64;
            let mut text = String::new();
            write_stream_truncated(self.last_seq, dropped, self.capacity, &mut text);
            let ms = runs.marks.get(self.head).map_or(0, |m| m.0);
            write_run(members, self.who, *seq, ms, &text, out);
            *seq += 1;
        }
        for s in runs.sources.iter().filter(|s| s.end > self.head) {
            // The run, in pieces around the events it must not hand over.
            let mut from = s.first.max(self.head);
            while from < s.end {
                let to = (from..s.end).find(|k| skip.contains(k)).unwrap_or(s.end);
                if to > from {
                    let (ms, start) = runs.marks.get(from).copied().unwrap_or_default();
                    let stop = runs.marks.get(to).filter(|_| to < s.end).map_or(s.bytes_end, |m| m.1);
                    write_run(members, s.who, *seq, ms, runs.text.get(start..stop).unwrap_or_default(), out);
                    *seq += (to - from) as u64;
                }
                from = to + 1;
            }
        }
        *self = Kept::default();
    }

    /// Kept short forms (`text_complete`, `run_completed` with their text
    /// left for the page to join from the turn's deltas, `src/elided.ts`)
    /// of sources that lost events, up to their next `turn_started`: some
    /// of their deltas are gone, so they go too (counted in the marker)
    /// rather than reach the page with part of their text.
    fn unrebuildable(&self) -> Vec<usize> {
        let mut skip = Vec::new();
        let mut open = self.lost.clone();
        for s in self.runs.sources.iter().filter(|s| s.end > self.head) {
            if !open.contains(&s.who) {
                continue;
            }
            for k in s.first.max(self.head)..s.end {
                let event = self.event(k);
                if event.starts_with(r#"{"type":"turn_started""#) {
                    open.retain(|w| *w != s.who);
                    break;
                }
                if event.ends_with(r#""elided":true},"#) {
                    skip.push(k);
                }
            }
        }
        skip
    }
}

/// One run of items: `events` (each followed by a comma) of the member at
/// `who` (the mob's own when `None`), after what `out` holds.
fn write_run(members: &[Member], who: Option<usize>, seq: u64, ms: u64, events: &str, out: &mut String) {
    if out.len() > 1 {
        out.push(',');
    }
    let member = who.and_then(|w| members.get(w)).map(|m| (m.identity.as_str(), m.role.as_str()));
    write_run_head(member, seq, ms, out);
    out.push_str(events.strip_suffix(',').unwrap_or(events));
    out.push_str("]}");
}

/// The whole number after the first `key` in `text` (0 if none).
fn number_after(text: &str, key: &str) -> u64 {
    let digits = text.split_once(key).map_or("", |(_, rest)| rest);
    digits.bytes().take_while(u8::is_ascii_digit).fold(0, |n, d| n.wrapping_mul(10).wrapping_add(u64::from(d - b'0')))
}
