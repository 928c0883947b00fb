//! The TOML a mobpack needs, read by hand: the `toml` crate costs the wasm
//! +55 KB gzip for a grammar three small files do not use.
//!
//! Understood: comments, `[table]` headers, bare and quoted keys, basic
//! strings (with escapes) and literal strings, decimal integers, booleans,
//! and arrays of those (spread over lines if need be). Everything else
//! (dotted keys, inline tables, arrays of tables, floats, dates,
//! multi-line strings, hex/octal/binary integers) is a parse error that
//! names its line, never a silent misreading.

use crate::json::quote;

/// A value of the subset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    Arr(Vec<Value>),
}

impl Value {
    /// The TOML type name, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Bool(_) => "a boolean",
            Value::Arr(_) => "an array",
        }
    }
}

/// One table: its name (`""` for the keys before any header) and its
/// keys in source order, each with the line it was set on.
#[derive(Debug, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub line: usize,
    pub entries: Vec<(String, Value)>,
}

/// A parse failure at a 1-based line.
#[derive(Debug, PartialEq, Eq)]
pub struct TomlError {
    pub line: usize,
    pub what: String,
}

/// Arrays nest at most this deep (a stack guard for hostile input).
const MAX_DEPTH: usize = 32;

/// The tables of `text`, the root table (`""`) first and always present.
pub fn parse(text: &str) -> Result<Vec<Table>, TomlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser { bytes: text.as_bytes(), at: 0, line: 1 };
    let mut tables = vec![Table { name: String::new(), line: 1, entries: Vec::new() }];
    loop {
        p.blank()?;
        let Some(b) = p.peek() else { return Ok(tables) };
        let line = p.line;
        if b == b'[' {
            p.at += 1;
            if p.peek() == Some(b'[') {
                return Err(p.error("arrays of tables ([[...]]) are not supported"));
            }
            p.spaces();
            let name = p.key()?;
            p.spaces();
            if p.peek() != Some(b']') {
                return Err(p.error("expected ] to close the table header (dotted table names are not supported)"));
            }
            p.at += 1;
            p.end_of_line()?;
            if tables.iter().any(|t| t.name == name) {
                return Err(p.error_at(line, format!("table [{name}] is defined twice")));
            }
            tables.push(Table { name, line, entries: Vec::new() });
        } else {
            let key = p.key()?;
            p.spaces();
            match p.peek() {
                Some(b'=') => p.at += 1,
                Some(b'.') => return Err(p.error("dotted keys are not supported")),
                _ => return Err(p.error(format!("expected = after the key {}", quote(&key)))),
            }
            p.spaces();
            let value = p.value(0)?;
            p.end_of_line()?;
            let Some(table) = tables.last_mut() else { return Ok(tables) };
            if table.entries.iter().any(|(k, _)| *k == key) {
                return Err(p.error_at(line, format!("the key {} is set twice", quote(&key))));
            }
            table.entries.push((key, value));
        }
    }
}

struct Parser<'t> {
    bytes: &'t [u8],
    at: usize,
    line: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn error(&self, what: impl Into<String>) -> TomlError {
        self.error_at(self.line, what.into())
    }

    fn error_at(&self, line: usize, what: String) -> TomlError {
        TomlError { line, what }
    }

    /// Spaces and tabs.
    fn spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// A comment to the end of its line (the newline is left). Control
    /// characters other than tab are refused, as TOML does.
    fn comment(&mut self) -> Result<(), TomlError> {
        if self.peek() != Some(b'#') {
            return Ok(());
        }
        while let Some(b) = self.peek() {
            if b == b'\n' || b == b'\r' {
                break;
            }
            if b < 0x20 && b != b'\t' || b == 0x7f {
                return Err(self.error("a control character in a comment"));
            }
            self.at += 1;
        }
        Ok(())
    }

    /// A line break (`\n` or `\r\n`), if one is next.
    fn newline(&mut self) -> Result<bool, TomlError> {
        match self.peek() {
            Some(b'\n') => self.at += 1,
            Some(b'\r') if self.bytes.get(self.at + 1) == Some(&b'\n') => self.at += 2,
            Some(b'\r') => return Err(self.error("a carriage return without a line feed")),
            _ => return Ok(false),
        }
        self.line += 1;
        Ok(true)
    }

    /// Blank lines, comment lines, and inside an array any mix of spaces,
    /// comments and line breaks.
    fn blank(&mut self) -> Result<(), TomlError> {
        loop {
            self.spaces();
            self.comment()?;
            if !self.newline()? {
                return Ok(());
            }
        }
    }

    /// What may follow a header or a value: spaces, a comment, then a
    /// line break or the end of the text.
    fn end_of_line(&mut self) -> Result<(), TomlError> {
        self.spaces();
        self.comment()?;
        if self.peek().is_none() || self.newline()? {
            return Ok(());
        }
        Err(self.error("expected the end of the line after the value"))
    }

    /// A bare key (`A-Za-z0-9_-`) or a quoted one.
    fn key(&mut self) -> Result<String, TomlError> {
        match self.peek() {
            Some(b'"') => self.basic_string(),
            Some(b'\'') => self.literal_string(),
            _ => {
                let start = self.at;
                while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
                    self.at += 1;
                }
                let key = self.bytes.get(start..self.at).unwrap_or_default();
                if key.is_empty() {
                    return Err(self.error("expected a key (letters, digits, '_', '-', or a quoted string)"));
                }
                Ok(String::from_utf8(key.to_vec()).unwrap_or_default())
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, TomlError> {
        match self.peek() {
            Some(b'"') => self.basic_string().map(Value::Str),
            Some(b'\'') => self.literal_string().map(Value::Str),
            Some(b'[') => self.array(depth),
            Some(b'{') => Err(self.error("inline tables ({...}) are not supported")),
            Some(b't' | b'f') => self.boolean(),
            Some(b'+' | b'-' | b'0'..=b'9') => self.integer(),
            None => Err(self.error("expected a value, found the end of the file")),
            Some(_) => Err(self.error("expected a value: a string, an integer, true, false or an array")),
        }
    }

    fn boolean(&mut self) -> Result<Value, TomlError> {
        for (word, value) in [(&b"true"[..], true), (&b"false"[..], false)] {
            let end = self.at + word.len();
            if self.bytes.get(self.at..end) == Some(word)
                && !self.bytes.get(end).is_some_and(|b| b.is_ascii_alphanumeric())
            {
                self.at = end;
                return Ok(Value::Bool(value));
            }
        }
        Err(self.error("expected a value: a string, an integer, true, false or an array"))
    }

    /// A decimal integer: optional sign, no leading zeros, `_` only between digits.
    fn integer(&mut self) -> Result<Value, TomlError> {
        let start = self.at;
        while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'_' | b'.' | b':'))
        {
            self.at += 1;
        }
        let text = self.bytes.get(start..self.at).unwrap_or_default();
        let (negative, digits) = match text.split_first() {
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            _ => (false, text),
        };
        let unsupported = |what: &str| Err(self.error(format!("{what} are not supported; use a decimal integer")));
        if digits.iter().any(|&b| matches!(b, b'.' | b'e' | b'E')) || digits == b"inf" || digits == b"nan" {
            return unsupported("floats");
        }
        if digits.iter().any(|&b| matches!(b, b'-' | b':')) {
            return unsupported("dates and times");
        }
        if digits.len() > 1 && digits.first() == Some(&b'0') {
            return match digits.get(1) {
                Some(b'x' | b'o' | b'b') => unsupported("hexadecimal, octal and binary integers"),
                _ => Err(self.error("an integer may not have leading zeros")),
            };
        }
        let mut value: i64 = 0;
        let mut last_digit = false;
        for &b in digits {
            if b == b'_' && last_digit {
                last_digit = false;
                continue;
            }
            if !b.is_ascii_digit() {
                return Err(self.error("malformed integer"));
            }
            last_digit = true;
            let digit = i64::from(b - b'0');
            value = value
                .checked_mul(10)
                .and_then(|v| if negative { v.checked_sub(digit) } else { v.checked_add(digit) })
                .ok_or_else(|| self.error("the integer does not fit in 64 bits"))?;
        }
        if !last_digit {
            return Err(self.error("malformed integer"));
        }
        Ok(Value::Int(value))
    }

    fn array(&mut self, depth: usize) -> Result<Value, TomlError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("arrays nest too deeply"));
        }
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.blank()?;
            if self.peek() == Some(b']') {
                self.at += 1;
                return Ok(Value::Arr(items));
            }
            items.push(self.value(depth + 1)?);
            self.blank()?;
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {}
                _ => return Err(self.error("expected , or ] in the array")),
            }
        }
    }

    fn literal_string(&mut self) -> Result<String, TomlError> {
        if self.bytes.get(self.at..self.at + 3) == Some(b"'''") {
            return Err(self.error("multi-line strings are not supported"));
        }
        self.at += 1;
        let start = self.at;
        loop {
            match self.peek() {
                Some(b'\'') => break,
                Some(b) if b < 0x20 && b != b'\t' || b == 0x7f => {
                    return Err(self.error("the string is not closed on its line (or holds a control character)"));
                }
                Some(_) => self.at += 1,
                None => return Err(self.error("the string is not closed")),
            }
        }
        let text = self.bytes.get(start..self.at).unwrap_or_default();
        self.at += 1;
        Ok(String::from_utf8(text.to_vec()).unwrap_or_default())
    }

    fn basic_string(&mut self) -> Result<String, TomlError> {
        if self.bytes.get(self.at..self.at + 3) == Some(b"\"\"\"") {
            return Err(self.error("multi-line strings are not supported"));
        }
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(b) = self.peek() else { return Err(self.error("the string is not closed")) };
            self.at += 1;
            match b {
                b'"' => return Ok(String::from_utf8(out).unwrap_or_default()),
                b'\\' => self.escape(&mut out)?,
                b if b < 0x20 && b != b'\t' || b == 0x7f => {
                    return Err(self.error("the string is not closed on its line (or holds a control character)"));
                }
                b => out.push(b),
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), TomlError> {
        let Some(b) = self.peek() else { return Err(self.error("the string is not closed")) };
        self.at += 1;
        let simple = match b {
            b'b' => 0x08,
            b't' => b'\t',
            b'n' => b'\n',
            b'f' => 0x0c,
            b'r' => b'\r',
            b'"' => b'"',
            b'\\' => b'\\',
            b'u' | b'U' => {
                let len = if b == b'u' { 4 } else { 8 };
                let hex = self.bytes.get(self.at..self.at + len).filter(|h| h.len() == len).unwrap_or_default();
                let code = hex.iter().try_fold(0u32, |code, &b| Some(code << 4 | char::from(b).to_digit(16)?));
                let c = code
                    .filter(|_| !hex.is_empty())
                    .and_then(char::from_u32)
                    .ok_or_else(|| self.error("malformed \\u escape"))?;
                self.at += len;
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                return Ok(());
            }
            _ => return Err(self.error("unknown escape sequence in a string")),
        };
        out.push(simple);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Vec<(String, Value)> {
        parse(text).unwrap().remove(0).entries
    }

    fn err(text: &str) -> (usize, String) {
        let e = parse(text).unwrap_err();
        (e.line, e.what)
    }

    #[test]
    fn reads_the_subset() {
        let doc = parse(
            "# top\nname = \"x\\ty \\u00e9\\U0001F600\" # c\n'quoted key' = 'C:\\raw'\n\"k\" = -12_345\n\n[mobpack]\r\nok = true\nno=false\n\
             list = [ \"a\", 'b', # note\n  1, [true],\n]\nempty = []\n[requires]\n",
        )
        .unwrap();
        assert_eq!(doc.len(), 3);
        assert_eq!(doc[0].entries[0], ("name".into(), Value::Str("x\ty é😀".into())));
        assert_eq!(doc[0].entries[1], ("quoted key".into(), Value::Str("C:\\raw".into())));
        assert_eq!(doc[0].entries[2], ("k".into(), Value::Int(-12345)));
        assert_eq!(doc[1].name, "mobpack");
        assert_eq!(doc[1].line, 6);
        assert_eq!(
            doc[1].entries[2].1,
            Value::Arr(vec![
                Value::Str("a".into()),
                Value::Str("b".into()),
                Value::Int(1),
                Value::Arr(vec![Value::Bool(true)])
            ])
        );
        assert_eq!(doc[1].entries[3].1, Value::Arr(vec![]));
        assert_eq!((doc[2].name.as_str(), doc[2].entries.len()), ("requires", 0));
        assert_eq!(
            one("n = +0\nm = 9223372036854775807\nl=-9223372036854775808"),
            vec![("n".into(), Value::Int(0)), ("m".into(), Value::Int(i64::MAX)), ("l".into(), Value::Int(i64::MIN))]
        );
        assert_eq!(one("\u{feff}a = 1"), vec![("a".into(), Value::Int(1))]);
        assert_eq!(parse("").unwrap().len(), 1);
    }

    #[test]
    fn refuses_the_rest_with_its_line() {
        let cases: &[(&str, usize, &str)] = &[
            ("a.b = 1", 1, "dotted keys"),
            ("[a.b]", 1, "dotted table"),
            ("[[a]]", 1, "arrays of tables"),
            ("x = 1\ny = {a = 1}", 2, "inline tables"),
            ("x = 1.5", 1, "floats"),
            ("x = 1e3", 1, "floats"),
            ("x = inf", 1, "expected a value"),
            ("x = 1979-05-27", 1, "dates"),
            ("x = 0x1f", 1, "hexadecimal"),
            ("x = 012", 1, "leading zeros"),
            ("x = 1__2", 1, "malformed integer"),
            ("x = 1_", 1, "malformed integer"),
            ("x = 99999999999999999999", 1, "64 bits"),
            ("x = \"\"\"long\"\"\"", 1, "multi-line"),
            ("x = '''long'''", 1, "multi-line"),
            ("x = \"open", 1, "not closed"),
            ("x = \"a\nb\"", 1, "not closed on its line"),
            ("x = \"\\q\"", 1, "unknown escape"),
            ("x = \"\\uD800\"", 1, "\\u escape"),
            ("x = 1 2", 1, "end of the line"),
            ("x = [1 2]", 1, "expected , or ]"),
            ("x = [1,", 1, "end of the file"),
            ("x = truer", 1, "expected a value"),
            ("x 1", 1, "expected ="),
            ("= 1", 1, "expected a key"),
            ("x = 1\nx = 2", 2, "set twice"),
            ("[a]\n[a]", 2, "defined twice"),
            ("[a", 1, "expected ]"),
            ("x = 1\r", 1, "carriage return"),
            ("x = 1 # bell\u{7}", 1, "control character"),
        ];
        for (text, line, what) in cases {
            let (l, w) = err(text);
            assert_eq!(l, *line, "{text:?}: {w}");
            assert!(w.contains(what), "{text:?}: {w}");
        }
        let deep = format!("x = {}{}", "[".repeat(40), "]".repeat(40));
        assert!(err(&deep).1.contains("nest"));
    }
}
