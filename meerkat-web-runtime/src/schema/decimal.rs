//! Exact comparison of JSON numbers from their text, without floats.
//!
//! JSON Schema bounds (`minimum`, `maximum`...) and equality (`enum`,
//! `const`) need numeric comparison; parsing to `f64` would link Rust's
//! float parser into the wasm and still round (`0.1 + 0.2`). A number is
//! normalised to sign, significant digits and a power of ten instead.

use core::cmp::Ordering;

/// `(-1)^neg × digits × 10^exp`, with no leading or trailing zeros in
/// `digits` (zero has no digits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal {
    neg: bool,
    digits: Vec<u8>,
    exp: i64,
}

impl Decimal {
    /// Parse JSON number text (already validated by the JSON parser).
    pub fn parse(text: &str) -> Option<Decimal> {
        let (neg, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (rest.get(..at)?, rest.get(at + 1..)?),
            None => (rest, "0"),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let mut exp = parse_exponent(exponent)?.saturating_sub(frac.len() as i64);
        // Plain loops (an iterator chain costs the wasm several times
        // more); leading zeros are not kept.
        let mut digits: Vec<u8> = Vec::with_capacity(int.len() + frac.len());
        for part in [int, frac] {
            for b in part.bytes() {
                let d = b.wrapping_sub(b'0');
                if d > 9 {
                    return None;
                }
                if d > 0 || !digits.is_empty() {
                    digits.push(d);
                }
            }
        }
        while digits.last() == Some(&0) {
            digits.pop();
            exp = exp.saturating_add(1);
        }
        if digits.is_empty() {
            return Some(Decimal { neg: false, digits, exp: 0 });
        }
        Some(Decimal { neg, digits, exp })
    }

    pub fn is_integer(&self) -> bool {
        self.digits.is_empty() || self.exp >= 0
    }

    /// Position of the most significant digit (the order of magnitude).
    fn order(&self) -> i64 {
        (self.digits.len() as i64).saturating_add(self.exp)
    }

    fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
        match (self.digits.is_empty(), other.digits.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        // Same order of magnitude: compare digit by digit; when one runs
        // out first the other is larger (it has no trailing zeros).
        self.order().cmp(&other.order()).then_with(|| self.digits.cmp(&other.digits))
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        match (self.neg, other.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

/// An exponent, saturating far beyond any meaningful size.
fn parse_exponent(text: &str) -> Option<i64> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value: i64 = 0;
    for b in digits.bytes() {
        value = value.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    value = value.min(i64::MAX / 4);
    Some(if neg { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    #[test]
    fn normalises() {
        assert_eq!(d("1"), d("1.0"));
        assert_eq!(d("100"), d("1e2"));
        assert_eq!(d("0.5"), d("5E-1"));
        assert_eq!(d("0"), d("-0.0"));
        assert!(d("3").is_integer() && d("3.0").is_integer() && d("1e3").is_integer());
        assert!(!d("3.5").is_integer() && !d("1e-3").is_integer());
    }

    #[test]
    fn orders_exactly() {
        let sorted = [
            "-1e400",
            "-10",
            "-9.99",
            "-0.1",
            "0",
            "1e-400",
            "0.1",
            "0.30000000000000001",
            "1",
            "1.5",
            "2",
            "10",
            "1e400",
        ];
        for pair in sorted.windows(2) {
            assert!(d(pair[0]) < d(pair[1]), "{} < {}", pair[0], pair[1]);
            assert!(d(pair[1]) > d(pair[0]));
        }
        assert!(d("0.3") < d("0.30000000000000001"));
        assert_eq!(d("1e9999999999999999999999").cmp(&d("1e9999999999999999999999")), Ordering::Equal);
    }
}
