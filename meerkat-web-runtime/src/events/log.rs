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
    /// Each reader and the next sequence number it wants.
    readers: Vec<(ReaderId, u64)>,
    next_reader: ReaderId,
}

impl EventLog {
    /// A session's log, with its poll reader ([`DEFAULT_READER`]).
    pub fn new(capacity: usize) -> Self {
        // Exactly one slot: a session that never subscribes keeps no more.
        EventLog::with_readers(capacity, vec![(DEFAULT_READER, 1)])
    }

    /// A log read only through readers opened later (`open_reader`).
    pub fn unpolled(capacity: usize) -> Self {
        EventLog::with_readers(capacity, Vec::new())
    }

    fn with_readers(capacity: usize, readers: Vec<(ReaderId, u64)>) -> Self {
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
        }
    }

    pub fn push(&mut self, event: &Event) {
        let Some(seq) = self.begin() else { return };
        event.write_json(seq, &mut self.buf);
        self.buf.push(',');
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
        let Some(seq) = self.begin() else { return };
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

    /// A new reader that sees the events appended from now on.
    pub fn open_reader(&mut self) -> Option<ReaderId> {
        if self.readers.len() >= MAX_READERS {
            return None;
        }
        let id = self.next_reader;
        self.next_reader = self.next_reader.wrapping_add(1).max(DEFAULT_READER + 1);
        self.readers.push((id, self.next_seq));
        Some(id)
    }

    /// Stop tracking a reader; `false` if it does not exist. The default
    /// reader cannot be closed.
    pub fn close_reader(&mut self, id: ReaderId) -> bool {
        if id == DEFAULT_READER {
            return false;
        }
        let before = self.readers.len();
        self.readers.retain(|(r, _)| *r != id);
        let closed = self.readers.len() != before;
        self.free_read();
        closed
    }

    pub fn has_reader(&self, id: ReaderId) -> bool {
        self.readers.iter().any(|(r, _)| *r == id)
    }

    /// Events the reader has not read yet.
    pub fn unread(&self, id: ReaderId) -> usize {
        let next = self.readers.iter().find(|(r, _)| *r == id).map_or(self.next_seq, |(_, n)| *n);
        (self.next_seq - next.max(self.first_seq)) as usize
    }

    /// Everything the reader has not read, as one JSON array; `None` for
    /// an unknown reader.
    pub fn read(&mut self, id: ReaderId) -> Option<String> {
        let at = self.readers.iter().position(|(r, _)| *r == id)?;
        let from = self.readers.get(at).map_or(self.next_seq, |(_, n)| *n);
        let start = from.max(self.first_seq);
        let slice = self.slice_from(start);
        let mut out = String::with_capacity(slice.len() + 2);
        out.push('[');
        if from < self.first_seq {
            let dropped = self.first_seq - from;
            let reason = format!(
                "{dropped} events were dropped because at most {} unread events are kept; poll more often or raise eventQueueCapacity",
                self.capacity
            );
            Event::StreamTruncated { reason: &reason }.write_json(self.first_seq - 1, &mut out);
            if !slice.is_empty() {
                out.push(',');
            }
        }
        out.push_str(slice);
        out.push(']');
        if let Some(reader) = self.readers.get_mut(at) {
            reader.1 = self.next_seq;
        }
        self.free_read();
        Some(out)
    }

    /// Like [`read`](Self::read), for merging several logs by time: the
    /// unread events are appended to `out`, each followed by a comma (one
    /// copy), and `(whole ms, start in out)` of each to `marks` (a
    /// `stream_truncated` first when events were dropped). `false` for an
    /// unknown reader.
    pub fn read_marked(&mut self, id: ReaderId, out: &mut String, marks: &mut Vec<(u64, usize)>) -> bool {
        let Some(at) = self.readers.iter().position(|(r, _)| *r == id) else { return false };
        let from = self.readers.get(at).map_or(self.next_seq, |(_, n)| *n);
        let ms = |at_ms: f64| at_ms.max(0.0) as u64;
        if from < self.first_seq {
            marks.push((ms(self.now_ms), out.len()));
            let reason = format!("{} events were dropped while this subscriber was behind", self.first_seq - from);
            Event::StreamTruncated { reason: &reason }.write_json(self.first_seq - 1, out);
            out.push(',');
        }
        let skip = from.saturating_sub(self.first_seq) as usize;
        if let Some(&(first, _)) = self.starts.get(skip) {
            let base = out.len();
            out.push_str(self.buf.get((first - self.origin) as usize..).unwrap_or_default());
            for &(start, at_ms) in self.starts.iter().skip(skip) {
                marks.push((ms(at_ms), base + (start - first) as usize));
            }
        }
        if let Some(reader) = self.readers.get_mut(at) {
            reader.1 = self.next_seq;
        }
        self.free_read();
        true
    }

    /// The serialized events from sequence number `seq` on, without the
    /// trailing comma.
    fn slice_from(&self, seq: u64) -> &str {
        let index = (seq - self.first_seq) as usize;
        let Some(&(start, _)) = self.starts.get(index) else { return "" };
        let from = (start - self.origin) as usize;
        let to = self.buf.len().saturating_sub(1);
        self.buf.get(from..to).unwrap_or_default()
    }

    /// Free the events every reader has passed.
    fn free_read(&mut self) {
        let oldest_wanted = self.readers.iter().map(|(_, n)| *n).min().unwrap_or(self.next_seq);
        while self.first_seq < oldest_wanted && self.starts.pop_front().is_some() {
            self.first_seq += 1;
        }
        self.compact();
    }

    /// Cut freed bytes off the buffer's front once they are worth moving.
    fn compact(&mut self) {
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

#[cfg(test)]
mod tests;
