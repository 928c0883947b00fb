//! Realms, auth bindings and leases from the external resolver, driven on
//! the virtual clock: caching, sharing, expiry, the 401 retry and every
//! failure (the secret kept out of what the host reads: auth_secrecy.rs).

use super::*;
use crate::ids::Rng;

pub(super) const SECRET: &str = "tok-SECRET-1";
pub(super) const FRESH: &str = "tok-SECRET-2";

/// A runtime with an external-resolver realm `team-alpha` (Anthropic,
/// OpenAI in bearer mode... see the bindings) and an inline one.
pub(super) fn realms() -> Harness {
    Harness::new(json!({
        "anthropicApiKey":"proxy","anthropicBaseUrl":"http://127.0.0.1:3100/anthropic","model":"claude-sonnet-4-6",
        "retry":{"maxRetries":0},
        "realms":{
            "team-alpha":{"bindings":{
                "anthropic":{"provider":"anthropic","credentialSource":"external_resolver","baseUrl":"http://alpha/anthropic"},
                "oauth":{"provider":"anthropic","credentialSource":"external_resolver","baseUrl":"http://alpha/anthropic","header":"bearer"},
                "gemini":{"provider":"gemini","credentialSource":"external_resolver","baseUrl":"http://alpha/gemini","header":"bearer"},
                "openai":{"provider":"openai","credentialSource":"external_resolver","baseUrl":"http://alpha/openai/v1","openaiApi":"responses"}
            }},
            "team-beta":{"bindings":{
                "anthropic":{"provider":"anthropic","credentialSource":"inline","apiKey":"sk-beta","baseUrl":"http://beta/anthropic"},
                "gemini":{"provider":"gemini","credentialSource":"inline","apiKey":"AIza-beta","header":"bearer"}
            }}
        }
    }))
}

pub(super) fn bound(h: &mut Harness, realm: &str, binding: &str) -> String {
    h.session(json!({"authBinding":{"realm":realm,"binding":binding}}))
}

pub(super) fn header<'v>(http: &'v Value, name: &str) -> Option<&'v str> {
    http["headers"].as_array().unwrap().iter().find(|p| p[0] == name).map(|p| p[1].as_str().unwrap())
}

/// A lease; `expires_at` null leaves it out (valid until a 401).
pub(super) fn lease(secret: &str, expires_at: Value) -> Value {
    let mut lease = json!({"kind":"inline_secret","secret":secret,"metadata":{"account_id":"acct-7"}});
    if !expires_at.is_null() {
        lease["expires_at"] = expires_at;
    }
    lease
}

/// Answer the pending `auth` effect with `lease`.
pub(super) fn resolve(h: &mut Harness, lease: Value) {
    let auth = h.take("auth");
    h.cmd(json!({"op":"auth_result","id":auth["id"],"lease":lease})).unwrap();
}

pub(super) fn count(h: &Harness, kind: &str) -> usize {
    h.effects.iter().filter(|e| e["kind"] == kind).count()
}

#[test]
fn bindings_are_checked_when_the_session_is_created() {
    let mut h = realms();
    for (realm, binding) in [("team-gamma", "anthropic"), ("team-alpha", "mistral"), ("default", "mistral")] {
        let e = h.cmd(json!({"op":"create_session","config":{"authBinding":{"realm":realm,"binding":binding}}}));
        let e = e.unwrap_err();
        assert_eq!(e["code"], "AUTH_BINDING_NOT_FOUND", "{realm}/{binding}");
        assert!(e["message"].as_str().unwrap().contains(binding), "{e}");
    }
    let refused = |h: &mut Harness, config: Value| h.cmd(json!({"op":"create_session","config":config})).unwrap_err();
    let e = refused(&mut h, json!({"model":"gpt-5","authBinding":{"realm":"team-alpha","binding":"anthropic"}}));
    assert_eq!(e["code"], "INVALID_CONFIG");
    assert!(e["message"].as_str().unwrap().contains("reaches anthropic: model gpt-5 is not one of its models"), "{e}");
    let e = refused(&mut h, json!({"provider":"openai","authBinding":{"realm":"team-alpha","binding":"anthropic"}}));
    assert_eq!(e["code"], "INVALID_CONFIG");
    for bad in [json!("team-alpha/anthropic"), json!({"realm":"team-alpha"}), json!({"realm":"r","binding":"b","x":1})]
    {
        assert_eq!(refused(&mut h, json!({"authBinding":bad}))["code"], "INVALID_CONFIG", "{bad}");
    }
    // The default realm's bindings are the runtime config's providers.
    let s = bound(&mut h, "default", "anthropic");
    h.turn(&s, "hi");
    assert_eq!(h.take("http")["url"], "http://127.0.0.1:3100/anthropic/v1/messages");
    // No key for the default realm's openai binding: as without a binding.
    let e = refused(&mut h, json!({"model":"gpt-5","authBinding":{"realm":"default","binding":"openai"}}));
    assert_eq!(e["code"], "PROVIDER_NOT_CONFIGURED");
    // A model of unknown family takes the binding's provider.
    let info = h.session(json!({"model":"my-tuned-model","authBinding":{"realm":"team-beta","binding":"gemini"}}));
    let info = h.cmd(json!({"op":"session_info","session":info})).unwrap();
    assert_eq!(info["provider"], "gemini");
}

#[test]
fn mob_profiles_take_an_auth_binding() {
    let mut h = realms();
    let def = |binding: &str| {
        json!({"op":"create_mob","definition":{"id":format!("m-{binding}"),"profiles":{
            "lead":{"model":"claude-sonnet-4-6","authBinding":{"realm":"team-alpha","binding":binding}}}}})
    };
    h.cmd(def("anthropic")).unwrap();
    let e = h.cmd(def("nope")).unwrap_err();
    assert_eq!(e["code"], "INVALID_MOB_DEFINITION");
    assert!(e["message"].as_str().unwrap().starts_with("mob definition.profiles.lead: authBinding"), "{e}");
    let e = h
        .cmd(json!({"op":"create_mob","definition":{"id":"m2","profiles":{"lead":{"authBinding":{"realm":1}}}}}))
        .unwrap_err();
    assert!(e["message"].as_str().unwrap().contains("mob definition.profiles.lead.authBinding.realm"), "{e}");
    let member = h.spawn("m-anthropic", &[("lead", "lead-1")]).remove(0);
    h.cmd(json!({"op":"mob_send","mob":"m-anthropic","member":"lead-1","content":"hello"})).unwrap();
    let auth = h.take("auth");
    assert_eq!((auth["realm"].as_str(), auth["binding"].as_str()), (Some("team-alpha"), Some("anthropic")));
    h.cmd(json!({"op":"auth_result","id":auth["id"],"lease":lease(SECRET, Value::Null)})).unwrap();
    let http = h.take("http");
    assert_eq!(header(&http, "x-api-key"), Some(SECRET));
    assert_eq!(http["sessionId"], member.as_str());
}

#[test]
fn inline_bindings_decide_url_key_header_and_api() {
    let mut h = realms();
    let s = bound(&mut h, "team-beta", "anthropic");
    h.turn(&s, "hi");
    assert!(h.effects.iter().all(|e| e["kind"] != "auth"));
    let http = h.take("http");
    assert_eq!(http["url"], "http://beta/anthropic/v1/messages");
    assert_eq!(header(&http, "x-api-key"), Some("sk-beta"));
    assert_eq!(header(&http, "authorization"), None);
    let s = h.session(json!({"model":"gemini-2.5-pro","authBinding":{"realm":"team-beta","binding":"gemini"}}));
    h.turn(&s, "hi");
    let http = h.take("http");
    assert!(http["url"].as_str().unwrap().starts_with("https://generativelanguage.googleapis.com/"));
    assert_eq!(header(&http, "authorization"), Some("Bearer AIza-beta"));
    assert_eq!(header(&http, "x-goog-api-key"), None);
}

#[test]
fn a_lease_is_asked_for_once_cached_and_sent_where_the_binding_says() {
    let mut h = realms();
    let s = bound(&mut h, "team-alpha", "anthropic");
    h.turn(&s, "hi");
    assert_eq!(h.kinds(), ["auth"]);
    let auth = h.effects[0].clone();
    assert_eq!(auth["realm"], "team-alpha");
    assert_eq!(auth["binding"], "anthropic");
    assert_eq!(auth["provider"], "anthropic");
    assert!(auth.get("sessionId").is_none());
    let info = h.cmd(json!({"op":"list_sessions"})).unwrap();
    assert_eq!(info[0]["isActive"], true);
    resolve(&mut h, lease(SECRET, json!(null)));
    let http = h.take("http");
    assert_eq!(http["url"], "http://alpha/anthropic/v1/messages");
    assert_eq!(header(&http, "x-api-key"), Some(SECRET));
    h.answer(&http, &anthropic("hello", &[]));
    assert_eq!(h.take("run_finished")["result"]["text"], "hello");
    // Cached: the next turn goes straight out.
    h.turn(&s, "again");
    assert_eq!(h.kinds(), ["http"]);
    assert_eq!(header(&h.effects[0], "x-api-key"), Some(SECRET));
    // An answer for the settled effect is refused and changes nothing.
    let e = h.cmd(json!({"op":"auth_result","id":auth["id"],"lease":lease(FRESH, json!(null))})).unwrap_err();
    assert_eq!(e["code"], "UNKNOWN_EFFECT");
    assert_eq!(h.code(json!({"op":"auth_result","id":12345,"error":"x"})), "UNKNOWN_EFFECT");
    let http = h.take("http");
    assert_eq!(h.code(json!({"op":"auth_result","id":http["id"],"error":"x"})), "UNKNOWN_EFFECT");
}

#[test]
fn bearer_bindings_send_an_authorization_header_for_every_provider() {
    let mut h = realms();
    for (binding, model, url, native) in [
        ("oauth", "claude-sonnet-4-6", "http://alpha/anthropic/v1/messages", "x-api-key"),
        (
            "gemini",
            "gemini-2.5-pro",
            "http://alpha/gemini/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            "x-goog-api-key",
        ),
        ("openai", "gpt-5", "http://alpha/openai/v1/responses", "x-api-key"),
    ] {
        let s = h.session(json!({"model":model,"authBinding":{"realm":"team-alpha","binding":binding}}));
        h.turn(&s, "hi");
        resolve(&mut h, lease(SECRET, json!(null)));
        let http = h.take("http");
        assert_eq!(http["url"], url, "{binding}");
        assert_eq!(header(&http, "authorization"), Some(format!("Bearer {SECRET}").as_str()), "{binding}");
        assert_eq!(header(&http, native), None, "{binding}");
    }
}

#[test]
fn concurrent_runs_share_one_resolver_call() {
    let mut h = realms();
    let a = bound(&mut h, "team-alpha", "anthropic");
    let b = bound(&mut h, "team-alpha", "anthropic");
    let c = bound(&mut h, "team-alpha", "oauth");
    h.turn(&a, "one");
    h.turn(&b, "two");
    h.turn(&c, "three");
    // One per binding, not one per session.
    assert_eq!(h.kinds(), ["auth", "auth"]);
    assert_eq!(h.effects[1]["binding"], "oauth");
    let auth = h.take("auth");
    h.cmd(json!({"op":"auth_result","id":auth["id"],"lease":lease(SECRET, json!(null))})).unwrap();
    let sent: Vec<Value> = h.effects.iter().filter(|e| e["kind"] == "http").cloned().collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent.iter().map(|e| e["sessionId"].as_str().unwrap()).collect::<Vec<_>>(), [a.as_str(), b.as_str()]);
    assert!(sent.iter().all(|e| header(e, "x-api-key") == Some(SECRET)));
    // c still waits on its own binding's lease.
    assert_eq!(count(&h, "auth"), 1);
    let info = h.cmd(json!({"op":"session_info","session":c})).unwrap();
    assert_eq!(info["running"], true);
}

#[test]
fn leases_expire_on_the_core_clock_thirty_seconds_early() {
    let mut h = realms();
    // A real clock: epoch seconds and milliseconds are told apart by size.
    h.now = 1_800_000_000_000.0;
    let s = bound(&mut h, "team-alpha", "anthropic");
    let expires = h.now + 120_000.0;
    h.turn(&s, "one");
    resolve(&mut h, lease(SECRET, json!((expires / 1000.0) as u64)));
    let http = h.take("http");
    h.answer(&http, &anthropic("ok", &[]));
    h.take("run_finished");
    // 31 s before expiry: still served from the cache.
    h.now = expires - 31_000.0;
    h.turn(&s, "two");
    assert_eq!(h.kinds(), ["http"]);
    let http = h.take("http");
    h.answer(&http, &anthropic("ok", &[]));
    h.take("run_finished");
    // 29 s before expiry: re-resolved.
    h.now = expires - 29_000.0;
    h.turn(&s, "three");
    assert_eq!(h.kinds(), ["auth"]);
    // A lease that expires within the margin still serves the runs that waited for it...
    let soon = lease(FRESH, json!(h.now as u64 + 10_000));
    resolve(&mut h, soon);
    let http = h.take("http");
    assert_eq!(header(&http, "x-api-key"), Some(FRESH));
    h.answer(&http, &anthropic("ok", &[]));
    h.take("run_finished");
    // ...but no later one. ISO-8601 text works as well.
    h.turn(&s, "four");
    assert_eq!(h.kinds(), ["auth"]);
    resolve(&mut h, lease(SECRET, json!("2100-01-01T00:00:00.000+01:00")));
    let http = h.take("http");
    h.answer(&http, &anthropic("ok", &[]));
    h.take("run_finished");
    h.now += 365.0 * 86_400_000.0;
    h.turn(&s, "five");
    assert_eq!(h.kinds(), ["http"]);
}

#[test]
fn a_401_drops_the_lease_and_retries_once_with_a_fresh_one() {
    let mut h = realms();
    let s = bound(&mut h, "team-alpha", "anthropic");
    let t = bound(&mut h, "team-alpha", "anthropic");
    h.turn(&s, "hi");
    resolve(&mut h, lease(SECRET, json!(null)));
    let http = h.take("http");
    let unauthorized = br#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#;
    h.respond(&http, 401, json!([]), unauthorized, 64);
    // The lease is dropped and asked for again; the request waits for it.
    assert_eq!(h.kinds(), ["auth"]);
    // Another session needs the binding meanwhile: it waits on the same call.
    h.turn(&t, "me too");
    assert_eq!(h.kinds(), ["auth"]);
    resolve(&mut h, lease(FRESH, json!(null)));
    let sent: Vec<Value> = h.effects.drain(..).collect();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|e| header(e, "x-api-key") == Some(FRESH)));
    let retry = sent.iter().find(|e| e["sessionId"] == s.as_str()).unwrap().clone();
    h.answer(&retry, &anthropic("welcome back", &[]));
    let done = h.take("run_finished");
    assert_eq!(done["result"]["text"], "welcome back");
    assert_eq!(done["result"]["turns"], 1);
    let events = h.events(&s);
    assert_eq!(
        types(&events),
        ["run_started", "turn_started", "text_delta*", "text_complete", "turn_completed", "run_completed"]
    );

    // A second 401 in the same turn is final.
    h.turn(&s, "again");
    let http = h.take("http");
    h.respond(&http, 401, json!([]), unauthorized, 64);
    resolve(&mut h, lease("tok-SECRET-3", json!(null)));
    let http = h.take("http");
    assert_eq!(header(&http, "x-api-key"), Some("tok-SECRET-3"));
    h.respond(&http, 401, json!([]), unauthorized, 64);
    let done = h.take("run_finished");
    assert_eq!(done["error"]["code"], "PROVIDER_AUTH");
    let message = done["error"]["message"].as_str().unwrap();
    assert!(message.contains("fresh lease from the external auth resolver was refused too"), "{message}");
    assert!(h.effects.iter().all(|e| e["kind"] != "auth"));
    // The refused lease is not kept: the next turn asks for a new one.
    h.turn(&s, "after");
    assert_eq!(h.kinds(), ["auth"]);
    h.effects.clear();
    // An inline binding gets no second chance: its key will not change.
    let inline = bound(&mut h, "team-beta", "anthropic");
    h.turn(&inline, "hi");
    let http = h.take("http");
    h.respond(&http, 401, json!([]), unauthorized, 64);
    assert_eq!(h.take("run_finished")["error"]["code"], "PROVIDER_AUTH");
}

#[test]
fn a_key_refused_by_gemini_400_or_on_a_summary_request_is_asked_for_again() {
    let mut h = Harness::new(json!({
        "retry":{"maxRetries":0},
        "realms":{"r":{"bindings":{
            "key":{"provider":"gemini","credentialSource":"external_resolver","baseUrl":"http://g/gemini"},
            "claude":{"provider":"anthropic","credentialSource":"external_resolver"}
        }}}
    }));
    // Gemini refuses a bad key with a 400 whose detail says API_KEY_INVALID.
    let s = h.session(json!({"model":"gemini-2.5-pro","authBinding":{"realm":"r","binding":"key"}}));
    h.turn(&s, "hi");
    resolve(&mut h, lease(SECRET, json!(null)));
    let http = h.take("http");
    let bad_key = br#"{"error":{"code":400,"message":"API key not valid.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}"#;
    h.respond(&http, 400, json!([]), bad_key, 64);
    resolve(&mut h, lease(FRESH, json!(null)));
    assert_eq!(header(&h.take("http"), "x-goog-api-key"), Some(FRESH));
    // Another 400 is the request's fault: no new lease.
    let s = h.session(json!({"model":"gemini-2.5-pro","authBinding":{"realm":"r","binding":"key"}}));
    h.turn(&s, "hi");
    let http = h.take("http");
    let bad_request = br#"{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}"#;
    h.respond(&http, 400, json!([]), bad_request, 64);
    assert_eq!(h.take("run_finished")["error"]["code"], "PROVIDER_BAD_REQUEST");
    assert!(h.effects.is_empty());

    // A summary request refused with a 401 is sent again with a fresh lease, as one compaction.
    let s = h.session(
        json!({"model":"claude-sonnet-4-6","authBinding":{"realm":"r","binding":"claude"},"compaction":{"keepRecentTurns":1}}),
    );
    for prompt in ["one", "two"] {
        h.turn(&s, prompt);
        if h.kinds() == ["auth"] {
            resolve(&mut h, lease(SECRET, json!(null)));
        }
        let http = h.take("http");
        h.answer(&http, &anthropic("ok", &[]));
        h.take("run_finished");
    }
    h.cmd(json!({"op":"compact","session":s})).unwrap();
    let http = h.take("http");
    h.respond(&http, 401, json!([]), b"{}", 64);
    resolve(&mut h, lease(FRESH, json!(null)));
    let http = h.take("http");
    assert_eq!(header(&http, "x-api-key"), Some(FRESH));
    assert!(http["body"].as_str().unwrap().contains("Summarize the conversation"));
    h.answer(&http, &anthropic("the summary", &[]));
    assert!(h.take("run_finished").get("result").is_some());
    let events = types(&h.events(&s));
    assert_eq!(events.iter().filter(|t| *t == "compaction_started").count(), 1, "{events:?}");
}

#[test]
fn resolver_failures_fail_the_run_and_leave_the_runtime_usable() {
    let mut h = realms();
    let s = bound(&mut h, "team-alpha", "anthropic");
    let t = bound(&mut h, "team-alpha", "anthropic");
    let cases = [
        (json!({"error":"login expired"}), "AUTH_RESOLVER_FAILED", "login expired"),
        (json!({"error":"timed out after 30000 ms","reason":"failed"}), "AUTH_RESOLVER_FAILED", "timed out"),
        (json!({"error":"none","reason":"missing"}), "AUTH_RESOLVER_MISSING", "registerExternalAuthResolver"),
        (json!({"error":"BigInt","reason":"invalid"}), "AUTH_LEASE_INVALID", "BigInt"),
        (json!({"lease":{"kind":"inline_secret"}}), "AUTH_LEASE_INVALID", "lease.secret"),
        (json!({}), "AUTH_LEASE_INVALID", "lease must be an object"),
        (json!({"lease":lease(SECRET, json!(1))}), "AUTH_LEASE_INVALID", "already past"),
    ];
    for (answer, code, says) in cases {
        h.turn(&s, "hi");
        h.turn(&t, "hi");
        let auth = h.take("auth");
        let mut cmd = answer.clone();
        cmd["op"] = json!("auth_result");
        cmd["id"] = auth["id"].clone();
        h.cmd(cmd).unwrap();
        for session in [&s, &t] {
            let done = h.take("run_finished");
            assert_eq!(done["sessionId"], session.as_str());
            assert_eq!(done["error"]["code"], code, "{answer}");
            let message = done["error"]["message"].as_str().unwrap();
            assert!(message.contains("team-alpha/anthropic") && message.contains(says), "{message}");
            assert!(!message.contains(SECRET));
            let events = h.events(session);
            assert_eq!(types(&events), ["run_started", "run_failed"]);
        }
        assert!(h.effects.is_empty(), "{:?}", h.effects);
        assert!(h.history(&s).is_empty());
    }
    // Usable afterwards: the next turn asks again and runs.
    h.turn(&s, "hi");
    resolve(&mut h, lease(SECRET, json!(null)));
    let http = h.take("http");
    h.answer(&http, &anthropic("fine", &[]));
    assert_eq!(h.take("run_finished")["result"]["text"], "fine");
}

#[test]
fn runs_stopped_while_waiting_leave_the_lease_for_the_others() {
    let mut h = realms();
    let s = bound(&mut h, "team-alpha", "anthropic");
    let t = bound(&mut h, "team-alpha", "anthropic");
    h.turn(&s, "one");
    h.turn(&t, "two");
    h.cmd(json!({"op":"interrupt","session":s})).unwrap();
    let done = h.take("run_finished");
    assert_eq!(done["sessionId"], s.as_str());
    h.cmd(json!({"op":"destroy_session","session":t})).unwrap();
    assert_eq!(h.take("run_finished")["error"]["code"], "CANCELLED");
    // The call is still out; its lease lands in the cache.
    resolve(&mut h, lease(SECRET, json!(null)));
    assert!(h.effects.is_empty());
    h.turn(&s, "three");
    assert_eq!(h.kinds(), ["http"]);
}

#[test]
fn compaction_and_retries_carry_the_lease_too() {
    let mut h = Harness::new(json!({
        "realms":{"r":{"bindings":{"b":{"provider":"anthropic","credentialSource":"external_resolver"}}}},
        "retry":{"maxRetries":1,"initialDelayMs":10}
    }));
    h.now = 1_800_000_000_000.0;
    let s = h.session(
        json!({"model":"claude-sonnet-4-6","authBinding":{"realm":"r","binding":"b"},"compaction":{"keepRecentTurns":1}}),
    );
    h.turn(&s, "one");
    let later = lease(SECRET, json!(h.now as u64 + 100_000));
    resolve(&mut h, later);
    let http = h.take("http");
    h.answer(&http, &anthropic("ok", &[]));
    h.take("run_finished");
    // Expired meanwhile: the next request waits for a new lease.
    h.now += 200_000.0;
    h.turn(&s, "two");
    assert_eq!(h.kinds(), ["auth"]);
    assert_eq!(h.code(json!({"op":"compact","session":s})), "SESSION_BUSY");
    let later = lease(FRESH, json!(h.now as u64 + 100_000));
    resolve(&mut h, later);
    let http = h.take("http");
    assert_eq!(header(&http, "x-api-key"), Some(FRESH));
    // A transient failure is retried after the timer with the cached lease.
    h.respond(&http, 529, json!([]), b"{}", 64);
    let timer = h.take("timer");
    h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    let http = h.take("http");
    assert_eq!(header(&http, "x-api-key"), Some(FRESH));
    h.answer(&http, &anthropic("ok", &[]));
    h.take("run_finished");
    // The summary request of a compaction asks for its lease too.
    h.now += 200_000.0;
    h.cmd(json!({"op":"compact","session":s})).unwrap();
    assert_eq!(h.kinds(), ["auth"]);
    resolve(&mut h, lease("tok-SECRET-3", json!(null)));
    let http = h.take("http");
    assert_eq!(header(&http, "x-api-key"), Some("tok-SECRET-3"));
    assert!(http["body"].as_str().unwrap().contains("Summarize the conversation"));
    h.answer(&http, &anthropic("the summary", &[]));
    assert!(h.take("run_finished").get("result").is_some());
    assert!(h.history(&s)[0]["content"][0]["text"].as_str().unwrap().contains("the summary"));
}

#[test]
fn garbage_lease_answers_never_panic() {
    let mut rng = Rng::from_entropy(b"garbage leases");
    let pieces = [
        json!(null),
        json!("inline_secret"),
        json!(""),
        json!(-1),
        json!(1e300),
        json!("2030-02-30T25:61:61Z"),
        json!("9999-99-99T99:99:99+99:99"),
        json!([1, 2]),
        json!({"kind":"inline_secret"}),
        json!(SECRET),
        json!("\u{0}"),
        json!(18_446_744_073_709_551_615u64),
    ];
    let keys = ["kind", "secret", "metadata", "expires_at", "extra"];
    for round in 0..500 {
        // A fresh runtime each round: a good lease would be cached.
        let mut h = realms();
        let s = bound(&mut h, "team-alpha", "anthropic");
        h.turn(&s, "hi");
        let auth = h.take("auth");
        let mut lease = serde_json::Map::new();
        for _ in 0..rng.next_u64() % 5 {
            let key = keys[(rng.next_u64() % keys.len() as u64) as usize];
            lease.insert(key.into(), pieces[(rng.next_u64() % pieces.len() as u64) as usize].clone());
        }
        if rng.next_u64().is_multiple_of(3) {
            lease.insert("kind".into(), json!("inline_secret"));
            lease.insert("secret".into(), json!(SECRET));
        }
        let text = json!({"op":"auth_result","id":auth["id"],"lease":Value::Object(lease)}).to_string();
        let reply: Value = serde_json::from_str(&h.rt.command(h.now, &text)).unwrap();
        assert!(reply.get("error").is_none(), "round {round}: {reply}");
        h.effects.extend(reply["effects"].as_array().unwrap().iter().cloned());
        match h.effects.iter().position(|e| e["kind"] == "http") {
            Some(_) => {
                let http = h.take("http");
                h.answer(&http, &anthropic("ok", &[]));
                assert!(h.take("run_finished").get("result").is_some());
            }
            None => assert_eq!(h.take("run_finished")["error"]["code"], "AUTH_LEASE_INVALID", "round {round}"),
        }
        assert!(!h.rt.drain_events(&s, 0).unwrap().contains("tok-SECRET"));
    }
}

#[test]
fn forgotten_leases_are_asked_for_again_and_a_call_in_flight_still_lands() {
    let mut h = realms();
    let s = bound(&mut h, "team-alpha", "anthropic");
    h.turn(&s, "one");
    resolve(&mut h, lease(SECRET, json!(null)));
    let http = h.take("http");
    h.answer(&http, &anthropic("ok", &[]));
    h.take("run_finished");
    // The host's resolver was replaced: the cached lease is not used again.
    h.cmd(json!({"op":"forget_leases"})).unwrap();
    h.turn(&s, "two");
    assert_eq!(h.kinds(), ["auth"]);
    // Forgetting while a call is out leaves the waiting run waiting on it.
    h.cmd(json!({"op":"forget_leases"})).unwrap();
    resolve(&mut h, lease(FRESH, json!(null)));
    assert_eq!(header(&h.take("http"), "x-api-key"), Some(FRESH));
    assert_eq!(h.code(json!({"op":"forget_leases","x":1})), "INVALID_COMMAND");
}
