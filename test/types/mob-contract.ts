/**
 * Type-level assertions on the mob API, checked by `tsc` (see
 * typecheck.test.ts): the Worker client mirrors `Mob` with the same
 * signatures made async, `member()` stays synchronous on both sides, and
 * mob events narrow on `type`.
 */
import type {
  AgentEvent,
  AttributedMobEvent,
  EventSubscription,
  MeerkatRuntime,
  MemberHandle,
  MemberSendResult,
  MessageDeliveredEvent,
  MessageReceivedEvent,
  Mob,
  MobFlowStatus,
  MobMember,
  MobStatus,
  MobSummary,
  SpawnResult,
  SpawnSpec,
} from "@rkat/web";
import type { WorkerMob, WorkerRuntime } from "@rkat/web/worker";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assert<T extends true>(): T | void {}

assert<Equals<ReturnType<MeerkatRuntime["createMob"]>, Promise<Mob>>>();
assert<Equals<ReturnType<WorkerRuntime["createMob"]>, Promise<WorkerMob>>>();
assert<Equals<ReturnType<MeerkatRuntime["listMobs"]>, Promise<MobSummary[]>>>();
assert<Equals<ReturnType<WorkerRuntime["listMobs"]>, Promise<MobSummary[]>>>();
assert<Equals<ReturnType<Mob["spawn"]>, Promise<SpawnResult[]>>>();
assert<Equals<ReturnType<WorkerMob["spawn"]>, Promise<SpawnResult[]>>>();
assert<Equals<ReturnType<Mob["listMembers"]>, Promise<MobMember[]>>>();
assert<Equals<ReturnType<Mob["status"]>, Promise<MobStatus>>>();
assert<Equals<ReturnType<Mob["flowStatus"]>, Promise<MobFlowStatus>>>();
assert<Equals<ReturnType<Mob["runFlow"]>, Promise<string>>>();
assert<Equals<ReturnType<Mob["member"]>, MemberHandle>>();
assert<Equals<ReturnType<WorkerMob["member"]>, MemberHandle>>();
assert<Equals<ReturnType<MemberHandle["send"]>, Promise<MemberSendResult>>>();
assert<Equals<ReturnType<Mob["subscribeMemberEvents"]>, Promise<EventSubscription<AgentEvent>>>>();
assert<Equals<ReturnType<WorkerMob["subscribeMemberEvents"]>, Promise<EventSubscription<AgentEvent>>>>();
assert<Equals<ReturnType<Mob["subscribeEvents"]>, Promise<EventSubscription<AttributedMobEvent>>>>();
assert<Equals<ReturnType<WorkerMob["subscribeEvents"]>, Promise<EventSubscription<AttributedMobEvent>>>>();

// The seed's snake_case identity and the camelCase one are both spawn rows; one is required.
const rows: SpawnSpec[] = [
  { profile: "lead", agent_identity: "lead-1" },
  { profile: "worker", agentIdentity: "worker-1", initialMessage: "go" },
];
// @ts-expect-error a row needs an identity
const missing: SpawnSpec = { profile: "lead" };

declare const item: AttributedMobEvent;
if (item.event.type === "message_delivered") assert<Equals<typeof item.event, MessageDeliveredEvent>>();
if (item.event.type === "message_received") assert<Equals<typeof item.event, MessageReceivedEvent>>();
declare const event: AgentEvent;
if (event.type === "message_received") assert<Equals<typeof event.kind, "message" | "request" | "response">>();

export { rows, missing };
