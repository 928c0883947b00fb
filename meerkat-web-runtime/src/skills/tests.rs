use super::*;
use crate::json::parse;
use serde_json::{Value, json};

fn embedded(registry: &mut SkillRegistry, value: Value) -> CoreResult<String> {
    registry.add_embedded(&parse(&value.to_string()).unwrap(), &mut Rng::from_entropy(b"skills"))
}

fn key(source: &str, name: &str) -> SkillKey {
    SkillKey { source: source.into(), name: name.into() }
}

#[test]
fn embedded_sources_resolve_and_front_matter_fills_in() {
    let mut r = SkillRegistry::default();
    let uuid = embedded(
        &mut r,
        json!({"sourceUuid":"team","name":"Team","skills":[
            {"name":"email","description":"Find emails","content":"Extract every address."},
            {"content":"---\nname: tone\ndescription: \"Be kind\"\n---\nWrite kindly.\n"}
        ]}),
    )
    .unwrap();
    assert_eq!(uuid, "team");
    let tone = r.resolve(&key("team", "tone")).unwrap();
    assert_eq!((tone.description.as_str(), tone.content.as_str()), ("Be kind", "Write kindly.\n"));
    assert_eq!(r.resolve(&key("team", "nope")).unwrap_err().code, "SKILL_NOT_FOUND");
    assert_eq!(r.resolve(&key("other", "email")).unwrap_err().code, "SKILL_NOT_FOUND");
    let text = injection(&[(&key("team", "email"), r.resolve(&key("team", "email")).unwrap())]);
    assert!(text.contains("## email\nFind emails\n\nExtract every address."), "{text}");
    // A generated id when none is given; a used id is refused.
    let generated = embedded(&mut r, json!({"skills":[{"name":"a","content":"x"}]})).unwrap();
    assert_eq!(generated.len(), 36);
    assert_eq!(embedded(&mut r, json!({"sourceUuid":"team","skills":[]})).unwrap_err().code, "INVALID_SKILL_SOURCE");
    let mut list = String::new();
    r.write_list(&mut list);
    let list: Value = serde_json::from_str(&list).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[1]["health"]["state"], "healthy");
}

#[test]
fn bad_sources_and_references_are_refused() {
    let mut r = SkillRegistry::default();
    for bad in [
        json!({}),
        json!({"skills":"x"}),
        json!({"skills":[{"name":"a"}]}),
        json!({"skills":[{"name":"a/b","content":"x"}]}),
        json!({"skills":[{"name":"a","content":"  "}]}),
        json!({"skills":[{"name":"a","content":"x"},{"name":"a","content":"y"}]}),
        json!({"skills":[{"content":"no name here"}]}),
        json!({"skills":[{"name":"tone ","content":"x"}]}),
        json!({"skills":[{"name":" tone","content":"x"}]}),
        json!({"sourceUuid":"a/b","skills":[]}),
        json!({"skills":[], "extra": 1}),
        json!({"skills":[{"name":"a","content":"x".repeat(300_000)}]}),
    ] {
        assert_eq!(embedded(&mut r, bad.clone()).unwrap_err().code, "INVALID_SKILL_SOURCE", "{bad}");
    }
    // A skill without a name says where one may come from.
    let nameless = embedded(&mut r, json!({"skills":[{"content":"---\nname: x\nBody"}]})).unwrap_err();
    assert!(nameless.message.contains("front matter with a \"name:\" line"), "{}", nameless.message);
    let k = |v: Value| SkillKey::from_json(&parse(&v.to_string()).unwrap(), "ref", ErrorCode::InvalidConfig);
    assert_eq!(k(json!("src/name")).unwrap(), (key("src", "name"), true));
    assert_eq!(k(json!({"sourceUuid":"s","skillName":"n"})).unwrap(), (key("s", "n"), false));
    for bad in [json!("noslash"), json!("/x"), json!("x/"), json!({"sourceUuid":"s"}), json!(5), json!({"a":1})] {
        assert_eq!(k(bad.clone()).unwrap_err().code, "INVALID_CONFIG", "{bad}");
    }
}

/// Drive an HTTP source's fetch through the outbox like a host would.
struct Host {
    out: Outbox,
    rng: Rng,
}

impl Host {
    fn new() -> Host {
        Host { out: Outbox::default(), rng: Rng::from_entropy(b"host") }
    }

    fn effects(&mut self) -> Vec<Value> {
        let mut text = String::new();
        self.out.drain_json(&mut text);
        serde_json::from_str(&text).unwrap()
    }

    fn answer(&mut self, r: &mut SkillRegistry, uuid: &str, effect: &Value, status: u16, body: &str) {
        self.answer_bytes(r, uuid, effect, status, body.as_bytes(), 7);
    }

    fn answer_bytes(
        &mut self,
        r: &mut SkillRegistry,
        uuid: &str,
        effect: &Value,
        status: u16,
        body: &[u8],
        chunk: usize,
    ) {
        let id = effect["id"].as_u64().unwrap() as u32;
        r.on_http(uuid, HttpOutcome::Head { id, status }, &mut self.out, 5_000.0).unwrap();
        for chunk in body.chunks(chunk) {
            r.on_http(uuid, HttpOutcome::Body { id, bytes: chunk }, &mut self.out, 5_000.0).unwrap();
            if !self.out.is_inflight(id) {
                // Aborted: a body over its limit is judged without the rest.
                return;
            }
        }
        self.out.settle(id).unwrap();
        r.on_http(uuid, HttpOutcome::End { id }, &mut self.out, 5_000.0).unwrap();
    }
}

#[test]
fn http_sources_fetch_the_index_and_each_document_and_quarantine_bad_entries() {
    let mut r = SkillRegistry::default();
    let mut host = Host::new();
    let source = parse(r#"{"url":"http://127.0.0.1:9/skills/index.json","sourceUuid":"remote"}"#).unwrap();
    let uuid = r.add_http(&source, &mut host.out, &mut host.rng, 1_000.0).unwrap();
    // Not usable until loaded.
    assert_eq!(r.resolve(&key("remote", "email")).unwrap_err().code, "SKILL_NOT_FOUND");
    let effects = host.effects();
    assert_eq!(effects[0]["url"], "http://127.0.0.1:9/skills/index.json");
    assert_eq!(effects[0]["method"], "GET");
    let index = json!({"skills":[
        {"name":"email","description":"Find emails","url":"email.md"},
        {"name":"inline","description":"Inline one","content":"Do inline things."},
        {"name":"missing","url":"../gone.md"},
        {"description":"no name"},
        {"name":"both","url":"x.md","content":"y"}
    ]});
    host.answer(&mut r, &uuid, &effects[0], 200, &index.to_string());
    let docs = host.effects();
    let urls: Vec<&str> = docs.iter().map(|e| e["url"].as_str().unwrap()).collect();
    assert_eq!(urls, ["http://127.0.0.1:9/skills/email.md", "http://127.0.0.1:9/gone.md"]);
    host.answer(&mut r, &uuid, &docs[0], 200, "---\ndescription: from the document\n---\nExtract addresses.");
    host.answer(&mut r, &uuid, &docs[1], 404, "not found");
    let ready = host.effects();
    assert_eq!(ready, [json!({"kind":"skill_source_ready","sourceUuid":"remote"})]);
    let email = r.resolve(&key("remote", "email")).unwrap();
    // The index's description wins over the document's front matter.
    assert_eq!((email.description.as_str(), email.content.as_str()), ("Find emails", "Extract addresses."));
    assert!(r.resolve(&key("remote", "inline")).is_ok());
    let diagnostics: Value = serde_json::from_str(r.diagnostics(&[key("remote", "email")]).unwrap().as_str()).unwrap();
    assert_eq!(diagnostics["sourceHealth"]["state"], "degraded");
    assert_eq!(diagnostics["sourceHealth"]["totalCount"], 5);
    assert_eq!(diagnostics["sourceHealth"]["invalidCount"], 3);
    assert_eq!(diagnostics["sourceHealth"]["invalidRatio"], 0.6);
    let codes: Vec<&str> =
        diagnostics["quarantined"].as_array().unwrap().iter().map(|q| q["errorCode"].as_str().unwrap()).collect();
    assert_eq!(codes, ["invalid_entry", "invalid_entry", "http_status"]);
    assert_eq!(diagnostics["quarantined"][2]["location"], "http://127.0.0.1:9/gone.md");
    assert_eq!(diagnostics["quarantined"][2]["firstSeenUnixSecs"], 5);

    // A refresh that fails keeps serving the cached skills.
    r.refresh(&uuid, &mut host.out, 9_000.0).unwrap();
    let index_again = host.effects();
    let id = index_again[0]["id"].as_u64().unwrap() as u32;
    host.out.settle(id).unwrap();
    r.on_http(&uuid, HttpOutcome::Error { id, message: "offline" }, &mut host.out, 9_000.0).unwrap();
    let failed = host.effects();
    assert_eq!(failed[0]["error"]["code"], "SKILL_SOURCE_FAILED");
    assert!(r.resolve(&key("remote", "email")).is_ok());
    let health = &r.source(&uuid).unwrap().health;
    assert_eq!((health.failure_streak, health.handshake_failed), (1, true));
}

#[test]
fn a_first_load_that_fails_leaves_nothing_behind() {
    for (status, body, code) in [
        (200, "not json", "INVALID_SKILL_SOURCE"),
        (200, r#"{"skills": 3}"#, "INVALID_SKILL_SOURCE"),
        (500, "oops", "SKILL_SOURCE_FAILED"),
    ] {
        let mut r = SkillRegistry::default();
        let mut host = Host::new();
        let source = parse(r#"{"url":"http://127.0.0.1:9/i.json"}"#).unwrap();
        let uuid = r.add_http(&source, &mut host.out, &mut host.rng, 0.0).unwrap();
        let effects = host.effects();
        host.answer(&mut r, &uuid, &effects[0], status, body);
        let ready = host.effects();
        assert_eq!(ready[0]["error"]["code"], code, "{body}");
        assert!(r.source(&uuid).is_none());
        let mut list = String::new();
        r.write_list(&mut list);
        assert_eq!(list, "[]");
    }
    let mut r = SkillRegistry::default();
    let mut host = Host::new();
    for bad in [r#"{"url":"ftp://x/i.json"}"#, r#"{"url":5}"#, r#"{"url":"http://h/i","skills":[]}"#] {
        let e = r.add_http(&parse(bad).unwrap(), &mut host.out, &mut host.rng, 0.0).unwrap_err();
        assert_eq!(e.code, "INVALID_SKILL_SOURCE", "{bad}");
    }
    assert!(host.effects().is_empty());
}

#[test]
fn removing_a_source_aborts_its_fetch() {
    let mut r = SkillRegistry::default();
    let mut host = Host::new();
    let uuid = r
        .add_http(&parse(r#"{"url":"http://127.0.0.1:9/i.json"}"#).unwrap(), &mut host.out, &mut host.rng, 0.0)
        .unwrap();
    let effects = host.effects();
    // A refresh during the first load waits for that load: no second fetch.
    r.refresh(&uuid, &mut host.out, 0.0).unwrap();
    assert!(host.effects().is_empty());
    r.remove(&uuid, &mut host.out).unwrap();
    // Whoever waits for the load is told it will not come.
    let after = host.effects();
    assert_eq!(after[0], json!({"kind":"http_abort","id":effects[0]["id"]}));
    assert_eq!(
        (after[1]["kind"].as_str(), after[1]["sourceUuid"].as_str()),
        (Some("skill_source_ready"), Some(uuid.as_str()))
    );
    assert_eq!(after[1]["error"]["code"], "CANCELLED");
    assert_eq!(after.len(), 2);
    assert_eq!(r.remove(&uuid, &mut host.out).unwrap_err().code, "SKILL_SOURCE_NOT_FOUND");
}

/// Documents that are not UTF-8 or too large are quarantined with the
/// reason (a too-large one cut inside a character is still "too large");
/// an index over its limit says so.
#[test]
fn oversized_and_non_utf8_documents_say_why() {
    let mut r = SkillRegistry::default();
    let mut host = Host::new();
    let source = parse(r#"{"url":"http://127.0.0.1:9/i.json","sourceUuid":"s"}"#).unwrap();
    let uuid = r.add_http(&source, &mut host.out, &mut host.rng, 0.0).unwrap();
    let effects = host.effects();
    let index =
        json!({"skills":[{"name":"latin1","url":"a.md"},{"name":"huge","url":"b.md"},{"name":"ok","url":"c.md"}]});
    host.answer(&mut r, &uuid, &effects[0], 200, &index.to_string());
    let docs = host.effects();
    host.answer_bytes(&mut r, &uuid, &docs[0], 200, b"caf\xe9 au lait", 7);
    // Three-byte characters: the kept bytes end inside one.
    host.answer_bytes(&mut r, &uuid, &docs[1], 200, "\u{20ac}".repeat(200_000).as_bytes(), 65_536);
    // Read to 256 KiB and one byte, then aborted: the rest is not downloaded.
    assert_eq!(host.effects(), [json!({"kind":"http_abort","id":docs[1]["id"]})]);
    host.answer(&mut r, &uuid, &docs[2], 200, "Fine.");
    assert_eq!(host.effects(), [json!({"kind":"skill_source_ready","sourceUuid":"s"})]);
    let quarantined = &r.source(&uuid).unwrap().quarantined;
    let why: Vec<(&str, &str)> = quarantined.iter().map(|q| (q.skill_id.as_str(), q.error_code)).collect();
    assert_eq!(why, [("latin1", "invalid_utf8"), ("huge", "too_large")]);
    assert!(quarantined[1].message.contains("larger than 256 KiB"), "{}", quarantined[1].message);
    assert!(r.resolve(&key("s", "ok")).is_ok());

    let mut r = SkillRegistry::default();
    let uuid = r
        .add_http(&parse(r#"{"url":"http://127.0.0.1:9/i.json"}"#).unwrap(), &mut host.out, &mut host.rng, 0.0)
        .unwrap();
    let effects = host.effects();
    let padding = "x".repeat(5 * 1024 * 1024);
    let index = json!({"pad": padding, "skills":[]}).to_string();
    host.answer_bytes(&mut r, &uuid, &effects[0], 200, index.as_bytes(), 1 << 20);
    let ready = host.effects();
    assert_eq!(ready[0], json!({"kind":"http_abort","id":effects[0]["id"]}));
    let ready = &ready[1..];
    assert_eq!(ready[0]["error"]["code"], "INVALID_SKILL_SOURCE");
    assert!(ready[0]["error"]["message"].as_str().unwrap().contains("larger than 4 MiB"), "{}", ready[0]);
}
