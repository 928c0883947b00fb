//! Fetching an HTTP skill source: the index, then each skill document it
//! points at, as `http` effects owned by the source.
//!
//! Index: `{ "skills": [{ "name", "description"?, "url" | "content" }] }`,
//! each `url` resolved against the index URL. An unusable entry is
//! quarantined; an unusable index fails the fetch (a refresh then keeps
//! serving the cached skills).

use super::source::{Health, MAX_SKILL_BYTES, MAX_SKILLS, Origin, Quarantine, Skill, Source};
use super::url;
use crate::effects::{HttpRequest, Outbox, Owner};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::json::{self, Json, quote};

/// Largest index read (a skill document: `MAX_SKILL_BYTES`).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// An HTTP outcome for a request of a source.
#[derive(Debug)]
pub enum Outcome<'a> {
    Head { id: u32, status: u16 },
    Body { id: u32, bytes: &'a [u8] },
    End { id: u32 },
    Error { id: u32, message: &'a str },
}

impl Outcome<'_> {
    fn id(&self) -> u32 {
        match self {
            Outcome::Head { id, .. } | Outcome::Body { id, .. } | Outcome::End { id } | Outcome::Error { id, .. } => {
                *id
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Target {
    Index,
    Entry(usize),
}

#[derive(Debug)]
struct Request {
    id: u32,
    target: Target,
    status: u16,
    body: Vec<u8>,
}

#[derive(Debug)]
struct Entry {
    /// The name from the index, or `#<position>` when it has none (such an
    /// entry is quarantined at once: a kept entry's id is its name).
    id: String,
    description: Option<String>,
    location: String,
    skill: Option<Skill>,
}

/// A fetch in flight.
#[derive(Debug, Default)]
pub struct Fetch {
    requests: Vec<Request>,
    entries: Vec<Entry>,
    quarantined: Vec<Quarantine>,
    failure: Option<CoreError>,
    /// Entries the index lists.
    listed: usize,
}

pub fn start(source: &mut Source, out: &mut Outbox, now_ms: f64) {
    let Some(index_url) = source.url().map(str::to_string) else { return };
    let mut fetch = Fetch::default();
    let id = out.http(Owner::Source(source.uuid.clone()), get(&index_url), now_ms);
    fetch.requests.push(Request { id, target: Target::Index, status: 0, body: Vec::new() });
    source.fetch = Some(fetch);
}

/// The source is going away: its requests are aborted, and whoever waits
/// for its fetch (`addSkillSource`, `refreshSkillSource`) is told.
pub fn abort(source: &mut Source, out: &mut Outbox) {
    if let Some(fetch) = source.fetch.take() {
        for request in fetch.requests {
            out.abort_http(request.id);
        }
        let message = format!("skill source {} was removed before its fetch finished", quote(&source.uuid));
        out.source_ready(&source.uuid, Some(&CoreError::new(ErrorCode::Cancelled, message)));
    }
}

fn get(url: &str) -> HttpRequest {
    HttpRequest {
        url: url.to_string(),
        method: "GET",
        headers: vec![("accept".to_string(), "application/json, text/markdown, text/plain".to_string())],
        body: String::new(),
    }
}

pub fn on_outcome(source: &mut Source, outcome: Outcome<'_>, out: &mut Outbox, now_ms: f64) -> CoreResult<()> {
    let id = outcome.id();
    let Some(fetch) = source.fetch.as_mut() else { return Err(unknown(id)) };
    let Some(at) = fetch.requests.iter().position(|r| r.id == id) else { return Err(unknown(id)) };
    let Some(request) = fetch.requests.get_mut(at) else { return Err(unknown(id)) };
    let outcome = match outcome {
        Outcome::Head { status, .. } => {
            request.status = status;
            return Ok(());
        }
        Outcome::Body { bytes, .. } => {
            // One byte over the limit is kept, to tell a body that is too large.
            let limit = match request.target {
                Target::Index => MAX_BODY,
                Target::Entry(_) => MAX_SKILL_BYTES,
            };
            let room = (limit + 1).saturating_sub(request.body.len());
            request.body.extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
            if request.body.len() <= limit {
                return Ok(());
            }
            // Too large already: the rest is not downloaded, and it is judged now.
            out.abort_http(id);
            Outcome::End { id }
        }
        other => other,
    };
    let request = fetch.requests.remove(at);
    let secs = (now_ms / 1000.0).max(0.0) as u64;
    // Borrow the source's parts apart: the fetch changes, the rest is read.
    let Source { uuid, origin: Origin::Http { url: index_url }, fetch: Some(fetch), .. } = source else {
        return Ok(());
    };
    match (outcome, request.target) {
        (Outcome::Error { message, .. }, Target::Index) => {
            fetch.failure =
                Some(failed(format!("the skill index {} could not be fetched: {message}", quote(index_url))));
        }
        (Outcome::End { .. }, Target::Index) => {
            if let Err(error) = read_index(fetch, uuid, index_url, &request, out, now_ms, secs) {
                fetch.failure = Some(error);
            }
        }
        (Outcome::Head { .. } | Outcome::Body { .. }, Target::Index) => {}
        (outcome, Target::Entry(i)) => {
            let error = match outcome {
                Outcome::Error { message, .. } => Some(("network_error", "fetch", message.to_string())),
                _ if !(200..300).contains(&request.status) => {
                    Some(("http_status", "fetch", format!("the skill document answered HTTP {}", request.status)))
                }
                _ => None,
            };
            finish_entry(fetch, uuid, i, error, &request.body, secs);
        }
    }
    if source.fetch.as_ref().is_some_and(|f| f.requests.is_empty()) {
        complete(source, out, secs);
    }
    Ok(())
}

fn read_index(
    fetch: &mut Fetch,
    uuid: &str,
    index_url: &str,
    request: &Request,
    out: &mut Outbox,
    now_ms: f64,
    secs: u64,
) -> CoreResult<()> {
    if !(200..300).contains(&request.status) {
        return Err(failed(format!("the skill index {} answered HTTP {}", quote(index_url), request.status)));
    }
    let malformed = |why: String| {
        CoreError::new(
            ErrorCode::InvalidSkillSource,
            format!("the skill index {} is malformed: {why}", quote(index_url)),
        )
    };
    if request.body.len() > MAX_BODY {
        return Err(malformed(format!("it is larger than {} MiB", MAX_BODY >> 20)));
    }
    let text = core::str::from_utf8(&request.body).map_err(|_| malformed("it is not UTF-8 text".into()))?;
    let index = json::parse(text).map_err(|e| malformed(format!("not JSON ({e})")))?;
    let items = index
        .get("skills")
        .and_then(Json::as_array)
        .ok_or_else(|| malformed("expected { \"skills\": [{ name, description, url | content }] }".into()))?;
    if items.len() > MAX_SKILLS {
        return Err(malformed(format!("it lists more than {MAX_SKILLS} skills")));
    }
    fetch.listed = items.len();
    for (i, item) in items.iter().enumerate() {
        let field = |name| item.get(name).and_then(Json::as_str);
        let (name, href, content) = (field("name"), field("url"), field("content"));
        let mut entry = Entry {
            id: name.map_or_else(|| format!("#{i}"), str::to_string),
            description: field("description").map(str::to_string),
            location: index_url.to_string(),
            skill: None,
        };
        let problem = match (item.as_object(), name, href, content) {
            (None, ..) => Some(format!("entry {i} is {}, not an object", item.kind())),
            (_, None, ..) => Some(format!("entry {i} has no string name")),
            (_, _, Some(_), Some(_)) | (_, _, None, None) => {
                Some(format!("entry {i} needs exactly one of url and content"))
            }
            _ => None,
        };
        if let Some(message) = problem {
            quarantine(&mut fetch.quarantined, uuid, &entry, "invalid_entry", "validation", message, secs);
            continue;
        }
        if let Some(content) = content {
            fetch.entries.push(entry);
            let at = fetch.entries.len() - 1;
            finish_entry(fetch, uuid, at, None, content.as_bytes(), secs);
            continue;
        }
        let target = href.unwrap_or_default();
        match url::resolve(index_url, target) {
            Some(resolved) => {
                entry.location = resolved.clone();
                fetch.entries.push(entry);
                let id = out.http(Owner::Source(uuid.to_string()), get(&resolved), now_ms);
                let target = Target::Entry(fetch.entries.len() - 1);
                fetch.requests.push(Request { id, target, status: 0, body: Vec::new() });
            }
            None => {
                let message = format!("entry {i}: cannot resolve url {}", quote(target));
                quarantine(&mut fetch.quarantined, uuid, &entry, "invalid_url", "validation", message, secs);
            }
        }
    }
    Ok(())
}

fn finish_entry(
    fetch: &mut Fetch,
    uuid: &str,
    at: usize,
    error: Option<(&'static str, &'static str, String)>,
    body: &[u8],
    secs: u64,
) {
    let Fetch { entries, quarantined, .. } = fetch;
    let Some(entry) = entries.get_mut(at) else { return };
    let outcome = match error {
        Some(error) => Err(error),
        // Before the UTF-8 check: a cut body may end inside a character.
        None if body.len() > MAX_SKILL_BYTES => Err((
            "too_large",
            "validation",
            format!("the skill document is larger than {} KiB", MAX_SKILL_BYTES / 1024),
        )),
        None => match core::str::from_utf8(body) {
            Err(_) => Err(("invalid_utf8", "parse", "the skill document is not UTF-8 text".to_string())),
            Ok(text) => Skill::from_document(Some(&entry.id), entry.description.as_deref(), text)
                .map_err(|why| ("invalid_skill", "validation", why)),
        },
    };
    match outcome {
        Ok(skill) => entry.skill = Some(skill),
        Err((code, class, message)) => quarantine(quarantined, uuid, entry, code, class, message, secs),
    }
}

fn quarantine(
    list: &mut Vec<Quarantine>,
    uuid: &str,
    entry: &Entry,
    code: &'static str,
    class: &'static str,
    message: String,
    secs: u64,
) {
    list.push(Quarantine {
        source: uuid.to_string(),
        skill_id: entry.id.clone(),
        location: entry.location.clone(),
        error_code: code,
        error_class: class,
        message,
        first_seen_secs: secs,
        last_seen_secs: secs,
    });
}

/// Every request is answered: take the new skills (or keep the cached ones
/// when the fetch failed) and tell the host.
fn complete(source: &mut Source, out: &mut Outbox, secs: u64) {
    let Some(fetch) = source.fetch.take() else { return };
    if let Some(error) = fetch.failure {
        source.health.failure_streak += 1;
        source.health.handshake_failed = true;
        out.source_ready(&source.uuid, Some(&error));
        return;
    }
    let listed = fetch.listed;
    let mut skills: Vec<Skill> = Vec::new();
    let mut quarantined = fetch.quarantined;
    for mut entry in fetch.entries {
        let Some(skill) = entry.skill.take() else { continue };
        if skills.iter().any(|s| s.name == skill.name) {
            let message = format!("the name {} is used by an earlier entry", quote(&skill.name));
            quarantine(&mut quarantined, &source.uuid, &entry, "duplicate_name", "validation", message, secs);
            continue;
        }
        skills.push(skill);
    }
    // An entry quarantined before keeps the time it was first seen.
    for q in &mut quarantined {
        if let Some(old) = source.quarantined.iter().find(|o| o.skill_id == q.skill_id && o.error_code == q.error_code)
        {
            q.first_seen_secs = old.first_seen_secs;
        }
    }
    source.health = Health {
        invalid_count: quarantined.len() as u64,
        total_count: listed as u64,
        failure_streak: 0,
        handshake_failed: false,
    };
    source.skills = skills;
    source.quarantined = quarantined;
    source.loaded = true;
    out.source_ready(&source.uuid, None);
}

fn failed(message: String) -> CoreError {
    CoreError::new(ErrorCode::SkillSourceFailed, message)
}

fn unknown(id: u32) -> CoreError {
    CoreError::new(ErrorCode::UnknownEffect, format!("request {id} is not in flight for this skill source"))
}
