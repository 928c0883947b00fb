//! Entry points of the coverage-guided fuzz targets (`fuzz/`, run with
//! `cargo +nightly fuzz`), and the deterministic run of their seed inputs
//! that `cargo test` makes on every build.
//!
//! Each entry takes arbitrary bytes and must return without panicking: a
//! panic in the wasm traps the whole instance, so the fuzzer treats one as a
//! finding. They also check the invariants that hold for every input (a
//! parsed JSON value writes back to text that parses to the same text).
//!
//! Only compiled for tests and under `--cfg fuzzing` (set by cargo-fuzz):
//! nothing here ships in the wasm.

use crate::json;
use crate::provider::{TextSink, WireApi};
use crate::runtime::Runtime;

/// The JSON parser: any text parses or errs, and what parses round-trips.
pub fn json(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else { return };
    let Ok(value) = json::parse(text) else { return };
    let written = value.to_text();
    match json::parse(&written) {
        Ok(again) => assert_eq!(again.to_text(), written, "JSON write is not stable for {text:?}"),
        Err(e) => panic!("the writer produced unparsable JSON {written:?} from {text:?}: {e}"),
    }
}

/// One provider's stream parser fed a response body. The first byte picks
/// the chunk size, so the fuzzer also explores where the network cuts.
pub fn stream(wire: WireApi, data: &[u8]) {
    let Some(provider) = wire.implementation() else { return };
    let (step, body) = match data.split_first() {
        Some((&first, rest)) => (usize::from(first).max(1), rest),
        None => (1, data),
    };
    let mut parser = provider.stream_parser("fuzz");
    let mut sink = Discard;
    for chunk in body.chunks(step) {
        if parser.feed(chunk, &mut sink).is_err() {
            let _ = parser.partial();
            return;
        }
    }
    let _ = parser.partial();
    let _ = parser.finish(&mut sink);
    same_with_fast_path_off(wire, step, body);
}

/// A parser with a fast path reads any body exactly as it does with the
/// fast path off: the same deltas, errors and turn.
fn same_with_fast_path_off(wire: WireApi, step: usize, body: &[u8]) {
    use crate::provider::{StreamParser, gemini, openai_chat, openai_responses};
    let (mut fast, mut general): (Box<dyn StreamParser>, Box<dyn StreamParser>) = match wire {
        WireApi::OpenAiChat => {
            let mut general = openai_chat::stream("fuzz");
            general.handler.fast.off = true;
            (Box::new(openai_chat::stream("fuzz")), Box::new(general))
        }
        WireApi::OpenAiResponses => {
            let mut general = openai_responses::stream("fuzz");
            general.handler.fast.off = true;
            (Box::new(openai_responses::stream("fuzz")), Box::new(general))
        }
        WireApi::Gemini => {
            let mut general = gemini::stream("fuzz");
            general.handler.fast.off = true;
            (Box::new(gemini::stream("fuzz")), Box::new(general))
        }
        WireApi::AnthropicMessages => return,
    };
    let (mut a, mut b) = (Record::default(), Record::default());
    for chunk in body.chunks(step) {
        let (x, y) = (fast.feed(chunk, &mut a), general.feed(chunk, &mut b));
        assert_eq!((&x, &a.0), (&y, &b.0), "the fast path read {body:?} differently");
        if x.is_err() {
            return;
        }
    }
    assert_eq!(fast.partial(), general.partial());
    assert_eq!(fast.finish(&mut a), general.finish(&mut b), "the fast path read {body:?} differently");
}

/// Keys for every provider, so commands can create sessions of any model.
const CONFIG: &str = r#"{"anthropicApiKey":"k","openaiApiKey":"k","geminiApiKey":"k"}"#;

/// The command table: each line is one command, on a clock that moves a
/// millisecond per line; then the bytes as a response body for the first
/// effect ids (issued or not).
pub fn command(data: &[u8]) {
    let Ok(mut runtime) = Runtime::new(CONFIG, &[7; 32]) else { return };
    let text = String::from_utf8_lossy(data);
    let mut now = 0.0;
    for line in text.lines() {
        now += 1.0;
        let _ = runtime.command(now, line);
    }
    for id in 1..4 {
        let _ = runtime.push_body(now, id, data);
    }
}

/// The mobpack reader. The first byte chooses what the rest is: even, the
/// `.mobpack` file itself; odd, the tar inside it, gzipped here, so the
/// fuzzer also reaches the tar, TOML and layout checks past the CRC.
pub fn mobpack(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let file = if mode % 2 == 0 { rest.to_vec() } else { gzip(rest) };
    let _ = crate::mobpack::read_reply(&file);
    let _ = crate::mobpack::trust::reply(&String::from_utf8_lossy(rest), "null", mode & 2 != 0);
}

/// A gzip member around `data` (stored deflate blocks, no compression).
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 0));
    let mut crc = crate::mobpack::gzip::Crc32::new();
    crc.update(data);
    out.extend(crc.finish().to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

/// Where each target's seed inputs live, relative to the repository root:
/// `fuzz/run.sh` hands the same directories to libFuzzer, and `cargo test`
/// runs every file in them (and cuts and flips of it) through the entry.
pub const SEED_DIRS: [(&str, &str); 7] = [
    ("json", "fixtures/providers"),
    ("anthropic", "fixtures/providers/anthropic"),
    ("openai_chat", "fixtures/providers/openai/chat"),
    ("openai_responses", "fixtures/providers/openai/responses"),
    ("gemini", "fixtures/providers/gemini"),
    ("command", "fuzz/seeds/command"),
    ("mobpack", "fuzz/seeds/mobpack"),
];

/// The entry of a target by its name.
pub fn entry(target: &str) -> Option<fn(&[u8])> {
    Some(match target {
        "json" => json,
        "anthropic" => |d| stream(WireApi::AnthropicMessages, d),
        "openai_chat" => |d| stream(WireApi::OpenAiChat, d),
        "openai_responses" => |d| stream(WireApi::OpenAiResponses, d),
        "gemini" => |d| stream(WireApi::Gemini, d),
        "command" => command,
        "mobpack" => mobpack,
        _ => return None,
    })
}

struct Discard;

#[derive(Default)]
struct Record(Vec<String>);

impl TextSink for Record {
    fn text_delta(&mut self, text: &str) {
        self.0.push(text.to_string());
    }
}

impl TextSink for Discard {
    fn text_delta(&mut self, _text: &str) {}
}

#[cfg(test)]
mod tests;
