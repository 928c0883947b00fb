//! A run's budget as it is used: warnings at the warning level and at the
//! limit (once each per type), and the checks that stop a request or a
//! tool call that would go past it.

use crate::config::Budget;
use crate::events::{BudgetType, Event, EventLog};
use crate::usage::Usage;

/// Which limit ran out, and by how much.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exhausted {
    pub kind: BudgetType,
    pub used: u64,
    pub limit: u64,
}

#[derive(Debug, Default)]
pub struct BudgetState {
    limits: Option<Budget>,
    /// Per type (`BudgetType::ALL` order): warned at the warning level, at the limit.
    warned: [bool; 3],
    reached: [bool; 3],
}

/// Input (cached or not) plus output tokens.
pub fn tokens_used(usage: &Usage) -> u64 {
    usage.input_tokens
        + usage.output_tokens
        + usage.cache_creation_tokens.unwrap_or(0)
        + usage.cache_read_tokens.unwrap_or(0)
}

impl BudgetState {
    pub fn new(limits: Option<Budget>) -> Self {
        BudgetState { limits, ..BudgetState::default() }
    }

    pub fn limit(&self, kind: BudgetType) -> Option<u64> {
        let limits = self.limits?;
        match kind {
            BudgetType::Tokens => limits.tokens,
            BudgetType::Time => limits.duration_ms,
            BudgetType::ToolCalls => limits.tool_calls,
        }
    }

    /// Report crossing the warning level and the limit, once each
    /// (crossing both at once is one event).
    fn observe(&mut self, kind: BudgetType, used: u64, events: &mut EventLog) {
        let (Some(limit), Some(limits)) = (self.limit(kind), self.limits) else { return };
        let percent = used.saturating_mul(100) / limit;
        let (Some(warned), Some(reached)) = (self.warned.get_mut(kind as usize), self.reached.get_mut(kind as usize))
        else {
            return;
        };
        let crossed_warning = percent >= limits.warn_at_percent && !*warned;
        let crossed_limit = used >= limit && !*reached;
        *warned |= percent >= limits.warn_at_percent;
        *reached |= used >= limit;
        if crossed_warning || crossed_limit {
            events.push(&Event::BudgetWarning { budget_type: kind, used, limit, percent });
        }
    }

    /// Before an LLM request: no request starts once tokens or time are used up.
    pub fn before_request(&mut self, usage: &Usage, elapsed_ms: f64, events: &mut EventLog) -> Option<Exhausted> {
        let tokens = tokens_used(usage);
        let elapsed = elapsed_ms.max(0.0) as u64;
        self.observe(BudgetType::Tokens, tokens, events);
        self.observe(BudgetType::Time, elapsed, events);
        self.over(BudgetType::Tokens, tokens).or_else(|| self.over(BudgetType::Time, elapsed))
    }

    /// While a tool or hook holds the run: is its time used up? (Reported
    /// at the limit only: the warning level is checked before requests.)
    pub fn time_up(&mut self, elapsed_ms: f64, events: &mut EventLog) -> Option<Exhausted> {
        let exhausted = self.over(BudgetType::Time, elapsed_ms.max(0.0) as u64)?;
        self.observe(BudgetType::Time, exhausted.used, events);
        Some(exhausted)
    }

    fn over(&self, kind: BudgetType, used: u64) -> Option<Exhausted> {
        let limit = self.limit(kind)?;
        (used >= limit).then_some(Exhausted { kind, used, limit })
    }

    pub fn observe_tokens(&mut self, usage: &Usage, events: &mut EventLog) {
        self.observe(BudgetType::Tokens, tokens_used(usage), events);
    }

    /// Before a tool call: one more must fit.
    pub fn before_tool(&mut self, done: u32, _events: &mut EventLog) -> Option<Exhausted> {
        let limit = self.limit(BudgetType::ToolCalls)?;
        let used = u64::from(done);
        (used + 1 > limit).then_some(Exhausted { kind: BudgetType::ToolCalls, used, limit })
    }

    pub fn observe_tools(&mut self, done: u32, events: &mut EventLog) {
        self.observe(BudgetType::ToolCalls, u64::from(done), events);
    }
}
