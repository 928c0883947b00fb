//! A compact JSON Schema validator for structured output.
//!
//! Checks the keywords structured-output schemas use: `type`, `properties`,
//! `required`, `additionalProperties`, `items` (schema or tuple) with
//! `additionalItems`, `prefixItems`, `enum`, `const`, `anyOf`, `oneOf`,
//! `allOf`, `not`, `minimum`/`maximum` with both `exclusive*` styles,
//! `minLength`/`maxLength`, `minItems`/`maxItems`,
//! `minProperties`/`maxProperties`, `uniqueItems`, and local `$ref`
//! (`#/...`, into `$defs`/`definitions`). Other keywords (`pattern`,
//! `format`, `multipleOf`...) are not checked. The crates.io validators
//! weigh hundreds of KB of wasm (regex, serde_json, url); this is a few KB.
//! Tested against the official JSON-Schema-Test-Suite cases for these
//! keywords (`schema/tests.rs`).

mod check;
mod decimal;

pub use check::check;

use decimal::Decimal;

use crate::json::{Json, quote};
use crate::text::replace;

/// One place where the instance does not match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// JSON Pointer to the offending value ("" is the whole document).
    pub path: String,
    pub message: String,
}

/// Stop collecting after this many violations (a hostile instance could
/// otherwise produce one per array element).
const MAX_VIOLATIONS: usize = 50;
/// `$ref` chains and nesting deeper than this are treated as cycles.
const MAX_DEPTH: usize = 64;

/// Every violation of `schema` by `instance` (empty when it conforms).
pub fn validate(schema: &Json<'_>, instance: &Json<'_>) -> Vec<Violation> {
    let mut v = Validator { root: schema, out: Vec::new() };
    v.check(schema, instance, &mut String::new(), 0);
    v.out
}

struct Validator<'s, 'a> {
    root: &'s Json<'a>,
    out: Vec<Violation>,
}

impl<'s, 'a> Validator<'s, 'a> {
    fn report(&mut self, path: &str, message: String) {
        if self.out.len() < MAX_VIOLATIONS {
            self.out.push(Violation { path: path.to_string(), message });
        }
    }

    /// Does `instance` conform? (Runs a check on the side, for anyOf & co.)
    fn conforms(&self, schema: &Json<'_>, instance: &Json<'_>, depth: usize) -> bool {
        let mut trial = Validator { root: self.root, out: Vec::new() };
        trial.check(schema, instance, &mut String::new(), depth);
        trial.out.is_empty()
    }

    fn check(&mut self, schema: &Json<'_>, instance: &Json<'_>, path: &mut String, depth: usize) {
        if depth > MAX_DEPTH {
            self.report(path, "the schema nests or refers to itself too deeply".to_string());
            return;
        }
        let schema = match schema {
            Json::Bool(true) => return,
            Json::Bool(false) => return self.report(path, "no value is allowed here".to_string()),
            Json::Obj(_) => schema,
            _ => return,
        };
        if let Some(Json::Str(reference)) = schema.get("$ref") {
            match resolve(self.root, reference) {
                Some(target) => self.check(target, instance, path, depth + 1),
                None => self.report(path, format!("cannot resolve $ref {}", quote(reference))),
            }
            return; // draft 4-7: $ref overrides its siblings
        }
        self.check_type(schema, instance, path);
        self.check_values(schema, instance, path);
        self.check_combinators(schema, instance, path, depth);
        match instance {
            Json::Obj(_) => self.check_object(schema, instance, path, depth),
            Json::Arr(items) => self.check_array(schema, items, path, depth),
            Json::Str(s) => self.check_string(schema, s, path),
            Json::Num(n) => self.check_number(schema, n, path),
            Json::Null | Json::Bool(_) => {}
        }
    }

    fn check_type(&mut self, schema: &Json<'_>, instance: &Json<'_>, path: &str) {
        let matches = |name: &str| match name {
            "null" => instance.is_null(),
            "boolean" => matches!(instance, Json::Bool(_)),
            "string" => matches!(instance, Json::Str(_)),
            "array" => matches!(instance, Json::Arr(_)),
            "object" => matches!(instance, Json::Obj(_)),
            "number" => matches!(instance, Json::Num(_)),
            "integer" => matches!(instance, Json::Num(n) if Decimal::parse(n).is_some_and(|d| d.is_integer())),
            _ => true, // unknown type names constrain nothing
        };
        let ok = match schema.get("type") {
            Some(Json::Str(name)) => matches(name),
            Some(Json::Arr(names)) => names.iter().any(|n| n.as_str().is_some_and(matches)),
            _ => true,
        };
        if !ok {
            let expected = schema.get("type").map(Json::to_text).unwrap_or_default();
            self.report(path, format!("expected type {expected}, got {}", instance.kind()));
        }
    }

    fn check_values(&mut self, schema: &Json<'_>, instance: &Json<'_>, path: &str) {
        if let Some(options @ Json::Arr(items)) = schema.get("enum")
            && !items.iter().any(|o| json_equal(o, instance))
        {
            self.report(path, format!("must be one of {}", truncated(&options.to_text())));
        }
        if let Some(expected) = schema.get("const")
            && !json_equal(expected, instance)
        {
            self.report(path, format!("must equal {}", truncated(&expected.to_text())));
        }
    }

    fn check_combinators(&mut self, schema: &Json<'_>, instance: &Json<'_>, path: &mut String, depth: usize) {
        if let Some(Json::Arr(all)) = schema.get("allOf") {
            for sub in all {
                self.check(sub, instance, path, depth + 1);
            }
        }
        if let Some(Json::Arr(any)) = schema.get("anyOf")
            && !any.iter().any(|sub| self.conforms(sub, instance, depth + 1))
        {
            self.report(path, "matches none of the anyOf alternatives".to_string());
        }
        if let Some(Json::Arr(one)) = schema.get("oneOf") {
            let mut matching = 0;
            for sub in one {
                matching += usize::from(self.conforms(sub, instance, depth + 1));
            }
            if matching != 1 {
                self.report(path, format!("must match exactly one oneOf alternative, matches {matching}"));
            }
        }
        if let Some(not) = schema.get("not")
            && self.conforms(not, instance, depth + 1)
        {
            self.report(path, "must not match the \"not\" schema".to_string());
        }
    }

    fn check_object(&mut self, schema: &Json<'_>, instance: &Json<'_>, path: &mut String, depth: usize) {
        let members = instance.as_object().unwrap_or_default();
        if let Some(Json::Arr(required)) = schema.get("required") {
            for name in required {
                if let Some(name) = name.as_str()
                    && instance.get(name).is_none()
                {
                    self.report(path, format!("missing required property {}", quote(name)));
                }
            }
        }
        self.check_count(schema, members.len(), "minProperties", "maxProperties", "properties", path);
        let properties = schema.get("properties");
        let additional = schema.get("additionalProperties");
        // With patternProperties (not checked here) "additional" is unknowable.
        let judge_additional = schema.get("patternProperties").is_none();
        for (name, value) in members {
            let declared = properties.and_then(|p| p.get(name));
            let rule = match (declared, additional) {
                (Some(sub), _) => Some(sub),
                (None, Some(extra)) if judge_additional => Some(extra),
                _ => None,
            };
            if let Some(sub) = rule {
                let mark = push_path(path, name);
                if matches!(sub, Json::Bool(false)) && declared.is_none() {
                    self.report(path, format!("property {} is not allowed", quote(name)));
                } else {
                    self.check(sub, value, path, depth + 1);
                }
                path.truncate(mark);
            }
        }
    }

    fn check_array(&mut self, schema: &Json<'_>, items: &[Json<'_>], path: &mut String, depth: usize) {
        self.check_count(schema, items.len(), "minItems", "maxItems", "items", path);
        let (tuple, rest) = match (schema.get("prefixItems"), schema.get("items")) {
            (Some(Json::Arr(prefix)), rest) => (prefix.as_slice(), rest),
            (_, Some(Json::Arr(tuple))) => (tuple.as_slice(), schema.get("additionalItems")),
            (_, rest) => (&[][..], rest),
        };
        for (i, item) in items.iter().enumerate() {
            let rule = tuple.get(i).or(if i >= tuple.len() { rest } else { None });
            if let Some(sub) = rule {
                let mark = push_path(path, &i.to_string());
                self.check(sub, item, path, depth + 1);
                path.truncate(mark);
            }
        }
        if schema.get("uniqueItems") == Some(&Json::Bool(true)) {
            let mut duplicate = false;
            for (i, a) in items.iter().enumerate() {
                if items.get(i + 1..).unwrap_or_default().iter().any(|b| json_equal(a, b)) {
                    duplicate = true;
                    break;
                }
            }
            if duplicate {
                self.report(path, "items must be unique".to_string());
            }
        }
    }

    fn check_string(&mut self, schema: &Json<'_>, s: &str, path: &str) {
        self.check_count(schema, s.chars().count(), "minLength", "maxLength", "characters", path);
    }

    /// `min*`/`max*` count keywords.
    fn check_count(&mut self, schema: &Json<'_>, count: usize, min: &str, max: &str, what: &str, path: &str) {
        let bound = |key: &str| schema.get(key).and_then(Json::as_u64);
        if let Some(low) = bound(min)
            && (count as u64) < low
        {
            self.report(path, format!("has {count} {what}, fewer than {min} {low}"));
        }
        if let Some(high) = bound(max)
            && (count as u64) > high
        {
            self.report(path, format!("has {count} {what}, more than {max} {high}"));
        }
    }

    fn check_number(&mut self, schema: &Json<'_>, text: &str, path: &str) {
        let Some(value) = Decimal::parse(text) else { return };
        let bound = |key: &str| match schema.get(key) {
            Some(Json::Num(n)) => Decimal::parse(n),
            _ => None,
        };
        // Draft 4 writes exclusivity as a boolean beside the bound; later
        // drafts make exclusiveMinimum/Maximum numbers of their own.
        let flag = |key: &str| schema.get(key) == Some(&Json::Bool(true));
        if let Some(min) = bound("minimum") {
            let exclusive = flag("exclusiveMinimum");
            if value < min || (exclusive && value == min) {
                self.report(path, format!("{text} is below the minimum {}", schema_num(schema, "minimum")));
            }
        }
        if let Some(max) = bound("maximum") {
            let exclusive = flag("exclusiveMaximum");
            if value > max || (exclusive && value == max) {
                self.report(path, format!("{text} is above the maximum {}", schema_num(schema, "maximum")));
            }
        }
        if let Some(min) = bound("exclusiveMinimum")
            && value <= min
        {
            self.report(path, format!("{text} must be greater than {}", schema_num(schema, "exclusiveMinimum")));
        }
        if let Some(max) = bound("exclusiveMaximum")
            && value >= max
        {
            self.report(path, format!("{text} must be less than {}", schema_num(schema, "exclusiveMaximum")));
        }
    }
}

fn schema_num(schema: &Json<'_>, key: &str) -> String {
    schema.get(key).map(Json::to_text).unwrap_or_default()
}

fn truncated(text: &str) -> String {
    match text.char_indices().nth(120) {
        Some((at, _)) => format!("{}...", text.get(..at).unwrap_or(text)),
        None => text.to_string(),
    }
}

/// Append a JSON Pointer segment; returns the length to truncate back to.
fn push_path(path: &mut String, segment: &str) -> usize {
    let mark = path.len();
    path.push('/');
    for c in segment.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
    mark
}

/// A local reference `#`, `#/$defs/x`, `#/definitions/a~1b`...
fn resolve<'s, 'a>(root: &'s Json<'a>, reference: &str) -> Option<&'s Json<'a>> {
    let pointer = reference.strip_prefix('#')?;
    let mut node = root;
    for raw in pointer.split('/').skip(1) {
        let segment = replace(&replace(&percent_decode(raw), "~1", "/"), "~0", "~");
        node = match node {
            Json::Obj(_) => node.get(&segment)?,
            // Through the u64 parser the core links anyway.
            Json::Arr(items) => items.get(usize::try_from(segment.parse::<u64>().ok()?).ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// `%25` → `%` etc. in a URI fragment (the test suite uses it).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match (b, bytes.get(i + 1..i + 3).and_then(hex_byte)) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    crate::text::lossy(&out).into_owned()
}

/// Two hex digits as a byte, read as `u8::from_str_radix(_, 16)` would
/// (which also takes `+` and one digit), without linking it.
fn hex_byte(pair: &[u8]) -> Option<u8> {
    let digit = |b: u8| char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok());
    match *pair {
        [b'+', low] => digit(low),
        [high, low] => Some(digit(high)? * 16 + digit(low)?),
        _ => None,
    }
}

/// JSON equality: numbers by value (1 == 1.0), objects regardless of order.
pub fn json_equal(a: &Json<'_>, b: &Json<'_>) -> bool {
    match (a, b) {
        (Json::Null, Json::Null) => true,
        (Json::Bool(x), Json::Bool(y)) => x == y,
        (Json::Str(x), Json::Str(y)) => x == y,
        (Json::Num(x), Json::Num(y)) => Decimal::parse(x).is_some() && Decimal::parse(x) == Decimal::parse(y),
        (Json::Arr(x), Json::Arr(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q)),
        (Json::Obj(x), Json::Obj(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| b.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
