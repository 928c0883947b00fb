/**
 * Public data types, field for field as in the SDK reference
 * (`seeds/sdk-types-reference.md`) and the WASM runtime docs.
 */

/** Token usage of a run. `inputTokens` excludes cached input. */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheCreationTokens?: number;
  readonly cacheReadTokens?: number;
}

/** The result of `session.turn()` and of a consumed `EventStream`. */
export interface RunResult {
  readonly sessionId: string;
  readonly sessionRef?: string;
  readonly text: string;
  readonly turns: number;
  readonly toolCalls: number;
  readonly usage: Usage;
  readonly structuredOutput?: unknown;
  readonly schemaWarnings?: readonly SchemaWarning[];
  /** Health of the HTTP skill sources the run used. */
  readonly skillDiagnostics?: import("./skills.js").SkillRuntimeDiagnostics;
}

/** Summary returned by `runtime.listSessions()`. */
export interface SessionInfo {
  readonly sessionId: string;
  readonly sessionRef?: string;
  /** ISO-8601. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly messageCount: number;
  readonly totalTokens: number;
  /** A run is in flight. */
  readonly isActive: boolean;
}

/** A runtime capability (`runtime.capabilities`). */
export interface Capability {
  readonly id: string;
  readonly description: string;
  /** `"Available"` or `"NotCompiled"` (what a browser cannot have). */
  readonly status: string;
}

/**
 * A run's budget. `tokens` counts the run's input and output tokens,
 * `durationMs` its wall time; a request or tool call that would go past a
 * limit is not made and the run fails with `BUDGET_EXHAUSTED`.
 */
export interface Budget {
  tokens?: number;
  durationMs?: number;
  toolCalls?: number;
  /** `budget_warning` when use reaches this share of a limit (default 80). */
  warnAtPercent?: number;
}

/** When the history is summarised (see `SessionConfig.compaction`). */
export interface CompactionConfig {
  /** Estimated input tokens that trigger it (default: 3/4 of the model's context window). */
  thresholdTokens?: number;
  /** User turns kept verbatim, the current one included (default 3). */
  keepRecentTurns?: number;
}

/** `registerTool` options. */
export interface ToolOptions {
  /** How long the handler may take before the model gets a timeout error (default: the session's `toolTimeoutMs`, else none). */
  timeoutMs?: number;
  /** The tool changes nothing: it may run in `readOnly` sessions. */
  readOnly?: boolean;
}

export interface SchemaWarning {
  readonly provider: string;
  readonly path: string;
  readonly message: string;
}

/** Multimodal prompt and tool-result content. `data` is base64. */
export type ContentBlock = { type: "text"; text: string } | { type: "image"; media_type: string; data: string };

/** What `session.turn()` and `session.stream()` accept. */
export type Prompt = string | ContentBlock[];

/** Per-turn options of `session.turn()` and `session.stream()`. */
export interface TurnOptions {
  /**
   * JSON Schema the final answer must follow, using the provider's native
   * structured output. The parsed answer lands in `RunResult.structuredOutput`;
   * mismatches are reported in `RunResult.schemaWarnings`. Overrides the
   * session's `outputSchema` for this turn.
   */
  outputSchema?: Record<string, unknown>;
  /** This run's budget (instead of the session's). */
  budget?: Budget;
  /** Skills injected into this turn's system prompt. */
  skillRefs?: import("./skills.js").SkillRef[];
}

/** `MeerkatRuntime.init` configuration. */
export interface RuntimeConfig {
  anthropicApiKey?: string;
  /** Origin without `/v1`, e.g. `http://localhost:3100/anthropic` behind rkat-web-proxy. */
  anthropicBaseUrl?: string;
  openaiApiKey?: string;
  openaiBaseUrl?: string;
  geminiApiKey?: string;
  geminiBaseUrl?: string;
  /** @deprecated Legacy: applies to the provider of `model` (Anthropic when unset). */
  apiKey?: string;
  /** @deprecated Legacy: applies to the provider of `model` (Anthropic when unset). */
  baseUrl?: string;
  /** Default model for sessions that name none. */
  model?: string;
  /** Default `max_tokens` per LLM request (4096). */
  maxTokens?: number;
  /** Default LLM turns per run before it fails with `MAX_TURNS_EXCEEDED` (25). */
  maxTurns?: number;
  /** Events kept per session between polls before `stream_truncated` (65536). */
  eventQueueCapacity?: number;
  /** Largest accepted prompt in bytes (4 MiB). */
  maxPromptBytes?: number;
  /** Retries of transient provider failures (default 2 retries, 500 ms doubling, at most 30 s). */
  retry?: RetryPolicy;
  /**
   * Realms beyond `default` (which the provider keys above form, with the
   * bindings `anthropic`, `openai`, `gemini`); sessions pick one with
   * `authBinding` (see `withAuthBinding`).
   */
  realms?: Record<string, import("./auth/types.js").RealmConfig>;
}

/**
 * Transient failures (429 rate limits, 5xx, overloads, network errors, a
 * mid-stream overload) are retried with exponential backoff and jitter; a
 * server's `retry-after` is honoured when it is at most `maxDelayMs`.
 */
export interface RetryPolicy {
  maxRetries?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** `runtime.createSession` configuration. Keys and URLs belong in `RuntimeConfig`. */
export interface SessionConfig {
  model?: string;
  /** Only needed when the model name does not tell (`claude-*`, `gpt-*`/`o*`, `gemini-*`). */
  provider?: "anthropic" | "openai" | "gemini";
  systemPrompt?: string;
  maxTokens?: number;
  maxTurns?: number;
  /** 0 to 2. */
  temperature?: number;
  /** Extended thinking (Anthropic): budget of at least 1024 tokens, below `maxTokens`. */
  thinking?: { budgetTokens: number };
  /** Names of registered tools this session may use (default: all of them). */
  tools?: string[];
  /** Overrides the runtime's retry policy, field by field. */
  retry?: RetryPolicy;
  /** OpenAI only: `"chat"` (Chat Completions, default) or `"responses"` (Responses API). */
  openaiApi?: "chat" | "responses";
  /** JSON Schema every run's final answer must follow (see `TurnOptions.outputSchema`). */
  outputSchema?: Record<string, unknown>;
  /** Every run's budget (a turn's own replaces it). */
  budget?: Budget;
  /** Default timeout of tools without their own `timeoutMs`. */
  toolTimeoutMs?: number;
  /** Only tools registered with `readOnly: true` may run. */
  readOnly?: boolean;
  /** Summarise older turns when the history gets long (absent: only `session.compact()`). */
  compaction?: CompactionConfig;
  /** Skills put in the system prompt of every request. */
  preloadSkills?: import("./skills.js").SkillRef[];
  /** Offer the model the runtime's `browse_skills` and `load_skill` tools. */
  skillTools?: boolean;
  /** The realm binding whose endpoint and credential the requests use (default: the `default` realm's). */
  authBinding?: import("./auth/types.js").AuthBinding;
}

/** JSON Schema of a tool's arguments: an object schema. */
export interface ToolInputSchema {
  type: "object";
  properties?: Record<string, unknown>;
  required?: string[];
  [keyword: string]: unknown;
}

/** What a tool handler may return. */
export type ToolOutput = string | { content: string | ContentBlock[]; isError?: boolean };

/** A tool implementation. Throwing (or rejecting) gives the model an error result. */
export type ToolHandler = (args: Record<string, unknown>) => ToolOutput | Promise<ToolOutput>;

/** One message of `session.history()`. */
export interface HistoryMessage {
  readonly role: "user" | "assistant";
  readonly content: readonly HistoryPart[];
}

export type HistoryPart =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "image"; readonly media_type: string; readonly data: string }
  | { readonly type: "thinking"; readonly thinking: string; readonly signature?: string }
  | { readonly type: "redacted_thinking"; readonly data: string }
  | {
      readonly type: "tool_use";
      readonly id: string;
      readonly name: string;
      readonly input: unknown;
      /** Gemini's opaque thoughtSignature: keep it when handing history back (Gemini 3 refuses a call without it). */
      readonly signature?: string;
    }
  | {
      readonly type: "tool_result";
      readonly tool_use_id: string;
      readonly content: readonly HistoryPart[];
      readonly is_error: boolean;
    };
