/**
 * `Mob`: several agents of one runtime that talk to each other. A thin face
 * over the core's mob commands: members, wiring, comms, flows and the
 * lifecycle all live in the core; this class checks arguments, carries
 * commands, and reads events. Every member is an ordinary session of the
 * runtime, read the same way (`subscribeMemberEvents` is a session reader).
 */
import type { CoreHandle } from "../core.js";
import type { Driver } from "../driver.js";
import { MeerkatError } from "../errors.js";
import type { AgentEvent } from "../events.js";
import { settle } from "../session.js";
import { EventSubscription, type ByteReader } from "../subscription.js";
import type { HistoryMessage, Prompt, RunResult } from "../types.js";
import { fail, requireString } from "../validate.js";
import {
  checkContent,
  checkInitialMessage,
  checkParams,
  checkRunId,
  checkSpecs,
  sendOptions,
} from "./checks.js";
import { memberEventsReader, mobItemsReader } from "./items.js";
import { RunBook } from "./runs.js";
import type {
  AttributedMobEvent,
  MemberHandle,
  MemberSendOptions,
  MemberSendResult,
  MemberStatus,
  MobFlowStatus,
  MobLifecycleAction,
  MobMember,
  MobStatus,
  SpawnedMember,
  SpawnResult,
  SpawnSpec,
} from "./types.js";

/** What a mob needs of its runtime. @internal */
export interface MobHost {
  readonly core: CoreHandle;
  readonly driver: Driver;
  /** Throws once the runtime is gone, naming `what`. */
  assertAlive(what: string): void;
}

export class Mob {
  readonly mobId: string;
  private readonly runs = new RunBook();

  /** @internal Mobs come from `runtime.createMob()`. */
  constructor(
    mobId: string,
    private readonly host: MobHost,
  ) {
    this.mobId = mobId;
  }

  /**
   * Spawn members: one result per row, in order. A row that fails (unknown
   * profile, duplicate identity...) says why and leaves no member behind;
   * the other rows are spawned.
   */
  async spawn(specs: SpawnSpec[]): Promise<SpawnResult[]> {
    checkSpecs(specs, "mob.spawn");
    return this.withRuns({ op: "mob_spawn", specs }, "mob.spawn", (ok) => ok as SpawnResult[]);
  }

  /** Retire a member: its session is archived and unwired; it stays listed as `retired`. */
  async retire(id: string): Promise<void> {
    this.command({ op: "mob_retire", member: requireString(id, "mob.retire: id") }, "mob.retire");
  }

  /** A new session for a member (same identity, same role, its wiring restored). */
  async respawn(id: string, initialMessage?: Prompt): Promise<SpawnedMember> {
    requireString(id, "mob.respawn: id");
    checkInitialMessage(initialMessage, "mob.respawn: initialMessage");
    const cmd = { op: "mob_respawn", member: id, ...(initialMessage === undefined ? {} : { initialMessage }) };
    return this.withRuns(cmd, "mob.respawn", (ok) => [ok as SpawnedMember])[0] as SpawnedMember;
  }

  /** Every member, retired ones included. */
  async listMembers(): Promise<MobMember[]> {
    return this.command({ op: "mob_members" }, "mob.listMembers") as MobMember[];
  }

  async memberStatus(id: string): Promise<MemberStatus> {
    return this.statusOf(requireString(id, "mob.memberStatus: id"), "mob.memberStatus");
  }

  /** A handle on one member (synchronous; each of its calls looks the member up). */
  member(id: string): MemberHandle {
    const agentIdentity = requireString(id, "mob.member: id");
    return {
      mobId: this.mobId,
      agentIdentity,
      send: async (content, options) => this.sendTo(agentIdentity, content, options),
      waitForRun: (runId) => this.waitFor(agentIdentity, runId),
      status: async () => this.statusOf(agentIdentity, "member.status"),
      history: async () => this.onSession(agentIdentity, "history", "member.history") as HistoryMessage[],
      interrupt: async () => {
        this.onSession(agentIdentity, "interrupt", "member.interrupt");
      },
    };
  }

  /** Mutual visibility and trust between two members (`peers`, the comms tools). */
  async wire(a: string, b: string): Promise<void> {
    this.command({ op: "mob_wire", a: requireString(a, "mob.wire: a"), b: requireString(b, "mob.wire: b") }, "mob.wire");
  }

  async unwire(a: string, b: string): Promise<void> {
    this.command({ op: "mob_unwire", a: requireString(a, "mob.unwire: a"), b: requireString(b, "mob.unwire: b") }, "mob.unwire");
  }

  /**
   * A reader of one member's events (its session's `AgentEvent`s, each with
   * `seq`), with its own cursor: reading takes nothing from other readers.
   * It follows the member: after a respawn it reads the new session's
   * events (their `seq` starts again at 1).
   */
  async subscribeMemberEvents(id: string): Promise<EventSubscription> {
    const { subscription, close } = this.subscribe(requireString(id, "mob.subscribeMemberEvents: id"));
    const events = memberEventsReader();
    return new EventSubscription<AgentEvent>(
      () => events(this.command({ op: "mob_poll", subscription }, "subscription.poll") as Parameters<typeof events>[0]),
      close,
    );
  }

  /**
   * A reader of the whole mob: every member's events and the mob's own
   * (`member_spawned`, `message_delivered`, `flow_step_changed`...),
   * attributed to their member and role.
   */
  async subscribeEvents(): Promise<EventSubscription<AttributedMobEvent>> {
    const { subscription, close } = this.subscribe();
    const items = mobItemsReader();
    return new EventSubscription<AttributedMobEvent>(
      () => items(this.command({ op: "mob_poll", subscription }, "subscription.poll") as Parameters<typeof items>[0]),
      close,
    );
  }

  /**
   * @internal The whole mob's reader (or `member`'s), read as bytes (the
   * runs `mob_poll` answers, without a command's parse): the Worker host
   * sends them to the page as they are, where `mobItemsReader` (or
   * `memberEventsReader`) makes them items.
   */
  openByteReader(member?: string): ByteReader {
    const { subscription, close } = this.subscribe(member);
    const read = () => {
      this.host.assertAlive("subscription.poll");
      return this.host.core.drainEventBytes(this.mobId, subscription, true);
    };
    return { read, close };
  }

  /** Start a flow of the definition; its run id for `flowStatus` and `cancelFlow`. */
  async runFlow(flowId: string, params?: Record<string, unknown>): Promise<string> {
    requireString(flowId, "mob.runFlow: flowId");
    const p = checkParams(params, "mob.runFlow: params");
    const { runId } = this.command({ op: "mob_run_flow", flow: flowId, params: p }, "mob.runFlow") as { runId: string };
    return runId;
  }

  async flowStatus(runId: string): Promise<MobFlowStatus> {
    return this.command({ op: "mob_flow_status", runId: requireString(runId, "mob.flowStatus: runId") }, "mob.flowStatus") as MobFlowStatus;
  }

  async cancelFlow(runId: string): Promise<void> {
    this.command({ op: "mob_cancel_flow", runId: requireString(runId, "mob.cancelFlow: runId") }, "mob.cancelFlow");
  }

  /** No new turns start (sends and flows are refused with `MOB_NOT_RUNNING`); running turns finish. */
  async stop(): Promise<void> {
    this.lifecycle("stop");
  }

  async resume(): Promise<void> {
    this.lifecycle("resume");
  }

  /** The mob's work is done: members are archived (their history stays readable). */
  async complete(): Promise<void> {
    this.lifecycle("complete");
  }

  /** Remove the mob and its members' sessions; their runs in flight end with `CANCELLED`. */
  async destroy(): Promise<void> {
    this.lifecycle("destroy");
  }

  async status(): Promise<MobStatus> {
    return (this.command({ op: "mob_status" }, "mob.status") as { status: MobStatus }).status;
  }

  /** @internal Call `listener` whenever anything in the runtime may have changed. */
  listenAll(listener: () => void): () => void {
    return this.host.driver.listenAny(listener);
  }

  /** `member.send`. */
  private sendTo(id: string, content: Prompt, options: MemberSendOptions | undefined): MemberSendResult {
    const what = "member.send";
    checkContent(content, `${what}: content`);
    const { handlingMode } = sendOptions(options, what);
    const cmd = { op: "mob_send", member: id, content, handlingMode };
    const [sent] = this.withRuns(cmd, what, (ok) => [ok as MemberSendResult], id);
    return { runId: (sent as MemberSendResult).runId };
  }

  /** `member.waitForRun`. */
  private async waitFor(id: string, runId: number): Promise<RunResult> {
    const what = "member.waitForRun";
    checkRunId(runId, `${what}: runId`);
    const done = this.runs.find(id, runId);
    if (!done) {
      fail(
        "INVALID_ARGUMENT",
        `${what}: run ${runId} is not a run that send, spawn or respawn of ${this.mobId}/${id} returned (or it finished long ago)`,
      );
    }
    return settle(await done);
  }

  /** A new subscription of the whole mob (or of one `member`), and how to close it. */
  private subscribe(member?: string): { subscription: number; close(): void } {
    const what = member === undefined ? "mob.subscribeEvents" : "mob.subscribeMemberEvents";
    const { subscription } = this.command({ op: "mob_subscribe", member }, what) as { subscription: number };
    return { subscription, close: () => this.quietly({ op: "mob_unsubscribe", mob: this.mobId, subscription }) };
  }

  /** A member's status (also: its current session). */
  private statusOf(id: string, what: string): MemberStatus {
    return this.command({ op: "mob_member_status", member: id }, what) as MemberStatus;
  }

  /** A session op on a member's current session. */
  private onSession(id: string, op: "history" | "interrupt", what: string): unknown {
    const { sessionId } = this.statusOf(id, what);
    return this.host.driver.command({ op, session: sessionId });
  }

  private lifecycle(action: MobLifecycleAction): void {
    this.command({ op: "mob_lifecycle", action }, `mob.${action}`);
  }

  /** A mob command; errors are the core's, with the runtime's death named. */
  private command(cmd: { op: string } & Record<string, unknown>, what: string): unknown {
    this.host.assertAlive(what);
    return this.host.driver.command({ ...cmd, mob: this.mobId });
  }

  /**
   * A mob command whose reply names runs (`rows` reads the spawned-member
   * or send rows out of it); their ends are kept for `waitForRun`.
   */
  private withRuns<T extends { runId?: number; agentIdentity?: string }>(
    cmd: { op: string } & Record<string, unknown>,
    what: string,
    rows: (ok: unknown) => T[],
    member?: string,
  ): T[] {
    this.host.assertAlive(what);
    const runIdsOf = (ok: unknown) => rows(ok).flatMap((r) => (typeof r.runId === "number" ? [r.runId] : []));
    const { ok, runs } = this.host.driver.commandWithRuns({ ...cmd, mob: this.mobId }, runIdsOf);
    const out = rows(ok);
    for (const row of out) {
      const owner = member ?? row.agentIdentity;
      const done = row.runId === undefined ? undefined : runs.get(row.runId);
      if (owner !== undefined && done) this.runs.track(owner, row.runId as number, done);
    }
    return out;
  }

  /** A command whose failure means there is nothing left to release. */
  private quietly(cmd: { op: string } & Record<string, unknown>): void {
    try {
      this.host.driver.command(cmd);
    } catch (error) {
      if (!(error instanceof MeerkatError)) throw error;
    }
  }
}
