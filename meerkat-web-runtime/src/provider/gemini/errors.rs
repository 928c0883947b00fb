//! Gemini's errors: Google's error model (`{code, message, status,
//! details}`, with `RetryInfo` and `QuotaFailure` details), in an HTTP
//! error body or as an `error` object in the stream.

use crate::error::{CoreError, ErrorCode};
use crate::json::{self, Json, decimal_scaled};

/// `details[]` of an error (plain loops read them: iterator chains here
/// cost the wasm several hundred bytes).
fn details<'j, 'a>(error: &'j Json<'a>) -> &'j [Json<'a>] {
    error.get("details").and_then(Json::as_array).unwrap_or_default()
}

/// A string member of a JSON value, `""` when absent.
fn str_of<'j>(value: &'j Json<'_>, name: &str) -> &'j str {
    value.get(name).and_then(Json::as_str).unwrap_or_default()
}

fn is_detail(detail: &Json<'_>, kind: &str) -> bool {
    str_of(detail, "@type").ends_with(kind)
}

/// `RetryInfo.retryDelay`, a protobuf Duration (`"34s"`, `"0.5s"`), in ms.
fn retry_delay_ms(error: &Json<'_>) -> Option<u64> {
    for detail in details(error) {
        let delay = detail.get("retryDelay").and_then(Json::as_str).and_then(|d| d.strip_suffix('s'));
        if is_detail(detail, "google.rpc.RetryInfo")
            && let Some(ms) = delay.and_then(|d| decimal_scaled(d, 1000))
        {
            return Some(ms);
        }
    }
    None
}

/// A daily quota will not refill within any retry delay worth waiting.
fn is_daily_quota(error: &Json<'_>) -> bool {
    for detail in details(error) {
        let violations = detail.get("violations").and_then(Json::as_array).unwrap_or_default();
        if is_detail(detail, "google.rpc.QuotaFailure")
            && violations.iter().any(|v| crate::text::contains(str_of(v, "quotaId"), "PerDay"))
        {
            return true;
        }
    }
    false
}

/// The error code for Google's error model; the canonical `status` is
/// more telling than the HTTP code, which is only the fallback.
fn code_for(http: u16, error: &Json<'_>) -> Option<(ErrorCode, bool)> {
    // A bad key is a 400 INVALID_ARGUMENT; only `details[].reason` tells
    // (API_KEY_INVALID, and API_KEY_EXPIRED / _SERVICE_BLOCKED ... alike).
    let bad_key = details(error).iter().any(|d| str_of(d, "reason").starts_with("API_KEY_"));
    let status = error.get("status").and_then(Json::as_str).unwrap_or_default();
    let exhausted = status == "RESOURCE_EXHAUSTED" || http == 429;
    Some(match status {
        _ if bad_key || matches!(http, 401 | 403) => (ErrorCode::ProviderAuth, false),
        "UNAUTHENTICATED" | "PERMISSION_DENIED" => (ErrorCode::ProviderAuth, false),
        _ if exhausted && is_daily_quota(error) => (ErrorCode::ProviderQuota, false),
        "RESOURCE_EXHAUSTED" => (ErrorCode::ProviderRateLimited, true),
        "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "NOT_FOUND" | "OUT_OF_RANGE" => {
            (ErrorCode::ProviderBadRequest, false)
        }
        // Gemini's 503 is "The model is overloaded. Please try again later."
        "UNAVAILABLE" => (ErrorCode::ProviderOverloaded, true),
        "INTERNAL" | "DEADLINE_EXCEEDED" | "ABORTED" | "UNKNOWN" => (ErrorCode::ProviderUnavailable, true),
        _ => return None,
    })
}

/// `{code, message, status, details}` as a typed error; `what` says where
/// it came from, for the message.
fn google_error(what: &str, http: u16, error: &Json<'_>, retry_after: Option<u64>) -> CoreError {
    let field = |name| error.get(name).and_then(Json::as_str).unwrap_or_default();
    let detail = match (field("status"), field("message")) {
        ("", message) => message.to_string(),
        (status, message) => format!("{status}: {message}"),
    };
    let retry_after = retry_delay_ms(error).or(retry_after);
    match code_for(http, error) {
        Some((code, retryable)) => {
            let error = CoreError::new(code, format!("gemini {what} {http}: {detail}"));
            if retryable { error.retryable(retry_after) } else { error }
        }
        None => {
            let fallback = crate::provider::classify_status("gemini", http, &detail, retry_after);
            let mut error = fallback;
            error.message = format!("gemini {what} {http}: {detail}");
            error
        }
    }
}

/// An `error` object in the stream: its `code` stands for the HTTP status.
pub(super) fn stream_error(error: &Json<'_>) -> CoreError {
    let code = error.get("code").and_then(Json::as_u64).and_then(|c| u16::try_from(c).ok()).unwrap_or(0);
    google_error("stream failed with", code, error, None)
}

pub fn classify_error(status: u16, headers: &[(String, String)], body: &[u8]) -> CoreError {
    let retry_after = crate::provider::retry_after_ms(headers);
    let text = crate::text::lossy(body);
    let parsed = json::parse(&text).ok();
    // Without `alt=sse` errors come wrapped in an array; accept both.
    let root = match &parsed {
        Some(Json::Arr(items)) => items.first(),
        other => other.as_ref(),
    };
    match root.and_then(|r| r.get("error")).filter(|e| e.as_object().is_some()) {
        Some(error) => google_error("answered HTTP", status, error, retry_after),
        None => {
            let snippet = crate::text::first_chars(&text, 200);
            crate::provider::classify_status("gemini", status, snippet, retry_after)
        }
    }
}
