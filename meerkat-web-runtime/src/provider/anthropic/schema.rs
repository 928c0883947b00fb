//! The output schema as Claude's structured outputs take it.
//!
//! Its grammar cannot enforce everything JSON Schema can, and a schema
//! that asks for more is refused with a 400: objects must be closed
//! (`additionalProperties: false`), and numeric bounds, string lengths,
//! counts beyond `minItems` 0 or 1, and `oneOf` are not taken. As
//! Anthropic's own SDKs do, the schema goes with every object of declared
//! `properties` closed,
//! `oneOf` as `anyOf`, and the other constraints moved into the node's
//! `description`, where the model still reads them. The answer is checked
//! against the caller's own schema all the same (`schemaWarnings`).

use crate::json::{Json, ObjectWriter, write_array};

/// Constraints the grammar cannot enforce (`minItems` too, above 1).
const TOLD: [&str; 11] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// Write `node` (a schema) as Claude's structured outputs accept it.
pub fn write_strict(node: &Json<'_>, out: &mut String) {
    let Some(fields) = node.as_object() else { return node.write(out) };
    // Objects with a shape. A free-form `{"type":"object"}` (a JSON flow
    // step's default) closed would only allow `{}`: it goes as it came.
    let closed = node.get("properties").is_some();
    let mut told = String::new();
    let mut o = ObjectWriter::new(out);
    for (key, value) in fields {
        let key = key.as_ref();
        let over_one = key == "minItems" && value.as_u64().is_none_or(|n| n > 1);
        if TOLD.contains(&key) || over_one {
            told.push_str(if told.is_empty() { "(" } else { ", " });
            told.push_str(key);
            told.push_str(": ");
            value.write(&mut told);
            continue;
        }
        match key {
            "description" => {}
            "additionalProperties" if closed => {}
            "properties" | "$defs" | "definitions" => {
                let mut map = ObjectWriter::new(o.key(key));
                for (name, schema) in value.as_object().unwrap_or_default() {
                    write_strict(schema, map.key(name));
                }
                map.end();
            }
            "items" | "not" | "additionalProperties" | "anyOf" | "allOf" | "oneOf" | "prefixItems" => {
                let key = if key == "oneOf" { "anyOf" } else { key };
                match value.as_array() {
                    Some(list) => write_array(o.key(key), list, write_strict),
                    None => write_strict(value, o.key(key)),
                }
            }
            _ => {
                o.json(key, value);
            }
        }
    }
    if closed {
        o.raw("additionalProperties", "false");
    }
    let mut description = node.get("description").and_then(Json::as_str).unwrap_or_default().to_string();
    if !told.is_empty() {
        told.push(')');
        description.push_str(if description.is_empty() { "" } else { " " });
        description.push_str(&told);
    }
    if !description.is_empty() {
        o.str("description", &description);
    }
    o.end();
}
