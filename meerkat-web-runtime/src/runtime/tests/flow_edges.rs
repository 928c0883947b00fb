//! Flows at their edges: a step's member retired or respawned while the
//! step waits on it, a failed step stopping the rest of its run, what
//! `flow_step_changed` says of canceled steps, JSON steps that get no JSON.

use super::*;

/// `first` (lead) and `second` (worker) in parallel, `last` (lead) after both.
fn parallel() -> Value {
    json!({"id":"par","profiles":{"lead":{"model":"claude-sonnet-4-6"},"worker":{"model":"claude-sonnet-4-6"}},
      "flows":{
        "both":{"steps":[
          {"id":"first","role":"lead","message":"First."},
          {"id":"second","role":"worker","message":"Second."},
          {"id":"last","role":"lead","message":"Last.","dependsOn":["first","second"]}]},
        "facts":{"steps":[{"id":"facts","role":"lead","message":"Facts.","outputFormat":"json"}]}}})
}

fn start(h: &mut Harness, mob: &str, flow: &str) -> String {
    let run = h.cmd(json!({"op":"mob_run_flow","mob":mob,"flow":flow})).unwrap();
    run["runId"].as_str().unwrap().to_string()
}

fn rows(h: &mut Harness, mob: &str, run: &str) -> (String, Vec<(String, String)>) {
    let st = h.cmd(json!({"op":"mob_flow_status","mob":mob,"runId":run})).unwrap();
    let rows = st["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_string(), s["status"].as_str().unwrap().to_string()))
        .collect();
    (st["status"].as_str().unwrap().to_string(), rows)
}

fn owned(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// `step:status` of every `flow_step_changed` a mob poll returns.
fn changes(h: &mut Harness, mob: &str, sub: u64) -> Vec<String> {
    h.mob_events(mob, sub)
        .iter()
        .filter(|e| e["event"]["type"] == "flow_step_changed")
        .map(|e| format!("{}:{}", e["event"]["step"].as_str().unwrap(), e["event"]["status"].as_str().unwrap()))
        .collect()
}

/// A member respawned while its step's run is in flight: the old session
/// is gone with the run's end, so the step fails at once instead of
/// waiting forever for an end nobody reports.
#[test]
fn a_step_whose_member_is_respawned_or_retired_fails_instead_of_waiting_forever() {
    for action in ["respawn", "retire"] {
        let mut h = Harness::proxy();
        let mob = h.mob(parallel());
        let s = h.spawn(&mob, &[("lead", "lead-1"), ("worker", "w1")]);
        let run = start(&mut h, &mob, "both");
        assert!(h.has_http(&s[1]));
        h.cmd(json!({"op":format!("mob_{action}"),"mob":mob,"member":"w1"})).unwrap();
        let (status, steps) = rows(&mut h, &mob, &run);
        assert_eq!(status, "failed", "{action}: {steps:?}");
        assert_eq!(steps, owned(&[("first", "canceled"), ("second", "failed"), ("last", "canceled")]), "{action}");
        let st = h.cmd(json!({"op":"mob_flow_status","mob":mob,"runId":run})).unwrap();
        assert_eq!(st["steps"][1]["output"], "member w1 was retired", "{action}");
        // The lead's run for `first` was stopped with the flow.
        let lead = h.cmd(json!({"op":"mob_member_status","mob":mob,"member":"lead-1"})).unwrap();
        assert_eq!(lead["status"], "idle", "{action}");
    }
}

/// A step whose run waits behind another run of its member when the
/// member is retired: a queued run that is dropped reports no end to the
/// flow, so the step used to stay `dispatched` for good.
#[test]
fn a_step_queued_behind_a_run_of_a_retired_member_fails() {
    let mut h = Harness::proxy();
    let mob = h.mob(parallel());
    h.spawn(&mob, &[("lead", "lead-1"), ("worker", "w1")]);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"w1","content":"Busy."})).unwrap();
    let run = start(&mut h, &mob, "both");
    h.cmd(json!({"op":"mob_retire","mob":mob,"member":"w1"})).unwrap();
    let (status, steps) = rows(&mut h, &mob, &run);
    assert_eq!(status, "failed");
    assert_eq!(steps, owned(&[("first", "canceled"), ("second", "failed"), ("last", "canceled")]));
}

/// A failed step cancels the rest of its run, and the member runs of the
/// canceled steps stop (as with cancelFlow or a timeout): a step says
/// `canceled` only when its member is no longer working on it.
#[test]
fn a_failed_step_stops_the_runs_of_the_steps_it_cancels() {
    let mut h = Harness::proxy();
    let mob = h.mob(parallel());
    let sub = h.subscribe(&mob);
    let s = h.spawn(&mob, &[("lead", "lead-1"), ("worker", "w1")]);
    let run = start(&mut h, &mob, "both");
    let lead_http = h.http_of(&s[0]);
    let worker_http = h.http_of(&s[1]);
    h.respond(
        &worker_http,
        400,
        json!([]),
        br#"{"type":"error","error":{"type":"invalid_request_error","message":"no"}}"#,
        64,
    );
    let (status, steps) = rows(&mut h, &mob, &run);
    assert_eq!(status, "failed");
    assert_eq!(steps, owned(&[("first", "canceled"), ("second", "failed"), ("last", "canceled")]));
    assert!(h.effects.iter().any(|e| e["kind"] == "http_abort" && e["id"] == lead_http["id"]), "{:?}", h.kinds());
    let lead = h.cmd(json!({"op":"mob_member_status","mob":mob,"member":"lead-1"})).unwrap();
    assert_eq!(lead["status"], "idle");
    // Every change is told, in order: the failure, then what it canceled.
    let told = changes(&mut h, &mob, sub);
    assert_eq!(told, ["first:dispatched", "second:dispatched", "second:failed", "first:canceled", "last:canceled"]);
}

/// cancelFlow tells subscribers what it canceled, as flowStatus says it.
#[test]
fn cancel_flow_emits_a_change_for_every_step_it_cancels() {
    let mut h = Harness::proxy();
    let mob = h.mob(parallel());
    let sub = h.subscribe(&mob);
    h.spawn(&mob, &[("lead", "lead-1"), ("worker", "w1")]);
    let run = start(&mut h, &mob, "both");
    h.cmd(json!({"op":"mob_cancel_flow","mob":mob,"runId":run})).unwrap();
    assert_eq!(
        changes(&mut h, &mob, sub),
        ["first:dispatched", "second:dispatched", "first:canceled", "second:canceled", "last:canceled"]
    );
    // A second cancel changes nothing and says nothing.
    h.cmd(json!({"op":"mob_cancel_flow","mob":mob,"runId":run})).unwrap();
    assert!(changes(&mut h, &mob, sub).is_empty());
}

/// `outputFormat: "json"` promises parsed JSON: an answer that is not
/// JSON, or not what the schema says, fails the step (with why) rather
/// than completing it with text its dependents cannot read.
#[test]
fn a_json_step_whose_answer_is_not_json_fails() {
    for (answer, why) in [
        ("Sure! Here is the JSON: {", "the answer is not valid JSON"),
        ("\"just a string\"", "expected type \"object\""),
    ] {
        let mut h = Harness::proxy();
        let mob = h.mob(parallel());
        let s = h.spawn(&mob, &[("lead", "lead-1")]);
        let run = start(&mut h, &mob, "facts");
        h.reply(&s[0], answer, &[]);
        let st = h.cmd(json!({"op":"mob_flow_status","mob":mob,"runId":run})).unwrap();
        assert_eq!(st["status"], "failed", "{answer}: {st}");
        let output = st["steps"][0]["output"].as_str().unwrap();
        assert!(output.starts_with("outputFormat is \"json\" and the answer is not"), "{output}");
        assert!(output.contains(why), "{answer}: {output}");
    }
    // A JSON answer completes the step with the value itself.
    let mut h = Harness::proxy();
    let mob = h.mob(parallel());
    let s = h.spawn(&mob, &[("lead", "lead-1")]);
    let run = start(&mut h, &mob, "facts");
    h.reply(&s[0], r#"{"n":1}"#, &[]);
    let st = h.cmd(json!({"op":"mob_flow_status","mob":mob,"runId":run})).unwrap();
    assert_eq!(st["status"], "completed");
    assert_eq!(st["steps"][0]["output"], json!({"n":1}));
}

/// A step whose role has no live member fails saying so: in its
/// `flowStatus` row and in its `flow_step_changed`, as other step failures.
#[test]
fn a_step_with_no_live_member_of_its_role_says_why_it_failed() {
    use super::mobs::team;
    let mut h = Harness::proxy();
    let mut def = team();
    def["flows"] = json!({"f":{"steps":[{"id":"x","role":"worker","message":"hi"},{"id":"y","role":"lead","message":"then","dependsOn":["x"]}]}});
    let mob = h.mob(def);
    h.spawn(&mob, &[("lead", "lead-1"), ("worker", "worker-1")]);
    h.cmd(json!({"op":"mob_retire","mob":mob,"member":"worker-1"})).unwrap();
    let sub = h.subscribe(&mob);
    let run = start(&mut h, &mob, "f");
    let st = h.cmd(json!({"op":"mob_flow_status","mob":mob,"runId":run})).unwrap();
    assert_eq!(st["status"], "failed");
    let why = "no live member of role \"worker\" to take the step (spawn or respawn one)";
    assert_eq!(st["steps"][0], json!({"id":"x","member":null,"status":"failed","output":why}));
    let changed: Vec<Value> = h
        .mob_events(&mob, sub)
        .into_iter()
        .filter(|i| i["event"]["type"] == "flow_step_changed")
        .map(|i| i["event"].clone())
        .collect();
    assert_eq!(changed[0]["step"], "x");
    assert_eq!((&changed[0]["status"], &changed[0]["error"]), (&json!("failed"), &json!(why)), "{changed:?}");
    assert!(changed[1].get("error").is_none(), "{changed:?}");
}
