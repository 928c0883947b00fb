//! A session's event log: bounded, read through cursors.
//!
//! Events are appended once, serialized, with a sequence number. Each
//! reader (`pollEvents`, a subscription, a stream) has its own cursor and
//! never takes events from another. Events every reader has passed are
//! freed; when more than `capacity` events are unread by the slowest
//! reader, the oldest are dropped, and a reader that had not read them
//! gets one `stream_truncated` of its own, where the gap is.
//!
//! A log without readers keeps nothing: a reader only ever sees the events
//! appended after it opened. Logs no host can poll (a mob member's, a
//! mob's own) are made without the poll reader, so they hold only what a
//! subscription has yet to read.
//!
//! A *compact* reader (the Worker's, whose batches cross to the page) gets
//! the answer once: a `text_complete` or `run_completed` whose text is the
//! turn's `text_delta`s joined, when the reader had every event since the
//! turn began, comes with that text empty and `"elided":true`; the page
//! joins the deltas it got (`src/elided.ts`). A long answer would
//! otherwise cross three times, the last two after the last body read.

use std::collections::VecDeque;

use super::{Event, KeptEvent};
use crate::json::{ObjectWriter, write_str};

pub type ReaderId = u32;

/// The reader every session has from its creation: `pollEvents()`.
pub const DEFAULT_READER: ReaderId = 0;

/// Default capacity: enough for a long streamed answer between two polls.
pub const DEFAULT_LOG_CAPACITY: usize = 65_536;

/// Readers per session, at most (subscriptions are cheap, not free).
const MAX_READERS: usize = 1024;

/// Freed bytes are only cut from the buffer's front past this size (the
/// move is amortised over at least this much reading).
const COMPACT_BYTES: usize = 4096;

/// A buffer larger than this is given back once every event in it is read:
/// one long answer read in one poll must not hold its peak size for the
/// rest of the session's life. (Smaller ones are kept for reuse.)
const KEEP_BYTES: usize = 64 * 1024;

/// One cursor into the log.
#[derive(Debug)]
struct Reader {
    id: ReaderId,
    /// The next sequence number it wants.
    next: u64,
    compact: bool,
    /// It has had every event from this sequence number on (since it
    /// opened, or since the gap it was last told of).
    whole_since: u64,
}

impl Reader {
    fn new(id: ReaderId, next: u64, compact: bool) -> Self {
        Reader { id, next, compact, whole_since: next }
    }
}

/// The short form of a retained event whose text a compact reader can
/// rebuild from the deltas since sequence number `since`.
#[derive(Debug)]
struct Elided {
    seq: u64,
    since: u64,
    short: String,
}

#[derive(Debug)]
pub struct EventLog {
    /// Retained events, each followed by a comma.
    buf: String,
    /// Absolute offset (since the log began) of `buf[0]`.
    origin: u64,
    /// Absolute offset of each retained event, and when it was appended
    /// (a mob subscription merges several logs by time).
    starts: VecDeque<(u64, f64)>,
    /// The core's clock at the current input (set by the runtime).
    pub now_ms: f64,
    /// Sequence number of the oldest retained event.
    first_seq: u64,
    next_seq: u64,
    capacity: usize,
    readers: Vec<Reader>,
    next_reader: ReaderId,
    /// While a compact reader exists: the `text_delta`s since the last
    /// `turn_started` (at `turn_start`), joined.
    streamed: Option<String>,
    /// Text deltas pushed so far, kept or not (see `Event::Retrying`).
    pub text_deltas: u64,
    turn_start: u64,
    /// Retained events with a short form, oldest first.
    elided: VecDeque<Elided>,
}

impl EventLog {
    /// A session's log, with its poll reader ([`DEFAULT_READER`]).
    pub fn new(capacity: usize) -> Self {
        // Exactly one slot: a session that never subscribes keeps no more.
        EventLog::with_readers(capacity, vec![Reader::new(DEFAULT_READER, 1, false)])
    }

    /// A log read only through readers opened later (`open_reader`).
    pub fn unpolled(capacity: usize) -> Self {
        EventLog::with_readers(capacity, Vec::new())
    }

    fn with_readers(capacity: usize, readers: Vec<Reader>) -> Self {
        EventLog {
            buf: String::new(),
            origin: 0,
            starts: VecDeque::new(),
            now_ms: 0.0,
            first_seq: 1,
            next_seq: 1,
            capacity: capacity.max(1),
            readers,
            next_reader: DEFAULT_READER + 1,
            streamed: None,
            text_deltas: 0,
            turn_start: 0,
            elided: VecDeque::new(),
        }
    }

    pub fn push(&mut self, event: &Event) {
        let Some(seq) = self.begin() else { return };
        event.write_json(seq, &mut self.buf);
        self.buf.push(',');
        if self.readers.iter().any(|r| r.compact) {
            self.note_for_compact(event, seq);
        } else {
            self.streamed = None;
        }
    }

    /// Keep what compact readers need: the deltas of the turn, and the
    /// short form of an event whose text they are.
    #[inline(never)]
    fn note_for_compact(&mut self, event: &Event, seq: u64) {
        let short = match *event {
            // A retry that voids the streamed text starts the answer over.
            Event::TurnStarted { .. } | Event::Retrying { text_discarded: true, .. } => {
                self.streamed = Some(String::new());
                self.turn_start = seq;
                return;
            }
            Event::TextComplete { content } if self.streamed.as_deref() == Some(content) => {
                Event::TextComplete { content: "" }
            }
            Event::RunCompleted { session_id, result, usage } if self.streamed.as_deref() == Some(result) => {
                Event::RunCompleted { session_id, result: "", usage }
            }
            _ => return,
        };
        let mut text = String::new();
        short.write_json(seq, &mut text);
        text.pop(); // `}`
        text.push_str(r#","elided":true}"#);
        self.elided.push_back(Elided { seq, since: self.turn_start, short: text });
    }

    /// A kept event: its fields follow the `type` and `seq` written now.
    pub fn push_kept(&mut self, event: &KeptEvent) {
        let Some(seq) = self.begin() else { return };
        let mut o = ObjectWriter::new(&mut self.buf);
        o.str("type", event.kind).u64("seq", seq);
        o.end();
        if let Some(fields) = event.fields.strip_prefix('{')
            && fields != "}"
        {
            self.buf.pop(); // the `}`: the kept fields close the object
            self.buf.push(',');
            self.buf.push_str(fields);
        }
        self.buf.push(',');
    }

    /// The hot path: one `text_delta` without building an `Event`.
    pub fn push_text_delta(&mut self, delta: &str) {
        self.text_deltas += 1;
        let Some(seq) = self.begin() else { return };
        if let Some(streamed) = &mut self.streamed {
            streamed.push_str(delta);
        }
        self.buf.push_str(r#"{"type":"text_delta","seq":"#);
        crate::json::write_u64(seq, &mut self.buf);
        self.buf.push_str(r#","delta":"#);
        write_str(delta, &mut self.buf);
        self.buf.push_str("},");
    }

    /// Make room and record where the next event starts; its sequence
    /// number, or `None` when no reader exists to read it (it is numbered,
    /// not kept).
    fn begin(&mut self) -> Option<u64> {
        if self.readers.is_empty() {
            self.next_seq += 1;
            self.first_seq = self.next_seq;
            return None;
        }
        if self.starts.len() >= self.capacity {
            self.starts.pop_front();
            self.first_seq += 1;
            self.compact();
        }
        self.starts.push_back((self.origin + self.buf.len() as u64, self.now_ms));
        let seq = self.next_seq;
        self.next_seq += 1;
        Some(seq)
    }

    /// A new reader that sees the events appended from now on (`compact`:
    /// with the answer once, see the module's docs).
    pub fn open_reader(&mut self, compact: bool) -> Option<ReaderId> {
        if self.readers.len() >= MAX_READERS {
            return None;
        }
        let id = self.next_reader;
        self.next_reader = self.next_reader.wrapping_add(1).max(DEFAULT_READER + 1);
        self.readers.push(Reader::new(id, self.next_seq, compact));
        Some(id)
    }

    /// Let `id` skip what it has not read: it reads only what comes next.
    pub fn skip_unread(&mut self, id: ReaderId) {
        let next = self.next_seq;
        if let Some(reader) = self.readers.iter_mut().find(|r| r.id == id) {
            reader.next = next;
        }
    }

    /// Stop tracking a reader; `false` if it does not exist. The default
    /// reader cannot be closed.
    pub fn close_reader(&mut self, id: ReaderId) -> bool {
        if id == DEFAULT_READER {
            return false;
        }
        let before = self.readers.len();
        self.readers.retain(|r| r.id != id);
        let closed = self.readers.len() != before;
        self.free_read();
        closed
    }

    pub fn has_reader(&self, id: ReaderId) -> bool {
        self.readers.iter().any(|r| r.id == id)
    }

    /// Events the reader has not read yet.
    pub fn unread(&self, id: ReaderId) -> usize {
        let next = self.readers.iter().find(|r| r.id == id).map_or(self.next_seq, |r| r.next);
        (self.next_seq - next.max(self.first_seq)) as usize
    }

    /// The one `stream_truncated` a reader gets where `dropped` events it had
    /// not read are gone (the page's subscriptions say it the same way).
    fn write_truncated(&self, dropped: u64, out: &mut String) {
        write_stream_truncated(self.first_seq - 1, dropped, self.capacity, out);
    }

    /// Everything the reader has not read, as one JSON array; `None` for
    /// an unknown reader.
    pub fn read(&mut self, id: ReaderId) -> Option<String> {
        let at = self.readers.iter().position(|r| r.id == id)?;
        let from = self.readers.get(at).map_or(self.next_seq, |r| r.next);
        let start = from.max(self.first_seq);
        let compact = self.gapless_since(at, from);
        let mut out = String::with_capacity(self.slice_between(start, self.next_seq).len() + 2);
        out.push('[');
        if from < self.first_seq {
            self.write_truncated(self.first_seq - from, &mut out);
        }
        self.write_from(start, compact, &mut out, None);
        if out.ends_with(',') {
            out.pop();
        }
        out.push(']');
        if let Some(reader) = self.readers.get_mut(at) {
            reader.next = self.next_seq;
        }
        self.free_read();
        Some(out)
    }

    /// For a compact reader about to read from `from`: the sequence number
    /// since which it has every event (after the gap it is about to be
    /// told of, if any); `None` for other readers.
    fn gapless_since(&mut self, at: usize, from: u64) -> Option<u64> {
        let first = self.first_seq;
        let reader = self.readers.get_mut(at).filter(|r| r.compact)?;
        if from < first {
            reader.whole_since = first;
        }
        Some(reader.whole_since)
    }

    /// Like [`read`](Self::read), for merging several logs by time: the
    /// unread events are appended to `out`, each followed by a comma (one
    /// copy), and `(whole ms, start in out)` of each to `marks` (a
    /// `stream_truncated` first when events were dropped). `false` for an
    /// unknown reader.
    pub fn read_marked(&mut self, id: ReaderId, out: &mut String, marks: &mut Vec<(u64, usize)>) -> bool {
        let Some(at) = self.readers.iter().position(|r| r.id == id) else { return false };
        let from = self.readers.get(at).map_or(self.next_seq, |r| r.next);
        let compact = self.gapless_since(at, from);
        if from < self.first_seq {
            marks.push((whole_ms(self.now_ms), out.len()));
            self.write_truncated(self.first_seq - from, out);
        }
        self.write_from(from.max(self.first_seq), compact, out, Some(marks));
        if let Some(reader) = self.readers.get_mut(at) {
            reader.next = self.next_seq;
        }
        self.free_read();
        true
    }

    /// The events from `start` on, each followed by a comma, with a mark
    /// `(whole ms, start in out)` per event when `marks` is given. A compact
    /// reader that has had every event since `since` gets the short form of
    /// those whose text it can rebuild; stored events go in runs, one copy
    /// up to each short form.
    #[inline(always)]
    fn write_from(&self, start: u64, since: Option<u64>, out: &mut String, mut marks: Option<&mut Vec<(u64, usize)>>) {
        let mut shorts =
            self.elided.iter().filter(|e| e.seq >= start && since.is_some_and(|since| e.since >= since)).peekable();
        let mut seq = start;
        while seq < self.next_seq {
            let stop = shorts.peek().map_or(self.next_seq, |e| e.seq);
            let at = (seq - self.first_seq) as usize;
            let (base, first) = (out.len(), self.starts.get(at).map_or(0, |s| s.0));
            out.push_str(self.slice_between(seq, stop));
            if let Some(marks) = marks.as_deref_mut() {
                for &(start, at_ms) in self.starts.iter().skip(at).take((stop - seq) as usize) {
                    marks.push((whole_ms(at_ms), base + (start - first) as usize));
                }
            }
            seq = stop;
            if let Some(e) = shorts.next_if(|e| e.seq == stop) {
                if let Some(marks) = marks.as_deref_mut() {
                    let at_ms = self.starts.get((stop - self.first_seq) as usize).map_or(self.now_ms, |s| s.1);
                    marks.push((whole_ms(at_ms), out.len()));
                }
                out.push_str(&e.short);
                out.push(',');
                seq = stop + 1;
            }
        }
    }

    /// The serialized events `[from, to)`, each followed by its comma.
    fn slice_between(&self, from: u64, to: u64) -> &str {
        let at = |seq: u64| match self.starts.get((seq - self.first_seq) as usize) {
            Some(&(start, _)) => (start - self.origin) as usize,
            None => self.buf.len(),
        };
        self.buf.get(at(from)..at(to)).unwrap_or_default()
    }

    /// Free the events every reader has passed.
    fn free_read(&mut self) {
        let oldest_wanted = self.readers.iter().map(|r| r.next).min().unwrap_or(self.next_seq);
        while self.first_seq < oldest_wanted && self.starts.pop_front().is_some() {
            self.first_seq += 1;
        }
        self.compact();
    }

    /// Cut freed bytes off the buffer's front once they are worth moving
    /// (and short forms of events gone).
    fn compact(&mut self) {
        while self.elided.front().is_some_and(|e| e.seq < self.first_seq) {
            self.elided.pop_front();
        }
        let head = self.starts.front().map_or(self.buf.len(), |&(s, _)| (s - self.origin) as usize);
        if head == self.buf.len() {
            self.origin += head as u64;
            if self.buf.capacity() > KEEP_BYTES {
                self.buf = String::new();
                self.starts = VecDeque::new();
            } else {
                self.buf.clear();
            }
        } else if head > COMPACT_BYTES && head * 2 > self.buf.len() {
            self.buf.drain(..head);
            self.origin += head as u64;
        }
    }

    /// Unread events of the default reader (`session_info`).
    pub fn len(&self) -> usize {
        self.unread(DEFAULT_READER)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Events held (unread by some reader).
    #[cfg(test)]
    pub fn retained(&self) -> usize {
        self.starts.len()
    }

    /// Bytes the log's buffers have reserved.
    #[cfg(test)]
    pub fn reserved_bytes(&self) -> usize {
        self.buf.capacity() + self.starts.capacity() * size_of::<(u64, f64)>()
    }

    /// Sequence number the next event will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }
}

/// A time on the core's clock, in whole milliseconds (a mob poll merges by them).
/// The `stream_truncated` (numbered `seq`, followed by a comma) that
/// stands for `dropped` events a reader kept to `capacity` lost: a log's
/// readers and a mob subscription's kept items say it the same way.
pub fn write_stream_truncated(seq: u64, dropped: u64, capacity: usize, out: &mut String) {
    let reason = format!(
        "{dropped} events were dropped because at most {capacity} unread events are kept; poll more often or raise eventQueueCapacity"
    );
    Event::StreamTruncated { reason: &reason, dropped }.write_json(seq, out);
    out.push(',');
}

fn whole_ms(at_ms: f64) -> u64 {
    at_ms.max(0.0) as u64
}

#[cfg(test)]
mod compact_tests;
#[cfg(test)]
mod tests;
