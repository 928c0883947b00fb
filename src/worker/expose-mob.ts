/**
 * The Worker host's mob methods: the page calls `Mob` and `MemberHandle`
 * methods by name (from a fixed list), and its subscriptions get batches
 * whenever the runtime has news. Before a call settles, every mob and
 * member subscription has been pumped and its batches delivered, so the
 * page's `poll()` after `await` sees what the call (or the run it waited
 * for) produced.
 */
import { MeerkatError, makeError } from "../errors.js";
import type { Mob } from "../mob/mob.js";
import type { MeerkatRuntime } from "../runtime.js";
import { describeValue, fail } from "../validate.js";
import { BatchOutbox } from "./outbox.js";
import { release } from "./rpc.js";
import { MEMBER_METHODS, MOB_METHODS, type BatchSink, type RuntimeHost } from "./protocol.js";

export type MobHostMethods = Pick<
  RuntimeHost,
  "createMob" | "listMobs" | "wireCrossMob" | "mobCall" | "memberCall" | "subscribeMember" | "subscribeMob"
>;

export interface MobHostDeps {
  live(): MeerkatRuntime;
  /** Keep a subscription for `unsubscribe` (which calls `stop`, then closes it); returns its id. */
  addSubscription(sub: { close(): void }, stop: () => void): number;
}

/** Feed a subscription's `poll()` to `onBatch` whenever `listen` says there may be news; returns its id. */
export type Feed = <T>(
  sub: { poll(): T[]; close(): void; isClosed: boolean },
  onBatch: BatchSink,
  listen: (pump: () => void) => () => void,
) => number;

export function createMobHost(deps: MobHostDeps): { methods: MobHostMethods; feed: Feed; reset(): void } {
  const mobs = new Map<string, Mob>();
  /** Every live subscription's pump, and its outbox. */
  const feeds = new Map<() => void, BatchOutbox>();

  const mob = (mobId: string): Mob => {
    const found = mobs.get(mobId);
    if (!found) throw makeError("MOB_NOT_FOUND", `no mob with id ${JSON.stringify(mobId)} in this worker; create it with runtime.createMob`);
    return found;
  };

  /** Push what every subscription has, and wait until the page has it. */
  const deliver = async (): Promise<void> => {
    for (const pump of [...feeds.keys()]) pump();
    await Promise.all([...feeds.values()].map((outbox) => outbox.drained()));
  };

  /** Run a page call, then deliver the news it made (also when it failed). */
  const settled = async <T>(call: () => Promise<T>): Promise<T> => {
    for (const pump of [...feeds.keys()]) pump(); // what came before goes first
    try {
      return await call();
    } finally {
      await deliver();
    }
  };

  /** `target()[method](...args)` for a method the page may call, then the news it made. */
  const invoke = (
    owner: string,
    allowed: readonly string[],
    method: string,
    target: () => object,
    args: unknown[],
  ): Promise<never> => {
    if (!allowed.includes(method)) {
      fail("INVALID_ARGUMENT", `${owner} has no method ${JSON.stringify(method) ?? describeValue(method)}`);
    }
    const found = target() as Record<string, (...a: unknown[]) => Promise<never>>;
    const fn = found[method] as (...a: unknown[]) => Promise<never>;
    return settled(() => fn.apply(found, args));
  };

  /**
   * A subscription whose mob or session is gone stops pumping. The host's
   * session subscriptions are fed this way too.
   */
  const feed: Feed = (sub, onBatch, listen) => {
    const outbox = new BatchOutbox(onBatch);
    let pumping = false;
    const pump = () => {
      if (pumping || sub.isClosed) return;
      pumping = true;
      try {
        const items = sub.poll();
        if (items.length > 0) outbox.push(JSON.stringify(items));
      } catch (error) {
        if (!(error instanceof MeerkatError)) throw error;
        unlisten(); // its mob or session went away: nothing more will come
        feeds.delete(pump);
      } finally {
        pumping = false;
      }
    };
    const unlisten = listen(pump);
    feeds.set(pump, outbox);
    const id = deps.addSubscription(sub, () => {
      unlisten();
      feeds.delete(pump);
      release(onBatch);
    });
    pump();
    return id;
  };

  const methods: MobHostMethods = {
    async createMob(definition) {
      const created = await deps.live().createMob(definition);
      mobs.set(created.mobId, created);
      return created.mobId;
    },
    listMobs() {
      return deps.live().listMobs();
    },
    wireCrossMob(mobA, memberA, mobB, memberB, wire) {
      const runtime = deps.live();
      return settled(() =>
        wire ? runtime.wireCrossMob(mobA, memberA, mobB, memberB) : runtime.unwireCrossMob(mobA, memberA, mobB, memberB),
      );
    },
    mobCall(mobId, method, args) {
      return invoke("mob", MOB_METHODS, method, () => mob(mobId), args);
    },
    memberCall(mobId, member, method, args) {
      return invoke("a mob member", MEMBER_METHODS, method, () => mob(mobId).member(member), args);
    },
    async subscribeMember(mobId, member, onBatch) {
      const target = mob(mobId);
      const { sessionId, subscription } = target.openMemberSubscription(member);
      return feed(subscription, onBatch, (pump) => target.listen(sessionId, pump));
    },
    async subscribeMob(mobId, onBatch) {
      const target = mob(mobId);
      const subscription = await target.subscribeEvents();
      // Mob news is not tied to one session (a delivery, a timer, a flow step).
      return feed(subscription, onBatch, (pump) => target.listenAll(pump));
    },
  };
  return {
    methods,
    feed,
    reset() {
      mobs.clear();
    },
  };
}
