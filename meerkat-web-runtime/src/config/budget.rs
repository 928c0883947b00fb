//! A run's budget: tokens, wall time and tool calls, with a warning level.

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::fields::Fields;
use crate::json::Json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Input plus output tokens of the run.
    pub tokens: Option<u64>,
    /// Wall time of the run, on the clock the core is given.
    pub duration_ms: Option<u64>,
    pub tool_calls: Option<u64>,
    /// `budget_warning` once use reaches this share of a limit.
    pub warn_at_percent: u64,
}

pub const DEFAULT_WARN_AT_PERCENT: u64 = 80;

impl Budget {
    /// `{tokens?, durationMs?, toolCalls?, warnAtPercent?}`; every limit at
    /// least 1 (a zero budget could never do anything), the warning level
    /// 1 to 100.
    pub fn from_json(value: &Json<'_>, what: &'static str) -> CoreResult<Budget> {
        let keys = ["tokens", "durationMs", "toolCalls", "warnAtPercent"];
        let f = Fields::new(value, what, &keys, ErrorCode::InvalidConfig)?;
        let limit = |key: &str| -> CoreResult<Option<u64>> {
            match f.u64(key)? {
                Some(0) => Err(CoreError::new(ErrorCode::InvalidConfig, format!("{what}.{key} must be at least 1"))),
                other => Ok(other),
            }
        };
        let warn_at_percent = match f.u64("warnAtPercent")? {
            None => DEFAULT_WARN_AT_PERCENT,
            Some(p) if (1..=100).contains(&p) => p,
            Some(p) => {
                return Err(CoreError::new(
                    ErrorCode::InvalidConfig,
                    format!("{what}.warnAtPercent must be between 1 and 100, got {p}"),
                ));
            }
        };
        Ok(Budget {
            tokens: limit("tokens")?,
            duration_ms: limit("durationMs")?,
            tool_calls: limit("toolCalls")?,
            warn_at_percent,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    #[test]
    fn budgets_are_validated() {
        let b = |t: &str| Budget::from_json(&parse(t).unwrap(), "budget");
        let ok = b(r#"{"tokens":1000,"toolCalls":2}"#).unwrap();
        assert_eq!((ok.tokens, ok.duration_ms, ok.tool_calls, ok.warn_at_percent), (Some(1000), None, Some(2), 80));
        for bad in [
            r#"{"tokens":-1}"#,
            r#"{"tokens":0}"#,
            r#"{"toolCalls":1.5}"#,
            r#"{"warnAtPercent":0}"#,
            r#"{"warnAtPercent":101}"#,
            r#"{"time":5}"#,
            "[]",
        ] {
            assert_eq!(b(bad).unwrap_err().code, "INVALID_CONFIG", "{bad}");
        }
        assert!(b(r#"{"tokens":-1}"#).unwrap_err().message.contains("budget.tokens"));
    }
}
