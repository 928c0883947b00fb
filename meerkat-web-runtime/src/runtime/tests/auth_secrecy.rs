//! The secret of a lease or an inline key kept out of everything the host
//! can read: events, history, session info, hook contexts, errors, and
//! what a provider echoes back.

use super::auth::{FRESH, SECRET, bound, header, lease, realms, resolve};
use super::*;

#[test]
fn the_secret_never_reaches_events_history_info_hooks_or_errors() {
    let mut h = realms();
    for point in ["run_started", "pre_llm_request", "post_llm_response", "run_completed", "run_failed"] {
        h.cmd(json!({"op":"register_hook","hook":{"point":point,"mode":"background"}})).unwrap();
    }
    let s = bound(&mut h, "team-alpha", "anthropic");
    h.turn(&s, "hi");
    resolve(&mut h, lease(SECRET, json!(null)));
    let http = h.take("http");
    h.respond(&http, 401, json!([]), b"{}", 64);
    resolve(&mut h, lease(FRESH, json!(null)));
    let http = h.take("http");
    h.answer(&http, &anthropic("done", &[]));
    h.turn(&s, "fail please");
    let http = h.take("http");
    h.respond(&http, 401, json!([]), b"{}", 64);
    let auth = h.take("auth");
    h.cmd(json!({"op":"auth_result","id":auth["id"],"lease":{"kind":"inline_secret","secret":SECRET,"bad":1}}))
        .unwrap();
    let mut seen = String::new();
    for e in &h.effects {
        if e["kind"] != "http" {
            seen.push_str(&e.to_string());
        }
    }
    seen.push_str(&h.rt.drain_events(&s, 0).unwrap());
    for op in ["history", "session_info"] {
        seen.push_str(&h.cmd(json!({"op":op,"session":s})).unwrap().to_string());
    }
    seen.push_str(&h.cmd(json!({"op":"list_sessions"})).unwrap().to_string());
    assert!(seen.contains("\"hook\"") && seen.contains("run_failed") && seen.contains("AUTH_LEASE_INVALID"), "{seen}");
    assert!(!seen.contains("tok-SECRET"), "{seen}");
    assert!(!format!("{:?}", h.rt.leases).contains("tok-SECRET"));
}

#[test]
fn a_key_the_provider_echoes_back_is_redacted_from_errors_and_events() {
    const INLINE: &str = "sk-ant-inline-echoed-0123456789";
    let echo = |key: &str| {
        format!(r#"{{"type":"error","error":{{"type":"authentication_error","message":"invalid x-api-key: {key}"}}}}"#)
    };
    let leaks = |h: &mut Harness, session: &str, done: &Value, key: &str| {
        let events = serde_json::to_string(&h.events(session)).unwrap();
        done.to_string().contains(key) || events.contains(key)
    };

    // A lease refused twice (the second 401 is final), and a compaction-free
    // 400 that quotes it: neither the error nor the events carry it.
    let mut h = realms();
    let s = bound(&mut h, "team-alpha", "anthropic");
    h.turn(&s, "hi");
    resolve(&mut h, lease(SECRET, json!(null)));
    let http = h.take("http");
    h.respond(&http, 401, json!([]), echo(SECRET).as_bytes(), 7);
    resolve(&mut h, lease(FRESH, json!(null)));
    let http = h.take("http");
    h.respond(&http, 401, json!([]), echo(FRESH).as_bytes(), 7);
    let done = h.take("run_finished");
    assert_eq!(done["error"]["code"], "PROVIDER_AUTH");
    assert!(done["error"]["message"].as_str().unwrap().contains("invalid x-api-key: [redacted]"), "{done}");
    assert!(!leaks(&mut h, &s, &done, FRESH), "{done}");
    h.turn(&s, "again");
    resolve(&mut h, lease(SECRET, json!(null)));
    let http = h.take("http");
    h.respond(&http, 400, json!([]), format!("upstream refused key {SECRET}").as_bytes(), 5);
    let done = h.take("run_finished");
    assert!(!leaks(&mut h, &s, &done, SECRET), "{done}");

    // An inline key, echoed in an error body and quoted by a failed fetch.
    let mut h = Harness::new(json!({
        "anthropicApiKey":INLINE,"anthropicBaseUrl":"http://127.0.0.1:3100/anthropic","model":"claude-sonnet-4-6",
        "retry":{"maxRetries":0}
    }));
    let s = h.session(json!({}));
    h.turn(&s, "hi");
    let http = h.take("http");
    assert_eq!(header(&http, "x-api-key"), Some(INLINE));
    h.respond(&http, 401, json!([]), echo(INLINE).as_bytes(), 9);
    let done = h.take("run_finished");
    assert!(done["error"]["message"].as_str().unwrap().contains("[redacted]"), "{done}");
    assert!(!leaks(&mut h, &s, &done, INLINE), "{done}");
    h.turn(&s, "hi");
    let http = h.take("http");
    let message = format!("Headers.append: \"{INLINE}\u{20ac}\" is an invalid header value.");
    h.cmd(json!({"op":"http_error","id":http["id"],"message":message})).unwrap();
    let done = h.take("run_finished");
    assert_eq!(done["error"]["code"], "NETWORK_ERROR");
    assert!(!leaks(&mut h, &s, &done, INLINE), "{done}");

    // Where the error text is cut (a plain-text body, a long fetch message),
    // the key is taken out before the cut: no prefix of it survives either.
    let prefix = &INLINE[..12];
    for pad in [150, 170, 175] {
        h.turn(&s, "hi");
        let http = h.take("http");
        let body = format!("{} bad key {INLINE} rest", "x".repeat(pad));
        h.respond(&http, 500, json!([["content-type", "text/plain"]]), body.as_bytes(), 64);
        let done = h.take("run_finished");
        assert!(!leaks(&mut h, &s, &done, prefix), "{pad}: {done}");
        h.turn(&s, "hi");
        let http = h.take("http");
        let message = format!("{} key {INLINE} refused", "y".repeat(pad + 300));
        h.cmd(json!({"op":"http_error","id":http["id"],"message":message})).unwrap();
        let done = h.take("run_finished");
        assert!(!leaks(&mut h, &s, &done, prefix), "{pad}: {done}");
    }
}
