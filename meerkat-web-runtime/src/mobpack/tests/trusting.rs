//! The trust decision, as a table, and its config's validation.

use crate::json::parse;
use crate::mobpack::Signature;
use crate::mobpack::trust::{Policy, Trust, decide, reply};

const KEY: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const OTHER: &str = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";

fn trust(json: &str) -> Trust {
    Trust::from_json(&parse(json).unwrap()).unwrap()
}

fn signed_by(id: &str, key: &str) -> Signature {
    Signature::new(id, key, &"0".repeat(128)).unwrap()
}

#[test]
fn decisions() {
    let strict = trust(&format!(r#"{{"trustedSigners":{{"acme":"{}"}}}}"#, KEY.to_uppercase()));
    let permissive = trust(&format!(r#"{{"policy":"permissive","trustedSigners":{{"acme":"{KEY}"}}}}"#));
    let acme = signed_by("acme", KEY);
    let impostor = signed_by("acme", OTHER);
    let stranger = signed_by("stranger", OTHER);
    // (trust, signature, signature valid) → None (accepted) or a part of the refusal.
    let table: [(&Trust, Option<&Signature>, bool, Option<&str>); 12] = [
        (&strict, Some(&acme), true, None),
        (&strict, None, false, Some("unsigned and mobpackTrust.policy is \"strict\" (the default)")),
        (&strict, Some(&acme), false, Some("signature by \"acme\" does not verify")),
        (
            &strict,
            Some(&stranger),
            true,
            Some("signed by \"stranger\", which mobpackTrust.trustedSigners does not list"),
        ),
        (&strict, Some(&stranger), false, Some("does not verify")),
        (
            &strict,
            Some(&impostor),
            true,
            Some(&format!("signed with public key {OTHER}, but mobpackTrust.trustedSigners gives {KEY}")),
        ),
        (&permissive, None, false, None),
        (&permissive, Some(&acme), true, None),
        (&permissive, Some(&stranger), true, None),
        (&permissive, Some(&acme), false, Some("does not verify")),
        (&permissive, Some(&stranger), false, Some("does not verify")),
        (&permissive, Some(&impostor), true, Some("but mobpackTrust.trustedSigners gives")),
    ];
    for (i, (trust, sig, valid, refusal)) in table.into_iter().enumerate() {
        match (decide(trust, sig, valid), refusal) {
            (Ok(()), None) => {}
            (Err(e), Some(part)) => {
                assert_eq!(e.code, "UNTRUSTED_MOBPACK", "row {i}");
                assert!(e.message.contains(part), "row {i}: {}", e.message);
            }
            (got, _) => panic!("row {i}: {got:?}"),
        }
    }
    assert_eq!(trust("{}").policy, Policy::Strict);
    assert!(decide(&trust("{}"), Some(&acme), true).is_err());
}

#[test]
fn the_trust_config_is_checked() {
    for (json, part) in [
        (r#"{"policy":"lax"}"#, "mobpackTrust.policy must be \"strict\" or \"permissive\", got \"lax\""),
        (r#"{"trusted":{}}"#, "mobpackTrust has an unknown field \"trusted\""),
        (r#"{"trustedSigners":[]}"#, "mobpackTrust.trustedSigners must be an object"),
        (r#"{"trustedSigners":{"a":"abc"}}"#, "mobpackTrust.trustedSigners.a must be 64 hex characters"),
        (&format!(r#"{{"trustedSigners":{{"a":"{}"}}}}"#, "g".repeat(64)), "64 hex"),
        (r#"{"trustedSigners":{"a":1}}"#, "64 hex"),
        ("[]", "mobpackTrust must be an object"),
    ] {
        let e = Trust::from_json(&parse(json).unwrap()).unwrap_err();
        assert_eq!(e.code, "INVALID_CONFIG");
        assert!(e.message.contains(part), "{json}: {}", e.message);
    }
}

#[test]
fn the_host_reply() {
    let sig = format!(r#"{{"signerId":"acme","publicKey":"{KEY}","signature":"{}"}}"#, "0".repeat(128));
    let trusted = format!(r#"{{"trustedSigners":{{"acme":"{KEY}"}}}}"#);
    assert_eq!(reply(&trusted, &sig, true), "");
    assert_eq!(reply(r#"{"policy":"permissive"}"#, "null", false), "");
    let code = |text: String| serde_json::from_str::<serde_json::Value>(&text).unwrap()["error"]["code"].clone();
    assert_eq!(code(reply("{}", "null", false)), "UNTRUSTED_MOBPACK");
    assert_eq!(code(reply(&trusted, &sig, false)), "UNTRUSTED_MOBPACK");
    assert_eq!(code(reply("{", "null", false)), "INVALID_CONFIG");
    assert_eq!(code(reply("{}", "{", false)), "INVALID_ARGUMENT");
    assert_eq!(code(reply("{}", r#"{"signerId":"a"}"#, true)), "INVALID_ARGUMENT");
    assert_eq!(code(reply("{}", r#"{"signerId":"a","publicKey":"00","signature":"00"}"#, true)), "INVALID_ARGUMENT");
}
