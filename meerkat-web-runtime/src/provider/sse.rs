//! Incremental Server-Sent Events framing, straight from response bytes.
//!
//! Chunks may be cut anywhere: inside a line, between CR and LF, inside a
//! UTF-8 character. Bytes are only decoded once a whole event is buffered, so
//! a character split across chunks is never garbled. Handles LF, CRLF and CR
//! line ends, `:` comments, multi-line `data:`, `data:` without a space, and
//! a leading BOM (per the WHATWG event-stream rules).

use super::{AssistantTurn, StreamParser, TextSink};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::text::{self, lossy};

/// One dispatched event: its `event:` name (empty when absent) and data.
#[derive(Debug, PartialEq, Eq)]
pub struct SseEvent<'a> {
    pub name: &'a str,
    pub data: &'a str,
}

/// Largest event we buffer: a bound on memory for a hostile stream.
pub const MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;
/// Stray (non-field) lines kept, at most.
const MAX_STRAY_BYTES: usize = 64 * 1024;

#[derive(Debug, Default)]
pub struct SseDecoder {
    /// Part of a line carried over from the previous chunk.
    partial: Vec<u8>,
    name: Vec<u8>,
    data: Vec<u8>,
    has_data: bool,
    /// The previous chunk ended in CR: a leading LF belongs to that line end.
    skip_lf: bool,
    /// Lines that are neither fields nor comments, joined by LF: Gemini sends
    /// a mid-stream error as bare JSON with no `data:` prefix.
    stray: Vec<u8>,
    seen_first_line: bool,
}

impl SseDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed a chunk; `on_event` runs for every complete event in it.
    pub fn feed(&mut self, chunk: &[u8], on_event: &mut dyn FnMut(SseEvent<'_>) -> CoreResult<()>) -> CoreResult<()> {
        let mut rest = chunk;
        if self.skip_lf && !rest.is_empty() {
            self.skip_lf = false;
            if let Some((b'\n', tail)) = rest.split_first() {
                rest = tail;
            }
        }
        while let Some(end) = line_end(rest) {
            let (line, after) = rest.split_at(end);
            let mut after = after.get(1..).unwrap_or_default();
            if rest.get(end) == Some(&b'\r') {
                match after.split_first() {
                    Some((b'\n', tail)) => after = tail,
                    None => self.skip_lf = true,
                    Some(_) => {}
                }
            }
            if self.partial.is_empty() {
                self.line(line, on_event)?;
            } else {
                let mut whole = core::mem::take(&mut self.partial);
                whole.extend_from_slice(line);
                self.line(&whole, on_event)?;
                whole.clear();
                self.partial = whole; // keep the allocation
            }
            rest = after;
        }
        if self.partial.len() + rest.len() + self.data.len() > MAX_EVENT_BYTES {
            return Err(too_big());
        }
        self.partial.extend_from_slice(rest);
        Ok(())
    }

    /// End of body. Per the event-stream rules an event without its blank
    /// line is incomplete and discarded: a cut-off stream must not look whole.
    pub fn finish(&mut self) {
        self.partial.clear();
        self.name.clear();
        self.data.clear();
        self.has_data = false;
    }

    fn line(&mut self, mut line: &[u8], on_event: &mut dyn FnMut(SseEvent<'_>) -> CoreResult<()>) -> CoreResult<()> {
        if !self.seen_first_line {
            self.seen_first_line = true;
            line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
        }
        if line.is_empty() {
            return self.dispatch(on_event);
        }
        if line.first() == Some(&b':') {
            return Ok(()); // comment
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let (field, value) = line.split_at(colon);
                let value = value.get(1..).unwrap_or_default();
                (field, value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        match field {
            b"data" => {
                if self.data.len() + value.len() >= MAX_EVENT_BYTES {
                    return Err(too_big());
                }
                if self.has_data {
                    self.data.push(b'\n');
                }
                self.data.extend_from_slice(value);
                self.has_data = true;
            }
            b"event" => {
                self.name.clear();
                self.name.extend_from_slice(value);
            }
            b"id" | b"retry" => {} // carry nothing we use
            _ => {
                if self.stray.len() + line.len() < MAX_STRAY_BYTES {
                    if !self.stray.is_empty() {
                        self.stray.push(b'\n');
                    }
                    self.stray.extend_from_slice(line);
                }
            }
        }
        Ok(())
    }

    /// End an unterminated last line as if its line end had arrived, so a
    /// stray line (a bare JSON error without a line end) reaches
    /// `take_stray`. A non-empty line cannot complete an event, so no
    /// cut-off event is dispatched.
    pub fn end_line(&mut self) -> CoreResult<()> {
        if self.partial.is_empty() {
            return Ok(());
        }
        let line = core::mem::take(&mut self.partial);
        self.line(&line, &mut |_| Ok(()))
    }

    /// Take the stray lines seen so far (see `stray`), if any.
    pub fn take_stray(&mut self) -> Option<String> {
        if self.stray.is_empty() {
            return None;
        }
        let bytes = core::mem::take(&mut self.stray);
        Some(lossy(&bytes).into_owned())
    }

    fn dispatch(&mut self, on_event: &mut dyn FnMut(SseEvent<'_>) -> CoreResult<()>) -> CoreResult<()> {
        if !self.has_data {
            self.name.clear();
            return Ok(());
        }
        self.has_data = false;
        let result = {
            // Valid UTF-8 (the common case) is borrowed as is.
            let name = lossy(&self.name);
            let data = lossy(&self.data);
            on_event(SseEvent { name: &name, data: &data })
        };
        self.name.clear();
        self.data.clear();
        result
    }
}

/// Whether a handler reads events on its fast path first. Always, in the
/// shipped core (this is then empty); tests and fuzzing turn it off in one
/// of two parsers fed the same bytes, to check both paths agree.
#[derive(Debug, Default)]
pub struct FastPath {
    #[cfg(any(test, fuzzing))]
    pub off: bool,
}

impl FastPath {
    #[cfg(any(test, fuzzing))]
    pub fn on(&self) -> bool {
        !self.off
    }

    #[cfg(not(any(test, fuzzing)))]
    pub fn on(&self) -> bool {
        true
    }
}

/// Offset of the first CR or LF, eight bytes per step (events are a few
/// hundred bytes: this scan is most of the framing's cost).
fn line_end(bytes: &[u8]) -> Option<usize> {
    let in_word = |w| text::word_has(w, b'\n') | text::word_has(w, b'\r');
    text::find_byte(bytes, 0, in_word, |b| b == b'\n' || b == b'\r')
}

/// What differs between the SSE-based wire formats: how an event is read,
/// how the body's end is judged, and what an interrupted turn keeps.
pub trait SseHandler {
    fn on_event(&mut self, event: SseEvent<'_>, sink: &mut dyn TextSink) -> CoreResult<()>;
    /// After each chunk, for formats that read non-SSE lines (Gemini's
    /// bare JSON errors) as they arrive.
    fn after_chunk(&mut self, _sse: &mut SseDecoder) -> CoreResult<()> {
        Ok(())
    }
    /// The body ended: the whole message, or why it is incomplete.
    fn finish(&mut self, sse: &mut SseDecoder) -> CoreResult<AssistantTurn>;
    fn partial(&mut self) -> AssistantTurn;
}

/// The one byte-fed parser every SSE wire format runs in: the decoder
/// frames events, the handler reads them.
#[derive(Debug, Default)]
pub struct SseStream<H> {
    sse: SseDecoder,
    pub handler: H,
}

impl<H> SseStream<H> {
    pub fn new(handler: H) -> Self {
        SseStream { sse: SseDecoder::new(), handler }
    }
}

impl<H: SseHandler> StreamParser for SseStream<H> {
    fn feed(&mut self, bytes: &[u8], sink: &mut dyn TextSink) -> CoreResult<()> {
        let SseStream { sse, handler } = self;
        sse.feed(bytes, &mut |event| handler.on_event(event, sink))?;
        handler.after_chunk(sse)
    }

    fn finish(&mut self, _sink: &mut dyn TextSink) -> CoreResult<AssistantTurn> {
        let result = self.handler.finish(&mut self.sse);
        self.sse.finish();
        result
    }

    fn partial(&mut self) -> AssistantTurn {
        self.handler.partial()
    }
}

fn too_big() -> CoreError {
    CoreError::new(ErrorCode::StreamProtocol, format!("a server-sent event exceeded {MAX_EVENT_BYTES} bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(chunks: &[&[u8]]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut d = SseDecoder::new();
        let mut f = |e: SseEvent<'_>| {
            out.push((e.name.to_string(), e.data.to_string()));
            Ok(())
        };
        for c in chunks {
            d.feed(c, &mut f).unwrap();
        }
        d.finish();
        out
    }

    #[test]
    fn framing_variants() {
        let body = b"\xEF\xBB\xBF: comment\r\nevent: a\r\ndata: 1\r\n\r\nevent:b\rdata:2\rdata: 3\r\rid: 9\nretry: 5\ndata\n\nevent: empty\n\n";
        let expected = vec![
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2\n3".to_string()),
            (String::new(), String::new()),
        ];
        assert_eq!(collect(&[body]), expected);
        // Every split point and byte-at-a-time give the same events.
        for cut in 0..=body.len() {
            let (a, b) = body.split_at(cut);
            assert_eq!(collect(&[a, b]), expected, "cut at {cut}");
        }
        let bytes: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(collect(&bytes), expected);
    }

    #[test]
    fn utf8_split_inside_a_character_is_not_garbled() {
        let body = "data: 18 °C ☀️ — ok\n\n".as_bytes();
        for cut in 0..=body.len() {
            let (a, b) = body.split_at(cut);
            assert_eq!(collect(&[a, b])[0].1, "18 °C ☀️ — ok");
        }
    }

    #[test]
    fn unterminated_last_event_is_discarded() {
        assert_eq!(collect(&[b"data: x\n"]), vec![]);
        assert_eq!(collect(&[b"data: x\n\ndata: y"]), vec![(String::new(), "x".to_string())]);
    }

    #[test]
    fn stray_lines_are_kept_for_providers_that_need_them() {
        let mut d = SseDecoder::new();
        let mut seen = 0;
        let body = b"data: {\"a\":1}\r\n\r\n{\"error\": {\"code\": 503,\r\n\"status\": \"UNAVAILABLE\"}}\r\n";
        d.feed(body, &mut |_| {
            seen += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, 1);
        assert_eq!(d.take_stray().unwrap(), "{\"error\": {\"code\": 503,\n\"status\": \"UNAVAILABLE\"}}");
        assert_eq!(d.take_stray(), None);
    }

    #[test]
    fn oversized_events_are_refused() {
        let mut d = SseDecoder::new();
        let big = vec![b'x'; MAX_EVENT_BYTES + 1];
        let err = d.feed(&big, &mut |_| Ok(())).unwrap_err();
        assert_eq!(err.code, "STREAM_PROTOCOL");
    }
}
