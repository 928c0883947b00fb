/**
 * What the Mobs page knows, built from the mobs' subscriptions (no DOM):
 * members (as `listMembers` last said, with statuses moved on by run
 * events), wires (from `peers_wired` / `peers_unwired`), the peer messages
 * delivered, and each member's own event log.
 */
import type { AgentEvent, AttributedMobEvent, CommsKind, MemberState, MobMember } from "@rkat/web";
import { keyOf, memberKey, splitKey, type MemberKey } from "./mobs-setup.js";

/** One member row: `MobMember` plus where it lives. */
export interface MemberRow extends MobMember {
  readonly mobId: string;
  readonly key: MemberKey;
}

/** A wire between two members; `cross` when they are in two mobs. */
export interface Edge {
  readonly a: MemberKey;
  readonly b: MemberKey;
  readonly cross: boolean;
  /** `"lead-1—worker-1"`, or `"north/ambassador-north—south/ambassador-south"` across mobs. */
  readonly label: string;
}

/** A peer message that reached its recipient's inbox (its size, never its body). */
export interface Delivery {
  readonly from: MemberKey;
  readonly to: MemberKey;
  readonly kind: CommsKind;
  readonly bytes: number;
  readonly cross: boolean;
  readonly timestampMs: number;
}

/** What applying a batch changed, so the page redraws (and re-asks) only that. */
export interface Changes {
  /** Mobs whose `listMembers` should be asked again. */
  refreshMembers: Set<string>;
  members: boolean;
  graph: boolean;
  messages: boolean;
  /** Flow runs whose status should be asked again. */
  flowRuns: Set<string>;
}

export const noChanges = (): Changes => ({
  refreshMembers: new Set(),
  members: false,
  graph: false,
  messages: false,
  flowRuns: new Set(),
});

/** Member events past this many are dropped from a member's log (oldest first). */
const LOG_LIMIT = 800;

/** Agent events of a member that move its status (and so its row). */
const STATUS_EVENTS: Partial<Record<AgentEvent["type"], MemberState>> = {
  run_started: "running",
  run_completed: "idle",
  run_failed: "idle",
};

/** How a member is named on the page: its identity, qualified when `cross`. */
export function displayName(key: MemberKey, cross: boolean): string {
  return cross ? key : splitKey(key).identity;
}

export class MobsModel {
  readonly members = new Map<MemberKey, MemberRow>();
  readonly edges = new Map<string, Edge>();
  readonly deliveries: Delivery[] = [];
  readonly logs = new Map<MemberKey, AgentEvent[]>();

  /** Forget everything (a new runtime). */
  clear(): void {
    this.members.clear();
    this.edges.clear();
    this.deliveries.length = 0;
    this.logs.clear();
  }

  /** `listMembers()` of one mob, as it answered. */
  setMembers(mobId: string, members: readonly MobMember[]): void {
    for (const member of members) {
      const key = memberKey(mobId, member.agentIdentity);
      this.members.set(key, { ...member, mobId, key });
    }
  }

  /** The members of every mob, in the order they were first listed. */
  rows(): MemberRow[] {
    return [...this.members.values()];
  }

  /**
   * Apply what the mobs' subscriptions yielded since the last time, each
   * item with the mob whose subscription gave it; items of several mobs are
   * taken in the order of the core's clock.
   */
  apply(batch: ReadonlyArray<{ mobId: string; item: AttributedMobEvent }>, changes: Changes): void {
    const ordered = [...batch].sort((x, y) => x.item.timestampMs - y.item.timestampMs);
    for (const { mobId, item } of ordered) this.applyOne(mobId, item, changes);
  }

  /** Add a member's own events (from `subscribeMemberEvents`) to its log. */
  appendLog(key: MemberKey, events: readonly AgentEvent[]): void {
    const log = this.logs.get(key) ?? [];
    log.push(...events);
    if (log.length > LOG_LIMIT) log.splice(0, log.length - LOG_LIMIT);
    this.logs.set(key, log);
  }

  private applyOne(mobId: string, item: AttributedMobEvent, changes: Changes): void {
    const { event } = item;
    if (item.member !== null) {
      // A member's own event: only what moves its status matters here (its log has the rest).
      const status = STATUS_EVENTS[event.type as AgentEvent["type"]];
      if (status !== undefined) this.setStatus(memberKey(mobId, item.member), status, changes);
      if (status !== undefined) changes.refreshMembers.add(mobId);
      return;
    }
    switch (event.type) {
      case "member_spawned":
      case "member_retired":
      case "mob_status_changed":
        changes.refreshMembers.add(mobId);
        break;
      case "peers_wired":
      case "peers_unwired": {
        const a = keyOf(mobId, event.a);
        const b = keyOf(mobId, event.b);
        this.wire(a, b, event.type === "peers_wired");
        changes.graph = true;
        changes.refreshMembers.add(mobId);
        // The other mob of a cross-mob wire hears it too, and lists it.
        for (const key of [a, b]) changes.refreshMembers.add(splitKey(key).mobId);
        break;
      }
      case "message_delivered": {
        const from = keyOf(mobId, event.from);
        const to = keyOf(mobId, event.to);
        const [fromMob, toMob] = [splitKey(from).mobId, splitKey(to).mobId];
        const cross = fromMob !== toMob;
        // A delivery across mobs is reported in both mobs: keep one mob's reports (the
        // same mob for both ways, so that a request and its response keep their order).
        if (cross && mobId !== (fromMob < toMob ? fromMob : toMob)) break;
        this.deliveries.push({ from, to, kind: event.kind, bytes: event.bytes, cross, timestampMs: item.timestampMs });
        changes.messages = true;
        break;
      }
      case "flow_step_changed":
        changes.flowRuns.add(event.runId);
        break;
      default:
        break;
    }
  }

  private wire(a: MemberKey, b: MemberKey, on: boolean): void {
    const [x, y] = a < b ? [a, b] : [b, a];
    const id = `${x} ${y}`;
    if (!on) {
      this.edges.delete(id);
      return;
    }
    const cross = splitKey(x).mobId !== splitKey(y).mobId;
    this.edges.set(id, { a: x, b: y, cross, label: `${displayName(x, cross)}—${displayName(y, cross)}` });
  }

  private setStatus(key: MemberKey, status: MemberState, changes: Changes): void {
    const row = this.members.get(key);
    if (!row || row.status === "retired" || row.status === status) return;
    this.members.set(key, { ...row, status });
    changes.members = true;
  }
}
