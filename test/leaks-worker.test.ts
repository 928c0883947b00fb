/**
 * A long-lived page connects Worker runtimes, and opens and drops
 * subscriptions, over and over: once each is over, nothing of it may stay
 * behind on either side of the port (listeners on the Worker, callbacks the
 * page passed and the Worker still holds). Checked on the port itself: its
 * listener counts (Node's `MessagePort.listenerCount`), and the callbacks
 * on the wire, each passed in a call and given back by a `release`.
 */
import v8 from "node:v8";
import { afterEach, expect, test } from "vitest";
import { MeerkatError, Mob } from "@rkat/web";
import { connectRuntime, exposeRuntime } from "@rkat/web/worker";
import { resetSim, simConfig, wasm } from "./support/runtime.js";
import { researchTeam } from "./support/mob.js";
import { endedAfterEachTest, runtimeWorker } from "./support/thread.js";
import { messagesOf } from "./support/wire.js";

const CYCLES = 100;
const TYPES = ["message", "error", "messageerror", "close"] as const;

type Port = MessagePort & { listenerCount(type: string): number };

let channel: MessageChannel | undefined;
afterEach(() => {
  channel?.port1.close();
  channel?.port2.close();
  channel = undefined;
});

/** A Worker host on one end of a fresh channel; the page's end. `tap` sees the Worker's end first. */
function servedPort(tap?: (workerEnd: MessagePort, pageEnd: MessagePort) => void): Port {
  channel = new MessageChannel();
  tap?.(channel.port1, channel.port2);
  exposeRuntime(wasm, { endpoint: channel.port1 as never });
  return channel.port2 as Port;
}

/** What a subscription whose source is gone throws, once it has handed over what it held. */
function pollToEnd(sub: { poll(): unknown[] }): unknown {
  for (;;) {
    try {
      if (sub.poll().length === 0) return undefined;
    } catch (error) {
      return error;
    }
  }
}

const listeners = (port: Port) =>
  Object.fromEntries(TYPES.map((type) => [type, port.listenerCount(type)])) as Record<(typeof TYPES)[number], number>;

/**
 * The page's callbacks the Worker still holds: every one passed in a call
 * (seen arriving at the Worker's end, before the host reads it) and not
 * given back by a `release` (seen arriving at the page's end).
 */
function callbackLedger(): { tap(workerEnd: MessagePort, pageEnd: MessagePort): void; held(): number[] } {
  const held = new Set<number>();
  const tap = (workerEnd: MessagePort, pageEnd: MessagePort) => {
  workerEnd.addEventListener("message", (event) => {
    for (const m of messagesOf(event.data) as Array<{ rkat?: string; args?: unknown[]; fns?: number[] }>) {
      if (m.rkat === "call") for (const i of m.fns ?? []) held.add(m.args?.[i] as number);
    }
  });
  pageEnd.addEventListener("message", (event) => {
    for (const m of messagesOf(event.data)) if (m.rkat === "release") held.delete(m.fn as number);
  });
  };
  return { tap, held: () => [...held] };
}

test("connecting and destroying runtimes in one Worker, and connects it refuses, leave no listener on its port", async () => {
  await resetSim();
  const port = servedPort();
  const before = listeners(port);
  for (let i = 0; i < CYCLES; i++) {
    const runtime = await connectRuntime(port as never, simConfig());
    await runtime.destroy();
    await expect(connectRuntime(port as never, simConfig({ eventQueueCapacity: -1 }))).rejects.toMatchObject({ code: "INVALID_CONFIG" });
  }
  expect(listeners(port)).toEqual(before);
  // The port still serves: a runtime connected now works, and is listened to.
  const runtime = await connectRuntime(port as never, simConfig());
  expect((await (await runtime.createSession()).turn("hello")).text.length).toBeGreaterThan(0);
  expect(port.listenerCount("message")).toBe(before.message + 1);
  await runtime.destroy();
  expect(listeners(port)).toEqual(before);
});

test("a destroyed runtime's calls still under way get their answers before its listeners go", async () => {
  await resetSim();
  const port = servedPort();
  const runtime = await connectRuntime(port as never, simConfig());
  const session = await runtime.createSession();
  const turn = session.turn("[[sim:hang]] a turn the destroy cuts short");
  await runtime.destroy();
  await expect(turn).rejects.toMatchObject({ code: "RUNTIME_DESTROYED" });
  expect(port.listenerCount("message")).toBe(0);
});

test("subscriptions whose session or mob went away, never closed by the page: the Worker gives their sinks back", async () => {
  await resetSim();
  const ledger = callbackLedger();
  const port = servedPort(ledger.tap);
  const runtime = await connectRuntime(port as never, simConfig());
  for (let i = 0; i < CYCLES; i++) {
    const session = await runtime.createSession();
    const sub = await session.subscribeEvents();
    await session.destroy();
    // What the page reads of it is unchanged: what it holds, then the session's end.
    expect(pollToEnd(sub)).toMatchObject({ code: "SESSION_NOT_FOUND" });
  }
  for (let i = 0; i < 10; i++) {
    const mob = await runtime.createMob(researchTeam());
    const whole = await mob.subscribeEvents();
    await mob.spawn([{ profile: "worker", agent_identity: "w" }]);
    const member = await mob.subscribeMemberEvents("w");
    await mob.destroy();
    expect(pollToEnd(whole)).toMatchObject({ code: "MOB_NOT_RUNNING" });
    expect(pollToEnd(member)).toBeInstanceOf(MeerkatError);
  }
  expect(ledger.held()).toEqual([]);
  await runtime.destroy();
});

const ended = endedAfterEachTest();

test("a real Worker thread serving runtime after runtime keeps no listener of past ones; terminated, it refuses the next at once", async () => {
  await resetSim();
  const worker = ended(runtimeWorker());
  for (let i = 0; i < 20; i++) {
    const runtime = await connectRuntime(worker, simConfig());
    await (await runtime.createSession()).turn("hello");
    await runtime.destroy();
  }
  expect(["message", "error", "messageerror"].map((type) => worker.listenerCount(type))).toEqual([0, 0, 0]);
  await worker.terminate();
  await expect(connectRuntime(worker, simConfig())).rejects.toMatchObject({
    code: "RUNTIME_TRAPPED",
    message: "the runtime worker failed: it was terminated (worker.terminate()); create a new worker and runtime",
  });
});

test("mobs of new ids made and destroyed through the Worker: its host keeps no more of them than the core lists", async () => {
  await resetSim();
  const port = servedPort();
  const runtime = await connectRuntime(port as never, simConfig());
  let last: Awaited<ReturnType<typeof runtime.createMob>> | undefined;
  for (let i = 0; i < 300; i++) {
    last = await runtime.createMob(researchTeam({ id: `team-${i}` }));
    await last.destroy();
  }
  const listed = (await runtime.listMobs()).length;
  expect(listed).toBeLessThanOrEqual(256);
  // The host's `Mob`s (this process serves the Worker's end): `queryObjects` collects garbage first.
  expect(v8.queryObjects(Mob, { format: "count" })).toBeLessThanOrEqual(listed);
  // A destroyed mob the core still lists answers as on the main thread.
  expect(await last!.status()).toBe("destroyed");
  await runtime.destroy();
});

test("tools, hooks, resolvers and streams through the Worker: once each is over, the Worker holds none of the page's callbacks", async () => {
  await resetSim();
  const ledger = callbackLedger();
  const port = servedPort(ledger.tap);
  const runtime = await connectRuntime(port as never, simConfig());
  for (let i = 0; i < 20; i++) {
    await runtime.registerTool("clock", "Tells the time", { type: "object" }, () => "noon");
    // Refused (the name is taken): its handler is given back at once.
    await expect(runtime.registerTool("clock", "Again", { type: "object" }, () => "noon")).rejects.toMatchObject({ code: "DUPLICATE_TOOL" });
    await runtime.unregisterTool("clock");
    await runtime.unregisterHook(await runtime.registerHook("run_started", () => undefined));
    await runtime.registerExternalAuthResolver(() => ({ kind: "inline_secret", secret: "x" }));
    const session = await runtime.createSession();
    await session.registerHook("pre_llm_request", () => undefined);
    await session.stream("hello").collect();
    for await (const _ of session.stream("stop early")) break;
    await session.turn("after the early stop").catch(() => undefined); // busy until the stream's run ends
    await session.destroy();
  }
  await runtime.clearExternalAuthResolver();
  expect(ledger.held()).toEqual([]);
  await runtime.destroy();
});
