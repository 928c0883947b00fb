//! Skills: named instructions from embedded or HTTP sources, resolved by
//! key and injected into a session's system prompt.
//!
//! A source is a list of skills under a `sourceUuid`. Embedded sources are
//! given whole; HTTP sources are fetched through `http` effects owned by the
//! source (an index, then each skill's document) and cached until
//! refreshed. Entries that cannot be used are quarantined with a reason;
//! the source's health says how many.

mod http;
mod source;
mod url;

pub use source::{Health, MAX_SKILL_BYTES, Quarantine, Skill, Source};

use crate::effects::Outbox;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::fields::Fields;
use crate::ids::Rng;
use crate::json::{ArrayWriter, Json, ObjectWriter, Raw, quote, write_array};
use crate::sorted_map::SortedMap;

/// `SkillKey {sourceUuid, skillName}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkillKey {
    pub source: String,
    pub name: String,
}

impl SkillKey {
    /// A `SkillKey` object or the legacy string `"<sourceUuid>/<skillName>"`;
    /// the flag says the legacy form was used (the host warns once).
    pub fn from_json(value: &Json<'_>, what: &'static str, code: ErrorCode) -> CoreResult<(SkillKey, bool)> {
        let bad = |message: String| CoreError::new(code, message);
        let legacy = value.as_str();
        let (source, name) = match legacy {
            Some(text) => text.split_once('/').unwrap_or_default(),
            None => {
                let f = Fields::new(value, what, &["sourceUuid", "skillName"], code)?;
                (f.str("sourceUuid")?.unwrap_or_default(), f.str("skillName")?.unwrap_or_default())
            }
        };
        if source.is_empty() || name.is_empty() {
            return Err(match legacy {
                Some(text) => bad(format!(
                    "{what}: a skill reference string must be \"<sourceUuid>/<skillName>\", got {}",
                    quote(clip(text))
                )),
                None => bad(format!("{what}: a SkillKey needs non-empty sourceUuid and skillName")),
            });
        }
        Ok((SkillKey { source: source.to_string(), name: name.to_string() }, legacy.is_some()))
    }

    /// `"<sourceUuid>/<skillName>"`, as events report keys.
    pub fn label(&self) -> String {
        format!("{}/{}", self.source, self.name)
    }
}

/// A list of references, each a `SkillKey` or a legacy string.
pub fn skill_keys(items: &[Json<'_>], what: &'static str, code: ErrorCode) -> CoreResult<Vec<SkillKey>> {
    let mut keys = Vec::with_capacity(items.len());
    for item in items {
        keys.push(SkillKey::from_json(item, what, code)?.0);
    }
    Ok(keys)
}

fn clip(text: &str) -> &str {
    crate::text::first_chars(text, 80)
}

/// At most this many sources (each up to its own limits).
const MAX_SOURCES: usize = 256;

/// Every skill source of a runtime.
#[derive(Debug, Default)]
pub struct SkillRegistry {
    sources: SortedMap<String, Source>,
    /// HTTP sources on their first load: not usable until ready.
    loading: SortedMap<String, Source>,
}

impl SkillRegistry {
    /// `{sourceUuid?, name?, skills: [...]}`: an embedded source, usable at once.
    pub fn add_embedded(&mut self, value: &Json<'_>, rng: &mut Rng) -> CoreResult<String> {
        let f = Fields::new(value, "skill source", &["sourceUuid", "name", "skills"], ErrorCode::InvalidSkillSource)?;
        let uuid = self.new_uuid(f.str("sourceUuid")?, rng)?;
        let source = Source::embedded(uuid.clone(), f.string("name")?, f.get("skills"))?;
        self.sources.insert(uuid.clone(), source);
        Ok(uuid)
    }

    /// `{url, sourceUuid?, name?}`: an HTTP source, fetched through effects;
    /// `SourceReady` tells the host when it is usable (or why not).
    /// An entry of the wasm's lazily linked part (scripts/wasm-split.mjs),
    /// as HTTP sources are: the host links it before the first one.
    #[inline(never)]
    pub fn add_http(&mut self, value: &Json<'_>, out: &mut Outbox, rng: &mut Rng, now_ms: f64) -> CoreResult<String> {
        let f = Fields::new(value, "skill source", &["sourceUuid", "name", "url"], ErrorCode::InvalidSkillSource)?;
        let url = f.req_str("url")?;
        url::check(url)?;
        let uuid = self.new_uuid(f.str("sourceUuid")?, rng)?;
        let mut source = Source::http(uuid.clone(), f.string("name")?, url.to_string());
        http::start(&mut source, out, now_ms);
        self.loading.insert(uuid.clone(), source);
        Ok(uuid)
    }

    /// Fetch an HTTP source again; its cached skills serve until it is done.
    /// An entry of the wasm's lazily linked part (scripts/wasm-split.mjs),
    /// as HTTP sources are: the host links it before the first one.
    #[inline(never)]
    pub fn refresh(&mut self, uuid: &str, out: &mut Outbox, now_ms: f64) -> CoreResult<()> {
        if self.loading.contains_key(uuid) {
            return Ok(()); // its first load, in flight, answers this one too
        }
        let source = self.sources.get_mut(uuid).ok_or_else(|| not_found_source(uuid))?;
        if source.url().is_none() {
            return Err(CoreError::new(
                ErrorCode::InvalidSkillSource,
                format!("skill source {} is embedded: there is nothing to refresh", quote(uuid)),
            ));
        }
        if source.is_fetching() {
            return Ok(()); // the refresh in flight answers this one too
        }
        http::start(source, out, now_ms);
        Ok(())
    }

    pub fn remove(&mut self, uuid: &str, out: &mut Outbox) -> CoreResult<()> {
        let mut source =
            self.sources.remove(uuid).or_else(|| self.loading.remove(uuid)).ok_or_else(|| not_found_source(uuid))?;
        http::abort(&mut source, out);
        Ok(())
    }

    fn new_uuid(&self, given: Option<&str>, rng: &mut Rng) -> CoreResult<String> {
        if self.sources.len() + self.loading.len() >= MAX_SOURCES {
            return Err(CoreError::new(
                ErrorCode::InvalidSkillSource,
                format!("at most {MAX_SOURCES} skill sources can be added"),
            ));
        }
        let Some(uuid) = given else { return Ok(rng.uuid_v4()) };
        let valid = (1..=128).contains(&uuid.len()) && !uuid.contains('/') && !uuid.chars().any(char::is_control);
        if !valid {
            return Err(CoreError::new(
                ErrorCode::InvalidSkillSource,
                "skill source sourceUuid must be 1-128 characters without '/'",
            ));
        }
        if self.sources.contains_key(uuid) || self.loading.contains_key(uuid) {
            return Err(CoreError::new(
                ErrorCode::InvalidSkillSource,
                format!("a skill source {} already exists; remove it first", quote(uuid)),
            ));
        }
        Ok(uuid.to_string())
    }

    /// The skill a key names.
    pub fn resolve(&self, key: &SkillKey) -> CoreResult<&Skill> {
        let source = self.sources.get(key.source.as_str()).ok_or_else(|| not_found(key, "no such source"))?;
        source.skill(&key.name).ok_or_else(|| not_found(key, "the source has no skill by that name"))
    }

    pub fn source(&self, uuid: &str) -> Option<&Source> {
        self.sources.get(uuid)
    }

    /// Every usable source, for `browse_skills`.
    pub fn sources(&self) -> impl Iterator<Item = &Source> {
        self.sources.values()
    }

    /// The HTTP fetch of `source` wants this outcome; `Ok(false)` when the
    /// source is unknown (it was removed meanwhile).
    /// An entry of the wasm's lazily linked part (scripts/wasm-split.mjs),
    /// called only for an HTTP source, so once add_http was.
    #[inline(never)]
    pub fn on_http(&mut self, uuid: &str, outcome: http::Outcome<'_>, out: &mut Outbox, now_ms: f64) -> CoreResult<()> {
        if let Some(source) = self.sources.get_mut(uuid) {
            http::on_outcome(source, outcome, out, now_ms)?;
            return Ok(());
        }
        let Some(source) = self.loading.get_mut(uuid) else {
            return Err(not_found_source(uuid));
        };
        http::on_outcome(source, outcome, out, now_ms)?;
        // A first load either became usable or failed and is dropped.
        if !source.is_fetching()
            && let Some(source) = self.loading.remove(uuid)
            && source.is_usable()
        {
            self.sources.insert(uuid.to_string(), source);
        }
        Ok(())
    }

    /// `[{sourceUuid, name, kind, url?, skills: [{name, description}], health}]`.
    pub fn write_list(&self, out: &mut String) {
        write_array(out, self.sources.values(), |source, out| source.write_summary(out));
    }

    /// `SkillRuntimeDiagnostics` of the HTTP sources among `keys`.
    pub fn diagnostics(&self, keys: &[SkillKey]) -> Option<Raw> {
        let mut used: Vec<&Source> = Vec::new();
        for key in keys {
            if let Some(source) = self.sources.get(key.source.as_str())
                && source.url().is_some()
                && !used.iter().any(|s| s.uuid == source.uuid)
            {
                used.push(source);
            }
        }
        if used.is_empty() {
            return None;
        }
        let mut out = String::new();
        let mut o = ObjectWriter::new(&mut out);
        Health::combined(used.iter().map(|s| &s.health)).write_json(o.key("sourceHealth"));
        let mut list = ArrayWriter::new(o.key("quarantined"));
        for source in &used {
            for q in &source.quarantined {
                q.write_json(list.item());
            }
        }
        list.end();
        o.end();
        Some(Raw::trusted(out))
    }
}

pub use http::Outcome as HttpOutcome;

pub fn not_found(key: &SkillKey, why: &str) -> CoreError {
    CoreError::new(
        ErrorCode::SkillNotFound,
        format!(
            "skill {} cannot be resolved ({why}); add its source with runtime.addSkillSource first",
            quote(clip(&key.label()))
        ),
    )
}

fn not_found_source(uuid: &str) -> CoreError {
    CoreError::new(ErrorCode::SkillSourceNotFound, format!("no skill source with id {}", quote(clip(uuid))))
}

/// The system-prompt section for resolved skills, and its size in bytes.
pub fn injection(skills: &[(&SkillKey, &Skill)]) -> String {
    if skills.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "# Skills\n\nThe following skills apply to this conversation. Follow their instructions where relevant.\n",
    );
    for (_, skill) in skills {
        out.push_str("\n## ");
        out.push_str(&skill.name);
        out.push('\n');
        if !skill.description.is_empty() {
            out.push_str(&skill.description);
            out.push_str("\n\n");
        }
        out.push_str(skill.content.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
