//! The pack's TOML files, read into what they mean: `manifest.toml`,
//! `config/defaults.toml` and `signature.toml`. Unknown tables and keys
//! are refused (a typo must not pass silently), naming the file and line.

use crate::error::CoreResult;
use crate::json::quote;

use super::refuse;
use super::toml::{self, Table, Value};

/// `[mobpack] name, version, description?` and `[requires] capabilities`.
#[derive(Debug, PartialEq, Eq)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    pub description: Option<String>,
    pub capabilities: Vec<String>,
}

/// `config/defaults.toml`: what the runtime config may leave unset.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Defaults {
    pub model: Option<String>,
    pub max_tokens: Option<u32>,
    pub anthropic_base_url: Option<String>,
    pub openai_base_url: Option<String>,
    pub gemini_base_url: Option<String>,
}

/// `signature.toml`: who signed, with which raw Ed25519 key (lowercase
/// hex) and the signature over the digest (lowercase hex).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub signer_id: String,
    pub public_key: String,
    pub signature: String,
}

impl Signature {
    /// Checked and normalised; the error says which part is wrong.
    pub fn new(signer_id: &str, public_key: &str, signature: &str) -> Result<Signature, &'static str> {
        if signer_id.is_empty() || signer_id.len() > 256 || signer_id.chars().any(char::is_control) {
            return Err("signer_id must be 1-256 characters without control characters");
        }
        if !is_hex(public_key, 64) {
            return Err("public_key must be 64 hex characters (the raw Ed25519 public key)");
        }
        if !is_hex(signature, 128) {
            return Err("signature must be 128 hex characters (the Ed25519 signature)");
        }
        Ok(Signature {
            signer_id: signer_id.to_string(),
            public_key: public_key.to_ascii_lowercase(),
            signature: signature.to_ascii_lowercase(),
        })
    }
}

/// `len` hex digits, either case.
pub fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// One TOML file, parsed, with its name for messages.
struct File {
    name: &'static str,
    tables: Vec<Table>,
}

impl File {
    fn parse(name: &'static str, data: &[u8]) -> CoreResult<File> {
        let text = core::str::from_utf8(data).map_err(|_| refuse(&format!("{name} is not UTF-8 text")))?;
        let tables = toml::parse(text).map_err(|e| refuse(&format!("{name} line {}: {}", e.line, e.what)))?;
        Ok(File { name, tables })
    }

    /// Refuse tables other than `allowed` (the root table only holds keys
    /// when `""` is allowed).
    fn only_tables(&self, allowed: &[&str]) -> CoreResult<()> {
        for t in &self.tables {
            if t.name.is_empty() && !allowed.contains(&"") && !t.entries.is_empty() {
                let key = t.entries.first().map(|(k, _)| k.as_str()).unwrap_or_default();
                return Err(self.bad(&format!("the key {} comes before any table; put it under [mobpack]", quote(key))));
            }
            if !t.name.is_empty() && !allowed.contains(&t.name.as_str()) {
                return Err(self.bad(&format!("line {}: unknown table [{}]", t.line, t.name)));
            }
        }
        Ok(())
    }

    fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The keys before any header (always parsed, maybe empty).
    fn root(&self) -> &Table {
        static EMPTY: Table = Table { name: String::new(), line: 1, entries: Vec::new() };
        self.table("").unwrap_or(&EMPTY)
    }

    fn bad(&self, what: &str) -> crate::error::CoreError {
        refuse(&format!("{}: {what}", self.name))
    }
}

/// Typed reads of one table's keys.
struct Keys<'f> {
    file: &'f File,
    table: &'f Table,
}

impl<'f> Keys<'f> {
    fn new(file: &'f File, table: &'f Table, allowed: &[&str]) -> CoreResult<Keys<'f>> {
        if let Some((key, _)) = table.entries.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            return Err(file.bad(&format!(
                "{} has an unknown key {}; expected one of: {}",
                label(&table.name),
                quote(crate::text::first_chars(key, 64)),
                crate::text::join(allowed, ", ")
            )));
        }
        Ok(Keys { file, table })
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.table.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn wrong(&self, key: &str, expected: &str, got: &Value) -> crate::error::CoreError {
        self.file.bad(&format!("{}{key} must be {expected}, got {}", prefix(&self.table.name), got.kind()))
    }

    fn string(&self, key: &str) -> CoreResult<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Str(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
            // A blank name or version would pass as one (the CLI's build refuses it too).
            Some(Value::Str(_)) => Err(self
                .file
                .bad(&format!("{}{key} must be a non-empty string, got a blank one", prefix(&self.table.name)))),
            Some(v) => Err(self.wrong(key, "a non-empty string", v)),
        }
    }

    fn req_string(&self, key: &str) -> CoreResult<String> {
        self.string(key)?.ok_or_else(|| self.file.bad(&format!("{} needs {key} = \"...\"", label(&self.table.name))))
    }

    /// `camel` or `snake`, not both.
    fn either<'k>(&self, camel: &'k str, snake: &'k str) -> CoreResult<Option<&'k str>> {
        match (self.get(camel).is_some(), self.get(snake).is_some()) {
            (true, true) => Err(self.file.bad(&format!("sets both {camel} and {snake}; keep one"))),
            (true, false) => Ok(Some(camel)),
            (false, true) => Ok(Some(snake)),
            (false, false) => Ok(None),
        }
    }

    fn url(&self, camel: &str, snake: &str) -> CoreResult<Option<String>> {
        let Some(key) = self.either(camel, snake)? else { return Ok(None) };
        let url = self.string(key)?.unwrap_or_default();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(self.file.bad(&format!("{key} must be an http:// or https:// URL, got {}", quote(&url))));
        }
        // What the runtime config would refuse is the pack's fault, said now.
        crate::config::check_base_url(key, &url).map_err(|e| self.file.bad(&e.message))?;
        Ok(Some(url))
    }
}

fn label(table: &str) -> String {
    if table.is_empty() { "the top level".to_string() } else { format!("[{table}]") }
}

fn prefix(table: &str) -> String {
    if table.is_empty() { String::new() } else { format!("[{table}].") }
}

pub fn manifest(data: &[u8]) -> CoreResult<Manifest> {
    let file = File::parse("manifest.toml", data)?;
    file.only_tables(&["mobpack", "requires"])?;
    let table = file.table("mobpack").ok_or_else(|| file.bad("needs a [mobpack] table with name and version"))?;
    let pack = Keys::new(&file, table, &["name", "version", "description"])?;
    let mut capabilities = Vec::new();
    if let Some(table) = file.table("requires") {
        let requires = Keys::new(&file, table, &["capabilities"])?;
        match requires.get("capabilities") {
            None => {}
            Some(Value::Arr(items)) => {
                for item in items {
                    match item {
                        Value::Str(s) => capabilities.push(s.clone()),
                        other => return Err(requires.wrong("capabilities", "an array of strings", other)),
                    }
                }
            }
            Some(other) => return Err(requires.wrong("capabilities", "an array of strings", other)),
        }
    }
    Ok(Manifest {
        name: pack.req_string("name")?,
        version: pack.req_string("version")?,
        description: pack.string("description")?,
        capabilities,
    })
}

const DEFAULT_KEYS: &[&str] = &[
    "model",
    "maxTokens",
    "max_tokens",
    "anthropicBaseUrl",
    "anthropic_base_url",
    "openaiBaseUrl",
    "openai_base_url",
    "geminiBaseUrl",
    "gemini_base_url",
];

/// Whether a key names a credential (`anthropicApiKey`, `api_key`,
/// `secret`, `accessToken`...): a pack never carries one.
fn is_credential(key: &str) -> bool {
    let k: String = key.chars().filter(|c| !matches!(c, '_' | '-')).collect::<String>().to_ascii_lowercase();
    ["apikey", "secret", "password", "credential"].iter().any(|w| crate::text::contains(&k, w))
        || k.ends_with("key")
        || (crate::text::contains(&k, "token") && k != "maxtokens")
}

pub fn defaults(data: &[u8]) -> CoreResult<Defaults> {
    let file = File::parse("config/defaults.toml", data)?;
    file.only_tables(&[""])?;
    let table = file.root();
    if let Some((key, _)) = table.entries.iter().find(|(k, _)| is_credential(k)) {
        return Err(file.bad(&format!(
            "{} is a credential: a mobpack never carries keys; pass them in the runtime config (or use a proxy that holds them)",
            quote(key)
        )));
    }
    let keys = Keys::new(&file, table, DEFAULT_KEYS)?;
    let max_tokens = match keys.either("maxTokens", "max_tokens")? {
        None => None,
        Some(key) => match keys.get(key) {
            Some(Value::Int(n)) => Some(
                u32::try_from(*n)
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| file.bad(&format!("{key} must be between 1 and {}", u32::MAX)))?,
            ),
            Some(v) => return Err(keys.wrong(key, "an integer", v)),
            None => None,
        },
    };
    Ok(Defaults {
        model: keys
            .string("model")?
            .map(|m| crate::config::check_model(&m).map(|()| m))
            .transpose()
            .map_err(|e| file.bad(&e.message))?,
        max_tokens,
        anthropic_base_url: keys.url("anthropicBaseUrl", "anthropic_base_url")?,
        openai_base_url: keys.url("openaiBaseUrl", "openai_base_url")?,
        gemini_base_url: keys.url("geminiBaseUrl", "gemini_base_url")?,
    })
}

pub fn signature(data: &[u8]) -> CoreResult<Signature> {
    let file = File::parse("signature.toml", data)?;
    file.only_tables(&[""])?;
    let keys = Keys::new(&file, file.root(), &["signer_id", "public_key", "signature"])?;
    let (id, key, sig) = (keys.req_string("signer_id")?, keys.req_string("public_key")?, keys.req_string("signature")?);
    Signature::new(&id, &key, &sig).map_err(|why| file.bad(why))
}
