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
      return `${event.name} after ${event.timeoutMs}ms`;
    case "tool_result_received":
      return `${event.name} ${event.isError ? "error" : "ok"}`;
    case "turn_completed":
      return `${event.stopReason} ${usageText(event.usage)}`;
    case "retrying":
      return `attempt ${event.attempt}/${event.maxAttempts} in ${event.delayMs}ms: ${event.error}`;
    case "budget_warning":
      return `${event.budgetType} ${event.used}/${event.limit} (${event.percent}%)`;
    case "stream_truncated":
      return event.reason;
    case "unknown":
      return `${event.originalType} ${json(event.payload)}`;
    default: {
      const { type: _type, ...rest } = event as unknown as { type: string } & Record<string, unknown>;
      return json(rest);
    }
  }
}
