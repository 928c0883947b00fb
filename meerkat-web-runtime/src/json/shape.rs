//! The shape of a stream's events, for reading thousands of them without
//! a tree.
//!
//! A text stream is thousands of events that differ only in a few values
//! (the text piece, a sequence number, padding). A stream parser reads one
//! with [`parse`](super::parse) as usual; when it finds it is of the kind
//! its fast path handles, it [`learn`](Shape::learn)s its shape: the text,
//! with the spans of the values that may change (the fields the parser
//! reads, and the values it ignores). Everything else (the keys, the
//! structure, the values the parser checks to decide what the event is)
//! must stay byte for byte the same.
//!
//! [`read`](Shape::read) then compares each new event with that text,
//! eight bytes per step, and parses only the values that differ (with the
//! parser's own code). An event it accepts has the keys, structure and
//! checked values of the one learned, and a valid value in every span, so
//! the general path would read it the same way, with the new fields; any
//! other event returns `None` and takes the general path.

use std::borrow::Cow;

use super::Json;
use super::parse::Parser;
use crate::text;

/// What a stream parser makes of a scalar at a path of keys (the items of
/// an array share the array's path; containers and their keys are part of
/// the shape). Ignored unless the parser's table says otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// Checked to decide what the event is: must stay the same.
    Checked,
    /// Never read: may change.
    Ignored,
    /// Read into this field: may change.
    Field(u8),
}

/// More values that may change than this, and the shape is not learned.
const MAX_HOLES: usize = 24;
/// Keys deeper than this, and the shape is not learned.
const MAX_DEPTH: usize = 6;

/// A value's span in the shape's text, and its field (`None`: ignored).
#[derive(Clone, Copy, Debug)]
struct Hole {
    start: u32,
    end: u32,
    field: Option<u8>,
}

/// The last shape learned (empty until then, or when one was refused).
#[derive(Debug, Default)]
pub struct Shape {
    text: String,
    holes: Vec<Hole>,
    /// Events read, for tests that must see the fast path taken.
    #[cfg(test)]
    pub reads: core::cell::Cell<usize>,
}

impl Shape {
    /// Learn the shape of `text` from `tree`, its parse: an event the
    /// general path has just read as one of the kind the fast path handles.
    /// Refused (the shape is then empty): a repeated key (its last value
    /// wins in a tree, which a shape cannot say), deep nesting, many holes,
    /// a field whose text cannot be pointed at (an escaped string).
    pub fn learn(&mut self, text: &str, tree: &Json<'_>, uses: &[(&[&str], Use)]) {
        self.text.clear();
        self.holes.clear();
        let mut path = [""; MAX_DEPTH];
        let learned = walk(text, tree, &mut path, 0, uses, &mut self.holes).is_some();
        if learned && self.holes.len() <= MAX_HOLES && u32::try_from(text.len()).is_ok() {
            self.text.push_str(text);
        } else {
            self.holes.clear();
        }
    }

    /// Read `data` into `fields` if it has this shape: the same bytes but
    /// for a scalar in each hole. Bytes are compared as far as they agree,
    /// across the values the event repeats (a repeated field is sliced from
    /// `data` as the parser would: its bytes are those of a value it read
    /// when learning); where they differ, the difference must lie in a
    /// hole, whose value is then parsed (a number that grew a digit differs
    /// just past its end).
    pub fn read<'a>(&self, data: &'a str, fields: &mut [Option<Json<'a>>]) -> Option<()> {
        let (shape, bytes) = (self.text.as_bytes(), data.as_bytes());
        if shape.is_empty() {
            return None;
        }
        let (mut at, mut pos, mut next) = (0, 0, 0);
        loop {
            let same = text::common_prefix(shape.get(at..)?, bytes.get(pos..)?);
            at += same;
            pos += same;
            while let Some(hole) = self.holes.get(next).filter(|h| (h.end as usize) < at) {
                if let Some(slot) = hole.field.and_then(|f| fields.get_mut(usize::from(f))) {
                    let start = (hole.start as usize + pos).checked_sub(at)?;
                    let end = (hole.end as usize + pos).checked_sub(at)?;
                    *slot = Some(match shape.get(hole.start as usize) {
                        Some(b'"') => Json::Str(Cow::Borrowed(data.get(start + 1..end.checked_sub(1)?)?)),
                        _ => Json::Num(Cow::Borrowed(data.get(start..end)?)),
                    });
                }
                next += 1;
            }
            if at == shape.len() {
                #[cfg(test)]
                self.reads.set(self.reads.get() + usize::from(pos == bytes.len()));
                return (pos == bytes.len()).then_some(());
            }
            let hole = self.holes.get(next)?;
            // Back to where the value starts: the bytes before it matched.
            pos = pos.checked_sub(at.checked_sub(hole.start as usize)?)?;
            let mut p = Parser { text: data, bytes, pos };
            match hole.field.and_then(|f| fields.get_mut(usize::from(f))) {
                Some(slot) => *slot = Some(scalar(&mut p)?),
                // An ignored string is only checked, not built.
                None if p.peek() == Some(b'"') => drop(p.string().ok()?),
                None => drop(scalar(&mut p)?),
            }
            pos = p.pos;
            at = hole.end as usize;
            next += 1;
        }
    }
}

/// One value of the learned event, recording the spans of those that may
/// change; `None` for what a shape cannot hold.
fn walk<'t>(
    text: &str,
    value: &'t Json<'_>,
    path: &mut [&'t str; MAX_DEPTH],
    depth: usize,
    uses: &[(&[&str], Use)],
    holes: &mut Vec<Hole>,
) -> Option<()> {
    match value {
        Json::Obj(members) => {
            for (i, (key, value)) in members.iter().enumerate() {
                if members.iter().take(i).any(|(seen, _)| seen == key) {
                    return None;
                }
                *path.get_mut(depth)? = key;
                walk(text, value, path, depth + 1, uses, holes)?;
            }
        }
        Json::Arr(items) => {
            for item in items {
                walk(text, item, path, depth, uses, holes)?;
            }
        }
        scalar => {
            let path = path.get(..depth)?;
            let field = match uses.iter().find(|(at, _)| *at == path).map_or(Use::Ignored, |(_, u)| *u) {
                Use::Checked => return Some(()),
                Use::Ignored => None,
                Use::Field(i) => Some(i),
            };
            match span(text, scalar) {
                Some((start, end)) => holes.push(Hole { start, end, field }),
                // Without a span the value stays as it is: fine for one that
                // is ignored, or that a field reads as absent (null, booleans).
                None if field.is_none() || !matches!(scalar, Json::Str(_)) => {}
                None => return None,
            }
        }
    }
    Some(())
}

/// Where a number or an unescaped string (which borrow their text) is in
/// `text`, quotes included.
fn span(text: &str, value: &Json<'_>) -> Option<(u32, u32)> {
    let (inner, quote) = match value {
        Json::Str(Cow::Borrowed(s)) => (*s, 1),
        Json::Num(Cow::Borrowed(n)) => (*n, 0),
        _ => return None,
    };
    let at = (inner.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    // Checked, not assumed: the value must be that slice of `text`.
    if text.get(at..at + inner.len())?.as_ptr() != inner.as_ptr() {
        return None;
    }
    let start = u32::try_from(at.checked_sub(quote)?).ok()?;
    let end = u32::try_from(at + inner.len() + quote).ok()?;
    Some((start, end))
}

/// A scalar at the parser's position (a hole never holds a container).
fn scalar<'a>(p: &mut Parser<'a>) -> Option<Json<'a>> {
    if matches!(p.peek()?, b'[' | b'{') {
        return None;
    }
    p.value(0).ok()
}

#[cfg(test)]
mod tests;
