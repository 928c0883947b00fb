//! Writing JSON without building a tree: escaped strings, integers, and
//! objects/arrays member by member.

use super::Json;

/// Write `s` as a JSON string literal.
pub fn write_str(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time while none needs an escape: every event's
        // text (a delta, a whole answer) goes through here.
        if let Some(word) = bytes.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok())
            && !needs_escape(u64::from_le_bytes(word))
        {
            i += 8;
            continue;
        }
        let b = bytes.get(i).copied().unwrap_or_default();
        i += 1;
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(s.get(start..i - 1).unwrap_or_default());
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

/// Whether one of the eight bytes of `word` is a control character, `"`
/// or `\` (the classic "has a byte less than n" bit trick, exact as a yes/no).
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    (below(word, 0x20) | below(word ^ (ONES * u64::from(b'"')), 1) | below(word ^ (ONES * u64::from(b'\\')), 1)) != 0
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `s` as a JSON string literal, for messages (`{:?}` would link Rust's
/// Unicode printability tables into the wasm).
pub fn quote(s: &str) -> String {
    let mut out = String::new();
    write_str(s, &mut out);
    out
}

/// A plain decimal (`12`, `0.5`, `1.25`) times `multiplier`, rounded down:
/// for the few fractional inputs the core reads (temperatures, retry
/// delays) without linking float parsing. Exponents and signs are refused.
pub fn decimal_scaled(text: &str, multiplier: u64) -> Option<u64> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (text.contains('.') && frac.is_empty())
    {
        return None;
    }
    let mut value = int.parse::<u64>().ok()?.checked_mul(multiplier)?;
    let mut unit = multiplier;
    for digit in frac.bytes() {
        unit /= 10;
        value = value.checked_add(u64::from(digit - b'0') * unit)?;
    }
    Some(value)
}

/// Append the decimal digits of `n`.
pub fn write_u64(mut n: u64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // One append, not one per digit (this runs for every event's `seq`).
    out.push_str(core::str::from_utf8(digits.get(at..).unwrap_or_default()).unwrap_or_default());
}

/// Writes one JSON object member by member, without building a tree.
pub struct ObjectWriter<'o> {
    out: &'o mut String,
    empty: bool,
}

impl<'o> ObjectWriter<'o> {
    pub fn new(out: &'o mut String) -> Self {
        out.push('{');
        ObjectWriter { out, empty: true }
    }

    /// Start a member and return the output to write its value into.
    pub fn key(&mut self, key: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        write_str(key, self.out);
        self.out.push(':');
        self.out
    }

    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        write_str(value, self.key(key));
        self
    }

    pub fn opt_str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.str(key, v);
        }
        self
    }

    pub fn u64(&mut self, key: &str, value: u64) -> &mut Self {
        write_u64(value, self.key(key));
        self
    }

    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key).push_str(if value { "true" } else { "false" });
        self
    }

    /// A member whose value is already JSON text.
    pub fn raw(&mut self, key: &str, json: &str) -> &mut Self {
        self.key(key).push_str(json);
        self
    }

    pub fn json(&mut self, key: &str, value: &Json<'_>) -> &mut Self {
        value.write(self.key(key));
        self
    }

    pub fn end(self) {
        self.out.push('}');
    }
}

/// A JSON array written element by element (for when one source item
/// becomes zero, one or several elements).
pub struct ArrayWriter<'o> {
    out: &'o mut String,
    empty: bool,
}

impl<'o> ArrayWriter<'o> {
    pub fn new(out: &'o mut String) -> Self {
        out.push('[');
        ArrayWriter { out, empty: true }
    }

    /// Start the next element and return the output to write it into.
    pub fn item(&mut self) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out
    }

    pub fn end(self) {
        self.out.push(']');
    }
}

/// Write `items` as a JSON array, each written by `item`.
pub fn write_array<T>(out: &mut String, items: impl IntoIterator<Item = T>, mut item: impl FnMut(T, &mut String)) {
    out.push('[');
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        item(x, out);
    }
    out.push(']');
}
