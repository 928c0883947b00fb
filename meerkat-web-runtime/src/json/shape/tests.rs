//! A shape reads only events the tree would read the same way: checked
//! against `parse` on random events and random edits of them.

use super::*;
use crate::ids::Rng;
use crate::json::parse;

const USES: &[(&[&str], Use)] =
    &[(&["a"], Use::Field(0)), (&["b", "c"], Use::Field(1)), (&["d"], Use::Checked), (&["b", "d"], Use::Checked)];
const KEYS: [&str; 6] = ["a", "b", "c", "d", "e", "x"];
const PIECES: [&str; 12] =
    ["", "hi", " said \"hi\"", "a\\b", "line\nbreak", "tab\t", "é", "☀️", "😀", "/", "\u{1}", "x"];

/// A JSON value as the tests write it (keys in order, repeats allowed).
#[derive(Clone, Debug)]
enum V {
    S(String),
    N(&'static str),
    Lit(&'static str),
    A(Vec<V>),
    O(Vec<(String, V)>),
}

fn pick<T: Copy>(rng: &mut Rng, items: &[T]) -> T {
    items[(rng.next_u64() % items.len() as u64) as usize]
}

fn scalar(rng: &mut Rng) -> V {
    match rng.next_u64() % 4 {
        0 => V::N(pick(rng, &["0", "7", "-1", "12", "123", "1.5", "-0.25e3", "1E+2"])),
        1 => V::Lit(pick(rng, &["null", "true", "false"])),
        _ => V::S(format!("{}{}", pick(rng, &PIECES), pick(rng, &PIECES))),
    }
}

fn value(rng: &mut Rng, depth: usize) -> V {
    match rng.next_u64() % 6 {
        0 if depth < 3 => {
            V::O((0..rng.next_u64() % 4).map(|_| (pick(rng, &KEYS).to_string(), value(rng, depth + 1))).collect())
        }
        1 if depth < 3 => V::A((0..rng.next_u64() % 3).map(|_| value(rng, depth + 1)).collect()),
        _ => scalar(rng),
    }
}

/// Write `v`; `style` picks the whitespace and how strings are escaped
/// (a function of the string, so an edit elsewhere keeps them).
fn write(v: &V, style: u64, out: &mut String) {
    let (colon, comma) = [(":", ","), (": ", ", "), (" : ", " ,\n  ")][(style % 3) as usize];
    match v {
        V::N(n) | V::Lit(n) => out.push_str(n),
        V::S(s) => {
            let mode = (s.len() as u64 + style / 3) % 3;
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '/' if mode == 1 => out.push_str("\\/"),
                    c if (c as u32) < 0x20 || (mode == 2 && !c.is_ascii()) => {
                        let mut units = [0u16; 2];
                        for unit in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{unit:04x}"));
                        }
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        V::A(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                write(item, style, out);
            }
            out.push(']');
        }
        V::O(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(comma);
                }
                write(&V::S(k.clone()), style, out);
                out.push_str(colon);
                write(item, style, out);
            }
            out.push('}');
        }
    }
}

fn text(v: &V, style: u64) -> String {
    let mut out = String::new();
    write(v, style, &mut out);
    out
}

/// The same value with one scalar (the `n`th, wrapping) replaced.
fn replace_scalar(v: &V, n: &mut u64, with: &V) -> V {
    match v {
        V::A(items) => V::A(items.iter().map(|i| replace_scalar(i, n, with)).collect()),
        V::O(members) => V::O(members.iter().map(|(k, i)| (k.clone(), replace_scalar(i, n, with))).collect()),
        scalar => {
            *n = n.wrapping_sub(1);
            if *n == u64::MAX { with.clone() } else { scalar.clone() }
        }
    }
}

fn use_of(path: &[&str]) -> Use {
    USES.iter().find(|(at, _)| *at == path).map_or(Use::Ignored, |(_, u)| *u)
}

/// The tree with every scalar the shape lets change set to null.
fn skeleton<'a>(tree: &Json<'a>, path: &mut Vec<String>) -> Json<'a> {
    match tree {
        Json::Obj(members) => Json::Obj(
            members
                .iter()
                .map(|(k, v)| {
                    path.push(k.to_string());
                    let v = skeleton(v, path);
                    path.pop();
                    (k.clone(), v)
                })
                .collect(),
        ),
        Json::Arr(items) => Json::Arr(items.iter().map(|i| skeleton(i, path)).collect()),
        scalar => {
            let keys: Vec<&str> = path.iter().map(String::as_str).collect();
            if use_of(&keys) == Use::Checked { scalar.clone() } else { Json::Null }
        }
    }
}

/// Every scalar at `path`, in order, as `get` finds them (the last of
/// repeated keys).
fn scalars_at<'t, 'a>(tree: &'t Json<'a>, path: &[&str], out: &mut Vec<&'t Json<'a>>) {
    match (tree, path) {
        (Json::Arr(items), _) => items.iter().for_each(|i| scalars_at(i, path, out)),
        (Json::Obj(_), [key, rest @ ..]) => {
            if let Some(v) = tree.get(key) {
                scalars_at(v, rest, out);
            }
        }
        (Json::Obj(_), []) => {}
        (scalar, []) => out.push(scalar),
        _ => {}
    }
}

/// What the tree of `data` says field `index` is: the last value at its
/// path where the learned event had a value a shape can point at.
fn expected<'a>(learned: &Json<'_>, tree: &Json<'a>, index: u8) -> Option<Json<'a>> {
    let path = USES.iter().find(|(_, u)| *u == Use::Field(index))?.0;
    let (mut before, mut now) = (Vec::new(), Vec::new());
    scalars_at(learned, path, &mut before);
    scalars_at(tree, path, &mut now);
    let spannable = |v: &Json<'_>| matches!(v, Json::Str(Cow::Borrowed(_)) | Json::Num(_));
    before.iter().zip(&now).rev().find(|(b, _)| spannable(b)).map(|(_, n)| (*n).clone())
}

/// If the shape reads `data`, the tree reads it the same way.
fn check(shape: &Shape, learned: &str, data: &str) -> bool {
    let mut fields = [None, None];
    if shape.read(data, &mut fields).is_none() {
        return false;
    }
    let before = parse(learned).unwrap();
    let tree = parse(data).unwrap_or_else(|e| panic!("read {data:?}, which does not parse: {e}"));
    assert_eq!(skeleton(&before, &mut Vec::new()), skeleton(&tree, &mut Vec::new()), "{learned:?} -> {data:?}");
    for index in 0..2 {
        assert_eq!(
            fields[usize::from(index)],
            expected(&before, &tree, index),
            "field {index}: {learned:?} -> {data:?}"
        );
    }
    true
}

#[test]
fn reads_only_what_the_tree_reads_the_same_way() {
    let mut rng = Rng::from_entropy(b"shape");
    let alphabet: Vec<char> = "0123456789-.eE+\"\\/ ,:{}[]ntrufalsbxu\n\té😀".chars().collect();
    let (mut learned_count, mut accepted, mut edits) = (0, 0, 0);
    for _ in 0..5000 {
        let members = (0..1 + rng.next_u64() % 6).map(|_| (pick(&mut rng, &KEYS).to_string(), value(&mut rng, 1)));
        let event = V::O(members.collect());
        let style = rng.next_u64() % 9;
        let learned = text(&event, style);
        let mut shape = Shape::default();
        shape.learn(&learned, &parse(&learned).unwrap(), USES);
        if shape.text.is_empty() {
            continue;
        }
        learned_count += 1;
        assert!(check(&shape, &learned, &learned), "its own event: {learned:?}");
        for _ in 0..20 {
            // One value replaced, written the same way...
            let mut n = rng.next_u64() % 16;
            let data = text(&replace_scalar(&event, &mut n, &scalar(&mut rng)), style);
            accepted += usize::from(check(&shape, &learned, &data));
            // ...or a few characters inserted, removed or replaced.
            let mut chars: Vec<char> = learned.chars().collect();
            for _ in 0..1 + rng.next_u64() % 3 {
                let at = (rng.next_u64() % (chars.len() as u64 + 1)) as usize;
                match rng.next_u64() % 3 {
                    0 => chars.insert(at, pick(&mut rng, &alphabet)),
                    1 if at < chars.len() => drop(chars.remove(at)),
                    _ if at < chars.len() => chars[at] = pick(&mut rng, &alphabet),
                    _ => {}
                }
            }
            edits += usize::from(check(&shape, &learned, &chars.into_iter().collect::<String>()));
        }
    }
    // Enough of each for the checks above to mean something.
    assert!(learned_count > 1500 && accepted > 20_000 && edits > 500, "{learned_count} {accepted} {edits}");
}

#[test]
fn what_a_shape_refuses_to_learn() {
    let learn = |text: &str| {
        let mut shape = Shape::default();
        shape.learn(text, &parse(text).unwrap(), USES);
        !shape.text.is_empty()
    };
    assert!(learn(r#"{"a":"x","b":{"c":1},"d":null,"e":[1,{"x":"y"}]}"#));
    // A repeated key: the tree keeps the last, a shape would read both.
    assert!(!learn(r#"{"b":{"c":1},"b":{"e":2}}"#));
    // A field whose text is escaped cannot be pointed at...
    assert!(!learn(r#"{"a":"x\ny"}"#));
    // ...but one that reads as absent stays as it is, and so do escaped
    // strings nobody reads.
    assert!(learn(r#"{"a":null,"e":"x\ny"}"#));
    assert!(!learn(&format!("{{{}}}", (0..30).map(|i| format!("\"k{i}\":{i}")).collect::<Vec<_>>().join(","))));
    assert!(!learn(r#"{"e":{"e":{"e":{"e":{"e":{"e":{"e":1}}}}}}}"#));
    assert!(learn(r#"[[[[[[[[1]]]]]]]]"#));
}

#[test]
fn reads_fields_and_skips_what_it_ignores() {
    let learned = r#"{"e":"pad","a":"one","n":9,"b":{"c":1,"d":true}}"#;
    let mut shape = Shape::default();
    shape.learn(learned, &parse(learned).unwrap(), USES);
    let read = |data: &str| {
        let mut fields = [None, None];
        shape.read(data, &mut fields).map(|()| fields.map(|f| f.map(|v| v.to_text())))
    };
    let both = |a: &str, c: &str| Some([Some(a.to_string()), Some(c.to_string())]);
    assert_eq!(read(learned), both("\"one\"", "1"));
    assert_eq!(
        read(r#"{"e":"longer pad","a":"two \"x\" é","n":10,"b":{"c":12,"d":true}}"#),
        both("\"two \\\"x\\\" é\"", "12")
    );
    assert_eq!(read(r#"{"e":null,"a":5,"n":"z","b":{"c":"s","d":true}}"#), both("5", "\"s\""));
    for other in [
        r#"{"e":"pad","a":"one","n":9,"b":{"c":1,"d":false}}"#,
        r#"{"e":"pad","a":"one","n":9,"b":{"c":1,"d":true},"x":1}"#,
        r#"{"e":"pad","a":"one","n":9,"b":{"c":1,"d":true}} "#,
        r#"{"e":"pad", "a":"one","n":9,"b":{"c":1,"d":true}}"#,
        r#"{"e":"pad","a":["one"],"n":9,"b":{"c":1,"d":true}}"#,
        r#"{"e":"pad","a":"one","n":09,"b":{"c":1,"d":true}}"#,
        r#"{"e":"pad","a":"one","n":9,"b":{"c":1,"d":true}"#,
        r#"{"e":"pad","a":"on"#,
        "",
    ] {
        assert_eq!(read(other), None, "{other}");
    }
}
