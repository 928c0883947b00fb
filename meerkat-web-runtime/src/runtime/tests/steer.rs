//! Steered words (`member.send(text, {handlingMode: "steer"})`) join the
//! running run at a safe boundary between LLM requests (never inside a
//! tool call), so the run whose id the send returned is the run that reads
//! them.

use super::mobs::{last_user_text, team};
use super::*;

#[test]
fn steer_joins_the_running_turn_at_the_next_llm_request() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    let mob = h.mob(team());
    let lead = h.spawn(&mob, &[("lead", "lead-1")]).remove(0);
    let first = h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Weather?"})).unwrap();
    let _ = h.reply(&lead, "", &[("w", "get_weather", json!({"location":"Paris"}))]);
    let steer = h
        .cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Use Celsius.","handlingMode":"steer"}))
        .unwrap();
    assert_eq!(steer["runId"], first["runId"]);
    let queued = h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"And tomorrow?"})).unwrap();
    assert_ne!(queued["runId"], first["runId"]);
    let tool = h.take("tool");
    h.cmd(json!({"op":"tool_result","id":tool["id"],"content":"18 C"})).unwrap();
    let body = h.reply(&lead, "18 °C.", &[]);
    let last = body["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["content"][0]["type"], "tool_result");
    assert_eq!(last["content"][1], json!({"type":"text","text":"Use Celsius."}));
    // The queued send ran next, as the user's words.
    let body = h.reply(&lead, "Also mild.", &[]);
    assert_eq!(last_user_text(&body), "And tomorrow?");
    assert_eq!(
        h.code(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"x","handlingMode":"now"})),
        "INVALID_ARGUMENT"
    );
}

/// The model ends its turn while steered words wait: the same run makes one
/// more request carrying them, and its end is the answer to them.
#[test]
fn steer_during_the_final_answer_gets_one_more_request_in_the_same_run() {
    let mut h = Harness::proxy();
    let mob = h.mob(team());
    let lead = h.spawn(&mob, &[("lead", "lead-1")]).remove(0);
    let first = h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Tell me about owls."})).unwrap();
    let steer =
        json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Also mention bats.","handlingMode":"steer"});
    let steered = h.cmd(steer).unwrap();
    assert_eq!(steered["runId"], first["runId"]);
    // The answer in flight has no tool call: it would have been the last.
    let _ = h.reply(&lead, "Owls hunt at night.", &[]);
    assert!(!h.kinds().contains(&"run_finished"), "the run goes on: {:?}", h.kinds());
    let body = h.reply(&lead, "Bats do too.", &[]);
    assert_eq!(last_user_text(&body), "Also mention bats.");
    let messages = body["messages"].as_array().unwrap();
    let roles: Vec<&str> = messages.iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    let done = h.take("run_finished");
    assert_eq!(done["runId"], first["runId"]);
    assert_eq!(done["result"]["text"], "Bats do too.");
    assert_eq!(done["result"]["turns"], 2);
    // Nothing was left for another run.
    assert!(!h.has_http(&lead), "{:?}", h.kinds());
    assert!(!h.kinds().contains(&"run_finished"));
    let status = h.cmd(json!({"op":"mob_member_status","mob":mob,"member":"lead-1"})).unwrap();
    assert_eq!(status["status"], "idle");
}

/// A run already in its end hooks cannot take steered words: they start a
/// run of their own, whose id the send returns.
#[test]
fn steer_into_an_ending_run_starts_a_run_of_its_own() {
    let mut h = Harness::proxy();
    h.cmd(json!({"op":"register_hook","hook":{"point":"run_completed"}})).unwrap();
    let mob = h.mob(team());
    let lead = h.spawn(&mob, &[("lead", "lead-1")]).remove(0);
    let first = h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Tell me about owls."})).unwrap();
    let _ = h.reply(&lead, "Owls hunt at night.", &[]);
    let hook = h.take("hook");
    let steer =
        json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Also mention bats.","handlingMode":"steer"});
    let steered = h.cmd(steer).unwrap();
    assert_ne!(steered["runId"], first["runId"]);
    h.cmd(json!({"op":"hook_result","id":hook["id"],"verdict":null})).unwrap();
    assert_eq!(h.take("run_finished")["runId"], first["runId"]);
    let body = h.reply(&lead, "Bats do too.", &[]);
    assert_eq!(last_user_text(&body), "Also mention bats.");
    let _ = h.take("hook");
}

/// Steered words are checked as any prompt is.
#[test]
fn an_oversized_steer_is_refused_and_the_run_goes_on() {
    let mut h = Harness::new(json!({"anthropicApiKey":"proxy","anthropicBaseUrl":"http://127.0.0.1:3100/anthropic",
        "model":"claude-sonnet-4-6","maxPromptBytes":64}));
    let mob = h.mob(team());
    let lead = h.spawn(&mob, &[("lead", "lead-1")]).remove(0);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Owls?"})).unwrap();
    let big = "x".repeat(100);
    let steer = json!({"op":"mob_send","mob":mob,"member":"lead-1","content":big,"handlingMode":"steer"});
    assert_eq!(h.code(steer), "PROMPT_TOO_LARGE");
    let _ = h.reply(&lead, "Owls hunt at night.", &[]);
    assert_eq!(h.take("run_finished")["result"]["turns"], 1);
}
