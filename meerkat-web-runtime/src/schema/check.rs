//! Is a schema usable by the validator? A keyword it reads with the wrong
//! shape (`"type": "banana"`, `"properties": 5`) would otherwise be
//! ignored silently: every answer would pass, or every call's arguments.
//! Checked by the validator itself against this meta-schema (cheaper in
//! wasm than a walk of its own).

use crate::json::{Json, parse};

const META: &str = concat!(
    r##"{"definitions":{"t":{"enum":["null","boolean","object","array","number","integer","string"]},"##,
    r##""a":{"type":"array","items":{"$ref":"#"}},"o":{"type":"object","additionalProperties":{"$ref":"#"}},"##,
    r##""n":{"type":"number"}},"type":["object","boolean"],"properties":{"##,
    r##""type":{"anyOf":[{"$ref":"#/definitions/t"},{"type":"array","items":{"$ref":"#/definitions/t"}}]},"##,
    r##""properties":{"$ref":"#/definitions/o"},"definitions":{"$ref":"#/definitions/o"},"$defs":{"$ref":"#/definitions/o"},"##,
    r##""items":{"anyOf":[{"$ref":"#"},{"$ref":"#/definitions/a"}]},"prefixItems":{"$ref":"#/definitions/a"},"##,
    r##""anyOf":{"$ref":"#/definitions/a"},"oneOf":{"$ref":"#/definitions/a"},"allOf":{"$ref":"#/definitions/a"},"##,
    r##""additionalProperties":{"$ref":"#"},"additionalItems":{"$ref":"#"},"not":{"$ref":"#"},"##,
    r##""required":{"type":"array","items":{"type":"string"}},"enum":{"type":"array"},"uniqueItems":{"type":"boolean"},"##,
    r##""$ref":{"type":"string"},"exclusiveMinimum":{"type":["number","boolean"]},"##,
    r##""exclusiveMaximum":{"type":["number","boolean"]},"minimum":{"$ref":"#/definitions/n"},"##,
    r##""maximum":{"$ref":"#/definitions/n"},"minLength":{"$ref":"#/definitions/n"},"maxLength":{"$ref":"#/definitions/n"},"##,
    r##""minItems":{"$ref":"#/definitions/n"},"maxItems":{"$ref":"#/definitions/n"},"##,
    r##""minProperties":{"$ref":"#/definitions/n"},"maxProperties":{"$ref":"#/definitions/n"}}}"##
);

/// The first keyword with the wrong shape, as `"<pointer>: <why>"`.
pub fn check(schema: &Json<'_>) -> Result<(), String> {
    let Ok(meta) = parse(META) else { return Ok(()) };
    match super::validate(&meta, schema).first() {
        Some(v) => Err(format!("{}: {}", if v.path.is_empty() { "/" } else { &v.path }, v.message)),
        None => Ok(()),
    }
}
