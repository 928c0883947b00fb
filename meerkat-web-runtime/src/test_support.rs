//! Shared helpers for the native tests.

use crate::error::CoreResult;
use crate::provider::{AssistantTurn, StreamParser, TextSink};
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

/// The weather tool the fixtures call, as offered to a provider.
pub fn weather_tool() -> crate::provider::ToolSpec<'static> {
    crate::provider::ToolSpec {
        name: "get_weather",
        description: "Get the current weather for a city.",
        input_schema: r#"{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}"#,
    }
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

/// Feed `chunks` to a fresh parser, stopping at the first error.
pub fn run(parser: &dyn Fn() -> Box<dyn StreamParser>, chunks: &[&[u8]]) -> (String, CoreResult<AssistantTurn>) {
    let mut parser = parser();
    let mut sink = Collected::default();
    for chunk in chunks {
        if let Err(e) = parser.feed(chunk, &mut sink) {
            return (sink.text, Err(e));
        }
    }
    let turn = parser.finish(&mut sink);
    (sink.text, turn)
}

/// Whole, at every split point, and one byte at a time: identical results
/// (errors included).
pub fn all_chunkings(parser: &dyn Fn() -> Box<dyn StreamParser>, body: &[u8]) -> (String, CoreResult<AssistantTurn>) {
    let (text, whole) = run(parser, &[body]);
    for cut in 0..=body.len() {
        let (a, b) = body.split_at(cut);
        let (t, turn) = run(parser, &[a, b]);
        assert_eq!(t, text, "streamed text differs when cut at {cut}");
        assert_eq!(turn, whole, "result differs when cut at {cut}");
    }
    let bytes: Vec<&[u8]> = body.chunks(1).collect();
    let (t, turn) = run(parser, &bytes);
    assert_eq!(t, text);
    assert_eq!(turn, whole);
    (text, whole)
}

/// What this thread holds from the allocator: the test binary's global
/// allocator counts, per thread (each test runs on its own), so a test can
/// tell whether a loop keeps memory.
pub mod heap {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static LIVE: Cell<i64> = const { Cell::new(0) };
    }

    fn add(bytes: i64) {
        // try_with: allocations during thread teardown go uncounted.
        let _ = LIVE.try_with(|live| live.set(live.get() + bytes));
    }

    struct Counting;

    // SAFETY: every call is passed on to the system allocator unchanged.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let ptr = unsafe { System.alloc(layout) };
            if !ptr.is_null() {
                add(layout.size() as i64);
            }
            ptr
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let ptr = unsafe { System.alloc_zeroed(layout) };
            if !ptr.is_null() {
                add(layout.size() as i64);
            }
            ptr
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            add(-(layout.size() as i64));
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let new = unsafe { System.realloc(ptr, layout, new_size) };
            if !new.is_null() {
                add(new_size as i64 - layout.size() as i64);
            }
            new
        }
    }

    #[global_allocator]
    static COUNTING: Counting = Counting;

    /// Bytes allocated and not yet freed by this thread.
    pub fn live() -> i64 {
        LIVE.with(Cell::get)
    }
}
