//! Is a schema usable by the validator? A keyword it reads with the wrong
//! shape (`"type": "banana"`, `"properties": 5`) would otherwise be
//! ignored silently: every answer would pass, or every call's arguments.

use super::MAX_DEPTH;
use crate::json::Json;

const TYPES: [&str; 7] = ["null", "boolean", "object", "array", "number", "integer", "string"];

/// The first keyword with the wrong shape, as `"<pointer>: <key> must be ..."`.
pub fn check(schema: &Json<'_>) -> Result<(), String> {
    at(schema, &mut String::new(), 0)
}

fn at(schema: &Json<'_>, path: &mut String, depth: usize) -> Result<(), String> {
    let members = match schema {
        Json::Obj(members) if depth <= MAX_DEPTH => members,
        Json::Bool(_) => return Ok(()),
        _ => return Err(format!("{path}: a schema must be an object or a boolean (nested at most {MAX_DEPTH} deep)")),
    };
    for (key, value) in members {
        let len = path.len();
        path.push('/');
        path.push_str(key);
        let sub = |v: &Json<'_>, path: &mut String| at(v, path, depth + 1);
        let (ok, expected) = match key.as_ref() {
            "type" => {
                let known = |t: &str| TYPES.contains(&t);
                let ok = match value {
                    Json::Str(t) => known(t),
                    Json::Arr(ts) => ts.iter().all(|t| t.as_str().is_some_and(known)),
                    _ => false,
                };
                (ok, "a type name (null, boolean, object, array, number, integer, string) or an array of them")
            }
            "properties" | "definitions" | "$defs" => match value {
                Json::Obj(named) => {
                    for (name, v) in named {
                        let len = path.len();
                        path.push('/');
                        path.push_str(name);
                        sub(v, path)?;
                        path.truncate(len);
                    }
                    (true, "")
                }
                _ => (false, "an object of schemas"),
            },
            "items" | "prefixItems" | "anyOf" | "oneOf" | "allOf" if matches!(value, Json::Arr(_)) => {
                for v in value.as_array().unwrap_or_default() {
                    sub(v, path)?;
                }
                (true, "")
            }
            "prefixItems" | "anyOf" | "oneOf" | "allOf" => (false, "an array of schemas"),
            "items" | "additionalProperties" | "additionalItems" | "not" => {
                sub(value, path)?;
                (true, "")
            }
            "required" => {
                let ok = value.as_array().is_some_and(|r| r.iter().all(|n| n.as_str().is_some()));
                (ok, "an array of property names")
            }
            "enum" => (value.as_array().is_some(), "an array"),
            "exclusiveMinimum" | "exclusiveMaximum" => (matches!(value, Json::Num(_) | Json::Bool(_)), "a number"),
            "minimum" | "maximum" | "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties"
            | "maxProperties" => (matches!(value, Json::Num(_)), "a number"),
            "uniqueItems" => (matches!(value, Json::Bool(_)), "a boolean"),
            "$ref" => (matches!(value, Json::Str(_)), "a string"),
            _ => (true, ""),
        };
        if !ok {
            return Err(format!("{path}: {key} must be {expected}"));
        }
        path.truncate(len);
    }
    Ok(())
}
