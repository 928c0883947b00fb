use super::*;
use crate::json::parse;

/// Keywords this validator does not check: suite groups using them are skipped.
const UNSUPPORTED: &[&str] = &["pattern", "patternProperties", "format", "multipleOf", "dependencies", "id", "$schema"];

/// The official JSON-Schema-Test-Suite (draft 4), from the npm devDependency
/// `json-schema-test-suite` (installed by `npm ci`, as scripts/test.sh does).
fn suite_file(name: &str) -> String {
    let path =
        format!("{}/../node_modules/json-schema-test-suite/tests/draft4/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}; run `npm ci` first"))
}

fn uses_unsupported(schema: &Json<'_>) -> bool {
    match schema {
        Json::Obj(members) => members.iter().any(|(k, v)| {
            UNSUPPORTED.contains(&k.as_ref())
                || (k == "$ref" && v.as_str().is_some_and(|r| !r.starts_with('#')))
                || uses_unsupported(v)
        }),
        Json::Arr(items) => items.iter().any(uses_unsupported),
        _ => false,
    }
}

#[test]
fn official_suite_for_the_supported_keywords() {
    let files = [
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "additionalItems",
        "enum",
        "anyOf",
        "oneOf",
        "allOf",
        "not",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
        "uniqueItems",
        "ref",
    ];
    let mut ran = 0;
    let mut skipped_groups = 0;
    for file in files {
        let text = suite_file(file);
        let groups = parse(&text).unwrap();
        for group in groups.as_array().unwrap() {
            let schema = group.get("schema").unwrap();
            // Every schema of the suite is usable (registration refuses the others).
            assert_eq!(super::check(schema), Ok(()), "{file}: {}", schema.to_text());
            let description = group.get("description").and_then(Json::as_str).unwrap_or_default();
            if uses_unsupported(schema) {
                skipped_groups += 1;
                continue;
            }
            for case in group.get("tests").and_then(Json::as_array).unwrap() {
                let data = case.get("data").unwrap();
                let expected = case.get("valid").and_then(Json::as_bool).unwrap();
                let violations = validate(schema, data);
                assert_eq!(
                    violations.is_empty(),
                    expected,
                    "{file}: {description}: {}: {violations:?}",
                    case.get("description").and_then(Json::as_str).unwrap_or_default()
                );
                ran += 1;
            }
        }
    }
    // The suite must really have run: a loader that found nothing would pass.
    assert!(ran >= 190, "only {ran} suite cases ran ({skipped_groups} groups skipped)");
}

fn check(schema: &str, instance: &str) -> Vec<Violation> {
    validate(&parse(schema).unwrap(), &parse(instance).unwrap())
}

#[test]
fn const_and_later_draft_keywords() {
    assert!(check(r#"{"const":{"a":[1,2]}}"#, r#"{"a":[1.0,2]}"#).is_empty());
    assert_eq!(check(r#"{"const":"x"}"#, r#""y""#).len(), 1);
    assert!(check(r#"{"exclusiveMinimum":5}"#, "5").len() == 1);
    assert!(check(r#"{"exclusiveMaximum":5}"#, "4.999").is_empty());
    assert!(check(r#"{"prefixItems":[{"type":"string"}],"items":false}"#, r#"["a"]"#).is_empty());
    assert_eq!(check(r#"{"prefixItems":[{"type":"string"}],"items":false}"#, r#"["a",1]"#).len(), 1);
    assert!(check(r#"{"type":"integer"}"#, "3.0").is_empty());
    assert!(check(r##"{"$defs":{"n":{"type":"number"}},"$ref":"#/$defs/n"}"##, "1").is_empty());
    assert_eq!(check(r##"{"$defs":{"n":{"type":"number"}},"$ref":"#/$defs/n"}"##, r#""1""#).len(), 1);
}

#[test]
fn violations_point_at_the_value() {
    let schema = r#"{"type":"object","properties":{"address":{"type":"object","properties":{"zip":{"type":"string"}},"required":["zip"],"additionalProperties":false},"tags":{"type":"array","items":{"type":"string"}}},"required":["address"]}"#;
    let v = check(schema, r#"{"address":{"zip":5,"x/y":1},"tags":["a",2]}"#);
    let paths: Vec<&str> = v.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["/address/zip", "/address/x~1y", "/tags/1"]);
    assert!(v[0].message.contains("expected type \"string\", got a number"));
    assert!(v[1].message.contains("not allowed"));
    let v = check(schema, "{}");
    assert_eq!(v, [Violation { path: String::new(), message: "missing required property \"address\"".into() }]);
}

#[test]
fn hostile_schemas_terminate() {
    // A $ref cycle and a huge instance are bounded, not a stack overflow.
    let v = check(r##"{"$ref":"#"}"##, "1");
    assert!(v[0].message.contains("too deeply"));
    let many = format!("[{}]", vec!["1"; 10_000].join(","));
    assert_eq!(check(r#"{"items":{"type":"string"}}"#, &many).len(), MAX_VIOLATIONS);
    assert!(check(r##"{"$ref":"#/nope"}"##, "1")[0].message.contains("cannot resolve"));
    assert!(check("true", "1").is_empty());
    assert_eq!(check("false", "1").len(), 1);
    assert!(check("42", "1").is_empty(), "a non-schema constrains nothing");
}

#[test]
fn schemas_with_a_keyword_of_the_wrong_shape_are_refused_with_its_path() {
    let c = |t: &str| super::check(&parse(t).unwrap());
    assert_eq!(c(r#"{"type":"banana"}"#).unwrap_err(), "/type: matches none of the anyOf alternatives");
    assert_eq!(
        c(r#"{"type":"object","properties":5}"#).unwrap_err(),
        "/properties: expected type \"object\", got a number"
    );
    let e = c(r#"{"properties":{"a":{"items":{"minLength":"2"}}}}"#).unwrap_err();
    assert!(e.starts_with("/properties/a/items"), "{e}");
    assert!(c(r#"{"anyOf":[{"type":"string"},3]}"#).unwrap_err().starts_with("/anyOf/1: expected type"));
    assert!(c(r#"{"required":["a",1]}"#).is_err() && c(r#"{"enum":{}}"#).is_err() && c(r#"{"$ref":1}"#).is_err());
    assert_eq!(c(r#"{"type":["string","null"],"items":[true,{}],"x-vendor":1,"exclusiveMinimum":true}"#), Ok(()));
    assert!(c("[]").is_err() && c("true").is_ok());
}
