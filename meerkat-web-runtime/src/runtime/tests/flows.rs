//! Flows: DAG scheduling, templates, conditions, fan-out, structured
//! output, timeouts and cancellation, driven by scripted answers.

use super::mobs::last_user_text;
use super::*;
use crate::mob::flow::{Parser, Scope};

fn pipeline() -> Value {
    json!({"id":"pipe","profiles":{"lead":{"model":"claude-sonnet-4-6"},"worker":{"model":"claude-sonnet-4-6","runtimeMode":"turn_driven"}},
      "flows":{"research":{"steps":[
        {"id":"plan","role":"lead","message":"Plan research on {{params.topic}}.","outputFormat":"json"},
        {"id":"gather","role":"worker","message":"Gather for: {{steps.plan.output.focus}}","dependsOn":["plan"]},
        {"id":"deep","role":"worker","message":"Go deep.","dependsOn":["plan"],"condition":"params.depth == 'deep' && !(steps.plan.output.focus == '')"},
        {"id":"report","role":"lead","message":"Report:\n{{steps.gather.output}}","dependsOn":["gather","deep"],"timeoutMs":1000}]}}})
}

/// The pipeline with a 500 ms timeout on its first step, spawned: the
/// harness, the mob id and the members' session ids (lead-1, w1).
fn timed_pipeline() -> (Harness, String, Vec<String>) {
    let mut h = Harness::proxy();
    let mut def = pipeline();
    def["flows"]["research"]["steps"][0]["timeoutMs"] = json!(500);
    let mob = h.mob(def);
    let sessions = h.spawn(&mob, &[("lead", "lead-1"), ("worker", "w1")]);
    (h, mob, sessions)
}

fn status(h: &mut Harness, mob: &str, run: &str) -> Value {
    h.cmd(json!({"op":"mob_flow_status","mob":mob,"runId":run})).unwrap()
}

fn steps(status: &Value) -> Vec<(String, String)> {
    status["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_string(), s["status"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn a_flow_runs_its_dag_with_templates_conditions_and_fan_out() {
    let mut h = Harness::proxy();
    let mob = h.mob(pipeline());
    let sub = h.subscribe(&mob);
    let s = h.spawn(&mob, &[("lead", "lead-1"), ("worker", "w1"), ("worker", "w2")]);
    let run = h
        .cmd(json!({"op":"mob_run_flow","mob":mob,"flow":"research","params":{"topic":"otters","depth":"shallow"}}))
        .unwrap();
    let run = run["runId"].as_str().unwrap().to_string();
    let body = h.reply(&s[0], r#"{"focus":"river otters"}"#, &[]);
    assert_eq!(last_user_text(&body), "Plan research on otters.");
    assert!(body.get("output_config").is_some() || body.to_string().contains("json"), "structured output asked");
    // Fan-out: both workers got the rendered step; `deep` was skipped.
    for (i, worker) in s[1..].iter().enumerate() {
        let body = h.reply(worker, &format!("source {i}"), &[]);
        assert_eq!(last_user_text(&body), "Gather for: river otters");
    }
    let body = h.reply(&s[0], "Otters are great.", &[]);
    assert_eq!(last_user_text(&body), "Report:\nsource 0\n\nsource 1");
    let done = status(&mut h, &mob, &run);
    assert_eq!(done["status"], "completed");
    assert_eq!(
        steps(&done),
        [
            ("plan", "completed"),
            ("gather", "completed"),
            ("gather", "completed"),
            ("deep", "skipped"),
            ("report", "completed")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(done["steps"][1]["member"], "w1");
    assert_eq!(done["steps"][4]["output"], "Otters are great.");
    let changes: Vec<String> = h
        .mob_events(&mob, sub)
        .iter()
        .filter(|e| e["event"]["type"] == "flow_step_changed")
        .map(|e| format!("{}:{}", e["event"]["step"].as_str().unwrap(), e["event"]["status"].as_str().unwrap()))
        .collect();
    assert_eq!(changes[0], "plan:dispatched");
    assert!(changes.contains(&"deep:skipped".to_string()));
    assert_eq!(changes.last().unwrap(), "report:completed");
    // The report step's timer was cancelled with the run's end.
    assert!(h.effects.iter().any(|e| e["kind"] == "timer_cancel"));
}

#[test]
fn a_timed_out_or_failed_step_fails_the_flow_and_cancels_dependents() {
    let (mut h, mob, _) = timed_pipeline();
    let run = h.cmd(json!({"op":"mob_run_flow","mob":mob,"flow":"research","params":{}})).unwrap();
    let run = run["runId"].as_str().unwrap().to_string();
    let timer = h.effects.iter().find(|e| e["kind"] == "timer" && e["delayMs"] == 500).cloned().unwrap();
    h.now += 500.0;
    h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    let failed = status(&mut h, &mob, &run);
    assert_eq!(failed["status"], "failed");
    let all = steps(&failed);
    assert_eq!(all[0], ("plan".to_string(), "failed".to_string()));
    assert!(all[1..].iter().all(|(_, s)| s == "canceled"), "{all:?}");
    // A role with no members fails its step at once.
    h.cmd(json!({"op":"mob_retire","mob":mob,"member":"w1"})).unwrap();
    let def = json!({"id":"lonely","profiles":{"a":{"model":"claude-sonnet-4-6"},"b":{"model":"claude-sonnet-4-6"}},
        "flows":{"f":{"steps":[{"id":"x","role":"b","message":"hi"}]}}});
    let lonely = h.mob(def);
    let run = h.cmd(json!({"op":"mob_run_flow","mob":lonely,"flow":"f"})).unwrap();
    let st = status(&mut h, &lonely, run["runId"].as_str().unwrap());
    assert_eq!(st["status"], "failed");
    assert_eq!(h.code(json!({"op":"mob_run_flow","mob":lonely,"flow":"nope"})), "FLOW_NOT_FOUND");
    assert_eq!(h.code(json!({"op":"mob_flow_status","mob":lonely,"runId":"nope"})), "FLOW_NOT_FOUND");
    assert_eq!(h.code(json!({"op":"mob_run_flow","mob":lonely,"flow":"f","params":[1]})), "INVALID_ARGUMENT");
}

/// A step that times out stops its member's run, as cancelFlow does: a
/// hung request no longer keeps the member busy, and it takes new work.
#[test]
fn a_timed_out_step_interrupts_its_member_run() {
    let (mut h, mob, s) = timed_pipeline();
    h.cmd(json!({"op":"mob_run_flow","mob":mob,"flow":"research","params":{}})).unwrap();
    let hung = h.http_of(&s[0]);
    let timer = h.effects.iter().find(|e| e["kind"] == "timer" && e["delayMs"] == 500).cloned().unwrap();
    h.now += 500.0;
    h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    assert!(h.effects.iter().any(|e| e["kind"] == "http_abort" && e["id"] == hung["id"]), "{:?}", h.kinds());
    let status = h.cmd(json!({"op":"mob_member_status","mob":mob,"member":"lead-1"})).unwrap();
    assert_eq!(status["status"], "idle");
    let sent = h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Next task."})).unwrap();
    let body = h.reply(&s[0], "Done.", &[]);
    assert!(last_user_text(&body).ends_with("Next task."), "{}", last_user_text(&body));
    let ends: Vec<Value> = h.effects.iter().filter(|e| e["kind"] == "run_finished").cloned().collect();
    assert_eq!(ends.last().unwrap()["runId"], sent["runId"]);
    assert_eq!(ends.last().unwrap()["result"]["text"], "Done.");
}

/// A step whose run still waits behind another run of its member when it
/// times out: that run never starts (its waiter hears CANCELLED), and the
/// member goes idle once its own run ends.
#[test]
fn a_timed_out_step_still_queued_never_runs() {
    let (mut h, mob, s) = timed_pipeline();
    let busy = h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Busy work."})).unwrap();
    h.cmd(json!({"op":"mob_run_flow","mob":mob,"flow":"research","params":{}})).unwrap();
    let status = h.cmd(json!({"op":"mob_member_status","mob":mob,"member":"lead-1"})).unwrap();
    assert_eq!(status["inboxDepth"], 1, "the step waits behind the busy run: {status}");
    let timer = h.effects.iter().find(|e| e["kind"] == "timer" && e["delayMs"] == 500).cloned().unwrap();
    h.now += 500.0;
    h.cmd(json!({"op":"timer_fired","id":timer["id"]})).unwrap();
    let cancelled: Vec<Value> = h
        .effects
        .iter()
        .filter(|e| e["kind"] == "run_finished" && e["error"]["code"] == "CANCELLED")
        .cloned()
        .collect();
    assert_eq!(cancelled.len(), 1, "{:?}", h.kinds());
    assert_ne!(cancelled[0]["runId"], busy["runId"]);
    // The member's own run goes on, and nothing follows it.
    h.reply(&s[0], "Done with the busy work.", &[]);
    assert!(!h.has_http(&s[0]), "{:?}", h.kinds());
    let status = h.cmd(json!({"op":"mob_member_status","mob":mob,"member":"lead-1"})).unwrap();
    assert_eq!(status["status"], "idle");
}

#[test]
fn cancelling_a_flow_interrupts_its_running_steps() {
    let mut h = Harness::proxy();
    let mob = h.mob(pipeline());
    let s = h.spawn(&mob, &[("lead", "lead-1"), ("worker", "w1")]);
    let run = h.cmd(json!({"op":"mob_run_flow","mob":mob,"flow":"research","params":{"topic":"x"}})).unwrap();
    let run = run["runId"].as_str().unwrap().to_string();
    assert!(h.has_http(&s[0]));
    h.cmd(json!({"op":"mob_cancel_flow","mob":mob,"runId":run})).unwrap();
    let st = status(&mut h, &mob, &run);
    assert_eq!(st["status"], "canceled");
    assert!(h.effects.iter().any(|e| e["kind"] == "http_abort"));
    let info = h.cmd(json!({"op":"session_info","session":s[0]})).unwrap();
    assert_eq!(info["running"], false);
}

#[test]
fn flow_definitions_are_checked() {
    let mut h = Harness::proxy();
    let flow =
        |steps: Value| json!({"id":"m","profiles":{"a":{"model":"claude-sonnet-4-6"}},"flows":{"f":{"steps":steps}}});
    let cases = [
        (json!([]), "steps must be an array"),
        (json!([{"id":"x","role":"z","message":"m"}]), "role \"z\""),
        (json!([{"id":"x","role":"a","message":"m","dependsOn":["y"]}]), "dependsOn names \"y\""),
        (
            json!([{"id":"x","role":"a","message":"m","dependsOn":["y"]},{"id":"y","role":"a","message":"m","dependsOn":["x"]}]),
            "cycle",
        ),
        (
            json!([{"id":"x","role":"a","message":"m"},{"id":"y","role":"a","message":"{{steps.x.output}}"}]),
            "does not depend on",
        ),
        (json!([{"id":"x","role":"a","message":"{{nope}}"}]), "params.<name>"),
        (json!([{"id":"x","role":"a","message":"{{params.a"}]), "without its }}"),
        (json!([{"id":"x","role":"a","message":"m","condition":"params.a =="}]), "ends too early"),
        (json!([{"id":"x","role":"a","message":"m","condition":"params.a = 1"}]), "condition"),
        (json!([{"id":"x","role":"a","message":"m","condition":"eval('x')"}]), "condition"),
        (json!([{"id":"x","role":"a","message":"m","outputFormat":"xml"}]), "outputFormat"),
        (json!([{"id":"x","role":"a","message":"m"},{"id":"x","role":"a","message":"m"}]), "used twice"),
    ];
    for (steps, needle) in cases {
        let e = h.cmd(json!({"op":"create_mob","definition":flow(steps.clone())})).unwrap_err();
        assert_eq!(e["code"], "INVALID_MOB_DEFINITION", "{steps}");
        assert!(e["message"].as_str().unwrap().contains(needle), "{needle} in {}", e["message"]);
        assert!(e["message"].as_str().unwrap().contains("flows.f"), "{}", e["message"]);
    }
}

#[test]
fn conditions_are_a_small_language_not_eval() {
    let index = |name: &str| ["a", "b"].iter().position(|s| *s == name);
    let outputs = [Some(r#"{"ok":true,"n":3,"who":"x"}"#.to_string()), None];
    let scope = Scope { params: r#"{"mode":"fast","n":2,"flag":false}"#, outputs: &outputs };
    let cases = [
        ("params.mode == 'fast'", "true"),
        ("params.mode != \"fast\"", "false"),
        ("params.n == 2 && steps.a.output.ok", "true"),
        ("params.flag || steps.a.output.n == 3", "true"),
        ("!params.flag && !(params.mode == 'slow')", "true"),
        ("params.missing", ""),
        ("steps.b.output == ''", "true"),
        ("steps.a.output.who == 'x' && (params.n == 1 || params.n == 2)", "true"),
    ];
    for (text, expected) in cases {
        let expr = Parser::parse(text, &index).unwrap();
        assert_eq!(scope.eval(&expr), expected, "{text}");
    }
    let deep = format!("{}x{}", "(".repeat(100), ")".repeat(100));
    assert!(Parser::parse(&deep, &index).is_err());
    assert!(Parser::parse(&"!".repeat(10_000), &index).is_err());
}
