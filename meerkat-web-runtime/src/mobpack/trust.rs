//! Whether to run a pack: a pure decision over the caller's trust
//! config, the pack's signature block and whether that signature verified.
//!
//! The Ed25519 check itself is the host's (WebCrypto, 0 B of wasm, against
//! +9.7 KB for ed25519-dalek); what to do with its answer is decided here,
//! once, for the main thread and the Worker alike.

use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::fields::Fields;
use crate::json::{self, Json, quote};

use super::Signature;
use super::parts::is_hex;

/// `mobpackTrust.policy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Only packs signed by a listed signer with its listed key (the default).
    Strict,
    /// Unsigned packs and unknown signers too; a bad signature never.
    Permissive,
}

/// `mobpackTrust`, checked.
#[derive(Debug, PartialEq, Eq)]
pub struct Trust {
    pub policy: Policy,
    /// `(signerId, lowercase hex key)`.
    pub signers: Vec<(String, String)>,
}

impl Trust {
    /// `{ policy?: "strict" | "permissive", trustedSigners?: { [id]: hex } }`.
    pub fn from_json(value: &Json<'_>) -> CoreResult<Trust> {
        let code = ErrorCode::InvalidConfig;
        let f = Fields::new(value, "mobpackTrust", &["policy", "trustedSigners"], code)?;
        let policy = match f.str("policy")? {
            None | Some("strict") => Policy::Strict,
            Some("permissive") => Policy::Permissive,
            Some(other) => {
                return Err(CoreError::new(
                    code,
                    format!("mobpackTrust.policy must be \"strict\" or \"permissive\", got {}", quote(other)),
                ));
            }
        };
        let mut signers = Vec::new();
        if let Some(list) = f.get("trustedSigners") {
            let members = list.as_object().ok_or_else(|| {
                CoreError::new(
                    code,
                    format!(
                        "mobpackTrust.trustedSigners must be an object {{ [signerId]: publicKeyHex }}, got {}",
                        list.kind()
                    ),
                )
            })?;
            for (id, key) in members {
                match key.as_str() {
                    Some(hex) if is_hex(hex, 64) => signers.push((id.to_string(), hex.to_ascii_lowercase())),
                    _ => {
                        return Err(CoreError::new(
                            code,
                            format!(
                                "mobpackTrust.trustedSigners.{} must be 64 hex characters (the signer's raw Ed25519 public key)",
                                crate::text::first_chars(id, 64)
                            ),
                        ));
                    }
                }
            }
        }
        Ok(Trust { policy, signers })
    }
}

/// Accept the pack, or say exactly why not (`UNTRUSTED_MOBPACK`).
pub fn decide(trust: &Trust, signature: Option<&Signature>, signature_valid: bool) -> CoreResult<()> {
    let untrusted = |why: String| Err(CoreError::new(ErrorCode::UntrustedMobpack, why));
    let strict = trust.policy == Policy::Strict;
    let Some(sig) = signature else {
        if strict {
            return untrusted(
                "the mobpack is unsigned and mobpackTrust.policy is \"strict\" (the default): sign the pack and list its signer in mobpackTrust.trustedSigners, or set mobpackTrust.policy to \"permissive\"".into(),
            );
        }
        return Ok(());
    };
    let id = quote(&sig.signer_id);
    let trusted = trust.signers.iter().rev().find(|(known, _)| *known == sig.signer_id).map(|(_, key)| key);
    if let Some(key) = trusted.filter(|key| **key != sig.public_key) {
        return untrusted(format!(
            "the mobpack's signer {id} signed with public key {}, but mobpackTrust.trustedSigners gives {key} for {id}",
            sig.public_key
        ));
    }
    if !signature_valid {
        return untrusted(format!(
            "the mobpack's signature by {id} does not verify against its contents (public key {}): the pack was changed after it was signed, or the signature is corrupt",
            sig.public_key
        ));
    }
    if strict && trusted.is_none() {
        return untrusted(format!(
            "the mobpack is signed by {id}, which mobpackTrust.trustedSigners does not list: add {id}: \"{}\" if you trust that key, or set mobpackTrust.policy to \"permissive\"",
            sig.public_key
        ));
    }
    Ok(())
}

/// `trustMobpack` for the host: `""` when the pack is accepted, else
/// `{"error":{code,message}}`. `signature_json` is the `signature` of
/// `readMobpack`'s reply (`null` for an unsigned pack). In the wasm, code of
/// the core's pack part, as [`super::read_reply`] is (called by `mobpack_trust`).
pub fn reply(trust_json: &str, signature_json: &str, signature_valid: bool) -> String {
    let result = (|| -> CoreResult<()> {
        let trust = json::parse(trust_json)
            .map_err(|e| CoreError::new(ErrorCode::InvalidConfig, format!("mobpackTrust is not valid JSON: {e}")))?;
        let trust = Trust::from_json(&trust)?;
        let sig = json::parse(signature_json)
            .map_err(|e| crate::error::invalid(format!("the signature block is not valid JSON: {e}")))?;
        let sig = match sig {
            Json::Null => None,
            value => {
                let f = Fields::new(
                    &value,
                    "signature",
                    &["signerId", "publicKey", "signature"],
                    ErrorCode::InvalidArgument,
                )?;
                let (id, key, s) = (f.req_str("signerId")?, f.req_str("publicKey")?, f.req_str("signature")?);
                Some(Signature::new(id, key, s).map_err(crate::error::invalid)?)
            }
        };
        decide(&trust, sig.as_ref(), signature_valid)
    })();
    match result {
        Ok(()) => String::new(),
        Err(e) => super::error_reply(&e),
    }
}
