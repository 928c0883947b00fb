// Public types of `@rkat/web/proxy` (implementation: ./index.mjs).

/** How a provider prefix is served: relayed with the real key, or simulated locally. */
export type ProviderMode = 'forward' | 'simulated';

export interface ProxyOptions {
  /** TCP port; default 3100, 0 picks a free one. */
  port?: number;
  /** Loopback address to bind; default '127.0.0.1'. Non-loopback hosts are rejected. */
  host?: string;
  /** Real Anthropic key; default process.env.ANTHROPIC_API_KEY. An empty string forces simulated mode. */
  anthropicApiKey?: string;
  /** Upstream base URL for forward mode; default 'https://api.anthropic.com'. https, or http to a loopback address only. */
  anthropicUpstream?: string;
  /** Real OpenAI key (sent upstream as `authorization: Bearer`); default process.env.OPENAI_API_KEY. '' forces simulated mode. */
  openaiApiKey?: string;
  /** Upstream base URL for forward mode; default 'https://api.openai.com' (`/openai/v1/...` → `<upstream>/v1/...`). https, or http to a loopback address only. */
  openaiUpstream?: string;
  /** Real Gemini key (sent upstream as `x-goog-api-key`); default process.env.GEMINI_API_KEY. '' forces simulated mode. */
  geminiApiKey?: string;
  /** Upstream base URL for forward mode; default 'https://generativelanguage.googleapis.com'. https, or http to a loopback address only. */
  geminiUpstream?: string;
  /** Receives one line per request: method, path (no query), status, duration. Never the key. */
  log?: (line: string) => void;
  /**
   * Forward mode only: browser origins allowed to use the key besides loopback
   * ones (http://localhost:*, http://127.0.0.1:*). Default: the comma-separated
   * RKAT_PROXY_ALLOWED_ORIGINS environment variable.
   */
  allowedOrigins?: string[];
  /**
   * Forward mode: how long to wait for the upstream's response head before
   * answering 504 in the API's error format. Default 600000 (10 minutes).
   */
  upstreamHeadTimeoutMs?: number;
  /**
   * Forward mode: a response whose upstream body stays silent this long is cut
   * (the client sees the stream fail, not end). Default 600000 (10 minutes).
   */
  upstreamIdleTimeoutMs?: number;
}

export interface ProxyServer {
  /** e.g. 'http://127.0.0.1:3100' (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly mode: { readonly anthropic: ProviderMode; readonly openai: ProviderMode; readonly gemini: ProviderMode };
  /** Stops listening and drops open connections (including deliberately hanging streams). */
  close(): Promise<void>;
}

export declare function startProxy(options?: ProxyOptions): Promise<ProxyServer>;

/** Parsed form of a `[[sim:...]]` directive list such as `chunk=7,delay=5`. */
export interface SimDirectives {
  /**
   * `error=N`: answer with this HTTP error in the API's own format. Accepted: 400, 401, 402, 403,
   * 404, 409, 413, 429, 500, 503, 504, 529; Anthropic answers all but 503, OpenAI 400 401 403 404
   * 429 500 503, Gemini 400 (API_KEY_INVALID) 401 403 404 429 500 503 504; others give a 400.
   */
  error?: number;
  /** `retry-after=S`: the 429 delay (default 1): `retry-after` (+ OpenAI `retry-after-ms`), Gemini `RetryInfo.retryDelay`. */
  retryAfter?: number;
  /** `quota`: `error=429` as "quota exhausted" (OpenAI `insufficient_quota`, without retry headers). */
  quota?: true;
  /** `json=invalid|broken`: structured output that violates the schema, or text that is not JSON. */
  json?: 'valid' | 'invalid' | 'broken';
  /** `midstream[=overloaded]`: error type sent in the stream's own error format after three deltas. */
  midstream?: string;
  /** `truncate`: end before the stream's end marker; `truncate=N`: end after N events. */
  truncate?: true | number;
  /** `deltas=N`: reply with exactly N text deltas (0..1,000,000). */
  deltas?: number;
  /** `chunk=N`: network writes of N bytes. */
  chunk?: number;
  /** `split=random`: network writes of seeded pseudo-random sizes (1..24 bytes). */
  split?: 'random';
  /** `delay=MS`: pause between network writes. */
  delay?: number;
  /** `hang`: send the head and the first events (Anthropic 4, Chat 2, Responses 5, Gemini 1), then stall until the client aborts. */
  hang?: true;
  /** `stop=REASON`: force the stop reason (OpenAI: finish_reason / incomplete status; Gemini: finishReason). */
  stop?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';
}

/** Parses one directive list (`chunk=7,delay=5` or `[[sim:chunk=7,delay=5]]`); throws on unknown keys or bad values. */
export declare function parseDirectives(spec: string): SimDirectives;

export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  service_tier: string;
}

export interface AnthropicMessage {
  model: string;
  id: string;
  type: 'message';
  role: 'assistant';
  content: AnthropicContentBlock[];
  stop_reason: string;
  stop_sequence: null;
  usage: AnthropicUsage;
}

export type SimulatedAnthropicResult =
  | { ok: true; status: 200; message: AnthropicMessage; sse: string }
  | { ok: false; status: number; error: { type: string; message: string } };

/**
 * Simulates one Messages request without a server: the JSON Message and the
 * exact SSE body the simulated endpoint would send (with `truncate` and
 * `midstream` applied), or the error it would answer with. Header checks and
 * transport directives (chunk, split, delay, hang) do not apply.
 */
export declare function simulateAnthropic(body: unknown, options?: { directives?: string }): SimulatedAnthropicResult;
