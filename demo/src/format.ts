/** One-line summaries of agent events for the event log. */
import type { AgentEvent, Usage } from "@rkat/web";

/** A string shown quoted and cut to `max` characters, newlines visible. */
export function quote(text: string, max = 40): string {
  const flat = text.replace(/\n/g, "⏎");
  const cut = Array.from(flat);
  return JSON.stringify(cut.length > max ? `${cut.slice(0, max).join("")}…` : flat);
}

function json(value: unknown, max = 60): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  const cut = Array.from(text);
  return cut.length > max ? `${cut.slice(0, max).join("")}…` : text;
}

export function usageText(usage: Usage): string {
  let text = `in=${usage.inputTokens} out=${usage.outputTokens}`;
  if (usage.cacheReadTokens) text += ` cache_read=${usage.cacheReadTokens}`;
  if (usage.cacheCreationTokens) text += ` cache_write=${usage.cacheCreationTokens}`;
  return text;
}

/** The part of a log line after the event type. */
export function summarize(event: AgentEvent): string {
  switch (event.type) {
    case "run_started":
      return quote(event.prompt);
    case "run_completed":
      return `${usageText(event.usage)} ${quote(event.result, 30)}`;
    case "run_failed":
      return event.error;
    case "turn_started":
      return `#${event.turnNumber}`;
    case "text_delta":
      return quote(event.delta, 30);
    case "text_complete":
      return `${quote(event.content, 30)} (${Array.from(event.content).length} chars)`;
    case "tool_call_requested":
      return `${event.name} ${json(event.args)}`;
    case "tool_execution_started":
      return event.name;
    case "tool_execution_completed":
      return `${event.name} ${event.isError ? "error" : "ok"} ${quote(event.result, 30)} ${event.durationMs}ms`;
    case "tool_execution_timed_out":
      return `${event.name} timed out after ${event.timeoutMs}ms`;
    case "tool_result_received":
      return `${event.name} ${event.isError ? "error" : "ok"}`;
    case "turn_completed":
      return `${event.stopReason} ${usageText(event.usage)}`;
    case "retrying":
      return `attempt ${event.attempt}/${event.maxAttempts} in ${event.delayMs}ms: ${event.error}`;
    case "budget_warning":
      // One at the warning level and one at the limit; a single step may cross both.
      return `${event.budgetType} ${event.used}/${event.limit} (${event.percent}%${event.used >= event.limit ? ", limit reached" : ""})`;
    case "hook_started":
      return `${event.hookId} at ${event.point}`;
    case "hook_completed":
      return `${event.hookId} at ${event.point} ${event.durationMs}ms`;
    case "hook_failed":
      return `${event.hookId} at ${event.point}: ${event.error}`;
    // The reason first: it is what a cut-off line must still show.
    case "hook_denied":
      return `${event.reasonCode}: ${quote(event.message, 60)} (${event.hookId} at ${event.point})`;
    case "hook_rewrite_applied":
      return `${event.hookId} at ${event.point} ${json(event.patch)}`;
    case "hook_patch_published":
      return `${event.hookId} at ${event.point} ${json(event.envelope)}`;
    case "skills_resolved":
      return `${event.skills.length > 0 ? event.skills.join(", ") : "(none)"} · ${event.injectionBytes} bytes injected`;
    case "skill_resolution_failed":
      return `${event.reference}: ${event.error}`;
    case "compaction_started":
      return `${event.messageCount} messages, ~${event.estimatedHistoryTokens} history tokens (input ${event.inputTokens})`;
    case "compaction_completed":
      return `${event.messagesBefore} → ${event.messagesAfter} messages, summary ${event.summaryTokens} tokens`;
    case "compaction_failed":
      return event.error;
    case "message_received":
      return `from ${event.from} · ${event.kind} · ${event.bytes} B`;
    case "interaction_complete":
      return `${event.interactionId} ${quote(event.result, 30)}`;
    case "interaction_failed":
      return `${event.interactionId}: ${event.error}`;
    case "tool_config_changed":
      return `${event.payload.operation} ${event.payload.target}: ${event.payload.status}`;
    case "stream_truncated":
      return event.reason;
    case "unknown":
      return `${event.originalType} ${json(event.payload)}`;
    default: {
      // A type this demo does not know yet: its fields, without the envelope.
      const { type: _type, seq: _seq, ...rest } = event as unknown as { type: string; seq: number } & Record<string, unknown>;
      return json(rest);
    }
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A line about an error's `details`, for the codes that carry useful ones:
 * BUDGET_EXHAUSTED says which limit ran out and what the run did before.
 */
export function errorDetail(code: string, details: unknown): string | undefined {
  if (code !== "BUDGET_EXHAUSTED" || !isRecord(details)) return undefined;
  const { budgetType, used, limit, partial } = details;
  let text = `${String(budgetType)}: used ${String(used)} of ${String(limit)}`;
  if (isRecord(partial)) {
    text += ` · before it stopped: ${String(partial.turns)} LLM turn(s), ${String(partial.toolCalls)} tool call(s)`;
  }
  return text;
}
