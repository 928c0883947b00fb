//! Small string helpers that stand in for standard-library ones whose
//! generic machinery costs the wasm more than the core's few uses are worth.

use std::borrow::Cow;

/// Byte offset of the first `needle` in `hay`. A plain scan: `str::find`,
/// `contains` and `split_once` with a `&str` pattern link core's two-way
/// searcher (~2 KB of wasm) for the handful of short needles the core
/// looks for, all off the streaming path. A match offset is always a char
/// boundary (UTF-8 is self-synchronizing).
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let mut at = 0;
    while let Some(window) = hay.get(at..at + needle.len()) {
        if window == needle {
            return Some(at);
        }
        at += 1;
    }
    None
}

pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// `hay.split_once(needle)` (see [`find`]).
pub fn split_once<'a>(hay: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let at = find(hay, needle)?;
    Some((hay.get(..at)?, hay.get(at + needle.len()..)?))
}

/// `hay.replace(from, to)` for a non-empty `from` (see [`find`]).
pub fn replace(hay: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while let Some((before, after)) = split_once(rest, from).filter(|_| !from.is_empty()) {
        out.push_str(before);
        out.push_str(to);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Days from 1970-01-01 to a civil date (Howard Hinnant's
/// days_from_civil), for dates from 1970 on; `month` is 1 to 12.
pub fn unix_days(year: u64, month: u64, day: u64) -> Option<u64> {
    let (y, mp) = if month <= 2 { (year.checked_sub(1)?, month + 9) } else { (year, month.checked_sub(3)?) };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * mp + 2) / 5 + day.checked_sub(1)?;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

/// The first `n` chars of `text` (all of it when shorter), to show
/// untrusted input in a message without collecting it char by char.
pub fn first_chars(text: &str, n: usize) -> &str {
    match text.char_indices().nth(n) {
        Some((end, _)) => text.get(..end).unwrap_or(text),
        None => text,
    }
}

/// `String::from_utf8_lossy` on `from_utf8` alone: valid UTF-8 is
/// borrowed as is, and each invalid sequence (as `Utf8Error::error_len`
/// delimits it, the same maximal subparts the standard function uses)
/// becomes one U+FFFD. Spares the wasm the standard chunk iterator.
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    let mut rest = match core::str::from_utf8(bytes) {
        Ok(text) => return Cow::Borrowed(text),
        Err(_) => bytes,
    };
    let mut out = String::with_capacity(bytes.len() + 2);
    loop {
        match core::str::from_utf8(rest) {
            Ok(text) => {
                out.push_str(text);
                return Cow::Owned(out);
            }
            Err(e) => {
                let (valid, invalid) = rest.split_at(e.valid_up_to());
                out.push_str(core::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = invalid.get(e.error_len().unwrap_or(invalid.len())..).unwrap_or_default();
            }
        }
    }
}

/// `items.join(sep)`: the standard `join` is specialized per separator
/// length and element type, several hundred bytes of wasm per use.
pub fn join<S: AsRef<str>>(items: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item.as_ref());
    }
    out
}

// ---------------------------------------------------------------- word scans
// Byte loops cost several cycles per byte in wasm (and the size-optimised
// std compares and searches byte by byte); the streaming hot paths (SSE
// line ends, JSON strings, events of a known shape) look at eight bytes
// per step instead, then at the bytes of the one word that differs.

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes at `at`, if there are eight.
#[inline(always)]
fn word(bytes: &[u8], at: usize) -> Option<u64> {
    match bytes.get(at..at + 8)? {
        &[a, b, c, d, e, f, g, h] => Some(u64::from_le_bytes([a, b, c, d, e, f, g, h])),
        _ => None,
    }
}

/// Whether a byte of `word` is `byte` (exact in both directions).
#[inline(always)]
pub fn word_has(word: u64, byte: u8) -> bool {
    word_has_below(word ^ (LOW_BITS * u64::from(byte)), 1)
}

/// Whether a byte of `word` is below `n`, for `n` up to 128 (exact).
#[inline(always)]
pub fn word_has_below(word: u64, n: u8) -> bool {
    word.wrapping_sub(LOW_BITS * u64::from(n)) & !word & HIGH_BITS != 0
}

/// Offset of the first byte at or after `at` that `stop` holds for.
/// `in_word` must say whether a word holds such a byte: words that do not
/// are skipped whole.
#[inline(always)]
pub fn find_byte(
    bytes: &[u8],
    mut at: usize,
    in_word: impl Fn(u64) -> bool,
    stop: impl Fn(u8) -> bool,
) -> Option<usize> {
    while let Some(w) = word(bytes, at) {
        if in_word(w) {
            break;
        }
        at += 8;
    }
    while let Some(&b) = bytes.get(at) {
        if stop(b) {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// `a == b`, a word at a time.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && common_prefix(a.as_bytes(), b.as_bytes()) == a.len()
}

/// How many leading bytes `a` and `b` have in common.
pub fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut at = 0;
    while let (Some(x), Some(y)) = (word(a, at), word(b, at)) {
        if x != y {
            break;
        }
        at += 8;
    }
    while a.get(at).is_some_and(|x| b.get(at) == Some(x)) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_chars_counts_chars() {
        for (text, n) in [("", 3), ("abc", 0), ("abc", 2), ("abc", 3), ("abc", 9), ("é☀️x", 2)] {
            assert_eq!(first_chars(text, n), text.chars().take(n).collect::<String>());
        }
    }

    #[test]
    fn lossy_agrees_with_the_standard_library() {
        let cases: [&[u8]; 8] = [
            b"",
            b"plain",
            "18 \u{b0}C \u{2600}".as_bytes(),
            b"a\xffb",
            b"\xf0\x9f\x98",
            b"x\xe2\x82y\xc3",
            b"\xed\xa0\x80\xc0\xaf",
            b"ok\xf4\x90\x80\x80\xe2\x82\xac",
        ];
        for bytes in cases {
            assert_eq!(lossy(bytes), String::from_utf8_lossy(bytes), "{bytes:?}");
        }
    }

    #[test]
    fn join_agrees_with_the_standard_library() {
        for items in [&[][..], &["a"], &["a", "", "b"]] {
            assert_eq!(join(items, ", "), items.join(", "));
        }
    }

    #[test]
    fn word_scans_agree_with_byte_loops() {
        let mut rng = crate::ids::Rng::from_entropy(b"word scans");
        let alphabet = b"ab\"\\\n\r\x01\x1f \x7f\x80\xff";
        for _ in 0..5000 {
            let len = (rng.next_u64() % 40) as usize;
            let pick = |rng: &mut crate::ids::Rng| alphabet[(rng.next_u64() % alphabet.len() as u64) as usize];
            let a: Vec<u8> = (0..len).map(|_| pick(&mut rng)).collect();
            let from = (rng.next_u64() % (len as u64 + 1)) as usize;
            let special = |w| word_has(w, b'"') | word_has(w, b'\\') | word_has_below(w, 0x20);
            let stop = |b: u8| b == b'"' || b == b'\\' || b < 0x20;
            let plain = a.iter().skip(from).position(|&b| stop(b)).map(|i| i + from);
            assert_eq!(find_byte(&a, from, special, stop), plain, "{a:?} from {from}");
            let mut b = a.clone();
            if len > 0 && rng.next_u64().is_multiple_of(2) {
                let at = (rng.next_u64() % len as u64) as usize;
                b[at] = pick(&mut rng);
            }
            b.truncate((rng.next_u64() % (len as u64 + 1)) as usize);
            let same = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
            assert_eq!(common_prefix(&a, &b), same, "{a:?} {b:?}");
        }
    }

    #[test]
    fn agrees_with_the_standard_library() {
        let hays = ["", "a", "abc", "a, b, c", "{{x}} {{y}}", "~01~1", "é, ü", "aaab"];
        let needles = ["", "a", "c", ", ", "{{", "}}", "~1", "ü", "aab", "abcd"];
        for hay in hays {
            for needle in needles {
                assert_eq!(find(hay, needle), hay.find(needle), "{hay:?} {needle:?}");
                assert_eq!(contains(hay, needle), hay.contains(needle));
                assert_eq!(split_once(hay, needle), hay.split_once(needle));
                if !needle.is_empty() {
                    assert_eq!(replace(hay, needle, "/"), hay.replace(needle, "/"));
                }
            }
        }
    }
}
