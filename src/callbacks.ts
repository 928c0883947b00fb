/**
 * What the core is told of a tool's or a hook's answer. The main thread's
 * driver makes it here; so does the page for a runtime in a Worker, where
 * the handler lives: a value that is not JSON (a function, a symbol) cannot
 * cross to the Worker, and some would cross changed (a class with `toJSON`
 * is cloned field by field), so the page converts before it sends.
 */
import type { ContentBlock, ToolHandler, ToolOutput } from "./types.js";
import type { HookHandler } from "./hooks.js";

export interface ToolOutcome {
  content: string | ContentBlock[];
  isError: boolean;
}

/** A tool's outcome: its value made readable by the model, or its error as an error result. */
export async function toolOutcome(name: string, handler: ToolHandler, args: Record<string, unknown>): Promise<ToolOutcome> {
  try {
    return normalizeToolOutput(name, await handler(args));
  } catch (error) {
    return { content: `Error: ${describe(error)}`, isError: true };
  }
}

/**
 * A hook's verdict as JSON data (nothing counts as `null`); throws what the
 * hook threw, and for an answer JSON would read as nothing (a function, a
 * symbol: say, a helper returned uncalled), which must not count as allow.
 */
export async function hookVerdict(handler: HookHandler, ctx: Parameters<HookHandler>[0]): Promise<unknown> {
  const answer: unknown = (await handler(ctx)) ?? null;
  const data = jsonData(answer);
  if (data === null && answer !== null) throw new TypeError(`it returned a ${typeof answer}, not nothing or { decision }`);
  return data;
}

/** `value` as the core reads it (JSON text, parsed); throws when it is not JSON data. */
export function jsonData(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value) ?? "null") as unknown;
}

/**
 * A thrown (or returned) value in words; never throws, whatever it is. An
 * object that is not an Error but has a `message` (what many libraries
 * throw) is its message, not "[object Object]".
 */
export function describe(error: unknown): string {
  // Never throws: a null-prototype object or a throwing `toString` must not
  // hang the run from inside a catch.
  try {
    const message = (error as { message?: unknown } | null | undefined)?.message;
    return typeof message === "string" && message ? message : error instanceof Error ? error.name : String(error);
  } catch {
    return "a value that cannot be printed";
  }
}

/**
 * What the model sees of a handler's return value: strings and
 * `{content, isError}` as they are, other JSON values as JSON text, and
 * anything that is not JSON as an error it can read.
 */
export function normalizeToolOutput(name: string, output: ToolOutput | unknown): ToolOutcome {
  if (typeof output === "string") return { content: output, isError: false };
  // Blocks as JSON data now: one holding a bigint or a cycle throws here, inside
  // the handler's catch, not later while the result is sent (which would lose it).
  if (isStructuredOutput(output)) return { content: jsonData(output.content) as ToolOutcome["content"], isError: output.isError === true };
  let text: string | undefined;
  try {
    text = JSON.stringify(output);
  } catch {
    text = undefined;
  }
  if (typeof text !== "string" || typeof output === "bigint") {
    return {
      content: `TOOL_RESULT_INVALID: tool ${name} returned ${output === undefined ? "undefined" : typeof output}, which is not JSON; return a string or { content, isError }`,
      isError: true,
    };
  }
  return { content: text, isError: false };
}

function isStructuredOutput(value: unknown): value is { content: string | ContentBlock[]; isError?: boolean } {
  if (typeof value !== "object" || value === null || !("content" in value)) return false;
  const { content, isError } = value as { content: unknown; isError?: unknown };
  const contentOk = typeof content === "string" || (Array.isArray(content) && content.length > 0);
  return contentOk && (isError === undefined || typeof isError === "boolean");
}
