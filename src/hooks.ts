/**
 * Hooks: your functions at eight points of a run. Each may allow, deny or
 * rewrite what happens there; the core pauses the run while a foreground
 * hook decides (background hooks only observe).
 */
import type { HookPoint } from "./events.js";
import type { RunResult, Usage } from "./types.js";
import { fail, isPlainObject, requireFunction } from "./validate.js";

export interface HookOptions {
  /** `foreground` (default): the run waits for the decision. `background`: observe only. */
  mode?: "foreground" | "background";
  /** What a hook that throws or times out counts as: allow (`fail_open`, default) or deny. */
  failurePolicy?: "fail_open" | "fail_closed";
  /** How long the run waits for the decision (default 5000 ms). */
  timeoutMs?: number;
  /** Higher runs first (default 0); ties run in registration order. */
  priority?: number;
}

/** The request a `pre_llm_request` hook sees (and may rewrite). */
export interface HookRequest {
  readonly model: string;
  readonly system: string | null;
  readonly messages: readonly import("./types.js").HistoryMessage[];
  readonly tools: readonly { name: string; description: string; inputSchema: Record<string, unknown> }[];
  readonly maxTokens: number;
  readonly temperature: number | null;
}

/** What a hook is told. Fields beyond the first four depend on the point. */
export interface HookContext {
  readonly point: HookPoint;
  readonly sessionId: string;
  readonly runId: number;
  readonly turnNumber: number;
  /** `run_started`: the input that started the run. */
  readonly prompt?: string;
  /** `pre_llm_request`. */
  readonly request?: HookRequest;
  /** `post_llm_response`. */
  readonly response?: {
    readonly text: string;
    readonly toolCalls: readonly { id: string; name: string; args: unknown }[];
    readonly stopReason: string;
    readonly usage: Usage;
  };
  /** `pre_tool_execution`. */
  readonly toolCall?: { readonly id: string; readonly name: string; readonly args: Record<string, unknown> };
  /** `post_tool_execution`. */
  readonly toolResult?: { readonly id: string; readonly name: string; readonly content: string; readonly isError: boolean };
  /** `run_completed`. */
  readonly result?: RunResult;
  /** `run_failed`. */
  readonly error?: { readonly code: string; readonly message: string };
}

/**
 * What a hook decides. Nothing (or `allow`) lets the run go on. Rewrite
 * patches, by point: `pre_llm_request` `{system?, maxTokens?, temperature?,
 * messages?}`; `pre_tool_execution` `{args}`; `post_tool_execution`
 * `{content, isError?}`; `post_llm_response` `{text?}`.
 */
export type HookDecision =
  | void
  | undefined
  | null
  | { decision: "allow" }
  | { decision: "deny"; reasonCode: string; message: string; payload?: unknown }
  | { decision: "rewrite"; patch: Record<string, unknown> };

export type HookHandler = (ctx: HookContext) => HookDecision | Promise<HookDecision>;

export const HOOK_POINTS: readonly HookPoint[] = [
  "run_started",
  "run_completed",
  "run_failed",
  "pre_llm_request",
  "post_llm_response",
  "pre_tool_execution",
  "post_tool_execution",
  "turn_boundary",
];

/** The core's `hook` registration, after the checks that need JavaScript. */
export function hookRegistration(
  point: unknown,
  handler: unknown,
  options: unknown,
  what: string,
): { point: string } & HookOptions {
  if (typeof point !== "string" || !HOOK_POINTS.includes(point as HookPoint)) {
    fail("INVALID_HOOK", `${what}: point must be one of ${HOOK_POINTS.join(", ")}, got ${JSON.stringify(point) ?? String(point)}`);
  }
  try {
    requireFunction(handler, `${what}: handler`);
  } catch (error) {
    fail("INVALID_HOOK", (error as Error).message);
  }
  if (options !== undefined && !isPlainObject(options)) fail("INVALID_HOOK", `${what}: options must be a plain object`);
  // The point is the argument: an options.point must not replace it.
  if (options && "point" in options) fail("INVALID_HOOK", `${what}: options.point is not an option; pass the point as the first argument`);
  return { ...(options as HookOptions | undefined), point };
}
