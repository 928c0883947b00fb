//! A request's credential: the session's endpoint as it is, or with the
//! lease of its binding; when there is no usable lease the run waits for
//! one ([`Phase::Auth`]) and then does what it was about to do.

use super::{Flow, Phase, Run, Step, compaction, finish, request};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::provider::Endpoint;

/// What a run waiting for a lease does once it has one.
#[derive(Debug)]
pub enum AfterAuth {
    /// Send the turn's request (`new_turn`: it starts an LLM turn).
    Send { new_turn: bool },
    /// Send a compaction's summary request.
    Compact(compaction::Plan),
}

/// The session's binding, when its credential is a lease.
pub(super) fn leased(st: &Step<'_, '_>) -> Option<usize> {
    st.session.binding.filter(|i| st.ctx.settings.bindings.get(*i).is_some_and(|b| b.external))
}

/// The endpoint of the session's next request, or `None` when its lease
/// must be asked for first ([`wait`]).
pub(super) fn endpoint(st: &mut Step<'_, '_>, run: &mut Run) -> Option<Endpoint> {
    let fresh = core::mem::take(&mut run.fresh_lease);
    let settings = st.ctx.settings;
    let declared = st.session.binding.and_then(|i| settings.bindings.get(i));
    let mut endpoint = declared.map_or(settings.endpoint(st.session.provider), |b| &b.endpoint).clone();
    if let Some(binding) = leased(st) {
        let (secret, generation) = st.ctx.leases.usable(binding, st.ctx.now_ms, fresh)?;
        endpoint.api_key = Some(secret.clone());
        run.lease_generation = generation;
    }
    Some(endpoint)
}

/// Wait for the lease of the session's binding (one `auth` effect per
/// binding, shared by every run that needs it).
pub(super) fn wait(st: &mut Step<'_, '_>, run: &mut Run, then: AfterAuth) -> Flow {
    let index = st.session.binding.unwrap_or_default();
    let effect = st.ctx.leases.ask(index, &st.ctx.settings.bindings, st.ctx.out, st.ctx.now_ms);
    run.phase = Phase::Auth { effect, then };
    Flow::Wait
}

/// The lease effect `id` was answered: the lease is in the cache (or the
/// error says why not).
pub(super) fn on_result(
    st: &mut Step<'_, '_>,
    run: &mut Run,
    id: u32,
    result: Result<(), CoreError>,
) -> CoreResult<Flow> {
    let then = match core::mem::replace(&mut run.phase, Phase::Starting) {
        Phase::Auth { effect, then } if effect == id => then,
        other => {
            run.phase = other;
            return Err(CoreError::new(ErrorCode::UnknownEffect, "the lease is not awaited by this run"));
        }
    };
    if let Err(error) = result {
        return Ok(finish::fail(st, run, error));
    }
    run.fresh_lease = true;
    Ok(match then {
        AfterAuth::Send { new_turn } => request::send(st, run, new_turn),
        AfterAuth::Compact(plan) => compaction::start(st, run, plan),
    })
}

/// An HTTP 401 on a leased request: drop the lease it carried (the next
/// request asks for a fresh one) and say whether to send again, which is
/// once per LLM turn.
pub(super) fn refused(st: &mut Step<'_, '_>, run: &mut Run) -> bool {
    let Some(binding) = leased(st) else { return false };
    st.ctx.leases.refused(binding, run.lease_generation);
    !core::mem::replace(&mut run.auth_retried, true)
}
