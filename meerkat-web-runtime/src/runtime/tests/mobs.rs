//! Mobs driven end to end by scripted model answers: definitions, members,
//! wiring, comms deliveries, wake-ups, limits, lifecycle, subscriptions.

use super::*;

pub(super) fn team() -> Value {
    json!({"id":"research-team","orchestrator":{"profile":"lead"},
        "profiles":{"lead":{"model":"claude-sonnet-4-6"},"worker":{"model":"claude-sonnet-4-6","peer_description":"Finds sources"}}})
}

impl Harness {
    pub(super) fn mob(&mut self, def: Value) -> String {
        self.cmd(json!({"op":"create_mob","definition":def})).unwrap()["mobId"].as_str().unwrap().to_string()
    }

    /// Spawn members `(profile, identity)`; their session ids.
    pub(super) fn spawn(&mut self, mob: &str, rows: &[(&str, &str)]) -> Vec<String> {
        let specs: Vec<Value> = rows.iter().map(|(p, id)| json!({"profile":p,"agent_identity":id})).collect();
        let out = self.cmd(json!({"op":"mob_spawn","mob":mob,"specs":specs})).unwrap();
        let ids: Vec<String> = out
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                assert_eq!(r["status"], "spawned", "{r}");
                r["sessionId"].as_str().unwrap().to_string()
            })
            .collect();
        for id in &ids {
            self.read_member(id);
        }
        ids
    }

    /// Open the reader `events` reads member session `session` with (as
    /// `subscribeMemberEvents` does): members have no poll reader.
    pub(super) fn read_member(&mut self, session: &str) {
        assert!(self.rt.drain_events(session, 0).is_err(), "a member has no poll reader");
        let reader = self.cmd(json!({"op":"open_reader","session":session})).unwrap()["reader"].as_u64().unwrap();
        self.member_readers.push((session.to_string(), reader as u32));
    }

    /// The oldest HTTP effect of `session`.
    pub(super) fn http_of(&mut self, session: &str) -> Value {
        let at = self
            .effects
            .iter()
            .position(|e| e["kind"] == "http" && e["sessionId"] == session)
            .unwrap_or_else(|| panic!("no http effect of {session} in {:?}", self.kinds()));
        self.effects.remove(at)
    }

    pub(super) fn has_http(&self, session: &str) -> bool {
        self.effects.iter().any(|e| e["kind"] == "http" && e["sessionId"] == session)
    }

    /// Answer `session`'s pending request with text and tool calls; the
    /// request body it answered.
    pub(super) fn reply(&mut self, session: &str, text: &str, calls: &[(&str, &str, Value)]) -> Value {
        let http = self.http_of(session);
        let body: Value = serde_json::from_str(http["body"].as_str().unwrap()).unwrap();
        self.answer(&http, &anthropic(text, calls));
        body
    }

    /// A mob poll as items, each run expanded the way the TypeScript side does.
    pub(super) fn mob_events(&mut self, mob: &str, sub: u64) -> Vec<Value> {
        let runs = self.cmd(json!({"op":"mob_poll","mob":mob,"subscription":sub})).unwrap();
        let mut items = Vec::new();
        for run in runs.as_array().unwrap() {
            let seq = run["seq"].as_u64().unwrap();
            for (i, event) in run["events"].as_array().unwrap().iter().enumerate() {
                items.push(json!({"member":run["member"],"role":run["role"],"seq":seq + i as u64,"timestampMs":run["timestampMs"],"event":event}));
            }
        }
        items
    }

    pub(super) fn subscribe(&mut self, mob: &str) -> u64 {
        self.cmd(json!({"op":"mob_subscribe","mob":mob})).unwrap()["subscription"].as_u64().unwrap()
    }
}

/// The text of the last user message of a request body.
pub(super) fn last_user_text(body: &Value) -> String {
    let messages = body["messages"].as_array().unwrap();
    let last = messages.iter().rev().find(|m| m["role"] == "user").unwrap();
    last["content"].as_array().unwrap().iter().filter_map(|p| p["text"].as_str()).collect::<Vec<_>>().join("\n")
}

/// The last tool result of a request body: (text, is_error).
pub(super) fn tool_result(body: &Value) -> (String, bool) {
    let messages = body["messages"].as_array().unwrap();
    let part =
        messages.iter().flat_map(|m| m["content"].as_array().unwrap()).rfind(|p| p["type"] == "tool_result").unwrap();
    let text = part["content"].as_array().unwrap()[0]["text"].as_str().unwrap().to_string();
    (text, part["is_error"] == true)
}

/// A profile's `compaction` is each member's: a long-lived member's history
/// is summarised as a session's would be.
#[test]
fn a_profile_with_compaction_has_its_members_summarised() {
    let mut h = Harness::proxy();
    let def = json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6","compaction":{"thresholdTokens":60,"keepRecentTurns":1}}}});
    let mob = h.mob(def);
    let s = h.spawn(&mob, &[("a", "a-1")]).remove(0);
    let mut summaries = 0;
    for i in 0..6 {
        h.cmd(json!({"op":"mob_send","mob":mob,"member":"a-1","content":format!("Task number {i}, in some words.")}))
            .unwrap();
        loop {
            let http = h.http_of(&s);
            let body: Value = serde_json::from_str(http["body"].as_str().unwrap()).unwrap();
            let summary = body["system"].as_str().is_some_and(|t| t.contains("Summarize the conversation"));
            summaries += usize::from(summary);
            h.answer(&http, &anthropic(if summary { "Tasks so far." } else { "Done with that task." }, &[]));
            if !summary {
                break;
            }
        }
    }
    assert!(summaries > 0, "the member was never summarised");
    let history = h.cmd(json!({"op":"history","session":s})).unwrap();
    assert!(history.as_array().unwrap().len() < 12, "{history}");
}

/// Before the first mob, mob ops never reach the mob code (in the wasm it
/// is a part linked before the first `create_mob`): they are answered as
/// they would be once mobs exist, and the bad ones refused the same way.
#[test]
fn mob_ops_before_the_first_mob_are_answered_without_the_mob_code() {
    let mut h = Harness::proxy();
    assert_eq!(h.cmd(json!({"op":"list_mobs"})).unwrap(), json!([]));
    assert_eq!(h.code(json!({"op":"mob_status","mob":"nope"})), "MOB_NOT_FOUND");
    assert_eq!(h.code(json!({"op":"mob_poll","mob":"nope","subscription":1})), "MOB_NOT_FOUND");
    let wire = json!({"op":"wire_cross_mob","mobA":"a","memberA":"x","mobB":"b","memberB":"y"});
    assert_eq!(h.code(wire), "MOB_NOT_FOUND");
    assert_eq!(h.code(json!({"op":"mob_members"})), "INVALID_COMMAND");
    assert!(h.rt.drain_mob("nope", 1).is_err_and(|e| e.code == "MOB_NOT_FOUND"));
    // The same answers once a mob exists.
    h.mob(team());
    assert_eq!(h.code(json!({"op":"mob_status","mob":"nope"})), "MOB_NOT_FOUND");
    assert!(h.rt.drain_mob("nope", 1).is_err_and(|e| e.code == "MOB_NOT_FOUND"));
}

#[test]
fn definitions_are_checked_whole_and_name_the_field() {
    let mut h = Harness::proxy();
    let cases = [
        (json!({"id":"m","profiles":{}}), "profiles"),
        (
            json!({"id":"m","orchestrator":{"profile":"boss"},"profiles":{"a":{"model":"claude-sonnet-4-6"}}}),
            "orchestrator.profile",
        ),
        (json!({"id":"m","profiles":{"a":{"model":"gpt-4o"}}}), "profiles.a"),
        (
            json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6","colour":"red"}}}),
            "profiles.a has an unknown field \"colour\"",
        ),
        (
            json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6","runtimeMode":"sometimes"}}}),
            "profiles.a.runtimeMode",
        ),
        (
            json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6","skills":["nope"]}}}),
            "profiles.a.skills names \"nope\"",
        ),
        (
            json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6"}},"wiring":{"roleWiring":[{"a":"a","b":"z"}]}}),
            "roleWiring[0]",
        ),
        (json!({"id":"a/b","profiles":{"a":{"model":"claude-sonnet-4-6"}}}), "mob definition.id"),
        (json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6"}},"limits":{"maxHops":0}}), "limits.maxHops"),
        (
            json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6","budget":{"tokens":"many"}}}}),
            "profiles.a.budget",
        ),
        (json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6"}},"skills":{"s":{"source":"url"}}}), "skills.s"),
        (
            json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6","compaction":{"keepRecentTurns":0}}}}),
            "profiles.a.compaction",
        ),
        (
            json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6"}},"wiring":{"roleWiring":{}}}),
            "mob definition.wiring.roleWiring must be an array, got an object",
        ),
        (
            json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6"}},"wiring":{"roleWiring":[7]}}),
            "mob definition.wiring.roleWiring[0] must be an object",
        ),
        (
            json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6","skills":"x"}}}),
            "mob definition.profiles.a.skills must be an array, got a string",
        ),
        (json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6","skills":[7]}}}), "profiles.a.skills[0]"),
        (json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6"}},"skills":{"s":7}}), "mob definition.skills.s"),
        (
            json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6","tools":{"host":["nope"]}}}}),
            "profiles.a.tools.host",
        ),
    ];
    for (def, needle) in cases {
        let e = h.cmd(json!({"op":"create_mob","definition":def})).unwrap_err();
        assert_eq!(e["code"], "INVALID_MOB_DEFINITION", "{def}");
        assert!(e["message"].as_str().unwrap().contains(needle), "{needle} in {}", e["message"]);
    }
    assert_eq!(h.cmd(json!({"op":"list_mobs"})).unwrap(), json!([]));
    // A definition with inline skills makes them preloaded for the profile.
    let def = json!({"id":"skilled","profiles":{"a":{"model":"claude-sonnet-4-6","skills":["tone"]}},
        "skills":{"tone":{"source":"inline","content":"Answer in haiku.","description":"Poetic tone"}}});
    let mob = h.mob(def);
    let s = h.spawn(&mob, &[("a", "poet")]).remove(0);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"poet","content":"hi"})).unwrap();
    let body = h.reply(&s, "ok", &[]);
    assert!(body["system"].to_string().contains("Answer in haiku."), "{}", body["system"]);
    assert!(body["system"].to_string().contains("You are poet"));
    assert_eq!(
        h.code(json!({"op":"create_mob","definition":{"id":"skilled","profiles":{"a":{}}}})),
        "INVALID_MOB_DEFINITION"
    );
}

/// `check_mob_definition` (a mobpack's definition, checked when the pack is
/// opened) refuses what `create_mob` would, and creates nothing either way.
#[test]
fn check_mob_definition_refuses_what_create_mob_would_and_creates_nothing() {
    let mut h = Harness::proxy();
    for (def, needle) in [
        (json!({"hello":1}), "hello"),
        (json!({}), "id"),
        (json!({"id":"m","orchestrator":{"profile":"boss"},"profiles":{"a":{}}}), "orchestrator.profile"),
    ] {
        let e = h.cmd(json!({"op":"check_mob_definition","definition":def})).unwrap_err();
        assert_eq!(e["code"], "INVALID_MOB_DEFINITION", "{def}");
        assert!(e["message"].as_str().unwrap().contains(needle), "{needle} in {}", e["message"]);
    }
    assert_eq!(h.cmd(json!({"op":"check_mob_definition","definition":team()})).unwrap(), Value::Null);
    assert_eq!(h.cmd(json!({"op":"list_mobs"})).unwrap(), json!([]));
}

#[test]
fn spawn_reports_each_row_and_wires_the_orchestrator() {
    let mut h = Harness::proxy();
    let mob = h.mob(team());
    let out = h
        .cmd(json!({"op":"mob_spawn","mob":mob,"specs":[
            {"profile":"lead","agent_identity":"lead-1"},
            {"profile":"nobody","agent_identity":"x"},
            {"profile":"worker","agentIdentity":"worker-1","runtimeMode":"turn_driven"},
            {"profile":"worker","agent_identity":"worker-1"},
            {"profile":"worker","agent_identity":"bad name"}]}))
        .unwrap();
    let statuses: Vec<&str> = out.as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["spawned", "failed", "spawned", "failed", "failed"]);
    assert_eq!(out[1]["code"], "INVALID_ARGUMENT");
    assert_eq!(out[0]["memberRef"], "research-team/lead-1");
    let members = h.cmd(json!({"op":"mob_members","mob":mob})).unwrap();
    assert_eq!(members.as_array().unwrap().len(), 2);
    assert_eq!(members[0]["wiredTo"], json!(["worker-1"]));
    assert_eq!(members[1]["runtimeMode"], "turn_driven");
    assert_eq!(members[1]["status"], "idle");
    let status = h.cmd(json!({"op":"mob_member_status","mob":mob,"member":"lead-1"})).unwrap();
    assert_eq!(status["status"], "idle");
    assert_eq!(status["currentActivity"], Value::Null);
    assert_eq!(status["inboxDepth"], 0);
    assert_eq!(h.code(json!({"op":"mob_member_status","mob":mob,"member":"ghost"})), "MEMBER_NOT_FOUND");
    assert_eq!(h.code(json!({"op":"mob_members","mob":"nope"})), "MOB_NOT_FOUND");
    assert_eq!(h.code(json!({"op":"mob_spawn","mob":mob,"specs":"lead"})), "INVALID_ARGUMENT");
    // Wiring: idempotent, refused for unknown members and self.
    h.cmd(json!({"op":"mob_wire","mob":mob,"a":"lead-1","b":"worker-1"})).unwrap();
    assert_eq!(h.code(json!({"op":"mob_wire","mob":mob,"a":"lead-1","b":"ghost"})), "MEMBER_NOT_FOUND");
    assert_eq!(h.code(json!({"op":"mob_wire","mob":mob,"a":"lead-1","b":"lead-1"})), "INVALID_ARGUMENT");
    h.cmd(json!({"op":"mob_unwire","mob":mob,"a":"lead-1","b":"worker-1"})).unwrap();
    let members = h.cmd(json!({"op":"mob_members","mob":mob})).unwrap();
    assert_eq!(members[0]["wiredTo"], json!([]));
    // A member's session cannot be destroyed behind the mob's back.
    let s = members[0]["sessionId"].as_str().unwrap();
    assert_eq!(h.code(json!({"op":"destroy_session","session":s})), "INVALID_ARGUMENT");
}

#[test]
fn a_message_wakes_an_autonomous_peer_as_attributed_context() {
    let mut h = Harness::proxy();
    let mob = h.mob(team());
    let [lead, worker] = <[String; 2]>::try_from(h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")])).unwrap();
    let sub = h.subscribe(&mob);
    let sent =
        h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Ask worker-1 for sources."})).unwrap();
    assert!(sent["runId"].as_u64().is_some());
    let body = h.reply(&lead, "", &[("t1", "peers", json!({}))]);
    let tools: Vec<&str> = body["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(tools, ["peers", "send_message", "send_request", "send_response"]);
    let body = h.reply(&lead, "", &[("t2", "send_message", json!({"to":"worker-1","body":"Find three sources."}))]);
    let (peers, _) = tool_result(&body);
    let peers: Value = serde_json::from_str(&peers).unwrap();
    assert_eq!(peers, json!([{"name":"worker-1","mob":"research-team","role":"worker","description":"Finds sources"}]));
    // The worker woke at once with the message as attributed context.
    let wbody = h.reply(&worker, "On it.", &[]);
    assert_eq!(last_user_text(&wbody), "[message from lead-1 (lead)]: Find three sources.");
    let lbody = h.reply(&lead, "Asked.", &[]);
    assert_eq!(tool_result(&lbody), (r#"{"delivered":true,"to":"worker-1"}"#.to_string(), false));
    let events = h.mob_events(&mob, sub);
    let delivered = events.iter().find(|e| e["event"]["type"] == "message_delivered").unwrap();
    assert_eq!(delivered["member"], Value::Null);
    assert_eq!(
        delivered["event"],
        json!({"type":"message_delivered","seq":delivered["event"]["seq"],"from":"lead-1","to":"worker-1","kind":"message","bytes":19})
    );
    let received = events.iter().find(|e| e["event"]["type"] == "message_received").unwrap();
    assert_eq!((received["member"].as_str(), received["role"].as_str()), (Some("worker-1"), Some("worker")));
    // Subscriptions read members compactly: an answer's text comes once, in its deltas.
    let answer = |e: &&Value| e["member"] == "worker-1" && e["event"]["type"] == "text_complete";
    assert_eq!(events.iter().find(answer).unwrap()["event"]["elided"], true);
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    assert!(events.iter().all(|e| e["timestampMs"] == 1000));
    assert!(h.mob_events(&mob, sub).is_empty());
    // Member events are still all there for a member reader (opened at spawn).
    assert!(h.events(&worker).iter().any(|e| e["type"] == "message_received"));
}

#[test]
fn refusals_are_tool_results_the_model_can_read() {
    let mut h = Harness::proxy();
    let def = json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6"}},"wiring":{"autoWireOrchestrator":false}});
    let mob = h.mob(def);
    let [a, _b, _c] = <[String; 3]>::try_from(h.spawn(&mob, &[("a", "a1"), ("a", "b1"), ("a", "c1")])).unwrap();
    h.cmd(json!({"op":"mob_wire","mob":mob,"a":"a1","b":"c1"})).unwrap();
    h.cmd(json!({"op":"mob_retire","mob":mob,"member":"c1"})).unwrap();
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"a1","content":"go"})).unwrap();
    for (to, code) in
        [("b1", "PEER_NOT_WIRED"), ("zed", "PEER_NOT_FOUND"), ("a1", "INVALID_PEER"), ("c1", "PEER_RETIRED")]
    {
        let body = h.reply(&a, "", &[("t", "send_message", json!({"to":to,"body":"hi"}))]);
        if body["messages"].as_array().unwrap().len() > 1 {
            let (text, is_error) = tool_result(&body);
            assert!(is_error && text.starts_with("PEER") || text.starts_with("INVALID"), "{text}");
        }
        let next = h.reply(&a, "", &[("t", "send_message", json!({"to":to,"body":"hi"}))]);
        let (text, is_error) = tool_result(&next);
        assert!(is_error, "{text}");
        assert!(text.starts_with(code), "{code}: {text}");
        h.effects.retain(|e| e["kind"] != "http");
        h.cmd(json!({"op":"interrupt","session":a})).unwrap();
        h.effects.clear();
        h.cmd(json!({"op":"mob_send","mob":mob,"member":"a1","content":"go"})).unwrap();
    }
    let e = h.cmd(json!({"op":"send_response_missing"})).unwrap_err();
    assert_eq!(e["code"], "INVALID_COMMAND");
}

#[test]
fn requests_complete_or_time_out_on_the_requester() {
    let mut h = Harness::proxy();
    let mut def = team();
    def["limits"] = json!({"requestTimeoutMs": 5000});
    def["profiles"]["worker"]["runtimeMode"] = json!("turn_driven");
    let mob = h.mob(def);
    let [lead, worker] = <[String; 2]>::try_from(h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")])).unwrap();
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"ask"})).unwrap();
    let _ =
        h.reply(&lead, "", &[("r", "send_request", json!({"to":"worker-1","body":"Summarise?","intent":"summary"}))]);
    let body = h.reply(&lead, "Waiting.", &[]);
    let (result, _) = tool_result(&body);
    let request: Value = serde_json::from_str(&result).unwrap();
    assert_eq!(request["requestId"], "req-1");
    // Turn-driven: the worker does not wake; the request waits in its inbox.
    assert!(!h.has_http(&worker));
    let status = h.cmd(json!({"op":"mob_member_status","mob":mob,"member":"worker-1"})).unwrap();
    assert_eq!(status["inboxDepth"], 1);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"Check your inbox."})).unwrap();
    let wbody =
        h.reply(&worker, "", &[("s", "send_response", json!({"to":"lead-1","requestId":"req-1","body":"Done."}))]);
    assert_eq!(
        last_user_text(&wbody),
        "[request req-1 from lead-1 (lead)]: Summarise?\n(intent: summary)\nCheck your inbox."
    );
    // The lead wakes with the response; the worker finishes.
    let lbody = h.reply(&lead, "Thanks.", &[]);
    assert_eq!(last_user_text(&lbody), "[response to req-1 from worker-1 (worker)]: Done.");
    let _ = h.reply(&worker, "Answered.", &[]);
    let events = h.events(&lead);
    let complete = events.iter().find(|e| e["type"] == "interaction_complete").unwrap();
    assert_eq!(complete, &json!({"type":"interaction_complete","interactionId":"req-1","result":"Done."}));
    // Answering twice is refused.
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"again"})).unwrap();
    let _ = h.reply(&worker, "", &[("s", "send_response", json!({"to":"lead-1","requestId":"req-1","body":"Again."}))]);
    let (text, is_error) = tool_result(&h.reply(&worker, "ok", &[]));
    assert!(is_error && text.starts_with("REQUEST_NOT_FOUND"), "{text}");
    // An unanswered request times out on the core's clock.
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"ask again"})).unwrap();
    let _ = h.reply(&lead, "", &[("r", "send_request", json!({"to":"worker-1","body":"More?"}))]);
    let _ = h.reply(&lead, "Waiting.", &[]);
    let timer = h.effects.iter().rev().find(|e| e["kind"] == "timer" && e["delayMs"] == 5000).cloned().unwrap();
    h.now += 5000.0;
    h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    let failed = h.events(&lead).into_iter().find(|e| e["type"] == "interaction_failed").unwrap();
    assert_eq!(failed["interactionId"], "req-2");
    assert!(failed["error"].as_str().unwrap().contains("within 5000 ms"));
    let lbody = h.reply(&lead, "Noted.", &[]);
    assert!(last_user_text(&lbody).starts_with("[notice]: request req-2 failed"));
}

#[test]
fn ping_pong_between_autonomous_members_ends_at_the_hop_limit() {
    let mut h = Harness::proxy();
    let mut def = team();
    def["limits"] = json!({"maxHops": 3});
    let mob = h.mob(def);
    let sub = h.subscribe(&mob);
    let sessions = h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")]);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"start"})).unwrap();
    let names = ["worker-1", "lead-1"];
    let mut turns = 0;
    let mut refused = false;
    // Each member answers every message with another message, forever.
    for i in 0..20 {
        let me = &sessions[i % 2];
        if !h.has_http(me) {
            break;
        }
        let body = h.reply(me, "", &[("m", "send_message", json!({"to":names[i % 2],"body":"ping"}))]);
        let _ = body;
        let after = h.reply(me, "sent", &[]);
        refused |= tool_result(&after).0.starts_with("HOP_LIMIT");
        turns += 1;
    }
    assert!(refused, "the hop limit bit");
    assert_eq!(turns, 4, "start + 3 hops");
    assert!(!h.effects.iter().any(|e| e["kind"] == "http"), "quiet: {:?}", h.kinds());
    let limit = h.mob_events(&mob, sub).into_iter().find(|e| e["event"]["type"] == "limit_reached").unwrap();
    assert_eq!(limit["event"]["limit"], "maxHops");
}

#[test]
fn turn_rate_limit_holds_wake_ups_until_the_window_frees() {
    let mut h = Harness::proxy();
    let mut def = team();
    def["limits"] = json!({"maxTurnsPerMemberPerMinute": 1, "maxInboxDepth": 2});
    let mob = h.mob(def);
    let sub = h.subscribe(&mob);
    let [lead, worker] = <[String; 2]>::try_from(h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")])).unwrap();
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"go"})).unwrap();
    let _ = h.reply(&lead, "", &[("a", "send_message", json!({"to":"worker-1","body":"one"}))]);
    let _ = h.reply(&worker, "got one", &[]); // woken (1 of 1 this minute)
    let _ = h.reply(&lead, "", &[("b", "send_message", json!({"to":"worker-1","body":"two"}))]);
    let _ = h.reply(&lead, "", &[("c", "send_message", json!({"to":"worker-1","body":"three"}))]);
    let body = h.reply(&lead, "", &[("d", "send_message", json!({"to":"worker-1","body":"four"}))]);
    let _ = body;
    let last = h.reply(&lead, "done", &[]);
    assert!(tool_result(&last).0.starts_with("INBOX_FULL"), "{:?}", tool_result(&last));
    assert!(!h.has_http(&worker), "held back by the turn rate");
    let events = h.mob_events(&mob, sub);
    let limits: Vec<&str> = events
        .iter()
        .filter(|e| e["event"]["type"] == "limit_reached")
        .map(|e| e["event"]["limit"].as_str().unwrap())
        .collect();
    assert_eq!(limits, ["maxTurnsPerMemberPerMinute", "maxInboxDepth"]);
    let timer = h.effects.iter().find(|e| e["kind"] == "timer").cloned().unwrap();
    assert_eq!(timer["delayMs"], 60000);
    h.now += 60_000.0;
    h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    let wbody = h.reply(&worker, "got two and three", &[]);
    assert_eq!(last_user_text(&wbody), "[message from lead-1 (lead)]: two\n\n[message from lead-1 (lead)]: three");
}

#[test]
fn lifecycle_stops_resumes_completes_and_destroys() {
    let mut h = Harness::proxy();
    let mob = h.mob(team());
    let sub = h.subscribe(&mob);
    let [lead, worker] = <[String; 2]>::try_from(h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")])).unwrap();
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"go"})).unwrap();
    h.cmd(json!({"op":"mob_lifecycle","mob":mob,"action":"stop"})).unwrap();
    assert_eq!(h.cmd(json!({"op":"mob_status","mob":mob})).unwrap()["status"], "stopped");
    assert_eq!(h.code(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"x"})), "MOB_NOT_RUNNING");
    // The running turn finishes; the message it sends does not wake anyone.
    let _ = h.reply(&lead, "", &[("m", "send_message", json!({"to":"worker-1","body":"hi"}))]);
    let _ = h.reply(&lead, "sent", &[]);
    assert!(!h.has_http(&worker));
    h.cmd(json!({"op":"mob_lifecycle","mob":mob,"action":"resume"})).unwrap();
    let _ = h.reply(&worker, "hello", &[]);
    h.cmd(json!({"op":"mob_lifecycle","mob":mob,"action":"complete"})).unwrap();
    let info = h.cmd(json!({"op":"session_info","session":worker})).unwrap();
    assert_eq!(info["archived"], true);
    assert_eq!(h.code(json!({"op":"mob_lifecycle","mob":mob,"action":"resume"})), "MOB_NOT_RUNNING");
    assert_eq!(h.code(json!({"op":"mob_lifecycle","mob":mob,"action":"explode"})), "INVALID_ARGUMENT");
    h.cmd(json!({"op":"mob_lifecycle","mob":mob,"action":"destroy"})).unwrap();
    assert_eq!(h.cmd(json!({"op":"mob_status","mob":mob})).unwrap()["status"], "destroyed");
    assert_eq!(h.code(json!({"op":"session_info","session":lead})), "SESSION_NOT_FOUND");
    assert_eq!(h.code(json!({"op":"mob_spawn","mob":mob,"specs":[]})), "MOB_NOT_RUNNING");
    let statuses: Vec<String> = h
        .cmd(json!({"op":"list_mobs"}))
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(statuses, ["destroyed"]);
    // Its subscriptions ended with it: one last poll, to its `destroyed`, then they say so.
    let last = h.mob_events(&mob, sub);
    assert_eq!(last.last().unwrap()["event"]["status"], "destroyed", "{last:?}");
    assert_eq!(h.code(json!({"op":"mob_poll","mob":mob,"subscription":sub})), "MOB_NOT_RUNNING");
    // The id can be used again; the old subscription's id names none of the new mob's.
    h.mob(team());
    let fresh = h.cmd(json!({"op":"mob_subscribe","mob":mob})).unwrap()["subscription"].clone();
    assert_ne!(fresh, sub);
}

#[test]
fn retire_and_respawn_keep_identity_and_wiring() {
    let mut h = Harness::proxy();
    let mob = h.mob(team());
    h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")]);
    h.cmd(json!({"op":"mob_retire","mob":mob,"member":"worker-1"})).unwrap();
    let members = h.cmd(json!({"op":"mob_members","mob":mob})).unwrap();
    assert_eq!(members[1]["status"], "retired");
    assert_eq!(members[0]["wiredTo"], json!([]));
    assert_eq!(h.code(json!({"op":"mob_send","mob":mob,"member":"worker-1","content":"x"})), "SESSION_ARCHIVED");
    let out = h.cmd(json!({"op":"mob_respawn","mob":mob,"member":"worker-1","initialMessage":"Back."})).unwrap();
    assert_eq!(out["status"], "spawned");
    let fresh = out["sessionId"].as_str().unwrap().to_string();
    assert_ne!(fresh, members[1]["sessionId"].as_str().unwrap());
    let body = h.reply(&fresh, "Hi.", &[]);
    assert_eq!(last_user_text(&body), "Back.");
    let members = h.cmd(json!({"op":"mob_members","mob":mob})).unwrap();
    assert_eq!(members[0]["wiredTo"], json!(["worker-1"]));
    assert_eq!(h.code(json!({"op":"mob_respawn","mob":mob,"member":"ghost"})), "MEMBER_NOT_FOUND");
}
