//! One LLM request of a run: send it, take the response head and body,
//! classify a failure, and retry what is transient after a timer.

use super::{Ctx, Phase, fail, tools};
use crate::error::{CoreError, CoreResult, ErrorCode};
use crate::events::Event;
use crate::provider::LlmRequest;
use crate::session::Session;

/// Error bodies are kept up to this size for classification.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Send the request for the next LLM turn (`new_turn`), or again for the
/// same turn after a transient failure.
pub(super) fn send(ctx: &mut Ctx<'_>, session: &mut Session, new_turn: bool) {
    let Some(provider) = session.api.implementation() else {
        fail(ctx, session, CoreError::new(ErrorCode::UnsupportedModel, "provider unavailable"));
        return;
    };
    let tools = ctx.tools.visible(session.tools.as_deref());
    let request = provider.build_request(&LlmRequest {
        endpoint: ctx.settings.endpoint(session.provider),
        model: &session.model,
        system_prompt: session.system_prompt.as_deref(),
        messages: &session.transcript,
        tools: &tools,
        max_tokens: session.max_tokens,
        temperature: session.temperature.as_ref(),
        thinking: session.thinking.as_ref(),
        output_schema: session.run.as_ref().and_then(|r| r.output_schema.as_ref()),
    });
    let id = ctx.out.http(&session.id, request);
    let Some(run) = session.run.as_mut() else { return };
    run.phase = Phase::AwaitingHead { request: id };
    if new_turn {
        run.llm_turns += 1;
        run.attempt = 0;
        session.events.push(&Event::TurnStarted { turn_number: run.llm_turns });
    }
}

/// The request an outcome quotes must be the one this run waits on.
fn expect_request(session: &Session, id: u32) -> CoreResult<&Phase> {
    let phase = session.run.as_ref().map(|r| &r.phase);
    let current = match phase {
        Some(Phase::AwaitingHead { request })
        | Some(Phase::Streaming { request, .. })
        | Some(Phase::ReadingError { request, .. }) => Some(*request),
        _ => None,
    };
    match (current, phase) {
        (Some(request), Some(phase)) if request == id => Ok(phase),
        _ => Err(CoreError::new(
            ErrorCode::UnknownEffect,
            format!("request {id} is not in flight for session {}", session.id),
        )),
    }
}

pub fn on_http_head(
    session: &mut Session,
    id: u32,
    status: u16,
    mut headers: Vec<(String, String)>,
    now_ms: f64,
) -> CoreResult<()> {
    if !matches!(expect_request(session, id)?, Phase::AwaitingHead { .. }) {
        return Err(CoreError::new(ErrorCode::UnknownEffect, format!("request {id} already has its response head")));
    }
    let Some(run) = session.run.as_mut() else { return Ok(()) };
    let Some(provider) = session.api.implementation() else {
        return Err(CoreError::new(ErrorCode::Internal, "session provider has no implementation"));
    };
    crate::provider::normalize_retry_after(&mut headers, now_ms);
    run.phase = if (200..300).contains(&status) {
        // Providers that send calls without ids (Gemini) name them after the request.
        Phase::Streaming { request: id, parser: provider.stream_parser(&format!("call_{id}_")) }
    } else {
        Phase::ReadingError { request: id, status, headers, body: Vec::new() }
    };
    Ok(())
}

pub fn on_http_body(ctx: &mut Ctx<'_>, session: &mut Session, id: u32, bytes: &[u8]) -> CoreResult<()> {
    expect_request(session, id)?;
    let Session { run, events, .. } = session;
    let Some(run) = run.as_mut() else { return Ok(()) };
    let failure = match &mut run.phase {
        Phase::Streaming { parser, .. } => parser.feed(bytes, events).err(),
        Phase::ReadingError { body, .. } => {
            let room = MAX_ERROR_BODY.saturating_sub(body.len());
            body.extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
            None
        }
        _ => return Err(CoreError::new(ErrorCode::UnknownEffect, format!("request {id} has no response head yet"))),
    };
    if let Some(error) = failure {
        ctx.out.abort_http(id);
        failed(ctx, session, error);
    }
    Ok(())
}

pub fn on_http_end(ctx: &mut Ctx<'_>, session: &mut Session, id: u32) -> CoreResult<()> {
    expect_request(session, id)?;
    let Session { run, events, api, .. } = session;
    let Some(run) = run.as_mut() else { return Ok(()) };
    let outcome = match &mut run.phase {
        Phase::Streaming { parser, .. } => parser.finish(events),
        Phase::ReadingError { status, headers, body, .. } => match api.implementation() {
            Some(p) => Err(p.classify_error(*status, headers, body)),
            None => Err(CoreError::new(ErrorCode::Internal, "session provider has no implementation")),
        },
        _ => Err(CoreError::new(ErrorCode::NetworkError, "the response ended before its head arrived").retryable(None)),
    };
    match outcome {
        Ok(turn) => tools::finish_llm_turn(ctx, session, turn),
        Err(error) => failed(ctx, session, error),
    }
    Ok(())
}

pub fn on_http_error(ctx: &mut Ctx<'_>, session: &mut Session, id: u32, message: &str) -> CoreResult<()> {
    expect_request(session, id)?;
    let message: String = message.chars().take(500).collect();
    let error = CoreError::new(ErrorCode::NetworkError, format!("the request to the provider failed: {message}"))
        .retryable(None);
    failed(ctx, session, error);
    Ok(())
}

/// The backoff timer fired: send the same request again.
pub fn on_timer(ctx: &mut Ctx<'_>, session: &mut Session, id: u32) -> CoreResult<()> {
    match session.run.as_ref().map(|r| &r.phase) {
        Some(Phase::BackingOff { timer }) if *timer == id => {
            send(ctx, session, false);
            Ok(())
        }
        _ => Err(CoreError::new(
            ErrorCode::UnknownEffect,
            format!("timer {id} is not awaited by session {}", session.id),
        )),
    }
}

/// This attempt failed: wait and retry if the error is transient and the
/// policy allows, else fail the run.
fn failed(ctx: &mut Ctx<'_>, session: &mut Session, error: CoreError) {
    let policy = session.retry.unwrap_or(ctx.settings.retry);
    let Some(run) = session.run.as_mut() else { return };
    let attempt = run.attempt + 1;
    match policy.delay(attempt, &error, ctx.rng) {
        Some(delay_ms) => {
            run.attempt = attempt;
            run.phase = Phase::BackingOff { timer: ctx.out.timer(&session.id, delay_ms) };
            session.events.push(&Event::Retrying {
                attempt,
                max_attempts: policy.max_retries,
                error: error.message,
                delay_ms,
            });
        }
        None => {
            let mut error = error;
            if let Some(hint) = error.retry_after_ms.filter(|&h| error.retryable && h > policy.max_delay_ms) {
                error.message = format!(
                    "{} (the provider asked to wait {hint} ms, longer than retry.maxDelayMs {})",
                    error.message, policy.max_delay_ms
                );
            }
            let error = if run.attempt > 0 { after_retries(error, run.attempt) } else { error };
            fail(ctx, session, error);
        }
    }
}

/// Say how hard we tried.
fn after_retries(mut error: CoreError, retries: u32) -> CoreError {
    error.message = format!("{} (after {retries} retries)", error.message);
    error
}
