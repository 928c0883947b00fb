//! The fast path reads every stream as the general path does.

use crate::provider::StreamParser;
use crate::provider::gemini::stream;
use crate::test_support::{Collected, Gen, Style, fixture, same_as_general};

fn parser() -> Box<dyn StreamParser> {
    Box::new(stream("call_g_"))
}

fn general() -> Box<dyn StreamParser> {
    let mut stream = stream("call_g_");
    stream.handler.fast.off = true;
    Box::new(stream)
}

/// One chunk in `style`: mostly text with running usage, sometimes what
/// else a stream carries (thoughts, calls, more parts or candidates, a
/// block reason, a finish reason, odd values). Some servers do one of
/// those on every chunk (`style.order` picks which).
fn chunk(g: &mut Gen, style: &Style, n: u64) -> String {
    let inner = Style { extra: Vec::new(), ..style.clone() };
    let every = |mode| style.order % 16 == mode;
    let (text, other) = (g.text(), g.text());
    let mut part = vec![("text", g.string(&text, style))];
    match g.below(40) {
        _ if every(1) => part.push(("thought", "true".into())),
        _ if every(2) => part = vec![("functionCall", r#"{"name":"f","args":{"a":1}}"#.into())],
        0 => part.push(("thought", "true".into())),
        1 => part.push(("thoughtSignature", g.string("c2ln", style))),
        2 => part = vec![("text", "null".into())],
        3 => part.push(("thought", "false".into())),
        4 => part.push(("text", g.string(&other, style))),
        _ => {}
    }
    let part = g.object(&part, &inner);
    let parts = match g.below(40) {
        _ if every(3) => format!("[{part},{part}]"),
        0 => format!("[{part},{{\"text\":{}}}]", g.string(&other, style)),
        1 => "[]".to_string(),
        _ => format!("[{part}]"),
    };
    let content = g.object(&[("parts", parts), ("role", "\"model\"".into())], &inner);
    let mut candidate = vec![("content", content), ("index", "0".into())];
    if g.one_in(30) {
        let reason = g.pick(&["STOP", "MAX_TOKENS", "SAFETY"]);
        candidate.push(("finishReason", g.string(reason, style)));
    }
    let candidate = g.object(&candidate, &inner);
    let second = format!(r#"{{"content":{{"parts":[{{"text":{}}}]}}}}"#, g.string(&other, style));
    let candidates =
        if every(4) || g.one_in(60) { format!("[{candidate},{second}]") } else { format!("[{candidate}]") };
    let counts = [("promptTokenCount", 1864), ("candidatesTokenCount", n), ("totalTokenCount", 1984 + n)];
    let mut usage: Vec<(&str, String)> = counts.iter().map(|(k, v)| (*k, v.to_string())).collect();
    usage.push(("promptTokensDetails", r#"[{"modality":"TEXT","tokenCount":1864}]"#.into()));
    if style.order.is_multiple_of(3) {
        usage.push(("cachedContentTokenCount", (n / 7).to_string()));
        usage.push(("thoughtsTokenCount", "120".into()));
    }
    let mut top = vec![("candidates", candidates)];
    if !every(5) && !g.one_in(80) {
        top.push(("usageMetadata", g.object(&usage, &inner)));
    }
    match g.below(100) {
        _ if every(6) => top.push(("promptFeedback", r#"{"blockReason":"OTHER"}"#.into())),
        0..10 if every(7) => top.push(("promptFeedback", r#"{"blockReason":"SAFETY"}"#.into())),
        _ if every(7) => top.push(("promptFeedback", r#"{"blockReason":0}"#.into())),
        0 => top.push(("promptFeedback", r#"{"blockReason":"SAFETY"}"#.into())),
        1 => top.push(("error", r#"{"code":503,"message":"busy","status":"UNAVAILABLE"}"#.into())),
        _ => {}
    }
    top.extend([
        ("modelVersion", "\"gemini-2.5-flash\"".into()),
        ("responseId", g.string("q3vCaJ2bA8iNnvgPk8Sl0Qc", style)),
    ]);
    g.object(&top, style)
}

fn generated_stream(g: &mut Gen) -> Vec<u8> {
    let mut out = String::new();
    let mut n = 0;
    for _ in 0..1 + g.below(4) {
        let style = g.style();
        let line_end = if g.one_in(2) { "\r\n" } else { "\n" };
        for _ in 0..g.below(40) {
            n += 1 + g.below(3);
            out.push_str(&format!("data: {}{line_end}{line_end}", chunk(g, &style, n)));
        }
    }
    if g.one_in(2) {
        out.push_str(
            r#"data: {"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP"}]}"#,
        );
        out.push_str("\n\n");
    }
    out.into_bytes()
}

#[test]
fn the_fast_path_reads_every_stream_as_the_general_one() {
    let mut g = Gen::new(b"gemini fast path");
    let (mut deltas, mut fast) = (0, 0);
    for _ in 0..400 {
        let body = generated_stream(&mut g);
        deltas += same_as_general(&parser, &general, &body, &mut g).len();
        let mut stream = stream("call_g_");
        let _ = stream.feed(&body, &mut Collected::default());
        fast += stream.handler.shape.reads.get();
    }
    assert!(fast * 4 > deltas && deltas > 5000, "{fast} of {deltas}");
}

#[test]
fn the_fast_path_reads_the_fixtures_however_cut() {
    for name in ["a-text", "b-tool-call"] {
        let body = fixture(&format!("gemini/{name}.sse"));
        let mut g = Gen::new(name.as_bytes());
        for _ in 0..200 {
            same_as_general(&parser, &general, &body, &mut g);
        }
    }
}
