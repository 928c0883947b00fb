/** Helpers of the mob suites: both sides (main thread, Worker), definitions, event tapes. */
import type {
  AgentEvent,
  AttributedMobEvent,
  EventSubscription,
  MeerkatRuntime,
  Mob,
  MobDefinition,
  MobEvent,
  RuntimeConfig,
} from "@rkat/web";
import type { WorkerMob, WorkerRuntime } from "@rkat/web/worker";
import { beforeEach } from "vitest";
import { until } from "./features.js";
import { closedAfterEachTest, resetSim, simRequests, simRuntime, workerPair } from "./runtime.js";

export type AnyRuntime = MeerkatRuntime | WorkerRuntime;
export type AnyMob = Mob | WorkerMob;

export interface Side {
  name: string;
  open(extra?: RuntimeConfig): Promise<{ runtime: AnyRuntime; close: () => Promise<void> }>;
}

/** The same tests run against a runtime on this thread and one behind the Worker bridge. */
export const SIDES: Side[] = [
  {
    name: "main thread",
    async open(extra) {
      const runtime = await simRuntime(extra);
      return { runtime, close: async () => runtime.destroy() };
    },
  },
  {
    name: "worker",
    async open(extra) {
      const { runtime, close } = await workerPair(extra);
      return { runtime, close };
    },
  },
];

/**
 * A fresh runtime on `side` for each test of the suite (the simulated
 * provider reset first), handed to `use` with its close (which may be
 * called early), and closed after the test.
 */
export function runtimePerTest(side: Side, use: (runtime: AnyRuntime, close: () => Promise<void>) => void): void {
  const closing = closedAfterEachTest();
  beforeEach(async () => {
    await resetSim();
    const opened = await side.open();
    closing(opened.close);
    use(opened.runtime, opened.close);
  });
}

export const MODEL = "claude-sonnet-4-6";

/** The seed's research team: a lead (orchestrator) and workers, both with comms (the default). */
export function researchTeam(extra: Partial<MobDefinition> = {}): MobDefinition {
  return {
    id: "research-team",
    orchestrator: { profile: "lead" },
    profiles: {
      lead: { model: MODEL, peerDescription: "Leads the research." },
      worker: { model: MODEL, peerDescription: "Does the research." },
    },
    ...extra,
  };
}

/** `definition`'s mob with lead-1 (profile lead) and worker-1 (profile worker) spawned. */
export async function leadAndWorker(runtime: AnyRuntime, definition: MobDefinition): Promise<AnyMob> {
  const mob = await runtime.createMob(definition);
  await mob.spawn([
    { profile: "lead", agent_identity: "lead-1" },
    { profile: "worker", agent_identity: "worker-1" },
  ]);
  return mob;
}

/**
 * Everything a subscription yields, kept: `until(pred)` polls (yielding to
 * the event loop between polls, so network reads and Worker batches land)
 * until `pred` holds over all items so far.
 */
export class Tape<T> {
  readonly items: T[] = [];

  constructor(readonly sub: EventSubscription<T>) {}

  /** Take what arrived. */
  read(): T[] {
    const fresh = this.sub.poll();
    this.items.push(...fresh);
    return fresh;
  }

  async until(pred: (items: T[]) => boolean): Promise<T[]> {
    return until(() => {
      this.read();
      return pred(this.items) ? this.items : undefined;
    });
  }
}

export async function tapeOf(mob: AnyMob): Promise<Tape<AttributedMobEvent>> {
  return new Tape(await mob.subscribeEvents());
}

export async function memberTape(mob: AnyMob, id: string): Promise<Tape<AgentEvent>> {
  return new Tape(await mob.subscribeMemberEvents(id));
}

type Inner = AgentEvent | MobEvent;
type InnerOf<K extends Inner["type"]> = Extract<Inner, { type: K }>;

/** The inner events of one type (of one member, when given). */
export function eventsOf<K extends Inner["type"]>(items: readonly AttributedMobEvent[], type: K, member?: string): InnerOf<K>[] {
  return items
    .filter((i) => i.event.type === type && (member === undefined || i.member === member))
    .map((i) => i.event as InnerOf<K>);
}

/** `run_completed` texts of one member, in order. */
export function replies(items: readonly AttributedMobEvent[], member: string): string[] {
  return eventsOf(items, "run_completed", member).map((e) => e.result);
}

/** Wait until `member` has finished `n` runs (completed or failed). */
export function runsEnded(tape: Tape<AttributedMobEvent>, member: string, n: number): Promise<AttributedMobEvent[]> {
  return tape.until(
    (items) => eventsOf(items, "run_completed", member).length + eventsOf(items, "run_failed", member).length >= n,
  );
}

/**
 * Wait until the simulated provider has received a request whose body
 * mentions `marker` (so a scripted `hang` is known to be taken by it, not
 * by a later request).
 */
export async function inFlight(marker: string): Promise<void> {
  await until(async () => ((await simRequests()).some((r) => JSON.stringify(r.body).includes(marker)) ? true : undefined));
}
