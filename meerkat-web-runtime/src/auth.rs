//! Leases from the host's external auth resolver, cached per binding.
//!
//! A run about to send a request for a binding whose credential source is
//! `external_resolver` takes the cached lease, or waits for one: the first
//! run to need it emits an `auth` effect (`{kind:"auth", id, realm,
//! binding, provider}`), later runs wait on the same effect (one resolver
//! call per binding at a time). The host answers with `auth_result`. A
//! lease serves until [`EXPIRY_MARGIN_MS`] before its `expires_at` on the
//! core's clock (the `now_ms` of each command); a run that just waited for
//! one may use it until `expires_at` itself, so a short-lived lease cannot
//! send a run round the resolver forever. After an HTTP 401 the run drops
//! the lease it used (not a newer one) and asks again, once.
//!
//! The secret is a [`Secret`]: never printed, never written anywhere but
//! the request's credential header. `metadata` stays with the lease for
//! diagnostics and is never sent.

use crate::config::Binding;
use crate::effects::Outbox;
use crate::error::{CoreError, ErrorCode};
use crate::fields::Fields;
use crate::json::{Json, Raw, decimal_scaled};
use crate::provider::Secret;

/// A lease is not used for new requests this long before it expires.
pub const EXPIRY_MARGIN_MS: f64 = 30_000.0;

/// Epoch numbers below this are seconds, above it milliseconds (10^11
/// seconds is the year 5138; 10^11 milliseconds is early 1973).
const SECONDS_BELOW: u64 = 100_000_000_000;

/// A resolved credential.
#[derive(Debug)]
pub struct Lease {
    pub secret: Secret,
    /// For diagnostics only: never sent.
    pub metadata: Option<Raw>,
    /// Unix milliseconds; `None`: valid until a 401 says otherwise.
    pub expires_ms: Option<f64>,
}

/// The lease cache: one slot per binding (by index in `Settings::bindings`).
#[derive(Debug, Default)]
pub struct Leases {
    slots: Vec<Slot>,
}

#[derive(Debug, Default)]
struct Slot {
    lease: Option<Lease>,
    /// Counts stored leases: a run remembers the one it sent.
    generation: u32,
    /// The `auth` effect in flight for this binding.
    pending: Option<u32>,
}

impl Leases {
    /// A cache for `bindings` bindings (their number is fixed at init).
    pub fn new(bindings: usize) -> Leases {
        let mut slots = Vec::new();
        slots.resize_with(bindings, Slot::default);
        Leases { slots }
    }

    /// The lease of `binding` usable at `now_ms` and its generation. A
    /// `fresh` lease (the run waited for it) serves until it expires.
    pub fn usable(&self, binding: usize, now_ms: f64, fresh: bool) -> Option<(&Secret, u32)> {
        let slot = self.slots.get(binding)?;
        let lease = slot.lease.as_ref()?;
        let margin = if fresh { 0.0 } else { EXPIRY_MARGIN_MS };
        lease.expires_ms.is_none_or(|at| now_ms < at - margin).then_some((&lease.secret, slot.generation))
    }

    /// The `auth` effect to wait on for `binding`'s lease: the one in
    /// flight, or a new one.
    pub fn ask(&mut self, index: usize, bindings: &[Binding], out: &mut Outbox, now_ms: f64) -> u32 {
        let pending = self.slots.get(index).and_then(|s| s.pending);
        if let Some(id) = pending.filter(|id| out.is_inflight(*id)) {
            return id;
        }
        let (realm, name, provider) =
            bindings.get(index).map_or(("", "", ""), |b| (&b.realm, &b.name, b.provider.name()));
        let id = out.auth(realm, name, provider, now_ms);
        if let Some(slot) = self.slots.get_mut(index) {
            slot.pending = Some(id);
        }
        id
    }

    /// The binding whose lease effect `id` is; it is no longer pending.
    pub fn settle(&mut self, id: u32) -> Option<usize> {
        let index = self.slots.iter().position(|s| s.pending == Some(id))?;
        if let Some(slot) = self.slots.get_mut(index) {
            slot.pending = None;
        }
        Some(index)
    }

    pub fn store(&mut self, binding: usize, lease: Lease) {
        if let Some(slot) = self.slots.get_mut(binding) {
            slot.lease = Some(lease);
            slot.generation = slot.generation.wrapping_add(1);
        }
    }

    /// The host's resolver was replaced or cleared (a user signed out): the
    /// leases it handed out are not used again. (An answer still in flight
    /// is the host's to drop: it asks the resolver registered now instead.)
    pub fn forget(&mut self) {
        for slot in &mut self.slots {
            slot.lease = None;
        }
    }

    /// The provider refused the lease of `generation` (HTTP 401): forget
    /// it, unless a newer one has replaced it meanwhile.
    pub fn refused(&mut self, binding: usize, generation: u32) {
        if let Some(slot) = self.slots.get_mut(binding)
            && slot.generation == generation
        {
            slot.lease = None;
        }
    }
}

/// A lease as the resolver returned it: `{ kind: "inline_secret", secret,
/// metadata?, expires_at? }`, or why it is unusable (`AUTH_LEASE_INVALID`;
/// the message never quotes a value: a resolver that mixed up its fields
/// may have put the secret anywhere).
pub fn parse_lease(value: &Json<'_>, now_ms: f64) -> Result<Lease, String> {
    let f = Fields::new(value, "lease", &["kind", "secret", "metadata", "expires_at"], ErrorCode::AuthLeaseInvalid)
        .map_err(CoreError::into_message)?;
    if f.get("kind").and_then(Json::as_str) != Some("inline_secret") {
        return Err("lease.kind must be \"inline_secret\"".into());
    }
    let secret = match f.get("secret") {
        Some(Json::Str(s)) if !s.trim().is_empty() && !s.chars().any(char::is_control) => {
            // It goes into a request header, whose value fetch takes as
            // Latin-1 bytes only: a wider character would fail every request
            // as a network error that does not say the lease is to blame.
            if s.chars().any(|c| c > '\u{ff}') {
                return Err(
                    "lease.secret must be text an HTTP header can carry: ASCII or Latin-1 characters only".into()
                );
            }
            Secret::new(s.as_ref())
        }
        _ => return Err("lease.secret must be a non-empty string".into()),
    };
    if f.get("metadata").is_some_and(|m| m.as_object().is_none()) {
        return Err("lease.metadata must be an object (kept with the lease for diagnostics)".into());
    }
    // Not `f.get`, which reads null as absent: absent means "until a 401",
    // and null is what JSON makes of NaN, Infinity or an invalid Date, a
    // resolver's arithmetic gone wrong that must not become "never expires".
    let expires_ms = match value.get("expires_at") {
        None => None,
        Some(at) => match expiry_ms(at) {
            Some(ms) if ms > now_ms => Some(ms),
            Some(_) => return Err("lease.expires_at is already past".into()),
            None => {
                return Err(
                    "lease.expires_at must be ISO-8601 text with an offset, or epoch seconds or milliseconds".into()
                );
            }
        },
    };
    Ok(Lease { secret, metadata: f.get("metadata").map(Raw::from_json), expires_ms })
}

/// `expires_at` in Unix milliseconds: ISO-8601 text, or epoch seconds or
/// milliseconds told apart by magnitude.
pub fn expiry_ms(value: &Json<'_>) -> Option<f64> {
    match value {
        Json::Str(text) => iso8601_ms(text),
        Json::Num(n) => {
            let thousandths = decimal_scaled(n, 1000)?;
            let ms = if thousandths < SECONDS_BELOW * 1000 { thousandths } else { thousandths / 1000 };
            Some(ms as f64)
        }
        _ => None,
    }
}

/// `2030-01-01T00:00:00Z`, `2030-01-01t00:00:00.250+02:00`, `... 00:00-0130`:
/// date, time (seconds and fraction optional), and a UTC offset (required:
/// a time without one is ambiguous), in Unix milliseconds.
pub fn iso8601_ms(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let num = |at: usize, len: usize| -> Option<u64> {
        let digits = b.get(at..at + len)?;
        digits.iter().try_fold(0u64, |n, d| d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0')))
    };
    let is = |at: usize, set: &[u8]| b.get(at).is_some_and(|c| set.contains(c));
    if !(is(4, b"-") && is(7, b"-") && is(10, b"Tt ") && is(13, b":")) {
        return None;
    }
    let (year, month, day, hour, minute) = (num(0, 4)?, num(5, 2)?, num(8, 2)?, num(11, 2)?, num(14, 2)?);
    let (mut at, mut second, mut millis) = (16, 0, 0);
    if is(16, b":") {
        second = num(17, 2)?;
        at = 19;
        if is(19, b".,") {
            at = 20;
            let mut scale = 100;
            while let Some(d) = b.get(at).filter(|d| d.is_ascii_digit()) {
                millis += u64::from(d - b'0') * scale;
                scale /= 10;
                at += 1;
            }
            if at == 20 {
                return None;
            }
        }
    }
    let offset_min = match b.get(at)? {
        b'Z' | b'z' if at + 1 == b.len() => 0,
        sign @ (b'+' | b'-') => {
            let hours = num(at + 1, 2)?;
            let (minutes, end) = if is(at + 3, b":") { (num(at + 4, 2)?, at + 6) } else { (num(at + 3, 2)?, at + 5) };
            if end != b.len() || hours > 23 || minutes > 59 {
                return None;
            }
            let offset = (hours * 60 + minutes) as i64;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = crate::text::unix_days(year, month, day)?;
    let local = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis;
    Some(local as f64 - offset_min as f64 * 60_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    const NOW: f64 = 1_800_000_000_000.0; // 2027-01-15T08:00:00Z

    #[test]
    fn iso_8601_with_offsets_and_fractions() {
        assert_eq!(iso8601_ms("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(iso8601_ms("2015-10-21T07:28:00Z"), Some(1_445_412_480_000.0));
        assert_eq!(iso8601_ms("2015-10-21T07:28:00.5Z"), Some(1_445_412_480_500.0));
        assert_eq!(iso8601_ms("2015-10-21T07:28:00.123456789Z"), Some(1_445_412_480_123.0));
        assert_eq!(iso8601_ms("2015-10-21t09:28:00,000+02:00"), Some(1_445_412_480_000.0));
        assert_eq!(iso8601_ms("2015-10-21 06:58-0030"), Some(1_445_412_480_000.0));
        assert_eq!(iso8601_ms("2015-10-21T07:28z"), Some(1_445_412_480_000.0));
        assert_eq!(iso8601_ms("2028-02-29T23:59:59.999Z"), Some(1_835_481_599_999.0));
        for bad in [
            "",
            "2015-10-21",
            "2015-10-21T07:28:00",
            "2015-10-21T07:28:00Zjunk",
            "2015-13-21T07:28:00Z",
            "2015-10-00T07:28:00Z",
            "2015-10-21T24:00:00Z",
            "2015-10-21T07:60:00Z",
            "2015-10-21T07:28:00.Z",
            "2015-10-21T07:28:00+2:00",
            "2015-10-21T07:28:00+24:00",
            "1969-12-31T23:59:59Z",
            "２０１５-10-21T07:28:00Z",
            "+002015-10-21T07:28:00Z",
        ] {
            assert_eq!(iso8601_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn epoch_numbers_by_magnitude() {
        let at = |text: &str| expiry_ms(&parse(text).unwrap());
        assert_eq!(at("1800000000"), Some(NOW));
        assert_eq!(at("1800000000.25"), Some(NOW + 250.0));
        assert_eq!(at("1800000000000"), Some(NOW));
        assert_eq!(at(r#""2027-01-15T08:00:00Z""#), Some(NOW));
        for bad in ["-1", "1e12", "true", "null", "{}", r#""soon""#] {
            assert_eq!(at(bad), None, "{bad}");
        }
    }

    #[test]
    fn leases_are_checked_and_never_quote_the_secret() {
        let lease = |text: &str| parse_lease(&parse(text).unwrap(), NOW);
        let ok = lease(
            r#"{"kind":"inline_secret","secret":"tok-SECRET","metadata":{"account_id":"a1"},"expires_at":1800000600}"#,
        )
        .unwrap();
        assert_eq!(ok.secret.expose(), "tok-SECRET");
        assert_eq!(ok.expires_ms, Some(NOW + 600_000.0));
        assert_eq!(ok.metadata.as_ref().map(Raw::as_str), Some(r#"{"account_id":"a1"}"#));
        assert!(!format!("{ok:?}").contains("SECRET"));
        assert_eq!(lease(r#"{"kind":"inline_secret","secret":"t"}"#).unwrap().expires_ms, None);
        // Latin-1 is what a header value carries: accepted.
        assert_eq!(lease(r#"{"kind":"inline_secret","secret":"tok-é"}"#).unwrap().secret.expose(), "tok-é");
        for (text, says) in [
            ("null", "lease must be an object"),
            ("[]", "lease must be an object"),
            (r#"{"kind":"bearer","secret":"tok-SECRET"}"#, "lease.kind"),
            (r#"{"secret":"tok-SECRET"}"#, "lease.kind"),
            (r#"{"kind":"inline_secret"}"#, "lease.secret"),
            (r#"{"kind":"inline_secret","secret":""}"#, "lease.secret"),
            (r#"{"kind":"inline_secret","secret":"tok-SECRET\n"}"#, "lease.secret"),
            (r#"{"kind":"inline_secret","secret":5}"#, "lease.secret"),
            (r#"{"kind":"inline_secret","secret":"tok-SECRET-€"}"#, "lease.secret must be text an HTTP header"),
            (r#"{"kind":"inline_secret","secret":"tok-SECRET","metadata":"tok-SECRET-m"}"#, "lease.metadata"),
            (r#"{"kind":"inline_secret","secret":"tok-SECRET","metadata":[1]}"#, "lease.metadata"),
            (r#"{"kind":"inline_secret","secret":"tok-SECRET","expires_at":"tok-SECRET"}"#, "lease.expires_at must be"),
            (r#"{"kind":"inline_secret","secret":"tok-SECRET","expires_at":[]}"#, "lease.expires_at must be"),
            (r#"{"kind":"inline_secret","secret":"tok-SECRET","expires_at":null}"#, "lease.expires_at must be"),
            (r#"{"kind":"inline_secret","secret":"tok-SECRET","expires_at":1000}"#, "already past"),
            (r#"{"kind":"inline_secret","secret":"tok-SECRET","expiresAt":1}"#, "unknown field \"expiresAt\""),
        ] {
            let message = lease(text).unwrap_err();
            assert!(message.contains(says), "{text}: {message}");
            assert!(!message.contains("SECRET"), "{message}");
        }
    }
}
