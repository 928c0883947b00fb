//! Compaction: when it triggers, where the history is cut (never between
//! a tool call and its result), what a failure leaves, and on demand.

use super::*;

fn body(http: &Value) -> Value {
    serde_json::from_str(http["body"].as_str().unwrap()).unwrap()
}

fn is_summary_request(http: &Value) -> bool {
    body(http)["system"].as_str().is_some_and(|s| s.contains("Summarize the conversation"))
}

/// A plain turn answered with `answer`.
fn chat(h: &mut Harness, s: &str, prompt: &str, answer: &str) {
    h.turn(s, prompt);
    let http = h.take("http");
    assert!(!is_summary_request(&http));
    h.answer(&http, &anthropic(answer, &[]));
    h.take("run_finished");
}

/// A turn with one tool call and its result, then an answer.
fn tool_turn(h: &mut Harness, s: &str, prompt: &str, id: &str) {
    h.turn(s, prompt);
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[(id, "get_weather", json!({"location":"Paris"}))]));
    let tool = h.take("tool");
    h.cmd(json!({"op":"tool_result","id":tool["id"],"content":"sunny"})).unwrap();
    let http = h.take("http");
    h.answer(&http, &anthropic("It is sunny.", &[]));
    h.take("run_finished");
}

fn paired(history: &[Value]) {
    for (i, message) in history.iter().enumerate() {
        for part in message["content"].as_array().unwrap() {
            if part["type"] == "tool_use" {
                let next = &history[i + 1]["content"];
                assert!(
                    next.as_array().unwrap().iter().any(|p| p["tool_use_id"] == part["id"]),
                    "call {} lost its result",
                    part["id"]
                );
            }
        }
    }
}

#[test]
fn older_turns_are_summarised_before_the_request_that_passes_the_threshold() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    // About four bytes a token: the tool definition is 32 tokens, and the
    // history reaches 48 tokens (80 in all) only with the fourth prompt;
    // the last request before it was estimated at 73.
    let s = h.session(json!({"compaction":{"thresholdTokens":78,"keepRecentTurns":2}}));
    chat(&mut h, &s, "my name is Ada", "Hello Ada.");
    tool_turn(&mut h, &s, "weather please", "t1");
    tool_turn(&mut h, &s, "and tomorrow?", "t2");
    h.turn(&s, "what is my name");
    let summary = h.take("http");
    assert!(is_summary_request(&summary));
    let sent = body(&summary);
    assert!(sent.get("tools").is_none(), "the summary request offers no tools");
    let messages = sent["messages"].as_array().unwrap();
    // Everything before the second most recent user turn, then the instruction.
    assert_eq!(messages.len(), 6 + 1);
    assert_eq!(messages[0]["content"][0]["text"], "my name is Ada");
    assert!(
        messages.last().unwrap()["content"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Summarize the conversation above")
    );
    h.answer(&summary, &anthropic("Ada asked about the weather in Paris: sunny.", &[]));
    let http = h.take("http");
    let sent = body(&http);
    let first = sent["messages"][0]["content"][0]["text"].as_str().unwrap();
    assert!(first.starts_with("[Summary of the earlier conversation]\nAda asked"), "{first}");
    h.answer(&http, &anthropic("Your name is Ada.", &[]));
    let done = h.take("run_finished");
    // The summary's usage counts, not as a turn.
    assert_eq!(done["result"]["turns"], 1);
    assert_eq!(done["result"]["usage"]["outputTokens"], 40);
    let events = h.events(&s);
    let started = events.iter().find(|e| e["type"] == "compaction_started").unwrap();
    assert_eq!(
        *started,
        json!({"type":"compaction_started","inputTokens":80,"estimatedHistoryTokens":48,"messageCount":11})
    );
    let completed = events.iter().find(|e| e["type"] == "compaction_completed").unwrap();
    assert_eq!((completed["messagesBefore"].as_u64(), completed["messagesAfter"].as_u64()), (Some(11), Some(6)));
    assert_eq!(completed["summaryTokens"], 20);
    // The older part went, the first tool exchange with it; the second stays whole.
    let history = h.history(&s);
    assert_eq!(history.len(), 7);
    assert_eq!(history[1]["content"][0]["text"], "and tomorrow?");
    paired(&history);
}

#[test]
fn the_cut_never_separates_a_call_from_its_result() {
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    let s = h.session(json!({"compaction":{"thresholdTokens":1,"keepRecentTurns":1}}));
    tool_turn(&mut h, &s, "first", "t1");
    // Second turn: compaction is due before each request of the run; the
    // run's own tool exchange is in the kept part.
    h.turn(&s, "second");
    let summary = h.take("http");
    assert!(is_summary_request(&summary));
    let older = body(&summary)["messages"].as_array().unwrap().len();
    assert_eq!(older, 4 + 1, "the whole first turn, tool exchange included, then the instruction");
    h.answer(&summary, &anthropic("First: the weather was sunny.", &[]));
    let http = h.take("http");
    h.answer(&http, &anthropic("", &[("t2", "get_weather", json!({"location":"Oslo"}))]));
    let tool = h.take("tool");
    h.cmd(json!({"op":"tool_result","id":tool["id"],"content":"snow"})).unwrap();
    // The next request of the run: only the current turn is left to keep,
    // nothing older than it but the summary: no second compaction.
    let http = h.take("http");
    assert!(!is_summary_request(&http));
    paired(&h.history(&s));
}

#[test]
fn a_failed_summary_leaves_the_history_and_the_run_goes_on() {
    let mut h = Harness::no_retry();
    let s = h.session(json!({"compaction":{"thresholdTokens":1,"keepRecentTurns":1}}));
    chat(&mut h, &s, "one", "first answer");
    // The second prompt: the first turn is old enough to summarise.
    h.turn(&s, "two");
    let summary = h.take("http");
    assert!(is_summary_request(&summary));
    h.respond(
        &summary,
        400,
        json!([]),
        br#"{"type":"error","error":{"type":"invalid_request_error","message":"nope"}}"#,
        100,
    );
    let http = h.take("http");
    assert_eq!(body(&http)["messages"].as_array().unwrap().len(), 3, "nothing was cut");
    h.answer(&http, &anthropic("second answer", &[]));
    assert_eq!(h.take("run_finished")["result"]["text"], "second answer");
    let failed = h.events(&s).into_iter().find(|e| e["type"] == "compaction_failed").unwrap();
    assert!(failed["error"].as_str().unwrap().contains("invalid_request_error"));
}

#[test]
fn compact_on_demand_runs_as_its_own_run() {
    let mut h = Harness::proxy();
    let s = h.session(json!({}));
    // Too little history: done at once, nothing changed.
    let ok = h.cmd(json!({"op":"compact","session":s})).unwrap();
    let done = h.take("run_finished");
    assert_eq!(done["runId"], ok["runId"]);
    assert!(done.get("error").is_none());
    for n in 0..4 {
        chat(&mut h, &s, &format!("prompt {n}"), &format!("answer {n}"));
    }
    h.events(&s);
    h.cmd(json!({"op":"compact","session":s})).unwrap();
    // Busy while it runs.
    assert_eq!(h.code(json!({"op":"turn","session":s,"prompt":"x"})), "SESSION_BUSY");
    let summary = h.take("http");
    assert!(is_summary_request(&summary));
    h.answer(&summary, &anthropic("Four prompts, four answers.", &[]));
    assert!(h.take("run_finished").get("result").is_some());
    // The default keeps the last 3 user turns.
    let history = h.history(&s);
    assert_eq!(history.len(), 7);
    assert_eq!(history[1]["content"][0]["text"], "prompt 1");
    assert_eq!(
        types(&h.events(&s)),
        ["compaction_started", "compaction_completed"],
        "no run_started/run_completed for a compaction"
    );
    assert_eq!(h.code(json!({"op":"create_session","config":{"compaction":{"keepRecentTurns":0}}})), "INVALID_CONFIG");
}

/// Steered words join the user message of the tool results: that message
/// is not where a turn begins, so no cut ever lands on it (the call would
/// be summarised away and its result sent alone, which providers refuse).
#[test]
fn steered_words_beside_tool_results_are_not_a_cut_point() {
    use super::mobs::team;
    let mut h = Harness::proxy();
    h.cmd(weather_tool()).unwrap();
    let mut def = team();
    def["profiles"]["lead"]["compaction"] = json!({"thresholdTokens":1,"keepRecentTurns":1});
    let mob = h.mob(def);
    let lead = h.spawn(&mob, &[("lead", "lead-1")]).remove(0);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Weather?"})).unwrap();
    let _ = h.reply(&lead, "", &[("w", "get_weather", json!({"location":"Paris"}))]);
    h.cmd(json!({"op":"mob_send","mob":mob,"member":"lead-1","content":"Use Celsius.","handlingMode":"steer"}))
        .unwrap();
    let tool = h.take("tool");
    h.cmd(json!({"op":"tool_result","id":tool["id"],"content":"18 C"})).unwrap();
    let http = h.http_of(&lead);
    assert!(!is_summary_request(&http), "only the current turn is there: nothing to summarise");
    let sent = body(&http);
    paired(sent["messages"].as_array().unwrap());
    h.answer(&http, &anthropic("18 °C.", &[]));
    paired(&h.history(&lead));
}

/// The threshold is reached, not passed: an estimate equal to it compacts
/// (the fourth request below is estimated at 80 tokens).
#[test]
fn an_estimate_equal_to_the_threshold_compacts() {
    for (threshold, compacts) in [(80, true), (81, false)] {
        let mut h = Harness::proxy();
        h.cmd(weather_tool()).unwrap();
        let s = h.session(json!({"compaction":{"thresholdTokens":threshold,"keepRecentTurns":2}}));
        chat(&mut h, &s, "my name is Ada", "Hello Ada.");
        tool_turn(&mut h, &s, "weather please", "t1");
        tool_turn(&mut h, &s, "and tomorrow?", "t2");
        h.turn(&s, "what is my name");
        assert_eq!(is_summary_request(&h.take("http")), compacts, "threshold {threshold}");
    }
}
