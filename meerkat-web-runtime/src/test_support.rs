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

/// A request of `messages` alone: no system prompt, tools, temperature,
/// thinking or output schema (tests set what they need with `..`).
pub fn plain_request<'a>(
    endpoint: &'a crate::provider::Endpoint,
    model: &'a str,
    messages: &'a [crate::transcript::Message],
) -> crate::provider::LlmRequest<'a> {
    crate::provider::LlmRequest {
        endpoint,
        model,
        system_prompt: None,
        messages,
        tools: &[],
        max_tokens: 1024,
        temperature: None,
        thinking: None,
        output_schema: None,
    }
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

// ---------------------------------------------------------------- fast paths
// A stream parser with a fast path must read every stream as it reads it
// with the fast path off: `Gen` writes events the way varied servers do,
// `same_as_general` feeds both parsers.

/// A sink that keeps each delta apart.
#[derive(Debug, Default, PartialEq)]
pub struct Deltas(pub Vec<String>);

impl TextSink for Deltas {
    fn text_delta(&mut self, text: &str) {
        self.0.push(text.to_string());
    }
}

/// How one server writes its events: separators, escapes, extra members.
#[derive(Clone, Debug)]
pub struct Style {
    pub colon: &'static str,
    pub comma: &'static str,
    /// 0: plain; 1: `\/`; 2: `\uXXXX` for all but ASCII; 3: both.
    pub escapes: u64,
    /// Members a server adds, as (key, JSON text).
    pub extra: Vec<(String, String)>,
    /// Shuffles member order.
    pub order: u64,
}

/// Text pieces with what JSON must escape and what UTF-8 makes long.
const PIECES: [&str; 16] = [
    "Hello",
    " world",
    " said \"hi\"",
    " back\\slash",
    "\n",
    "\ttab",
    " 18 °C",
    " ☀️",
    " 😀",
    " a/b",
    " crème brûlée",
    "\u{1}",
    " <script>",
    "",
    " 42",
    " \u{2028}",
];

pub struct Gen {
    pub rng: crate::ids::Rng,
}

impl Gen {
    pub fn new(seed: &[u8]) -> Gen {
        Gen { rng: crate::ids::Rng::from_entropy(seed) }
    }

    /// 0..n
    pub fn below(&mut self, n: u64) -> u64 {
        self.rng.next_u64() % n.max(1)
    }

    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// One to three pieces.
    pub fn text(&mut self) -> String {
        (0..1 + self.below(3)).map(|_| self.pick(&PIECES)).collect()
    }

    /// Letters and digits, like ids and padding.
    pub fn token(&mut self, len: u64) -> String {
        let chars = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len).map(|_| char::from(self.pick(chars))).collect()
    }

    pub fn style(&mut self) -> Style {
        let (colon, comma) = self.pick(&[(":", ","), (":", ","), (": ", ", "), (" : ", ",\n ")]);
        let mut extra = Vec::new();
        for _ in 0..self.below(3) {
            let value = match self.below(4) {
                0 => format!("\"{}\"", self.token(8)),
                1 => self.below(1000).to_string(),
                2 => "null".to_string(),
                _ => format!("{{\"k\":[1,{{\"v\":\"{}\"}}]}}", self.token(3)),
            };
            extra.push((format!("x_{}", self.token(4)), value));
        }
        Style { colon, comma, escapes: self.below(4), extra, order: self.rng.next_u64() }
    }

    /// `s` as a JSON string, escaped the style's way.
    pub fn string(&self, s: &str, style: &Style) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '/' if style.escapes & 1 == 1 => out.push_str("\\/"),
                '\n' => out.push_str("\\n"),
                c if (c as u32) < 0x20 || (style.escapes & 2 == 2 && !c.is_ascii()) => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    /// An object of `members` (key, JSON text) and the style's extras, in
    /// the style's order.
    pub fn object(&self, members: &[(&str, String)], style: &Style) -> String {
        let mut all: Vec<(String, &str)> = members.iter().map(|(k, v)| (self.string(k, style), v.as_str())).collect();
        all.extend(style.extra.iter().map(|(k, v)| (self.string(k, style), v.as_str())));
        let mut order = style.order;
        for i in (1..all.len()).rev() {
            all.swap(i, (order % (i as u64 + 1)) as usize);
            order /= i as u64 + 1;
        }
        let items: Vec<String> = all.iter().map(|(k, v)| format!("{k}{}{v}", style.colon)).collect();
        format!("{{{}}}", items.join(style.comma))
    }
}

/// Feed `body` to a parser with its fast path and one without, cut at the
/// same random points: the same deltas, one by one, the same errors, the
/// same turn (or partial turn). Returns the deltas.
pub fn same_as_general(
    fast: &dyn Fn() -> Box<dyn StreamParser>,
    general: &dyn Fn() -> Box<dyn StreamParser>,
    body: &[u8],
    g: &mut Gen,
) -> Vec<String> {
    let (mut a, mut b) = (fast(), general());
    let (mut da, mut db) = (Deltas::default(), Deltas::default());
    let mut at = 0;
    while at < body.len() {
        let most = if g.one_in(4) { 16 } else { 4096 };
        let end = (at + 1 + g.below(most) as usize).min(body.len());
        let (ra, rb) = (a.feed(&body[at..end], &mut da), b.feed(&body[at..end], &mut db));
        assert_eq!(ra, rb, "feed differs at {at}..{end}");
        assert_eq!(da, db, "deltas differ after {end}");
        if ra.is_err() {
            assert_eq!(a.partial(), b.partial());
            return da.0;
        }
        at = end;
    }
    if g.one_in(8) {
        assert_eq!(a.partial(), b.partial());
    } else {
        assert_eq!(a.finish(&mut da), b.finish(&mut db));
    }
    assert_eq!(da, db);
    da.0
}
