use super::*;

fn roundtrip(text: &str) -> String {
    parse(text).unwrap().to_text()
}

#[test]
fn accepts_valid_json_and_writes_it_compactly() {
    assert_eq!(
        roundtrip(" { \"a\" : [1, -2.5e+3, true, false, null, \"x\"] } "),
        r#"{"a":[1,-2.5e+3,true,false,null,"x"]}"#
    );
    assert_eq!(roundtrip("[]"), "[]");
    assert_eq!(roundtrip("{}"), "{}");
    assert_eq!(roundtrip("0"), "0");
    assert_eq!(roundtrip("-0.0E-7"), "-0.0E-7");
    assert_eq!(roundtrip(r#""\u00e9\ud83d\ude00\n\"\\\/""#), "\"é😀\\n\\\"\\\\/\"");
}

#[test]
fn rejects_what_the_json_grammar_rejects() {
    for bad in [
        "",
        " ",
        "{",
        "}",
        "[1,]",
        "[,1]",
        "{\"a\":}",
        "{\"a\" 1}",
        "{a:1}",
        "{\"a\":1,}",
        "01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "1e+",
        "0x10",
        "NaN",
        "Infinity",
        "tru",
        "nul",
        "\"abc",
        "\"\\x\"",
        "\"\\u12\"",
        "\"a\u{1}b\"",
        "[1] 2",
        "'a'",
        "[\"a\"\"b\"]",
        "\u{feff}1",
    ] {
        assert!(parse(bad).is_err(), "accepted {bad:?}");
    }
}

#[test]
fn nesting_is_bounded() {
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(parse(&ok).is_ok());
    let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    assert_eq!(parse(&deep).unwrap_err().what, "JSON nested too deeply");
    let hostile = "[{\"a\":".repeat(100_000);
    assert!(parse(&hostile).is_err());
}

#[test]
fn strings_borrow_unless_escaped() {
    let v = parse(r#"{"plain":"abc","escaped":"a\nb"}"#).unwrap();
    assert!(matches!(v.get("plain"), Some(Json::Str(Cow::Borrowed("abc")))));
    assert!(matches!(v.get("escaped"), Some(Json::Str(Cow::Owned(s))) if s == "a\nb"));
}

#[test]
fn lone_surrogates_become_replacement_characters() {
    assert_eq!(parse(r#""\ud800""#).unwrap().as_str(), Some("\u{FFFD}"));
    assert_eq!(parse(r#""\udc00x""#).unwrap().as_str(), Some("\u{FFFD}x"));
    assert_eq!(parse(r#""\ud800\u0041""#).unwrap().as_str(), Some("\u{FFFD}A"));
}

#[test]
fn accessors() {
    let v = parse(r#"{"n":42,"f":0.5,"neg":-1,"big":18446744073709551616,"s":"x","b":true,"a":[1],"n":43}"#).unwrap();
    assert_eq!(v.get("n").and_then(Json::as_u64), Some(43), "last duplicate wins");
    assert_eq!(v.get("f").and_then(Json::as_u64), None);
    assert_eq!(v.get("neg").and_then(Json::as_u64), None);
    assert_eq!(v.get("big").and_then(Json::as_u64), None);
    assert_eq!(v.get("s").and_then(Json::as_str), Some("x"));
    assert_eq!(v.get("b").and_then(Json::as_bool), Some(true));
    assert_eq!(v.get("a").and_then(Json::as_array).map(<[_]>::len), Some(1));
    assert_eq!(v.get("missing"), None);
    assert_eq!(Json::Null.kind(), "null");
}

#[test]
fn writer_escapes_like_serde_json() {
    let samples = ["", "plain", "quote\" back\\slash", "ctl\u{0}\u{1f}\u{7f}", "tab\tnl\ncr\r", "é ☀️ 😀", "</script>"];
    for s in samples {
        let mut ours = String::new();
        write_str(s, &mut ours);
        assert_eq!(ours, serde_json::to_string(s).unwrap());
        assert_eq!(parse(&ours).unwrap().as_str(), Some(s));
    }
    // Every escaped byte at every offset around the eight-byte steps, in
    // text with multi-byte characters (whose bytes are all >= 0x80).
    for special in ['"', '\\', '\n', '\u{0}', '\u{1f}', '\u{7f}', ' ', 'é', '😀'] {
        for at in 0..20 {
            let s: String =
                "abcdefgé".chars().cycle().take(at).chain([special]).chain("xyz0123456789".chars()).collect();
            let mut ours = String::new();
            write_str(&s, &mut ours);
            assert_eq!(ours, serde_json::to_string(&s).unwrap(), "{s:?}");
        }
    }
    let mut out = String::new();
    for n in [0, 7, 10, 12345, u64::MAX] {
        out.clear();
        write_u64(n, &mut out);
        assert_eq!(out, n.to_string());
    }
}

#[test]
fn object_writer() {
    let mut out = String::new();
    let mut o = ObjectWriter::new(&mut out);
    o.str("type", "x").u64("n", 3).bool("ok", false).opt_str("none", None).raw("args", "{\"a\":1}");
    o.end();
    assert_eq!(out, r#"{"type":"x","n":3,"ok":false,"args":{"a":1}}"#);
    let mut arr = String::new();
    write_array(&mut arr, [1u64, 2], write_u64);
    assert_eq!(arr, "[1,2]");
}

#[test]
fn agrees_with_serde_json_on_random_input() {
    let mut rng = crate::ids::Rng::from_entropy(b"json");
    let alphabet = br#"{}[]",:0123456789.-+eEtrufalsn \u\\"#;
    for _ in 0..20_000 {
        let len = (rng.next_u64() % 24) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| alphabet[(rng.next_u64() % alphabet.len() as u64) as usize]).collect();
        let text = String::from_utf8(bytes).unwrap();
        let ours = parse(&text);
        let theirs = serde_json::from_str::<serde_json::Value>(&text);
        assert_eq!(ours.is_ok(), theirs.is_ok(), "disagree on {text:?}: {ours:?}");
        if let (Ok(a), Ok(b)) = (ours, theirs) {
            let back: serde_json::Value = serde_json::from_str(&a.to_text()).unwrap();
            assert_eq!(back, b, "{text:?}");
        }
    }
}

#[test]
fn decimals_scale_without_float_parsing() {
    assert_eq!(decimal_scaled("17", 1000), Some(17_000));
    assert_eq!(decimal_scaled("1.5", 1000), Some(1_500));
    assert_eq!(decimal_scaled("0.7", 1000), Some(700));
    assert_eq!(decimal_scaled("0.12345", 1000), Some(123));
    assert_eq!(decimal_scaled("250", 1), Some(250));
    for bad in ["", ".", "1.", ".5", "-1", "1e3", "abc", "1.2.3", "99999999999999999999"] {
        assert_eq!(decimal_scaled(bad, 1000), None, "{bad}");
    }
}
