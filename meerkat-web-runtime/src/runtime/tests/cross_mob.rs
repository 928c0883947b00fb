//! Cross-mob wiring: members of two mobs see and message each other, and
//! each mob's log tells its subscribers when such wires come and go.

use super::mobs::{last_user_text, tool_result};
use super::*;

#[test]
fn cross_mob_members_see_and_message_each_other() {
    let mut h = Harness::proxy();
    let faction = |id: &str| json!({"id":id,"profiles":{"ambassador":{"model":"claude-sonnet-4-6"}}});
    let (north, south) = (h.mob(faction("north")), h.mob(faction("south")));
    let n = h.spawn(&north, &[("ambassador", "ambassador-north")]).remove(0);
    let s = h.spawn(&south, &[("ambassador", "ambassador-south")]).remove(0);
    let sub = h.subscribe(&south);
    let wire = json!({"op":"wire_cross_mob","mobA":north,"memberA":"ambassador-north","mobB":south,"memberB":"ambassador-south"});
    h.cmd(wire.clone()).unwrap();
    let mut missing = wire.clone();
    missing["mobB"] = json!("west");
    assert_eq!(h.code(missing), "MOB_NOT_FOUND");
    let mut missing = wire.clone();
    missing["memberB"] = json!("nobody");
    assert_eq!(h.code(missing), "MEMBER_NOT_FOUND");
    h.cmd(json!({"op":"mob_send","mob":north,"member":"ambassador-north","content":"Propose an alliance."})).unwrap();
    let _ = h.reply(&n, "", &[("p", "peers", json!({}))]);
    let body = h.reply(&n, "", &[("m", "send_message", json!({"to":"south/ambassador-south","body":"Alliance?"}))]);
    let peers: Value = serde_json::from_str(&tool_result(&body).0).unwrap();
    assert_eq!(peers[0]["name"], "south/ambassador-south");
    let sbody = h.reply(&s, "Agreed.", &[]);
    assert_eq!(last_user_text(&sbody), "[message from north/ambassador-north (ambassador)]: Alliance?");
    let _ = h.reply(&n, "Sent.", &[]);
    let events = h.mob_events(&south, sub);
    let delivered = events.iter().find(|e| e["event"]["type"] == "message_delivered").unwrap();
    assert_eq!(delivered["event"]["from"], "north/ambassador-north");
    h.cmd(json!({"op":"unwire_cross_mob","mobA":north,"memberA":"ambassador-north","mobB":south,"memberB":"ambassador-south"}))
        .unwrap();
    let members = h.cmd(json!({"op":"mob_members","mob":north})).unwrap();
    assert_eq!(members[0]["wiredTo"], json!([]));
}

/// Destroying a mob drops its members' wires to other mobs: the surviving
/// mob's log says so (as a retire would), so a graph built from events
/// loses them too.
#[test]
fn destroying_a_mob_tells_the_other_mob_its_cross_wires_are_gone() {
    let mut h = Harness::proxy();
    let faction = |id: &str| json!({"id":id,"profiles":{"ambassador":{"model":"claude-sonnet-4-6"}}});
    let (north, south) = (h.mob(faction("north")), h.mob(faction("south")));
    h.spawn(&north, &[("ambassador", "a"), ("ambassador", "b")]);
    h.spawn(&south, &[("ambassador", "c")]);
    for member in ["a", "b"] {
        h.cmd(json!({"op":"wire_cross_mob","mobA":north,"memberA":member,"mobB":south,"memberB":"c"})).unwrap();
    }
    let sub = h.subscribe(&south);
    h.cmd(json!({"op":"mob_lifecycle","mob":north,"action":"destroy"})).unwrap();
    let unwired: Vec<Value> = h
        .mob_events(&south, sub)
        .into_iter()
        .filter(|e| e["event"]["type"] == "peers_unwired")
        .map(|e| e["event"].clone())
        .collect();
    assert_eq!(unwired.len(), 2, "{unwired:?}");
    for (event, member) in unwired.iter().zip(["north/a", "north/b"]) {
        let pair = [event["a"].as_str().unwrap(), event["b"].as_str().unwrap()];
        assert!(pair.contains(&member) && pair.contains(&"south/c"), "{event}");
    }
    let members = h.cmd(json!({"op":"mob_members","mob":south})).unwrap();
    assert_eq!(members[0]["wiredTo"], json!([]));
}

/// Completing a mob unwires its members from other mobs, as destroying it
/// does: the other mob's log says so, and a message to a completed member
/// is refused (not left unread for good in an inbox nobody reads).
#[test]
fn completing_a_mob_unwires_its_members_from_other_mobs() {
    let mut h = Harness::proxy();
    let faction = |id: &str| json!({"id":id,"profiles":{"ambassador":{"model":"claude-sonnet-4-6"}}});
    let (north, south) = (h.mob(faction("north")), h.mob(faction("south")));
    h.spawn(&north, &[("ambassador", "a"), ("ambassador", "b")]);
    let c = h.spawn(&south, &[("ambassador", "c")]).remove(0);
    h.cmd(json!({"op":"mob_wire","mob":north,"a":"a","b":"b"})).unwrap();
    for member in ["a", "b"] {
        h.cmd(json!({"op":"wire_cross_mob","mobA":north,"memberA":member,"mobB":south,"memberB":"c"})).unwrap();
    }
    let (sub_south, sub_north) = (h.subscribe(&south), h.subscribe(&north));
    h.cmd(json!({"op":"mob_lifecycle","mob":north,"action":"complete"})).unwrap();
    for (mob, sub) in [(&south, sub_south), (&north, sub_north)] {
        let unwired: Vec<Value> = h
            .mob_events(mob, sub)
            .into_iter()
            .filter(|e| e["event"]["type"] == "peers_unwired")
            .map(|e| e["event"].clone())
            .collect();
        assert_eq!(unwired.len(), 2, "{mob}: {unwired:?}");
        for (event, member) in unwired.iter().zip(["north/a", "north/b"]) {
            let pair = [event["a"].as_str().unwrap(), event["b"].as_str().unwrap()];
            assert!(pair.contains(&member) && pair.contains(&"south/c"), "{event}");
        }
    }
    let members = h.cmd(json!({"op":"mob_members","mob":south})).unwrap();
    assert_eq!(members[0]["wiredTo"], json!([]));
    // The completed mob's own wires stay, as its history.
    let members = h.cmd(json!({"op":"mob_members","mob":north})).unwrap();
    assert_eq!(members[0]["wiredTo"], json!(["b"]));
    // A message to a member of the completed mob is an error the model reads.
    h.cmd(json!({"op":"mob_send","mob":south,"member":"c","content":"Write to north."})).unwrap();
    h.reply(&c, "", &[("m", "send_message", json!({"to":"north/a","body":"Still there?"}))]);
    let body = h.reply(&c, "Gone.", &[]);
    let (text, is_error) = tool_result(&body);
    assert!(is_error && text.contains("PEER_NOT_WIRED"), "{text}");
    let status = h.cmd(json!({"op":"mob_member_status","mob":north,"member":"a"})).unwrap();
    assert_eq!(status["inboxDepth"], 0);
    // Nor can it be wired again.
    let wire = json!({"op":"wire_cross_mob","mobA":north,"memberA":"a","mobB":south,"memberB":"c"});
    assert_eq!(h.code(wire), "MOB_NOT_RUNNING");
}
