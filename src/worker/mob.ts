/**
 * The page side of a mob living in the Worker: the `Mob` API with every
 * method async, checked here before anything crosses. `member(id)` hands
 * back its handle at once, as on the main thread. Subscriptions are fed
 * with batches the Worker pushes.
 */
import type { AgentEvent } from "../events.js";
import { requireString } from "../validate.js";
import type { Mob } from "../mob/mob.js";
import {
  checkContent,
  checkInitialMessage,
  checkParams,
  checkRunId,
  checkSpecs,
  sendOptions,
} from "../mob/checks.js";
import type {
  AttributedMobEvent,
  MemberHandle,
  MemberSendOptions,
  MemberSendResult,
  MemberStatus,
  MobFlowStatus,
  MobMember,
  MobStatus,
  SpawnedMember,
  SpawnResult,
  SpawnSpec,
} from "../mob/types.js";
import { memberEventsReader, mobItemsReader } from "../mob/items.js";
import type { EventSubscription } from "../subscription.js";
import type { HistoryMessage, Prompt, RunResult } from "../types.js";
import type { MobMirror } from "./mirror.js";
import type { MemberMethod, MemberResult, MobMethod, MobResult } from "./protocol.js";
import { eventTruncation, pushedSubscription, truncation, type Remote, type Truncation } from "./remote.js";

export class WorkerMob implements MobMirror {
  readonly mobId: string;

  /** @internal Use `runtime.createMob`. */
  constructor(
    mobId: string,
    private readonly remote: Remote,
  ) {
    this.mobId = mobId;
  }

  async spawn(specs: SpawnSpec[]): Promise<SpawnResult[]> {
    checkSpecs(specs, "mob.spawn");
    return this.call("spawn", specs);
  }

  async retire(id: string): Promise<void> {
    return this.call("retire", requireString(id, "mob.retire: id"));
  }

  async respawn(id: string, initialMessage?: Prompt): Promise<SpawnedMember> {
    requireString(id, "mob.respawn: id");
    checkInitialMessage(initialMessage, "mob.respawn: initialMessage");
    return initialMessage === undefined ? this.call("respawn", id) : this.call("respawn", id, initialMessage);
  }

  listMembers(): Promise<MobMember[]> {
    return this.call("listMembers");
  }

  async memberStatus(id: string): Promise<MemberStatus> {
    return this.call("memberStatus", requireString(id, "mob.memberStatus: id"));
  }

  member(id: string): MemberHandle {
    return new WorkerMemberHandle(this.mobId, requireString(id, "mob.member: id"), this.remote);
  }

  async wire(a: string, b: string): Promise<void> {
    return this.call("wire", requireString(a, "mob.wire: a"), requireString(b, "mob.wire: b"));
  }

  async unwire(a: string, b: string): Promise<void> {
    return this.call("unwire", requireString(a, "mob.unwire: a"), requireString(b, "mob.unwire: b"));
  }

  async subscribeMemberEvents(id: string): Promise<EventSubscription> {
    requireString(id, "mob.subscribeMemberEvents: id");
    return pushedSubscription<AgentEvent>(
      this.remote,
      (onBatch) => this.remote.call("subscribeMember", this.mobId, id, onBatch),
      memberEventsReader(),
      eventTruncation,
    );
  }

  subscribeEvents(): Promise<EventSubscription<AttributedMobEvent>> {
    return pushedSubscription<AttributedMobEvent>(
      this.remote,
      (onBatch) => this.remote.call("subscribeMob", this.mobId, onBatch),
      mobItemsReader(),
      itemTruncation,
    );
  }

  async runFlow(flowId: string, params?: Record<string, unknown>): Promise<string> {
    requireString(flowId, "mob.runFlow: flowId");
    return this.call("runFlow", flowId, checkParams(params, "mob.runFlow: params"));
  }

  async flowStatus(runId: string): Promise<MobFlowStatus> {
    return this.call("flowStatus", requireString(runId, "mob.flowStatus: runId"));
  }

  async cancelFlow(runId: string): Promise<void> {
    return this.call("cancelFlow", requireString(runId, "mob.cancelFlow: runId"));
  }

  stop(): Promise<void> {
    return this.call("stop");
  }

  resume(): Promise<void> {
    return this.call("resume");
  }

  complete(): Promise<void> {
    return this.call("complete");
  }

  destroy(): Promise<void> {
    return this.call("destroy");
  }

  status(): Promise<MobStatus> {
    return this.call("status");
  }

  private call<K extends MobMethod>(method: K, ...args: Parameters<Mob[K]>): Promise<MobResult<K>> {
    return this.remote.call("mobCall", this.mobId, method, args) as Promise<MobResult<K>>;
  }
}

/** `mob.member(id)` of a Worker mob. */
export class WorkerMemberHandle implements MemberHandle {
  /** @internal Use `mob.member(id)`. */
  constructor(
    readonly mobId: string,
    readonly agentIdentity: string,
    private readonly remote: Remote,
  ) {}

  async send(content: Prompt, options?: MemberSendOptions): Promise<MemberSendResult> {
    checkContent(content, "member.send: content");
    sendOptions(options, "member.send");
    return options === undefined ? this.call("send", content) : this.call("send", content, options);
  }

  async waitForRun(runId: number): Promise<RunResult> {
    return this.call("waitForRun", checkRunId(runId, "member.waitForRun: runId"));
  }

  status(): Promise<MemberStatus> {
    return this.call("status");
  }

  history(): Promise<HistoryMessage[]> {
    return this.call("history");
  }

  interrupt(): Promise<void> {
    return this.call("interrupt");
  }

  private call<K extends MemberMethod>(method: K, ...args: Parameters<MemberHandle[K]>): Promise<MemberResult<K>> {
    return this.remote.call("memberCall", this.mobId, this.agentIdentity, method, args) as Promise<MemberResult<K>>;
  }
}

/** The whole mob's subscription: the marker is a mob-level item. */
const itemTruncation: Truncation<AttributedMobEvent> = {
  marker: (near, seq, dropped, capacity) => ({
    member: null,
    role: null,
    seq,
    timestampMs: near.timestampMs,
    event: { type: "stream_truncated", seq, reason: truncation(dropped, capacity), dropped },
  }),
  gap: (item) => (item.event.type === "stream_truncated" ? item.event.dropped : undefined),
};
