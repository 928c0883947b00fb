//! Retry policy: which failures are retried, and how long to wait.
//!
//! Exponential backoff with jitter (randomness from the host's entropy via
//! the core's PRNG), honouring the server's hint (`retry-after`,
//! `retry-after-ms`, Gemini `RetryInfo`) when it fits within `maxDelayMs`.

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::fields::Fields;
use crate::ids::Rng;
use crate::json::Json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub initial_delay_ms: u64,
    pub max_delay_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_retries: 2, initial_delay_ms: 500, max_delay_ms: 30_000 }
    }
}

/// Bounds that keep a typo from stalling a run for days.
const MAX_RETRIES_LIMIT: u64 = 20;
const MAX_DELAY_LIMIT: u64 = 10 * 60 * 1000;

impl RetryPolicy {
    /// `{maxRetries, initialDelayMs, maxDelayMs}`, each optional over `base`.
    pub fn from_json(value: &Json<'_>, what: &'static str, base: RetryPolicy) -> CoreResult<RetryPolicy> {
        let f = Fields::new(value, what, &["maxRetries", "initialDelayMs", "maxDelayMs"], ErrorCode::InvalidConfig)?;
        let bounded = |key: &str, limit: u64| -> CoreResult<Option<u64>> {
            match f.u64(key)? {
                Some(v) if v > limit => {
                    Err(CoreError::new(ErrorCode::InvalidConfig, format!("{what}.{key} must be at most {limit}")))
                }
                other => Ok(other),
            }
        };
        let policy = RetryPolicy {
            max_retries: bounded("maxRetries", MAX_RETRIES_LIMIT)?.map_or(base.max_retries, |v| v as u32),
            initial_delay_ms: bounded("initialDelayMs", MAX_DELAY_LIMIT)?.unwrap_or(base.initial_delay_ms),
            max_delay_ms: bounded("maxDelayMs", MAX_DELAY_LIMIT)?.unwrap_or(base.max_delay_ms),
        };
        if policy.initial_delay_ms > policy.max_delay_ms {
            return Err(CoreError::new(ErrorCode::InvalidConfig, format!("{what}.initialDelayMs exceeds maxDelayMs")));
        }
        Ok(policy)
    }

    /// The wait before retry number `attempt` (1-based), or `None` when the
    /// error must not be retried (permanent, attempts used up, or a server
    /// hint longer than `maxDelayMs`).
    pub fn delay(&self, attempt: u32, error: &CoreError, rng: &mut Rng) -> Option<u64> {
        if !error.retryable || attempt > self.max_retries {
            return None;
        }
        if let Some(hint) = error.retry_after_ms {
            return (hint <= self.max_delay_ms).then_some(hint);
        }
        let doubled = self.initial_delay_ms.saturating_mul(1u64 << (attempt - 1).min(32));
        let base = doubled.min(self.max_delay_ms);
        // "Equal jitter": never less than half the base, never zero-spaced.
        let half = base / 2;
        Some(half + (rng.next_f64() * (base - half) as f64) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retryable(hint: Option<u64>) -> CoreError {
        CoreError::new(ErrorCode::ProviderOverloaded, "overloaded").retryable(hint)
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stops() {
        let policy = RetryPolicy { max_retries: 4, initial_delay_ms: 100, max_delay_ms: 500 };
        let mut rng = Rng::from_entropy(b"retry");
        for (attempt, base) in [(1, 100), (2, 200), (3, 400), (4, 500)] {
            let d = policy.delay(attempt, &retryable(None), &mut rng).unwrap();
            assert!((base / 2..=base).contains(&d), "attempt {attempt}: {d}");
        }
        assert_eq!(policy.delay(5, &retryable(None), &mut rng), None);
        assert_eq!(policy.delay(1, &CoreError::new(ErrorCode::ProviderAuth, "no"), &mut rng), None);
    }

    #[test]
    fn server_hints_are_honoured_within_the_cap() {
        let policy = RetryPolicy::default();
        let mut rng = Rng::from_entropy(b"");
        assert_eq!(policy.delay(1, &retryable(Some(17_000)), &mut rng), Some(17_000));
        assert_eq!(policy.delay(1, &retryable(Some(0)), &mut rng), Some(0));
        assert_eq!(policy.delay(1, &retryable(Some(120_000)), &mut rng), None);
    }

    #[test]
    fn config_is_validated() {
        let parse = |t: &str| RetryPolicy::from_json(&crate::json::parse(t).unwrap(), "retry", RetryPolicy::default());
        assert_eq!(parse(r#"{"maxRetries":0}"#).unwrap().max_retries, 0);
        assert_eq!(parse("{}").unwrap(), RetryPolicy::default());
        assert!(parse(r#"{"maxRetries":99}"#).is_err());
        assert!(parse(r#"{"initialDelayMs":5000,"maxDelayMs":10}"#).is_err());
        assert!(parse(r#"{"retries":1}"#).unwrap_err().message.contains("unknown field"));
    }
}
