/**
 * The Worker client's types, derived from the main-thread classes: every
 * public method becomes async (returning a promise of what it returned,
 * with sessions swapped for their Worker handles), properties stay as they
 * are. `WorkerRuntime implements RuntimeMirror`, so a method added to
 * `MeerkatRuntime` or `Session` and missing in the Worker client fails the
 * type check.
 */
import type { DeferredSession } from "../deferred.js";
import type { EventStream } from "../stream.js";
import type { EventSubscription } from "../subscription.js";
import type { Mob } from "../mob/mob.js";
import type { MeerkatRuntime } from "../runtime.js";
import type { Session } from "../session.js";
import type { WorkerDeferredSession, WorkerSession } from "./client.js";
import type { WorkerMob } from "./mob.js";

/** A main-thread value as the Worker client returns it. */
type Remote<T> = T extends Session
  ? WorkerSession
  : T extends DeferredSession
    ? WorkerDeferredSession
    : T extends Mob
      ? WorkerMob
      : T extends EventSubscription<infer E>
        ? EventSubscription<E>
        : T;

/**
 * `T`'s public surface without `Internal` members; methods return promises
 * except those listed in `Sync`.
 */
export type Mirror<T, Internal extends keyof T = never, Sync extends keyof T = never> = {
  [K in Exclude<keyof T, Internal>]: K extends Sync
    ? T[K]
    : T[K] extends (...args: infer A) => infer R
      ? (...args: A) => Promise<Remote<Awaited<R>>>
      : Remote<T[K]>;
};

/** `Session` members that are the package's own plumbing, not API. */
type SessionInternals = "runStreaming" | "drainJson" | "drainBytes" | "openByteReader" | "markDestroyed" | "beginTurn" | "listen";

/** `stream()` hands back its iterator at once in both places. */
export type SessionMirror = Mirror<Session, SessionInternals, "stream">;

export type DeferredSessionMirror = Mirror<DeferredSession>;

/** `Mob` members that are the package's own plumbing (the Worker host's), not API. */
type MobInternals = "openByteReader" | "listenAll";

/** `member(id)` hands back its handle at once in both places (its methods are async anyway). */
export type MobMirror = Mirror<Mob, MobInternals, "member">;

/** Everything of `MeerkatRuntime`; `capabilities` and `destroyed` stay synchronous. */
export type RuntimeMirror = Mirror<MeerkatRuntime, never, "capabilities" | "destroyed" | "requireCapability">;

/** `EventStream` is the same class on both sides. */
export type { EventStream };
