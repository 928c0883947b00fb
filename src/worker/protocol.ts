/**
 * What crosses the Worker boundary: the host API the Worker exposes, and
 * the error transfer that keeps `MeerkatError` subclasses and codes intact
 * (comlink's default flattens errors to name + message).
 */
import * as Comlink from "comlink";
import { reviveError } from "../errors.js";
import type {
  HistoryMessage,
  Prompt,
  RunResult,
  RuntimeConfig,
  SessionConfig,
  ToolInputSchema,
  ToolOutput,
  TurnOptions,
  Usage,
} from "../types.js";

/** A session's counters, sent back with every finished run. */
export interface SessionState {
  text: string;
  usage: Usage;
  turns: number;
  toolCalls: number;
  lastResult: RunResult;
}

export type RemoteToolHandler = (args: Record<string, unknown>) => Promise<ToolOutput>;

/** The object `exposeRuntime()` exposes inside the Worker. */
export interface RuntimeHost {
  init(config: RuntimeConfig): Promise<string>;
  registerTool(name: string, description: string, inputSchema: ToolInputSchema, handler: RemoteToolHandler): void;
  unregisterTool(name: string): void;
  createSession(config: SessionConfig): string;
  turn(sessionId: string, prompt: Prompt, options?: TurnOptions): Promise<SessionState>;
  /** Event batches cross as JSON text: cheaper to clone than objects, parsed once on the page. */
  stream(
    sessionId: string,
    prompt: Prompt,
    options: TurnOptions | undefined,
    onBatch: (eventsJson: string) => Promise<void>,
  ): Promise<SessionState>;
  pollEvents(sessionId: string): string;
  history(sessionId: string): Promise<HistoryMessage[]>;
  interrupt(sessionId: string): void;
  /** The session's counters (the page refreshes them after a failed run). */
  state(sessionId: string): SessionState;
  destroySession(sessionId: string): void;
  listSessions(): string[];
  destroy(): void;
}

interface PlainError {
  isError: true;
  name: string;
  message: string;
  code?: string;
  details?: unknown;
}

let installed = false;

/** Replace comlink's `throw` handler on this side of the boundary (both sides call it). */
export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const base = Comlink.transferHandlers.get("throw");
  if (!base) return;
  Comlink.transferHandlers.set("throw", {
    canHandle: base.canHandle,
    serialize(thrown: unknown) {
      const value = (thrown as { value: unknown }).value;
      if (value instanceof Error) {
        const { code, details } = value as Error & { code?: unknown; details?: unknown };
        const plain: PlainError = { isError: true, name: value.name, message: value.message };
        if (typeof code === "string") plain.code = code;
        if (details !== undefined) plain.details = cloneable(details);
        return [plain, []];
      }
      return [{ isError: false, value }, []];
    },
    deserialize(serialized: unknown) {
      const s = serialized as PlainError | { isError: false; value: unknown };
      if (!s.isError) throw s.value;
      if (s.code !== undefined) throw reviveError(s);
      throw Object.assign(new Error(s.message), { name: s.name });
    },
  });
}

function cloneable(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return undefined;
  }
}
