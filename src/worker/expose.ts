/**
 * Worker side: `exposeRuntime()` serves one `MeerkatRuntime` to the page.
 * It listens synchronously (awaiting the wasm first would lose the page's
 * first messages) and loads the wasm inside `init`.
 */
// The glue is imported statically: bundlers put it in the worker's chunk,
// one request fewer (and less code) than a chunk of its own loaded later.
import init, { Core, initSync } from "../../pkg/meerkat_web_runtime.js";
import { registerExternalAuthResolver, resolverFor, unregisterIf, type RegisteredResolver } from "../auth/registry.js";
import { checkVersion, loadChunk, type WasmModule } from "../core.js";
import type { DeferredSession } from "../deferred.js";
import { MeerkatError, makeError } from "../errors.js";
import { fail } from "../validate.js";
import { MeerkatRuntime, type RuntimeOptions } from "../runtime.js";
import type { Session } from "../session.js";
import type { MobHost, MobHostDeps, MobHostMethods } from "./expose-mob.js";
import { createFeeds } from "./feeds.js";
import { BatchOutbox } from "./outbox.js";
import { adoptCompiled } from "./prefetch.js";
import { connect, release, transfer, type Endpoint } from "./rpc.js";
import type { RuntimeHost, SessionState } from "./protocol.js";

export interface ExposeOptions {
  /** Where to serve (default: the Worker's global scope). */
  endpoint?: Endpoint;
  /** The `fetch` the runtime uses (default: the Worker's). */
  fetch?: typeof fetch;
}

/**
 * Serve a runtime to the page. Pass the wasm module namespace, or omit it to
 * use the one shipped with this package (its `.wasm` is fetched on `init`).
 */
export function exposeRuntime(wasm: WasmModule = { default: init, initSync, Core }, options: ExposeOptions = {}): void {
  const runtimeOptions: RuntimeOptions = options.fetch ? { fetch: options.fetch } : {};
  // The page's compiled module (prefetch.ts) fits this package's own glue only.
  const host = createHost(wasm, runtimeOptions, wasm.Core === Core) as unknown as Record<string, (...args: unknown[]) => unknown>;
  connect(options.endpoint ?? (globalThis as unknown as Endpoint), (name) => (Object.hasOwn(host, name) ? host[name] : undefined));
}

/**
 * Right after init's reply is posted (a task later): one read-only command,
 * so that the browser compiles the core's command path (wasm compiles on
 * first call) while the reply travels and the page asks for its first
 * session, not after that request arrives.
 */
function warmUp(runtime: MeerkatRuntime): void {
  setTimeout(() => {
    if (!runtime.destroyed) runtime.listSessions();
  }, 0);
}

function createHost(wasm: WasmModule, options: RuntimeOptions, ownGlue: boolean): RuntimeHost {
  let runtime: MeerkatRuntime | undefined;
  const sessions = new Map<string, Session>();
  const deferred = new Map<string, DeferredSession>();
  const proxies = new Map<string, unknown>();
  const subscriptions = new Map<number, { sub: { close(): void }; stop: () => void }>();
  let nextSubscription = 0;
  // Event batches on their way to the page: a tool or hook call waits for
  // them (an outbox holds batches back while one is unanswered), so the page
  // sees events first.
  const outboxes = new Set<BatchOutbox>();
  const flushed = () => Promise.all([...outboxes].map((o) => o.drained()));

  const live = (): MeerkatRuntime => {
    if (!runtime) throw new MeerkatError("RUNTIME_DESTROYED", "the worker runtime is not initialised: call init first");
    return runtime;
  };
  const session = (id: string): Session => {
    const found = sessions.get(id) ?? (deferred.get(id)?.isStarted ? deferred.get(id)?.session : undefined);
    if (!found) throw makeError("SESSION_NOT_FOUND", `session ${id} was destroyed; create a new one`);
    return found;
  };
  const state = (s: Session): SessionState => ({
    usage: s.usage,
    turns: s.turns,
    toolCalls: s.toolCalls,
    lastResult: s.lastResult,
  });
  /** `pollEvents`' unread events, also what it had left once destroyed (`destroySession`). */
  const pollEvents = (id: string): Uint8Array | null => {
    const bytes = session(id).drainBytes("session.pollEvents");
    return bytes ? transfer(bytes, [bytes.buffer]) : null;
  };
  const addSubscription = (sub: { close(): void }, stop: () => void): number => {
    const id = ++nextSubscription;
    subscriptions.set(id, { sub, stop });
    return id;
  };
  const unsubscribe = (subscriptionId: number) => {
    const found = subscriptions.get(subscriptionId);
    if (!found) return;
    subscriptions.delete(subscriptionId);
    found.stop();
    found.sub.close();
  };
  const { feed, settled, quietly } = createFeeds({ addSubscription, unsubscribe });
  const mobHost = lazyMobHost({ live, feed, settled });
  /** The session whose hook each `hook:<id>` is (its handler goes when the session does). */
  const hookOwners = new Map<string, string>();
  const keep = (key: string, proxy: unknown) => {
    drop(key);
    proxies.set(key, proxy);
  };
  const drop = (key: string) => {
    release(proxies.get(key));
    proxies.delete(key);
    hookOwners.delete(key);
  };
  // The page's auth resolver, registered on this host's wasm module (every
  // runtime this Worker serves from it uses it), forgotten on destroy.
  let authResolver: RegisteredResolver | undefined;
  const dropAuthResolver = () => {
    unregisterIf(wasm, authResolver);
    authResolver = undefined;
    drop("auth");
  };

  return {
    async init(config, mobpack, compiled, version) {
      // A page of another release may not speak this one's protocol.
      checkVersion("the page", version, "the worker");
      if (runtime && !runtime.destroyed) {
        throw new MeerkatError("INVALID_ARGUMENT", "this worker already serves a runtime; destroy it first");
      }
      if (ownGlue) adoptCompiled(wasm, compiled);
      runtime = mobpack
        ? await MeerkatRuntime.initFromMobpack(wasm, mobpack, config, options)
        : await MeerkatRuntime.init(wasm, config, options);
      sessions.clear();
      deferred.clear();
      mobHost.reset();
      warmUp(runtime);
      return { version: MeerkatRuntime.version, capabilities: runtime.capabilities, mobpack: runtime.mobpack };
    },
    registerTool(name, description, inputSchema, handler, toolOptions) {
      const key = `tool:${name}`;
      live().registerTool(
        name,
        description,
        inputSchema,
        async (args) => {
          await flushed();
          // Looked up now: unregistered meanwhile, its page handler is gone (as the main thread's driver says then).
          const current = (proxies.get(key) ?? fail("TOOL_NOT_FOUND", `tool ${name} has no handler in this runtime`)) as typeof handler;
          return current(args);
        },
        toolOptions,
      );
      keep(key, handler);
    },
    unregisterTool(name) {
      live().unregisterTool(name);
      drop(`tool:${name}`);
    },
    registerHook(point, handler, hookOptions, sessionId) {
      // Unregistered meanwhile, its call was answered (allow) and its page handler released: not called.
      const wrapped = async (ctx: Parameters<typeof handler>[0]) => {
        await flushed();
        return (proxies.get(`hook:${id}`) as typeof handler | undefined)?.(ctx);
      };
      const id: string = sessionId
        ? session(sessionId).registerHook(point, wrapped, hookOptions)
        : live().registerHook(point, wrapped, hookOptions);
      keep(`hook:${id}`, handler);
      if (sessionId) hookOwners.set(`hook:${id}`, sessionId);
      return id;
    },
    setAuthResolver(resolver, timeoutMs) {
      dropAuthResolver();
      if (!resolver) return;
      const resolve = async (request: Parameters<typeof resolver>[0]) => {
        const answer = (await resolver(request)) as unknown as { lease: unknown } | { invalid: string };
        // A lease the page could not send as JSON fails the driver's JSON check here, with the page's reason.
        return "invalid" in answer ? { toJSON: () => fail("AUTH_LEASE_INVALID", answer.invalid) } : answer.lease;
      };
      registerExternalAuthResolver(wasm, resolve as typeof resolver, timeoutMs === undefined ? undefined : { timeoutMs });
      authResolver = resolverFor(wasm);
      proxies.set("auth", resolver);
    },
    unregisterHook(hookId) {
      live().unregisterHook(hookId);
      drop(`hook:${hookId}`);
    },
    async addSkillSource(source) {
      return live().addSkillSource(source);
    },
    refreshSkillSource(sourceUuid) {
      return live().refreshSkillSource(sourceUuid);
    },
    removeSkillSource(sourceUuid) {
      live().removeSkillSource(sourceUuid);
    },
    listSkillSources() {
      return live().listSkillSources();
    },
    createSession(config) {
      const created = live().createSession(config);
      sessions.set(created.id, created);
      return created.id;
    },
    createDeferredSession(config) {
      const created = live().createDeferredSession(config);
      deferred.set(created.id, created);
      return created.id;
    },
    async turn(sessionId, prompt, turnOptions, how) {
      if (how === "deferred") {
        const d = deferred.get(sessionId);
        if (!d) throw makeError("SESSION_NOT_FOUND", `no deferred session with id ${JSON.stringify(sessionId)}`);
        try {
          await settled(() => d.startTurn(prompt, turnOptions));
        } finally {
          // (Unless it was destroyed meanwhile: then it is gone from both maps.)
          if (d.isStarted && deferred.get(sessionId) === d) {
            sessions.set(sessionId, d.session);
            deferred.delete(sessionId);
          }
        }
        return state(d.session);
      }
      const s = session(sessionId);
      // The session's subscriptions send what the run made ahead of this reply.
      await settled(() => (how === undefined ? s.turn(prompt, turnOptions) : s.invokeSkill(how, prompt, turnOptions)));
      return state(s);
    },
    async stream(sessionId, prompt, turnOptions, onBatch) {
      const s = session(sessionId);
      let outbox: BatchOutbox | undefined;
      try {
        // As for `turn`, the session's subscriptions send what the run made ahead of this reply.
        await settled(() =>
          s.runStreaming(prompt, turnOptions, "session.stream", (read) => {
            outbox = new BatchOutbox(read, onBatch);
            outboxes.add(outbox);
            return outbox;
          }),
        );
      } finally {
        // The run's last events went at its end (`last()`), ahead of this reply.
        if (outbox) outboxes.delete(outbox);
        release(onBatch);
      }
      return state(s);
    },
    pollEvents,
    async subscribe(sessionId, onBatch) {
      const s = session(sessionId);
      // Batches go when the session has news and the page is ready, never one message per event.
      return feed(s.openByteReader(), onBatch, (pump) => s.listen(pump));
    },
    unsubscribe,
    history(sessionId) {
      return session(sessionId).history();
    },
    state(sessionId) {
      return state(session(sessionId));
    },
    async interrupt(sessionId) {
      // The run ends inside the interrupt: its last events go ahead of this reply.
      const s = session(sessionId);
      await settled(() => s.interrupt());
    },
    async compact(sessionId) {
      const s = session(sessionId);
      await settled(() => s.compact());
      return state(s);
    },
    async archive(sessionId) {
      await session(sessionId).archive();
    },
    appendSystemContext(sessionId, text) {
      session(sessionId).appendSystemContext(text);
    },
    destroySession(sessionId) {
      const d = deferred.get(sessionId);
      quietly(() => (d ?? session(sessionId)).destroy());
      let tail = null;
      try {
        tail = pollEvents(sessionId);
      } catch {
        // pollEvents was never used (or the first turn never started): nothing was kept for it
      }
      deferred.delete(sessionId);
      sessions.delete(sessionId);
      // Its hooks went with it (the runtime forgot them): so do their page handlers.
      for (const [key, owner] of hookOwners) if (owner === sessionId) drop(key);
      return tail;
    },
    listSessions() {
      return live().listSessions();
    },
    listMobs() {
      return live().listMobs();
    },
    wireCrossMob(mobA, memberA, mobB, memberB, wire) {
      const runtime = live();
      return settled(() =>
        wire ? runtime.wireCrossMob(mobA, memberA, mobB, memberB) : runtime.unwireCrossMob(mobA, memberA, mobB, memberB),
      );
    },
    ...mobHost.methods,
    destroy() {
      quietly(() => runtime?.destroy());
      sessions.clear();
      deferred.clear();
      mobHost.reset();
      for (const { stop } of subscriptions.values()) stop();
      subscriptions.clear();
      dropAuthResolver();
      for (const key of [...proxies.keys()]) drop(key);
    },
  };
}

/** The host's methods that need a mob, by name (the page calls them so). */
const MOB_HOST_METHODS = ["createMob", "mobCall", "memberCall", "subscribeMember", "subscribeMob"] as const satisfies ReadonlyArray<
  keyof MobHostMethods
>;

/**
 * The mob methods (expose-mob.ts), a chunk loaded at the first mob call: a
 * Worker that never serves one never loads it. Once loaded, they are called
 * at once, as before; calls that come while it loads wait for it, in the
 * order they came. A chunk gone missing fails the call with
 * `WASM_INIT_FAILED`, as the runtime's other lazy chunks do (`loadChunk`),
 * and the next mob call tries again.
 */
function lazyMobHost(deps: MobHostDeps): MobHost {
  type Method = (...args: unknown[]) => unknown;
  let host: MobHost | undefined;
  let loading: Promise<MobHost> | undefined;
  const load = () =>
    // The runtime's mobs chunk is fetched at once too (the first `createMob` needs it next), not after this one: no
    // round trip more than before. Its failure is the runtime's to report (`createMob` loads it again).
    (loading ??= loadChunk(() => (import("../mob/lazy-mobs.js").catch(() => {}), import("./expose-mob.js"))).then(
      ({ createMobHost }) => (host = createMobHost(deps)),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    ));
  const call = (loaded: MobHost, name: string, args: unknown[]) => (loaded.methods as unknown as Record<string, Method>)[name]!(...args);
  const methods: Record<string, Method> = {};
  for (const name of MOB_HOST_METHODS) {
    methods[name] = (...args) => (host ? call(host, name, args) : load().then((loaded) => call(loaded, name, args)));
  }
  return {
    methods: methods as unknown as MobHostMethods,
    reset: () => host?.reset(),
  };
}
