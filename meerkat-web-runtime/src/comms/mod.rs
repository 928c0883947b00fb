//! The in-process message bus between agents: who can see whom (wiring),
//! bounded inboxes, and requests awaiting their responses.
//!
//! Endpoints are keyed by session id; each belongs to a mob and has an
//! identity there. Wiring is mutual and may cross mobs. The bus never
//! starts runs: it records what happened in [`Note`]s, which the runtime
//! turns into wake-ups, events for other sessions and mob events.

mod send;

pub use send::{PeerCall, call};

use crate::effects::{Outbox, Owner};
use crate::events::{Event, KeptEvent};
use crate::sorted_map::SortedMap;

/// Per-mob bounds on traffic (`limits` of a mob definition).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub max_turns_per_minute: u32,
    pub max_inbox_depth: u32,
    pub max_hops: u32,
    pub request_timeout_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_turns_per_minute: 20, max_inbox_depth: 64, max_hops: 8, request_timeout_ms: 120_000 }
    }
}

/// One member as the bus sees it.
#[derive(Debug)]
pub struct Endpoint {
    pub mob: String,
    pub identity: String,
    pub role: String,
    pub description: String,
    pub limits: Limits,
    /// Session ids of the wired peers.
    pub peers: Vec<String>,
    pub inbox: Vec<Envelope>,
    /// Hops of the messages the current run answers (0 for the host's input).
    pub hops: u32,
    pub retired: bool,
    /// `limit_reached` was noted for its full inbox; again only once the
    /// inbox took an item (it was read meanwhile).
    pub full_reported: bool,
    /// `limit_reached` was noted for its run's hops; again only in a later run.
    pub hops_reported: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Message,
    Request {
        id: String,
        intent: Option<String>,
    },
    Response {
        id: String,
    },
    /// From the bus itself (a request timed out, a peer went away).
    Notice,
}

impl Kind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Message | Kind::Notice => "message",
            Kind::Request { .. } => "request",
            Kind::Response { .. } => "response",
        }
    }
}

/// A message waiting in an inbox.
#[derive(Clone, Debug)]
pub struct Envelope {
    /// The sender's name as the recipient knows it, and its role.
    pub from: String,
    pub role: String,
    pub kind: Kind,
    pub body: String,
    pub hops: u32,
}

impl Envelope {
    /// How the message reaches the model: clearly attributed, never as the
    /// user's own words.
    fn write(&self, out: &mut String) {
        let (from, role) = (&self.from, &self.role);
        let head = match &self.kind {
            Kind::Message => format!("[message from {from} ({role})]: "),
            Kind::Request { id, .. } => format!("[request {id} from {from} ({role})]: "),
            Kind::Response { id } => format!("[response to {id} from {from} ({role})]: "),
            Kind::Notice => "[notice]: ".to_string(),
        };
        out.push_str(&head);
        out.push_str(&self.body);
        if let Kind::Request { intent: Some(intent), .. } = &self.kind {
            out.push_str("\n(intent: ");
            out.push_str(intent);
            out.push(')');
        }
    }
}

/// What a bus operation asks of the runtime.
#[derive(Debug, PartialEq)]
pub enum Note {
    /// A message landed in this session's inbox: wake it if it may run.
    Delivered { to: String },
    /// For the mob logs of sender and recipient (never the body).
    Traffic { from: String, to: String, kind: &'static str, bytes: u64 },
    /// A limit refused something (`session`: whose mob reports it).
    Limit { session: String, limit: &'static str, detail: String },
    /// An event for a session other than the one running.
    Event { session: String, event: KeptEvent },
}

/// A request still waiting for its response.
#[derive(Debug)]
struct Pending {
    id: String,
    from: String,
    to: String,
    timer: u32,
    /// The request's hops: its failure notice counts as many, so a member
    /// asking again after each failure still meets `maxHops`.
    hops: u32,
}

#[derive(Debug, Default)]
pub struct Bus {
    endpoints: SortedMap<String, Endpoint>,
    pending: Vec<Pending>,
    next_request: u64,
    pub notes: Vec<Note>,
}

impl Bus {
    pub fn join(&mut self, session: String, endpoint: Endpoint) {
        self.endpoints.insert(session, endpoint);
    }

    /// The member leaves for good (destroyed): unwired, its requests failed.
    pub fn leave(&mut self, session: &str, out: &mut Outbox) {
        self.retire(session, out);
        self.endpoints.remove(session);
    }

    /// The member stops taking messages: unwired from everyone, its inbox
    /// dropped, requests to or from it failed. It stays addressable by
    /// name, so senders learn it was retired.
    pub fn retire(&mut self, session: &str, out: &mut Outbox) {
        let mut peers = Vec::new();
        if let Some(endpoint) = self.endpoints.get_mut(session) {
            endpoint.retired = true;
            endpoint.inbox.clear();
            peers = core::mem::take(&mut endpoint.peers);
        }
        for peer in peers {
            if let Some(e) = self.endpoints.get_mut(&peer) {
                e.peers.retain(|p| p != session);
            }
        }
        for request in self.take_pending(|p| p.from == session || p.to == session, out) {
            if request.from != session {
                self.fail_request(request, "the peer was retired before it responded");
            }
        }
    }

    /// The pending requests `which` picks, out of the list, their time-outs cancelled.
    fn take_pending(&mut self, which: impl Fn(&Pending) -> bool, out: &mut Outbox) -> Vec<Pending> {
        let (taken, kept) = core::mem::take(&mut self.pending).into_iter().partition(which);
        self.pending = kept;
        for request in &taken {
            out.cancel_timer(request.timer);
        }
        taken
    }

    pub fn endpoint(&self, session: &str) -> Option<&Endpoint> {
        self.endpoints.get(session)
    }

    /// The mob of a member session (every member has an endpoint, from
    /// its spawn until its session is dropped).
    pub fn mob_of(&self, session: &str) -> Option<&String> {
        self.endpoint(session).map(|e| &e.mob)
    }

    pub fn endpoint_mut(&mut self, session: &str) -> Option<&mut Endpoint> {
        self.endpoints.get_mut(session)
    }

    /// Wire two members both ways; `false` if they already were.
    pub fn wire(&mut self, a: &str, b: &str) -> bool {
        let mut added = false;
        for (one, other) in [(a, b), (b, a)] {
            if let Some(e) = self.endpoints.get_mut(one)
                && !e.peers.iter().any(|p| p == other)
            {
                e.peers.push(other.to_string());
                added = true;
            }
        }
        added
    }

    /// Unwire both ways; `false` if they were not wired. Requests between
    /// the two fail now: no response can reach the requester any more, and
    /// it should not wait out `requestTimeoutMs` to learn so.
    pub fn unwire(&mut self, a: &str, b: &str, out: &mut Outbox) -> bool {
        let mut removed = false;
        for (one, other) in [(a, b), (b, a)] {
            if let Some(e) = self.endpoints.get_mut(one) {
                let before = e.peers.len();
                e.peers.retain(|p| p != other);
                removed |= e.peers.len() != before;
            }
        }
        let between = |p: &Pending| (p.from == a && p.to == b) || (p.from == b && p.to == a);
        for request in self.take_pending(between, out) {
            let to = self.name_for(&request.from, &request.to);
            self.fail_request(request, &format!("{to} was unwired from you before it responded"));
        }
        removed
    }

    /// `target`'s name as `viewer` sees it: its identity within the same
    /// mob, `"<mob>/<identity>"` across mobs.
    pub fn name_for(&self, viewer: &str, target: &str) -> String {
        let (Some(v), Some(t)) = (self.endpoint(viewer), self.endpoint(target)) else { return String::new() };
        if v.mob == t.mob { t.identity.clone() } else { format!("{}/{}", t.mob, t.identity) }
    }

    /// The session `name` refers to, seen from `viewer`'s mob.
    fn resolve(&self, viewer: &str, name: &str) -> Option<String> {
        let mob = &self.endpoint(viewer)?.mob;
        let (mob, identity) = name.split_once('/').unwrap_or((mob.as_str(), name));
        self.endpoints.iter().find(|(_, e)| e.mob == mob && e.identity == identity).map(|(s, _)| s.clone())
    }

    /// Messages waiting for `session`.
    pub fn inbox_depth(&self, session: &str) -> usize {
        self.endpoint(session).map_or(0, |e| e.inbox.len())
    }

    /// Take everything waiting for `session`, as the text the model reads
    /// (one paragraph per message); the run that reads it is that many hops in.
    pub fn take_inbox(&mut self, session: &str) -> Option<String> {
        let endpoint = self.endpoints.get_mut(session)?;
        endpoint.hops = endpoint.inbox.iter().map(|m| m.hops).max().unwrap_or(0);
        if endpoint.inbox.is_empty() {
            return None;
        }
        let mut text = String::new();
        for message in endpoint.inbox.drain(..) {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            message.write(&mut text);
        }
        Some(text)
    }

    /// A request's timer fired; `false` if it is not a request's.
    pub fn on_timer(&mut self, timer: u32) -> bool {
        let Some(at) = self.pending.iter().position(|p| p.timer == timer) else { return false };
        let request = self.pending.remove(at);
        let ms = self.endpoint(&request.from).map_or(0, |e| e.limits.request_timeout_ms);
        let to = self.name_for(&request.from, &request.to);
        self.fail_request(request, &format!("no response from {to} within {ms} ms"));
        true
    }

    /// The requester hears that its request will not be answered.
    fn fail_request(&mut self, request: Pending, why: &str) {
        let error = format!("request {} failed: {why}", request.id);
        self.notes.push(Note::Event {
            session: request.from.clone(),
            event: Event::InteractionFailed { interaction_id: &request.id, error: &error }.keep(),
        });
        if self.endpoint(&request.from).is_none_or(|e| e.retired) {
            return;
        }
        // A notice is an item of the inbox like a message: a storm of failed
        // requests cannot grow it past its bound (the event above still tells).
        if let Err(detail) = self.room(&request.from) {
            let detail = format!("{detail}; the failure of {} was not queued", request.id);
            return self.limit(&request.from, "maxInboxDepth", detail);
        }
        let hops = request.hops;
        let notice = Envelope { from: String::new(), role: String::new(), kind: Kind::Notice, body: error, hops };
        self.enqueue(&request.from, notice);
    }

    /// `Err(why)` when `session`'s inbox holds `maxInboxDepth` items.
    fn room(&self, session: &str) -> Result<(), String> {
        let Some(e) = self.endpoint(session) else { return Ok(()) };
        let depth = e.limits.max_inbox_depth as usize;
        if e.inbox.len() < depth {
            return Ok(());
        }
        Err(format!("the inbox of {} holds {depth} messages already", e.identity))
    }

    /// Put `envelope` in `session`'s inbox (which has room).
    fn enqueue(&mut self, session: &str, envelope: Envelope) {
        if let Some(e) = self.endpoints.get_mut(session) {
            e.inbox.push(envelope);
            e.full_reported = false;
            self.notes.push(Note::Delivered { to: session.to_string() });
        }
    }

    /// `limit` refused something of `session`'s: noted for its mob's log
    /// once while the limit bites, not once per refusal, so a storm against
    /// a limit cannot flood the log (and its subscriptions) with copies.
    fn limit(&mut self, session: &str, limit: &'static str, detail: String) {
        let Some(e) = self.endpoints.get_mut(session) else { return };
        let reported = if limit == "maxHops" { &mut e.hops_reported } else { &mut e.full_reported };
        if !core::mem::replace(reported, true) {
            self.notes.push(Note::Limit { session: session.to_string(), limit, detail });
        }
    }

    fn new_request(&mut self, from: &str, to: &str, hops: u32, out: &mut Outbox, now_ms: f64) -> String {
        self.next_request += 1;
        let id = format!("req-{}", self.next_request);
        let ms = self.endpoint(from).map_or(0, |e| e.limits.request_timeout_ms);
        let timer = out.timer(Owner::Comms, ms, now_ms);
        self.pending.push(Pending { id: id.clone(), from: from.to_string(), to: to.to_string(), timer, hops });
        id
    }

    fn find_pending(&self, id: &str, responder: &str, requester: &str) -> Option<usize> {
        self.pending.iter().position(|p| p.id == id && p.to == responder && p.from == requester)
    }

    fn is_pending(&self, id: &str, responder: &str, requester: &str) -> bool {
        self.find_pending(id, responder, requester).is_some()
    }

    /// The request `id` that `responder` answers to `requester` is settled.
    fn settle(&mut self, id: &str, responder: &str, requester: &str, out: &mut Outbox) {
        if let Some(at) = self.find_pending(id, responder, requester) {
            out.cancel_timer(self.pending.remove(at).timer);
        }
    }
}
