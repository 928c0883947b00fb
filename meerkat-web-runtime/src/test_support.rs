//! Shared helpers for the native tests.

use crate::provider::TextSink;
use serde_json::Value;

/// Read a provider fixture from the repository's `fixtures/providers`.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/../fixtures/providers/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("cannot read fixture {full}: {e}"))
}

pub fn fixture_json(path: &str) -> Value {
    serde_json::from_slice(&fixture(path)).unwrap()
}

/// Split a raw HTTP/1.1 response into headers and body.
pub fn split_http(raw: &[u8]) -> (Vec<(String, String)>, Vec<u8>) {
    let text = String::from_utf8_lossy(raw).replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap();
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    (headers, body.as_bytes().to_vec())
}

/// A sink that records streamed text.
#[derive(Default)]
pub struct Collected {
    pub text: String,
}

impl TextSink for Collected {
    fn text_delta(&mut self, text: &str) {
        self.text.push_str(text);
    }
}

/// A `Raw` from a serde_json value (tests build JSON with `json!`).
pub fn raw(value: &Value) -> crate::json::Raw {
    crate::json::Raw::from_json(&crate::json::parse(&value.to_string()).unwrap())
}

/// A `Raw` back as a serde_json value, for assertions.
pub fn value(raw: &crate::json::Raw) -> Value {
    serde_json::from_str(raw.as_str()).unwrap()
}
