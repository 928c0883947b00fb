/**
 * Example tools, registered from the main thread. Their handlers run here,
 * on the page; the runtime in the Worker calls them back across the bridge.
 */
import type { ToolHandler, ToolInputSchema } from "@rkat/web";

export interface DemoTool {
  name: string;
  description: string;
  inputSchema: ToolInputSchema;
  handler: ToolHandler;
}

/** One call of a tool handler, as seen on the main thread. */
export interface ToolRun {
  name: string;
  args: Record<string, unknown>;
  result: string;
  isError: boolean;
  /** Where the handler ran: "main" when `window` and `document` exist. */
  thread: "main" | "worker";
}

// ---------------------------------------------------------------------------
// calculator: + - * / ( ) on decimal numbers, by recursive descent (no eval).

type Token = { kind: "num"; value: number } | { kind: "op"; value: string };

const MAX_EXPRESSION = 500;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (/\s/.test(c)) {
      i += 1;
    } else if ("+-*/()".includes(c)) {
      tokens.push({ kind: "op", value: c });
      i += 1;
    } else if (c === "×" || c === "÷" || c === "−") {
      tokens.push({ kind: "op", value: c === "×" ? "*" : c === "÷" ? "/" : "-" });
      i += 1;
    } else {
      const match = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
      if (!match) throw new Error(`unexpected character ${JSON.stringify(c)} at position ${i + 1}`);
      tokens.push({ kind: "num", value: Number(match[0]) });
      i += match[0].length;
    }
  }
  return tokens;
}

const show = (token: Token): string => JSON.stringify(String(token.value));

/** Evaluates an arithmetic expression: numbers, + - * /, unary minus, parentheses. */
export function evaluateExpression(expression: string): number {
  if (expression.length > MAX_EXPRESSION) throw new Error(`expression longer than ${MAX_EXPRESSION} characters`);
  const tokens = tokenize(expression);
  if (tokens.length === 0) throw new Error("empty expression");
  let pos = 0;
  let depth = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (token: Token | undefined, ops: string): token is { kind: "op"; value: string } =>
    token?.kind === "op" && ops.includes(token.value);

  // expr := term (('+' | '-') term)*
  const expr = (): number => {
    let value = term();
    for (let t = peek(); isOp(t, "+-"); t = peek()) {
      pos += 1;
      value = t.value === "+" ? value + term() : value - term();
    }
    return value;
  };
  // term := unary (('*' | '/') unary)*
  const term = (): number => {
    let value = unary();
    for (let t = peek(); isOp(t, "*/"); t = peek()) {
      pos += 1;
      const rhs = unary();
      if (t.value === "/" && rhs === 0) throw new Error("division by zero");
      value = t.value === "*" ? value * rhs : value / rhs;
    }
    return value;
  };
  // unary := ('-' | '+') unary | primary
  const unary = (): number => {
    const t = peek();
    if (isOp(t, "+-")) {
      pos += 1;
      return t.value === "-" ? -unary() : unary();
    }
    return primary();
  };
  // primary := number | '(' expr ')'
  const primary = (): number => {
    const t = peek();
    if (t?.kind === "num") {
      pos += 1;
      return t.value;
    }
    if (isOp(t, "(")) {
      if (++depth > 64) throw new Error("parentheses nested too deeply");
      pos += 1;
      const value = expr();
      if (!isOp(peek(), ")")) throw new Error("missing closing parenthesis");
      pos += 1;
      depth -= 1;
      return value;
    }
    throw new Error(t ? `unexpected ${show(t)}` : "expression ends too early");
  };

  const value = expr();
  const rest = peek();
  if (rest) throw new Error(`unexpected ${show(rest)}`);
  if (!Number.isFinite(value)) throw new Error("the result is not a finite number");
  return value;
}

/** Formats a result without binary noise (0.1+0.2 → 0.3). */
export function formatNumber(value: number): string {
  const rounded = Number(value.toPrecision(12));
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

/**
 * The expression from the model's arguments. The schema asks for
 * `expression`, but models (and the simulator, which copies a JSON object
 * from the prompt) may name it otherwise or send a bare number: take the
 * first string or number argument in that case.
 */
function expressionFrom(args: Record<string, unknown>): string {
  const preferred = args.expression ?? args.expr ?? args.input ?? args.query;
  const candidate = preferred ?? Object.values(args).find((v) => typeof v === "string" || typeof v === "number");
  if (typeof candidate === "number") return String(candidate);
  if (typeof candidate === "string" && candidate.trim() !== "") return candidate.trim();
  throw new Error('pass the arithmetic to compute as { "expression": "2+3*4" }');
}

const calculator: DemoTool = {
  name: "calculator",
  description: "Evaluate an arithmetic expression with + - * / and parentheses, e.g. (2+3)*4.5.",
  inputSchema: {
    type: "object",
    properties: {
      expression: { type: "string", description: "The arithmetic expression, e.g. 2+3*4" },
    },
    required: ["expression"],
  },
  handler: (args) => {
    const expression = expressionFrom(args);
    return `${expression} = ${formatNumber(evaluateExpression(expression))}`;
  },
};

// ---------------------------------------------------------------------------
// clock: the current date and time of the browser.

const clock: DemoTool = {
  name: "clock",
  description: "The current date and time in the user's browser (ISO 8601 and local time zone).",
  inputSchema: { type: "object", properties: {} },
  handler: () => {
    const now = new Date();
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return `${now.toISOString()} (${now.toLocaleString("en-GB", { timeZone: zone })} ${zone})`;
  },
};

export const demoTools: readonly DemoTool[] = [calculator, clock];

/**
 * Wraps a tool so each call is reported (`onRun`) with where it ran, and
 * failures become error results the model can read.
 */
export function instrument(tool: DemoTool, onRun: (run: ToolRun) => void): ToolHandler {
  return async (args) => {
    const thread = typeof window !== "undefined" && typeof document !== "undefined" ? "main" : "worker";
    try {
      const output = await tool.handler(args);
      const result = typeof output === "string" ? output : JSON.stringify(output);
      onRun({ name: tool.name, args, result, isError: false, thread });
      return output;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      onRun({ name: tool.name, args, result: message, isError: true, thread });
      return { content: `${tool.name} error: ${message}`, isError: true };
    }
  };
}
