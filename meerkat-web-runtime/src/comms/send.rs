//! The comms tools as the bus carries them out: `peers`, `send_message`,
//! `send_request`, `send_response`. Every refusal is text the model can
//! read (`CODE: why`), never an error of the run.

use super::{Bus, Envelope, Kind, Note};
use crate::effects::Outbox;
use crate::events::Event;
use crate::json::{ArrayWriter, Json, ObjectWriter, quote};

/// Which comms tool was called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerCall {
    Peers,
    Message,
    Request,
    Response,
}

/// Bodies larger than this are refused: an inbox holds text for a model.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Run comms tool `call` for member `me` with `args`; the tool result
/// text, or the refusal.
/// An entry of the wasm's lazily loaded mob part (scripts/wasm-split.mjs):
/// only members have comms tools.
#[inline(never)]
pub fn call(
    bus: &mut Bus,
    me: &str,
    call: PeerCall,
    args: &Json<'_>,
    out: &mut Outbox,
    now_ms: f64,
) -> Result<String, String> {
    let field = |name| args.get(name).and_then(Json::as_str);
    if call == PeerCall::Peers {
        return Ok(peers(bus, me));
    }
    let to = field("to").unwrap_or_default();
    let body = field("body").unwrap_or_default();
    let target = addressable(bus, me, to)?;
    // A request's intent reaches the model beside its body: one bound for both.
    let intent = if call == PeerCall::Request { field("intent").unwrap_or_default() } else { "" };
    let size = body.len() + intent.len();
    if size > MAX_BODY_BYTES {
        return Err(format!("MESSAGE_TOO_LARGE: the body (and intent) is {size} bytes; the limit is {MAX_BODY_BYTES}"));
    }
    // It would cost the peer a turn to read nothing.
    if body.trim().is_empty() {
        return Err("EMPTY_MESSAGE: the body is empty; write what you want to say in it".to_string());
    }
    let kind = match call {
        PeerCall::Request => {
            Kind::Request { id: String::new(), intent: Some(intent).filter(|i| !i.is_empty()).map(str::to_string) }
        }
        PeerCall::Response => {
            let id = field("requestId").unwrap_or_default();
            if !bus.is_pending(id, me, &target) {
                return Err(format!(
                    "REQUEST_NOT_FOUND: {} has no open request {} to you (answered already, timed out, or never sent)",
                    quote(to),
                    quote(id)
                ));
            }
            Kind::Response { id: id.to_string() }
        }
        _ => Kind::Message,
    };
    let answered = match &kind {
        Kind::Response { id } => Some(id.clone()),
        _ => None,
    };
    let result = deliver(bus, me, &target, kind, body, out, now_ms)?;
    if let Some(id) = answered {
        bus.settle(&id, me, &target, out);
        let event = Event::InteractionComplete { interaction_id: &id, result: body }.keep();
        bus.notes.push(Note::Event { session: target, event });
    }
    Ok(result)
}

/// `[{name, mob, role, description}]` of `me`'s wired peers.
fn peers(bus: &Bus, me: &str) -> String {
    let list = bus.endpoint(me).map(|e| e.peers.as_slice()).unwrap_or_default();
    let mut out = String::new();
    let mut items = ArrayWriter::new(&mut out);
    for session in list {
        let Some(e) = bus.endpoint(session) else { continue };
        let mut o = ObjectWriter::new(items.item());
        o.str("name", &bus.name_for(me, session)).str("mob", &e.mob).str("role", &e.role);
        o.str("description", &e.description);
        o.end();
    }
    items.end();
    out
}

/// The session `to` names, if `me` may write to it.
fn addressable(bus: &Bus, me: &str, to: &str) -> Result<String, String> {
    let peers = || {
        let list = bus.endpoint(me).map(|e| e.peers.as_slice()).unwrap_or_default();
        if list.is_empty() {
            return "you have no wired peers".to_string();
        }
        let mut text = "your peers: ".to_string();
        for (i, peer) in list.iter().enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(&bus.name_for(me, peer));
        }
        text
    };
    let Some(target) = bus.resolve(me, to) else {
        return Err(format!("PEER_NOT_FOUND: no member is named {} ({})", quote(to), peers()));
    };
    if target == me {
        return Err("INVALID_PEER: you cannot send a message to yourself".to_string());
    }
    if bus.endpoint(&target).is_some_and(|e| e.retired) {
        return Err(format!("PEER_RETIRED: {} was retired and takes no messages", quote(to)));
    }
    if !bus.endpoint(me).is_some_and(|e| e.peers.contains(&target)) {
        return Err(format!("PEER_NOT_WIRED: {} is not wired to you ({})", quote(to), peers()));
    }
    Ok(target)
}

/// Put the message in `target`'s inbox, within the limits.
fn deliver(
    bus: &mut Bus,
    me: &str,
    target: &str,
    mut kind: Kind,
    body: &str,
    out: &mut Outbox,
    now_ms: f64,
) -> Result<String, String> {
    let (Some(sender), Some(_)) = (bus.endpoint(me), bus.endpoint(target)) else {
        return Err("PEER_NOT_FOUND: the peer is gone".to_string());
    };
    let hops = sender.hops + 1;
    let max_hops = sender.limits.max_hops;
    if hops > max_hops {
        let detail = format!("a message would be {hops} hops from the host's input; maxHops is {max_hops}");
        bus.limit(me, "maxHops", detail.clone());
        return Err(format!("HOP_LIMIT: {detail}; answer the host instead of messaging peers"));
    }
    if let Err(detail) = bus.room(target) {
        bus.limit(target, "maxInboxDepth", detail.clone());
        return Err(format!("INBOX_FULL: {detail}; try again later"));
    }
    let (from, role) = (bus.name_for(target, me), sender.role.clone());
    let shown_to = bus.name_for(me, target);
    let mut result = String::new();
    let mut o = ObjectWriter::new(&mut result);
    if let Kind::Request { id, .. } = &mut kind {
        *id = bus.new_request(me, target, hops, out, now_ms);
        o.str("requestId", id);
    } else {
        o.bool("delivered", true);
    }
    o.str("to", &shown_to);
    o.end();
    bus.notes.push(Note::Traffic {
        from: me.to_string(),
        to: target.to_string(),
        kind: kind.as_str(),
        bytes: body.len() as u64,
    });
    bus.notes.push(Note::Event {
        session: target.to_string(),
        event: Event::MessageReceived { from: &from, kind: kind.as_str(), bytes: body.len() as u64 }.keep(),
    });
    bus.enqueue(target, Envelope { from, role, kind, body: body.to_string(), hops });
    Ok(result)
}
