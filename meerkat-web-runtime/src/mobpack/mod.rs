//! Mobpacks: a mob shipped as one file, read and checked in the core.
//!
//! A `.mobpack` is a gzip-compressed ustar archive holding `manifest.toml`,
//! `definition.json` (a mob definition: parsed here, validated in full by
//! `createMob`), optional `skills/<name>.md`, optional
//! `config/defaults.toml` and optional `signature.toml`. Reading refuses,
//! with `INVALID_MOBPACK` naming the entry, everything a hostile archive
//! could try: paths outside the pack, links and devices, duplicates, too
//! many or too large entries, gzip bombs (stopped while inflating), files
//! outside the layout, and malformed parts. A required capability the
//! browser cannot provide is `CAPABILITY_UNAVAILABLE`.
//!
//! The digest is SHA-256 over one line `<path>\t<hex sha256>\n` per file
//! (all but `signature.toml`), sorted by path bytes; the signature is
//! Ed25519 over its 32 bytes. The host verifies it (WebCrypto) and
//! [`trust::decide`] says whether to run the pack.

mod abi;
pub(crate) mod gzip;
mod parts;
mod tar;
pub mod toml;
pub mod trust;

pub use parts::{Defaults, Manifest, Signature};

use sha2::{Digest, Sha256};

use crate::capabilities;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::json::{self, ObjectWriter, quote, write_array};
use tar::Kind;

/// A pack, read and checked.
#[derive(Debug, PartialEq, Eq)]
pub struct Mobpack {
    pub manifest: Manifest,
    /// `definition.json`, compact.
    pub definition: String,
    /// `skills/<name>.md`, sorted by path.
    pub skills: Vec<PackSkill>,
    pub defaults: Option<Defaults>,
    pub digest: [u8; 32],
    pub signature: Option<Signature>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct PackSkill {
    pub name: String,
    pub content: String,
}

/// `INVALID_MOBPACK` about the pack as a whole.
pub(crate) fn refuse(why: &str) -> CoreError {
    CoreError::new(ErrorCode::InvalidMobpack, format!("invalid mobpack: {why}"))
}

/// `INVALID_MOBPACK` about one entry.
pub(crate) fn refuse_entry(path: &str, why: &str) -> CoreError {
    refuse(&format!("entry {} {why}", quote(crate::text::first_chars(path, 200))))
}

const LAYOUT: &str =
    "is not part of a mobpack (manifest.toml, definition.json, skills/<name>.md, config/defaults.toml, signature.toml)";

/// The skill a path holds: `skills/<name>.md`.
fn skill_name(path: &str) -> Option<&str> {
    let name = path.strip_prefix("skills/")?.strip_suffix(".md")?;
    (!name.is_empty() && !name.starts_with('.') && !name.contains('/')).then_some(name)
}

/// Read a `.mobpack` (the raw gzip bytes).
pub fn read(bytes: &[u8]) -> CoreResult<Mobpack> {
    let archive = gzip::gunzip(bytes).map_err(|stopped| refuse(&stopped.why))?;
    let entries = tar::entries(&archive)?;
    let mut files: Vec<(&str, &[u8])> = Vec::with_capacity(entries.len());
    for entry in &entries {
        let path = entry.path.as_str();
        let known = match entry.kind {
            Kind::Dir => matches!(path, "skills" | "config"),
            Kind::File => {
                matches!(path, "manifest.toml" | "definition.json" | "signature.toml" | "config/defaults.toml")
                    || skill_name(path).is_some()
            }
        };
        if !known {
            return Err(refuse_entry(path, LAYOUT));
        }
        if entry.kind == Kind::File {
            files.push((path, entry.data));
        }
    }
    let file = |name: &str| files.iter().find(|(p, _)| *p == name).map(|(_, data)| *data);
    let missing = |name: &str| refuse(&format!("{name} is missing"));
    let manifest = parts::manifest(file("manifest.toml").ok_or_else(|| missing("manifest.toml"))?)?;
    let definition = definition(file("definition.json").ok_or_else(|| missing("definition.json"))?)?;
    let mut skills = Vec::new();
    for (path, data) in &files {
        if let Some(name) = skill_name(path) {
            // The skill registry's limit, checked before anything is copied
            // for the reply: the reader shares the core's memory, which
            // never shrinks, and a pack the runtime would refuse for it
            // must not first grow that memory by the reply (up to 6x its
            // skills: JSON escapes).
            if data.len() > crate::skills::MAX_SKILL_BYTES {
                let why =
                    format!("is larger than {} KiB, the most a skill may be", crate::skills::MAX_SKILL_BYTES / 1024);
                return Err(refuse_entry(path, &why));
            }
            let content = core::str::from_utf8(data).map_err(|_| refuse_entry(path, "is not UTF-8 text"))?;
            skills.push(PackSkill { name: name.to_string(), content: content.to_string() });
        }
    }
    let defaults = file("config/defaults.toml").map(parts::defaults).transpose()?;
    let signature = file("signature.toml").map(parts::signature).transpose()?;
    require(&manifest.capabilities)?;
    Ok(Mobpack { manifest, definition, skills, defaults, digest: digest(&files), signature })
}

/// `definition.json`: a JSON object (the mob definition is checked in
/// full when the mob is created).
fn definition(data: &[u8]) -> CoreResult<String> {
    let text = core::str::from_utf8(data).map_err(|_| refuse("definition.json is not UTF-8 text"))?;
    let value = json::parse(text).map_err(|e| refuse(&format!("definition.json is not valid JSON: {e}")))?;
    if value.as_object().is_none() {
        return Err(refuse(&format!("definition.json must be a JSON object (a mob definition), got {}", value.kind())));
    }
    Ok(value.to_text())
}

/// Every required capability must be one this build offers.
fn require(required: &[String]) -> CoreResult<()> {
    for id in required {
        let why = match capabilities::status(id) {
            Some("Available") => continue,
            Some(_) => {
                format!("the mobpack requires capability {}, which the browser runtime cannot provide", quote(id))
            }
            None => format!(
                "the mobpack requires capability {}, which this runtime does not know; it knows: {}",
                quote(crate::text::first_chars(id, 64)),
                capabilities::ids()
            ),
        };
        let mut details = String::new();
        let mut o = ObjectWriter::new(&mut details);
        o.str("capabilityId", id);
        o.end();
        return Err(CoreError::new(ErrorCode::CapabilityUnavailable, why).with_details(details));
    }
    Ok(())
}

/// SHA-256 over `<path>\t<lowercase hex sha256 of the file>\n` for every
/// file but `signature.toml`; `files` come sorted by path bytes.
fn digest(files: &[(&str, &[u8])]) -> [u8; 32] {
    let mut all = Sha256::new();
    for (path, data) in files.iter().filter(|(path, _)| *path != "signature.toml") {
        all.update(path.as_bytes());
        all.update(b"\t");
        all.update(hex(&Sha256::digest(data)).as_bytes());
        all.update(b"\n");
    }
    all.finalize().into()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// `{"error":{code,message,details?}}`.
pub(crate) fn error_reply(error: &CoreError) -> String {
    let mut out = String::new();
    let mut o = ObjectWriter::new(&mut out);
    error.write_json(o.key("error"));
    o.end();
    out
}

/// `readMobpack` for the host: `{"ok":{manifest, definition, skills,
/// defaults, digest, signature}}` or `{"error":{code,message}}`.
/// In the wasm, code of the core's lazily linked pack part, called only
/// through the raw export `mobpack_read` (`abi.rs`).
pub fn read_reply(bytes: &[u8]) -> String {
    let pack = match read(bytes) {
        Ok(pack) => pack,
        Err(e) => return error_reply(&e),
    };
    // Its size when nothing needs escaping, and the 4 bytes `abi::handed`
    // puts in front: one allocation instead of a buffer grown by doubling.
    let skills: usize = pack.skills.iter().map(|s| s.name.len() + s.content.len() + 32).sum();
    let mut out = String::with_capacity(4 + 4096 + pack.definition.len() + skills);
    let mut reply = ObjectWriter::new(&mut out);
    let mut o = ObjectWriter::new(reply.key("ok"));
    let m = &pack.manifest;
    let mut w = ObjectWriter::new(o.key("manifest"));
    w.str("name", &m.name).str("version", &m.version).opt_str("description", m.description.as_deref());
    write_array(w.key("capabilities"), &m.capabilities, |c, out| json::write_str(c, out));
    w.end();
    o.raw("definition", &pack.definition);
    write_array(o.key("skills"), &pack.skills, |s, out| {
        let mut w = ObjectWriter::new(out);
        w.str("name", &s.name).str("content", &s.content);
        w.end();
    });
    if let Some(d) = &pack.defaults {
        let mut w = ObjectWriter::new(o.key("defaults"));
        w.opt_str("model", d.model.as_deref());
        if let Some(n) = d.max_tokens {
            w.u64("maxTokens", u64::from(n));
        }
        w.opt_str("anthropicBaseUrl", d.anthropic_base_url.as_deref())
            .opt_str("openaiBaseUrl", d.openai_base_url.as_deref())
            .opt_str("geminiBaseUrl", d.gemini_base_url.as_deref());
        w.end();
    } else {
        o.raw("defaults", "null");
    }
    o.str("digest", &hex(&pack.digest));
    if let Some(s) = &pack.signature {
        let mut w = ObjectWriter::new(o.key("signature"));
        w.str("signerId", &s.signer_id).str("publicKey", &s.public_key).str("signature", &s.signature);
        w.end();
    } else {
        o.raw("signature", "null");
    }
    o.end();
    reply.end();
    out
}

#[cfg(test)]
pub(crate) mod tests;
