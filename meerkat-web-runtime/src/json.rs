//! A small JSON reader and writer, sized for the wasm budget.
//!
//! serde + serde_json cost ~85 KB of gzip in this crate (derive visitors
//! monomorphised per type, tagged-enum buffering, float formatting); the
//! whole package must stay under 120 KB. This module gives the core what it
//! needs and no more:
//! - [`parse`] builds a [`Json`] tree whose strings borrow from the input
//!   when they contain no escapes (the streaming hot path allocates little);
//! - numbers keep their source text, so they round-trip exactly and no float
//!   formatting code is linked;
//! - [`Raw`] holds validated JSON text that is spliced verbatim into output
//!   (tool arguments, input schemas);
//! - [`Shape`] reads the events of a stream that share one shape (all
//!   but a few values) without a tree;
//! - [`ObjectWriter`] / [`write_str`] write output without a tree.

use std::borrow::Cow;

mod parse;
mod shape;
mod write;

pub use parse::{parse, parse_string_prefix};
pub use shape::{Shape, Use};
pub use write::{ArrayWriter, ObjectWriter, decimal_scaled, quote, write_array, write_str, write_u64};

/// A parsed JSON value. `'a` is the lifetime of the parsed text.
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// The number exactly as written (already validated).
    Num(Cow<'a, str>),
    Str(Cow<'a, str>),
    Arr(Vec<Json<'a>>),
    /// Members in source order; a repeated key keeps its last value on lookup.
    Obj(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// Nesting deeper than this is refused (a stack guard for hostile input).
pub const MAX_DEPTH: usize = 128;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub what: &'static str,
}

impl core::fmt::Display for JsonError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} at byte {}", self.what, self.offset)
    }
}

impl<'a> Json<'a> {
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Obj(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A non-negative integer written without fraction or exponent.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Num(n) if n.bytes().all(|b| b.is_ascii_digit()) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Arr(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Json<'a>)]> {
        match self {
            Json::Obj(members) => Some(members),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// The JSON type name, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Num(_) => "a number",
            Json::Str(_) => "a string",
            Json::Arr(_) => "an array",
            Json::Obj(_) => "an object",
        }
    }

    /// Take a string out without copying when it is already owned.
    pub fn into_string(self) -> Option<String> {
        match self {
            Json::Str(s) => Some(s.into_owned()),
            _ => None,
        }
    }

    /// Remove and return a member of an object.
    pub fn take(&mut self, key: &str) -> Option<Json<'a>> {
        match self {
            Json::Obj(members) => {
                let at = members.iter().rposition(|(k, _)| k == key)?;
                Some(members.remove(at).1)
            }
            _ => None,
        }
    }

    /// Serialize compactly.
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Num(n) => out.push_str(n),
            Json::Str(s) => write_str(s, out),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

/// Validated, compact JSON text, written into output verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Raw(String);

impl Raw {
    pub fn from_json(value: &Json<'_>) -> Raw {
        Raw(value.to_text())
    }

    pub fn empty_object() -> Raw {
        Raw("{}".to_string())
    }

    /// JSON text the core wrote itself (with its own writers), taken as is.
    pub fn trusted(text: String) -> Raw {
        Raw(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests;
