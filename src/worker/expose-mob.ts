/**
 * The Worker host's mob methods: the page calls `Mob` and `MemberHandle`
 * methods by name (from a fixed list), and subscribes to a mob's or a
 * member's events. A chunk of its own, loaded at the Worker's first mob
 * call (expose.ts): a Worker that never serves one never loads it. Its
 * calls and subscriptions go through the host's feeds (feeds.ts), so
 * every subscription has sent what it holds before a call's reply.
 */
import { makeError } from "../errors.js";
import type { Mob } from "../mob/mob.js";
import type { MeerkatRuntime } from "../runtime.js";
import { describeValue, fail } from "../validate.js";
import type { Feeds } from "./feeds.js";
import { MEMBER_METHODS, MOB_METHODS, type RuntimeHost } from "./protocol.js";

/** The host's methods that need a mob (`listMobs` and `wireCrossMob` do not: they stay in expose.ts). */
export type MobHostMethods = Pick<RuntimeHost, "createMob" | "mobCall" | "memberCall" | "subscribeMember" | "subscribeMob">;

export interface MobHostDeps extends Pick<Feeds, "feed" | "settled"> {
  live(): MeerkatRuntime;
}

export interface MobHost {
  methods: MobHostMethods;
  /** Forget every mob (the runtime was destroyed or replaced). */
  reset(): void;
}

export function createMobHost(deps: MobHostDeps): MobHost {
  const { feed, settled } = deps;
  const mobs = new Map<string, Mob>();

  const mob = (mobId: string): Mob => {
    const found = mobs.get(mobId);
    if (!found) throw makeError("MOB_NOT_FOUND", `no mob with id ${JSON.stringify(mobId)} in this worker; create it with runtime.createMob`);
    return found;
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
    reset() {
      mobs.clear();
    },
  };
}
