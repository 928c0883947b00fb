//! One skill source: its skills, where they came from, and its health.

use super::http::Fetch;
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::fields::Fields;
use crate::json::{Json, ObjectWriter, quote, write_array, write_u64};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skill {
    pub name: String,
    pub description: String,
    /// Markdown, without its front matter.
    pub content: String,
}

pub const MAX_SKILLS: usize = 1000;
pub const MAX_SKILL_BYTES: usize = 256 * 1024;

impl Skill {
    /// A skill from its document; the front matter's `name` and
    /// `description` fill in what the entry leaves out.
    pub fn from_document<'a>(
        name: Option<&'a str>,
        description: Option<&'a str>,
        document: &'a str,
    ) -> Result<Skill, String> {
        if document.len() > MAX_SKILL_BYTES {
            return Err(format!("the skill document is larger than {} KiB", MAX_SKILL_BYTES / 1024));
        }
        let (front, body) = front_matter(document);
        let pick = |given: Option<&'a str>, key: &str| {
            given.or_else(|| front.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)).unwrap_or_default()
        };
        let name = pick(name, "name");
        check_name(name)?;
        let description = pick(description, "description");
        if body.trim().is_empty() {
            return Err(format!("skill {} has no content", quote(name)));
        }
        Ok(Skill { name: name.to_string(), description: description.to_string(), content: body.to_string() })
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the skill has no name: give it name, or front matter with a \"name:\" line".into());
    }
    // Letters of any script are fine (non-ASCII passes as is: Unicode
    // tables would cost the wasm more than they protect); ASCII is limited
    // to letters, digits and `-_. `. No space at either end: a reference
    // "src/tone" would never find "tone ".
    let ok = name.len() <= 128
        && name.chars().all(|c| {
            !c.is_ascii() && !c.is_control() || c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ')
        })
        && !name.starts_with(' ')
        && !name.ends_with(' ');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "skill name {} must be 1-128 letters, digits, spaces, '-', '_' or '.' (no '/', no space at either end)",
            quote(crate::text::first_chars(name, 80))
        ))
    }
}

/// `---\nkey: value\n---\n` at the top of a document: its simple
/// `key: value` lines (quotes stripped) and the body after it.
pub fn front_matter(document: &str) -> (Vec<(&str, &str)>, &str) {
    let text = document.strip_prefix('\u{feff}').unwrap_or(document);
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return (Vec::new(), text);
    };
    let mut fields = Vec::new();
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed == "---" {
            return (fields, rest.get(offset..).unwrap_or_default());
        }
        if let Some((key, value)) = trimmed.split_once(':') {
            let value = value.trim();
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            fields.push((key.trim(), unquoted));
        }
    }
    (Vec::new(), text) // no closing line: not front matter after all
}

/// An entry that could not be used, and why (`SkillQuarantineDiagnostic`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quarantine {
    pub source: String,
    pub skill_id: String,
    pub location: String,
    pub error_code: &'static str,
    pub error_class: &'static str,
    pub message: String,
    pub first_seen_secs: u64,
    pub last_seen_secs: u64,
}

impl Quarantine {
    pub fn write_json(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("sourceUuid", &self.source).str("skillId", &self.skill_id).str("location", &self.location);
        o.str("errorCode", self.error_code).str("errorClass", self.error_class).str("message", &self.message);
        o.u64("firstSeenUnixSecs", self.first_seen_secs).u64("lastSeenUnixSecs", self.last_seen_secs);
        o.end();
    }
}

/// `SourceHealthSnapshot`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Health {
    pub invalid_count: u64,
    pub total_count: u64,
    pub failure_streak: u64,
    pub handshake_failed: bool,
}

impl Health {
    /// `healthy`, `degraded` (some entries quarantined, or the last fetch
    /// failed while cached skills still serve) or `unhealthy` (nothing usable).
    pub fn state(&self) -> &'static str {
        let usable = self.total_count > self.invalid_count;
        if !usable && (self.total_count > 0 || self.handshake_failed) {
            "unhealthy"
        } else if self.invalid_count > 0 || self.failure_streak > 0 || self.handshake_failed {
            "degraded"
        } else {
            "healthy"
        }
    }

    /// Several sources seen as one: counts add up, the streak is the worst.
    pub fn combined<'a>(all: impl Iterator<Item = &'a Health>) -> Health {
        all.fold(Health::default(), |acc, h| Health {
            invalid_count: acc.invalid_count + h.invalid_count,
            total_count: acc.total_count + h.total_count,
            failure_streak: acc.failure_streak.max(h.failure_streak),
            handshake_failed: acc.handshake_failed || h.handshake_failed,
        })
    }

    pub fn write_json(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("state", self.state());
        write_ratio(self.invalid_count, self.total_count, o.key("invalidRatio"));
        o.u64("invalidCount", self.invalid_count).u64("totalCount", self.total_count);
        o.u64("failureStreak", self.failure_streak).bool("handshakeFailed", self.handshake_failed);
        o.end();
    }
}

/// `part / whole` as a decimal with up to four places (0 when whole is 0),
/// written without float formatting code.
fn write_ratio(part: u64, whole: u64, out: &mut String) {
    if whole == 0 || part == 0 {
        out.push('0');
        return;
    }
    let scaled = part.saturating_mul(10_000) / whole;
    write_u64(scaled / 10_000, out);
    let frac = scaled % 10_000;
    if frac > 0 {
        out.push('.');
        let digits = format!("{frac:04}");
        out.push_str(digits.trim_end_matches('0'));
    }
}

#[derive(Debug)]
pub enum Origin {
    Embedded,
    Http { url: String },
}

#[derive(Debug)]
pub struct Source {
    pub uuid: String,
    pub name: Option<String>,
    pub origin: Origin,
    pub skills: Vec<Skill>,
    pub health: Health,
    pub quarantined: Vec<Quarantine>,
    /// The fetch in flight (HTTP sources).
    pub fetch: Option<Fetch>,
    /// The first load succeeded: there is something to serve.
    pub loaded: bool,
}

impl Source {
    pub fn embedded(uuid: String, name: Option<String>, skills: Option<&Json<'_>>) -> CoreResult<Source> {
        let bad = |message: String| CoreError::new(ErrorCode::InvalidSkillSource, message);
        let items = skills.and_then(Json::as_array).ok_or_else(|| {
            bad("skill source needs skills: [{ name, description, content }] (or a url for an HTTP source)".into())
        })?;
        if items.len() > MAX_SKILLS {
            return Err(bad(format!("a skill source holds at most {MAX_SKILLS} skills")));
        }
        let mut list: Vec<Skill> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let what = "skill source skill";
            let f = Fields::new(item, what, &["name", "description", "content"], ErrorCode::InvalidSkillSource)?;
            let content = f.req_str("content")?;
            let skill = Skill::from_document(f.str("name")?, f.str("description")?, content)
                .map_err(|why| bad(format!("skills[{i}]: {why}")))?;
            if list.iter().any(|s| s.name == skill.name) {
                return Err(bad(format!("skills[{i}]: the name {} is used twice", quote(&skill.name))));
            }
            list.push(skill);
        }
        let health = Health { total_count: list.len() as u64, ..Health::default() };
        Ok(Source {
            uuid,
            name,
            origin: Origin::Embedded,
            skills: list,
            health,
            quarantined: Vec::new(),
            fetch: None,
            loaded: true,
        })
    }

    pub fn http(uuid: String, name: Option<String>, url: String) -> Source {
        Source {
            uuid,
            name,
            origin: Origin::Http { url },
            skills: Vec::new(),
            health: Health::default(),
            quarantined: Vec::new(),
            fetch: None,
            loaded: false,
        }
    }

    pub fn url(&self) -> Option<&str> {
        match &self.origin {
            Origin::Http { url } => Some(url),
            Origin::Embedded => None,
        }
    }

    pub fn skill(&self, name: &str) -> Option<&Skill> {
        self.skills.iter().find(|s| s.name == name)
    }

    pub fn is_fetching(&self) -> bool {
        self.fetch.is_some()
    }

    pub fn is_usable(&self) -> bool {
        self.loaded
    }

    pub fn write_summary(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("sourceUuid", &self.uuid).opt_str("name", self.name.as_deref());
        o.str("kind", if self.url().is_some() { "http" } else { "embedded" }).opt_str("url", self.url());
        write_array(o.key("skills"), &self.skills, |skill, out| {
            let mut s = ObjectWriter::new(out);
            s.str("name", &skill.name).str("description", &skill.description);
            s.end();
        });
        self.health.write_json(o.key("health"));
        o.end();
    }
}
