/**
 * The Worker host's mob methods: the page calls `Mob` and `MemberHandle`
 * methods by name (from a fixed list), and its subscriptions get batches
 * whenever the runtime has news and the page is ready for them. Before a
 * call settles, every mob and member subscription has sent what it holds,
 * ahead of the call's reply, so the page's `poll()` after `await` sees
 * what the call (or the run it waited for) produced.
 */
import { MeerkatError, makeError } from "../errors.js";
import type { Mob } from "../mob/mob.js";
import type { MeerkatRuntime } from "../runtime.js";
import { describeValue, fail } from "../validate.js";
import type { ByteReader } from "../subscription.js";
import { nextTask } from "../next-task.js";
import { BatchOutbox } from "./outbox.js";
import { release, toThrown } from "./rpc.js";
import { MEMBER_METHODS, MOB_METHODS, type RuntimeHost, type SubscriptionSink } from "./protocol.js";

export type MobHostMethods = Pick<
  RuntimeHost,
  "createMob" | "listMobs" | "wireCrossMob" | "mobCall" | "memberCall" | "subscribeMember" | "subscribeMob"
>;

export interface MobHostDeps {
  live(): MeerkatRuntime;
  /** Keep a subscription for `unsubscribe` (which calls `stop`, then closes it); returns its id. */
  addSubscription(sub: { close(): void }, stop: () => void): number;
  /** The page's `unsubscribe`: also when the source went away (the page may never close it). */
  unsubscribe(id: number): void;
}

/**
 * Feed a reader's events to `onBatch` (an outbox paced by the page)
 * whenever `listen` says there may be news; returns the subscription's id.
 */
export type Feed = (reader: ByteReader, onBatch: SubscriptionSink, listen: (pump: () => void) => () => void) => number;

export function createMobHost(deps: MobHostDeps): {
  methods: MobHostMethods;
  feed: Feed;
  settled: <T>(call: () => Promise<T>) => Promise<T>;
  quietly(change: () => void): void;
  reset(): void;
} {
  const mobs = new Map<string, Mob>();
  /** Every live subscription's pump, and its outbox. */
  const feeds = new Map<() => void, BatchOutbox>();

  const mob = (mobId: string): Mob => {
    const found = mobs.get(mobId);
    if (!found) throw makeError("MOB_NOT_FOUND", `no mob with id ${JSON.stringify(mobId)} in this worker; create it with runtime.createMob`);
    return found;
  };

  /**
   * Every subscription sends what it holds, twice: one whose session or
   * mob went away sends its last events (the run's end) first, then why
   * it ended (both ahead of the reply of the call that ended it).
   */
  const flushAll = () => {
    for (const outbox of [...feeds.values()]) {
      outbox.flush();
      outbox.flush();
    }
  };

  /**
   * One flush of every subscription for the calls that end close together
   * (the page's 20 `member.send()`s arrive as 20 messages in a row): once
   * they have run, in a task of its own; each call's reply waits for it.
   */
  let flushing: Promise<void> | undefined;
  const flushSoon = (): Promise<void> =>
    (flushing ??= new Promise<void>((resolve) =>
      nextTask(() => {
        flushing = undefined;
        flushAll();
        resolve();
      }),
    ));

  /**
   * Run a page call, then send the news it made (also when it failed),
   * whatever the page's pace: the batches go ahead of the call's reply.
   */
  const settled = async <T>(call: () => Promise<T>): Promise<T> => {
    // (What came before is read first anyway: a reader's events are in order.)
    try {
      return await call();
    } finally {
      await flushSoon();
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

  /** While a change that removes sessions runs: reads wait for it to end (`quietly`). */
  let quiet = false;

  /**
   * A subscription whose mob or session is gone stops pumping and tells the
   * page why (what a poll on the main thread would throw), once: the page's
   * `poll()` returns what it holds, then throws that. The host's session
   * subscriptions are fed this way too.
   */
  const feed: Feed = (reader, onBatch, listen) => {
    let closed = false;
    const read = () => {
      if (closed || quiet) return undefined;
      try {
        return reader.read();
      } catch (error) {
        if (!(error instanceof MeerkatError)) throw error;
        onBatch(null, toThrown(error)).catch(() => {});
        // Nothing more will come: forgotten here and its sink released, closed by the page or not.
        deps.unsubscribe(id);
        return undefined;
      }
    };
    const outbox = new BatchOutbox(read, onBatch);
    const pump = () => outbox.news();
    const unlisten = listen(pump);
    feeds.set(pump, outbox);
    const stop = () => {
      closed = true;
      unlisten();
      feeds.delete(pump);
    };
    const id = deps.addSubscription(reader, () => {
      stop();
      release(onBatch);
    });
    pump();
    return id;
  };

  /**
   * Run `change` (a session's or the runtime's destroy), then read every
   * subscription once. Reads wait until it is over: midway (the runtime
   * tearing down, a session's runs ending) a reader fails with the core's
   * error, not with what a poll says afterwards.
   */
  const quietly = (change: () => void): void => {
    quiet = true;
    try {
      change();
    } finally {
      quiet = false;
      flushAll();
    }
  };

  const methods: MobHostMethods = {
    async createMob(definition) {
      const runtime = deps.live();
      const created = await runtime.createMob(definition);
      // Destroyed mobs stay, answering as the core does, until the core
      // forgets them (it makes room for new ones): then they go here too.
      const kept = new Set((await runtime.listMobs()).map((m) => m.mobId));
      for (const id of mobs.keys()) if (!kept.has(id)) mobs.delete(id);
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
      // It follows the member across respawns: not tied to one session either.
      return feed(target.openByteReader(member), onBatch, (pump) => target.listenAll(pump));
    },
    async subscribeMob(mobId, onBatch) {
      const target = mob(mobId);
      // Mob news is not tied to one session (a delivery, a timer, a flow step).
      return feed(target.openByteReader(), onBatch, (pump) => target.listenAll(pump));
    },
  };
  return {
    methods,
    feed,
    settled,
    quietly,
    reset() {
      mobs.clear();
    },
  };
}
