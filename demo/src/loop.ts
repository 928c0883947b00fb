/**
 * The agent-loop features the demo shows off: a hook that denies the
 * calculator, a per-turn tool-call budget, and skills from an embedded
 * source.
 */
import type { HookHandler, SkillSourceInput, TurnOptions } from "@rkat/web";

export type { HookHandler };

// ---------------------------------------------------------------------------
// The hook: runs on this page (the Worker calls it back across the bridge)
// before every tool call, and denies the calculator.

export const DENY_REASON_CODE = "demo_policy";
export const DENY_MESSAGE = "the calculator is disabled by a demo hook";

/** One decision of the hook, as seen on the main thread. */
export interface HookVerdict {
  /** The tool call's id (the same as in `tool_call_requested`). */
  id: string;
  tool: string;
  args: Record<string, unknown>;
  decision: "allow" | "deny";
}

/** The `pre_tool_execution` handler: deny `calculator`, allow the rest. */
export function calculatorPolicy(onVerdict: (verdict: HookVerdict) => void): HookHandler {
  return (ctx) => {
    const call = ctx.toolCall;
    // Only registered at pre_tool_execution, which always carries the call.
    if (!call) return { decision: "allow" };
    const deny = call.name === "calculator";
    onVerdict({ id: call.id, tool: call.name, args: call.args, decision: deny ? "deny" : "allow" });
    return deny ? { decision: "deny", reasonCode: DENY_REASON_CODE, message: DENY_MESSAGE } : { decision: "allow" };
  };
}

// ---------------------------------------------------------------------------
// Skills: one embedded source, added when the runtime starts.

export const SKILL_SOURCE_UUID = "demo-skills";

export const DEMO_SKILL_SOURCE: SkillSourceInput = {
  sourceUuid: SKILL_SOURCE_UUID,
  name: "Demo skills",
  skills: [
    { name: "pirate", description: "Answer like a pirate", content: "You are a pirate. Talk like one." },
    { name: "concise", description: "Answer in one short sentence", content: "Answer in one short sentence." },
  ],
};

// ---------------------------------------------------------------------------
// What a turn is sent with.

/** The per-turn choices of the "Agent loop" panel. */
export interface TurnChoices {
  /** A skill of the demo source, or "" for none. */
  skill: string;
  /** The tool-call budget as typed; "" for none. */
  toolCallBudget: string;
}

/**
 * The options of `session.stream()`, or undefined when nothing is chosen.
 * The budget goes as typed (a number): the runtime checks it and refuses a
 * bad one with INVALID_CONFIG, which the chat then shows.
 */
export function turnOptions(choices: TurnChoices): TurnOptions | undefined {
  const options: TurnOptions = {};
  if (choices.skill !== "") options.skillRefs = [{ sourceUuid: SKILL_SOURCE_UUID, skillName: choices.skill }];
  const budget = choices.toolCallBudget.trim();
  if (budget !== "") options.budget = { toolCalls: Number(budget) };
  return Object.keys(options).length > 0 ? options : undefined;
}

/** Short labels of the options, shown under the user's message. */
export function choiceTags(choices: TurnChoices): string[] {
  const tags: string[] = [];
  if (choices.skill !== "") tags.push(`skill: ${choices.skill}`);
  const budget = choices.toolCallBudget.trim();
  if (budget !== "") tags.push(`budget: ${budget} tool call${budget === "1" ? "" : "s"}`);
  return tags;
}
