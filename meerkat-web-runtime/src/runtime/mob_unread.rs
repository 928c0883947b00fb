//! What one poll of a mob subscription gathers from its logs (the mob's
//! own and each member's) before `poll_mob` merges it by time.

use crate::events::{EventLog, ReaderId};

/// What a mob poll has read so far: the events' JSON one after another
/// (each followed by a comma), `(whole ms, start in text)` of each, and
/// which events came from which source.
#[derive(Default)]
pub(super) struct Unread {
    pub text: String,
    pub marks: Vec<(u64, usize)>,
    pub sources: Vec<Source>,
}

/// One log's events in an [`Unread`]: `marks[first..end]`, ending at `bytes_end` in `text`.
pub(super) struct Source {
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
}
