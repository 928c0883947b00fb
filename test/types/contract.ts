/**
 * Type-level assertions on the public surface, checked by `tsc` (see
 * typecheck.test.ts): event narrowing, result shapes, the Worker client's
 * async mirror of the runtime API.
 */
import type {
  AgentEvent,
  AttributedEvent,
  AttributedMobEvent,
  EventStream,
  MeerkatRuntime,
  RunResult,
  Session,
  SessionConfig,
  SessionOptions,
  TextDeltaEvent,
  ToolCallRequestedEvent,
  TurnCompletedEvent,
  Usage,
} from "@rkat/web";
import { isTextDelta } from "@rkat/web";
import type { WorkerRuntime, WorkerSession } from "@rkat/web/worker";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assert<T extends true>(): T | void {}

declare const event: AgentEvent;
if (event.type === "text_delta") assert<Equals<typeof event, TextDeltaEvent>>();
if (event.type === "tool_call_requested") assert<Equals<typeof event, ToolCallRequestedEvent>>();
if (event.type === "turn_completed") assert<Equals<typeof event.usage, Usage>>();
if (isTextDelta(event)) assert<Equals<typeof event.delta, string>>();
assert<Equals<TurnCompletedEvent["stopReason"], "end_turn" | "tool_use" | "max_tokens" | "stop_sequence" | "content_filter" | "cancelled">>();

assert<Equals<ReturnType<Session["turn"]>, Promise<RunResult>>>();
assert<Equals<ReturnType<Session["pollEvents"]>, AgentEvent[]>>();
assert<Equals<ReturnType<Session["stream"]>, EventStream>>();
assert<Equals<ReturnType<MeerkatRuntime["createSession"]>, Session>>();
assert<Equals<EventStream["result"], RunResult>>();

// The Worker client is the same API with async methods.
assert<Equals<ReturnType<WorkerRuntime["createSession"]>, Promise<WorkerSession>>>();
assert<Equals<ReturnType<WorkerSession["pollEvents"]>, Promise<AgentEvent[]>>>();
assert<Equals<ReturnType<WorkerSession["turn"]>, Promise<RunResult>>>();
assert<Equals<ReturnType<WorkerSession["stream"]>, EventStream>>();

// The SDK reference's declarations, as it writes them.
assert<Equals<ReturnType<EventStream[typeof Symbol.asyncIterator]>, AsyncGenerator<AgentEvent, undefined>>>();
declare const sdkSession: Session;
const ref: string | undefined = sdkSession.ref;
declare const sdkWorkerSession: WorkerSession;
const workerRef: string | undefined = sdkWorkerSession.ref;
void [ref, workerRef];
assert<Equals<SessionOptions, SessionConfig>>();
assert<Equals<AttributedEvent, AttributedMobEvent>>();
