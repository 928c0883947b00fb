//! Mobs: many agents in one core, each member a session. This layer keeps
//! a mob's definition, members, lifecycle, wake-up limits, flow runs and
//! event subscriptions; the runtime carries out what it decides (starting
//! runs, wiring on the bus).

pub mod definition;
pub mod flow;
pub mod flow_run;
pub mod unread;

pub use definition::{Definition, Profile, RuntimeMode};

use crate::events::{EventLog, ReaderId};
use crate::json::ObjectWriter;

/// One minute on the core's clock: the window of the turn-rate limit.
pub const MINUTE_MS: f64 = 60_000.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MobStatus {
    Creating,
    Running,
    Stopped,
    Completed,
    Destroyed,
}

impl MobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MobStatus::Creating => "creating",
            MobStatus::Running => "running",
            MobStatus::Stopped => "stopped",
            MobStatus::Completed => "completed",
            MobStatus::Destroyed => "destroyed",
        }
    }
}

#[derive(Debug)]
pub struct Member {
    pub identity: String,
    /// The profile it was spawned from (its role).
    pub role: String,
    pub mode: RuntimeMode,
    pub session: String,
    pub retired: bool,
    /// When it was woken by messages within the last minute.
    pub wakes: Vec<f64>,
    /// A wake-up held back by the turn-rate limit.
    pub wake_timer: Option<u32>,
}

impl Member {
    /// A live member, not yet woken.
    pub fn new(identity: &str, role: String, mode: RuntimeMode, session: String) -> Self {
        Member {
            identity: identity.to_string(),
            role,
            mode,
            session,
            retired: false,
            wakes: Vec::new(),
            wake_timer: None,
        }
    }
}

/// A reader of the whole mob: its own events and every member's.
#[derive(Debug)]
pub struct Subscription {
    pub id: u32,
    /// Its reader of the mob's own log; `None` for one member's subscription.
    pub reader: Option<ReaderId>,
    /// (session, reader) of each member's log, and where the session was
    /// last found among the runtime's.
    pub members: Vec<(String, ReaderId, usize)>,
    pub next_seq: u64,
    /// The one member it follows (across respawns), if it is a member's.
    pub member: Option<String>,
    /// What it read of its logs before the mob's last event, merged: its
    /// next poll starts with it (a respawned member's old session's events
    /// among them).
    pub kept: unread::Kept,
    /// Its last poll, made when the mob was destroyed (the runs' ends,
    /// then `destroyed`): handed over once, then the subscription is gone.
    pub last: Option<String>,
}

impl Subscription {
    /// Whether it reads the events of the member `identity`.
    pub fn follows(&self, identity: &str) -> bool {
        self.member.as_deref().is_none_or(|m| m == identity)
    }
}

#[derive(Debug)]
pub struct Mob {
    pub def: Definition,
    pub status: MobStatus,
    pub members: Vec<Member>,
    /// Wires by identity, kept across retire/respawn.
    pub wires: Vec<(String, String)>,
    pub log: EventLog,
    pub subscriptions: Vec<Subscription>,
    pub flows: Vec<flow_run::FlowRun>,
    /// The embedded skill source of the definition's inline skills.
    pub skill_source: Option<String>,
    /// Step timeouts: (timer, flow run index, step index).
    pub step_timers: Vec<(u32, usize, usize)>,
    /// Carried over to a mob created with the id of a destroyed one, so a
    /// subscription of the old mob never names one of the new.
    pub next_subscription: u32,
}

/// Subscriptions per mob, at most.
const MAX_SUBSCRIPTIONS: usize = 256;

impl Mob {
    pub fn new(def: Definition, skill_source: Option<String>, capacity: usize) -> Mob {
        Mob {
            def,
            status: MobStatus::Running,
            members: Vec::new(),
            wires: Vec::new(),
            log: EventLog::unpolled(capacity),
            subscriptions: Vec::new(),
            flows: Vec::new(),
            skill_source,
            step_timers: Vec::new(),
            next_subscription: 1,
        }
    }

    pub fn member(&self, identity: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.identity == identity)
    }

    pub fn member_mut(&mut self, identity: &str) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.identity == identity)
    }

    pub fn by_session(&self, session: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.session == session)
    }

    pub fn by_session_mut(&mut self, session: &str) -> Option<&mut Member> {
        self.members.iter_mut().find(|m| m.session == session)
    }

    /// May a member woken by messages start a turn now? Records the wake
    /// when it may; `Err(wait_ms)` until the window has room again.
    pub fn admit_wake(&mut self, session: &str, now_ms: f64) -> Result<(), f64> {
        let limit = self.def.limits.max_turns_per_minute as usize;
        let Some(member) = self.by_session_mut(session) else { return Err(0.0) };
        // Oldest first: drop the wakes that left the window.
        let expired = member.wakes.iter().take_while(|t| now_ms - **t >= MINUTE_MS).count();
        member.wakes.drain(..expired);
        if member.wakes.len() >= limit {
            let oldest = member.wakes.first().copied().unwrap_or(now_ms);
            return Err((oldest + MINUTE_MS - now_ms).max(1.0));
        }
        member.wakes.push(now_ms);
        Ok(())
    }

    /// A new subscription of the whole mob, or of one `member` (its events
    /// only, not the mob's own).
    pub fn subscribe(&mut self, members: Vec<(String, ReaderId, usize)>, member: Option<String>) -> Option<u32> {
        if self.subscriptions.len() >= MAX_SUBSCRIPTIONS {
            return None;
        }
        let reader = match member {
            Some(_) => None,
            None => Some(self.log.open_reader(false)?),
        };
        let id = self.next_subscription;
        self.next_subscription += 1;
        self.subscriptions.push(Subscription {
            id,
            reader,
            members,
            next_seq: 1,
            member,
            kept: Default::default(),
            last: None,
        });
        Some(id)
    }

    pub fn write_summary(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("mobId", &self.def.id).str("status", self.status.as_str());
        o.u64("memberCount", self.members.iter().filter(|m| !m.retired).count() as u64);
        o.end();
    }
}

/// The head of a run of mob subscription items (consecutive items of one
/// source and millisecond): `{"member":…,"role":…,"seq":…,"timestampMs":…,"events":[`,
/// closed by the caller with `]}`. The TypeScript side makes each event an
/// `AttributedMobEvent`, numbered from `seq` (`member` and `role` are null
/// for the mob's own events).
pub fn write_run_head(member: Option<(&str, &str)>, seq: u64, timestamp_ms: u64, out: &mut String) {
    let mut o = ObjectWriter::new(out);
    match member {
        Some((identity, role)) => o.str("member", identity).str("role", role),
        None => o.raw("member", "null").raw("role", "null"),
    };
    o.u64("seq", seq).u64("timestampMs", timestamp_ms);
    o.key("events").push('[');
}
