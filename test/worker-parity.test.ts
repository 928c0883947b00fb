/**
 * The Worker client against the main thread where they used to differ: a
 * Worker whose end goes away, page callbacks returning values that are not
 * JSON, destroyed sessions, runtimes and mobs, and refused input. Each test
 * runs the same thing on both sides and compares what comes out.
 */
import { expect, test } from "vitest";
import {
  CapabilityUnavailableError,
  clearExternalAuthResolver,
  MeerkatError,
  MeerkatRuntime,
  registerExternalAuthResolver,
  withAuthBinding,
  type AgentEvent,
  type AuthResolverRequest,
} from "@rkat/web";
import { connectRuntime, exposeRuntime } from "@rkat/web/worker";
import { leaseOf, realmsConfig } from "./support/auth.js";
import { researchTeam, SIDES, type AnyRuntime } from "./support/mob.js";
import { exampleFiles, pack } from "./support/pack.js";
import { resetSim, wasm, workerPair } from "./support/runtime.js";
import { messagesOf } from "./support/wire.js";

/** What a call gave: its value, or its error's class, code and message. */
async function outcome(call: () => unknown): Promise<unknown> {
  try {
    return { value: await call() };
  } catch (error) {
    const e = error as MeerkatError;
    return { name: e.name, code: e.code, message: e.message };
  }
}

/** `run` on a runtime of each side; what each gave. */
async function bothSides<T>(run: (runtime: AnyRuntime) => Promise<T>): Promise<[T, T]> {
  const out: T[] = [];
  for (const side of SIDES) {
    const { runtime, close } = await side.open();
    try {
      out.push(await run(runtime));
    } finally {
      await close();
    }
  }
  return out as [T, T];
}

test("R1: a Worker whose end of the channel closes fails pending and later calls with RUNTIME_TRAPPED", async () => {
  await resetSim();
  const { runtime, channel } = await workerPair();
  const session = await runtime.createSession();
  const pending = session.turn("wait [[sim:hang]]");
  await runtime.listSessions(); // the turn has reached the Worker (messages keep their order)
  channel.port1.close();
  await expect(pending).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
  await expect(runtime.listSessions()).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
  await expect(session.history()).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
  expect(runtime.destroyed).toBe(true);
  channel.port2.close();
});

test("R1: worker.terminate() on the page fails pending calls, and still terminates", async () => {
  await resetSim();
  const channel = new MessageChannel();
  exposeRuntime(wasm, { endpoint: channel.port1 as never });
  const terminated: unknown[] = [];
  // A Worker stand-in: its port, plus a terminate of its own (which closes nothing: the runtime must not rely on it).
  const worker = {
    postMessage: (message: unknown, transfer?: Transferable[]) => channel.port2.postMessage(message, transfer ?? []),
    addEventListener: (type: string, listener: never) => channel.port2.addEventListener(type, listener),
    removeEventListener: (type: string, listener: never) => channel.port2.removeEventListener(type, listener),
    start: () => channel.port2.start(),
    terminate(this: unknown) {
      terminated.push(this);
    },
  };
  const runtime = await connectRuntime(worker, { anthropicApiKey: "proxy", model: "claude-sonnet-4-6" });
  const session = await runtime.createSession();
  const pending = session.turn("wait [[sim:hang]]");
  worker.terminate();
  expect(terminated).toEqual([worker]);
  const error = await pending.catch((e: unknown) => e);
  expect(error).toMatchObject({ code: "RUNTIME_TRAPPED" });
  expect((error as Error).message).toContain("terminated");
  await expect(runtime.createSession()).rejects.toMatchObject({ code: "RUNTIME_TRAPPED" });
  channel.port1.close();
  channel.port2.close();
});

/** Things a tool handler may return or throw that are not plain JSON. */
class WithToJson {
  secret = "s";
  toJSON() {
    return { shown: true };
  }
}
const cycle: Record<string, unknown> = { a: 1 };
cycle.self = cycle;
const TOOL_RETURNS: Array<[string, () => unknown]> = [
  ["a function", () => () => 1],
  ["a symbol", () => Symbol("s")],
  ["a bigint", () => 5n],
  ["a cycle", () => cycle],
  ["an object with a nested function", () => ({ hour: 12, format: () => "x" })],
  ["an object with toJSON", () => new WithToJson()],
  ["a URL", () => new URL("https://example.com/x")],
  ["a Map", () => new Map([[1, 2]])],
  ["content blocks holding a function", () => ({ content: [{ type: "text", text: "hi", f: () => 1 }] })],
  ["undefined", () => undefined],
  ["a thrown function", () => {
    throw () => 1;
  }],
  ["a rejection that cannot be cloned", () => Promise.reject({ f: () => 1 })],
];

test("R2: a page tool's return value reaches the model as it does from the main thread", async () => {
  await resetSim();
  const seen = await bothSides(async (runtime) => {
    const results: unknown[] = [];
    for (const [name, handler] of TOOL_RETURNS) {
      await runtime.registerTool("clock", "Time", { type: "object" }, handler as never);
      const session = await runtime.createSession();
      const text = await outcome(async () => (await session.turn("read the clock")).text);
      const done = (await session.pollEvents()).find((e) => e.type === "tool_execution_completed");
      // (How long the handler took is not compared.)
      results.push({ name, text, done: done && { ...done, seq: 0, durationMs: 0 } });
      await session.destroy();
      await runtime.unregisterTool("clock");
    }
    return results;
  });
  expect(seen[1]).toEqual(seen[0]);
});

const HOOK_RETURNS: Array<[string, () => unknown]> = [
  ["a function", () => () => 1],
  ["a bigint", () => 5n],
  ["a cycle", () => cycle],
  ["a decision holding a function", () => ({ decision: () => 1 })],
  ["a deny whose payload holds a function", () => ({ decision: "deny", reasonCode: "no", message: "denied", payload: { x: () => 1 } })],
  ["an object with toJSON", () => new WithToJson()],
  ["a symbol", () => Symbol("s")],
  ["a thrown function", () => {
    throw () => 1;
  }],
];

test("R2: a page hook's verdict counts as it does on the main thread", async () => {
  await resetSim();
  const seen = await bothSides(async (runtime) => {
    const results: unknown[] = [];
    for (const [name, handler] of HOOK_RETURNS) {
      const hookId = await runtime.registerHook("run_started", handler as never, { failurePolicy: "fail_closed" });
      const session = await runtime.createSession();
      const turn = (await outcome(() => session.turn("hello"))) as { message?: string };
      const hooks = (await session.pollEvents()).filter((e) => e.type.startsWith("hook_")).map((e) => ({ ...e, seq: 0, durationMs: 0 }));
      // Ids differ between runtimes; what was said about them must not.
      const scrub = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(hookId, "HOOK").replaceAll(session.id, "SESSION"));
      results.push(scrub({ name, turn, hooks }));
      await session.destroy();
      await runtime.unregisterHook(hookId);
    }
    return results;
  });
  expect(seen[1]).toEqual(seen[0]);
});

test("R3: session.destroy() and deferred.destroy() are idempotent", async () => {
  const seen = await bothSides(async (runtime) => {
    const session = await runtime.createSession();
    const deferred = await runtime.createDeferredSession();
    return [
      await outcome(() => session.destroy()),
      await outcome(() => session.destroy()),
      await outcome(() => deferred.destroy()),
      await outcome(() => deferred.destroy()),
    ];
  });
  expect(seen[0]).toEqual(Array(4).fill({ value: undefined }));
  expect(seen[1]).toEqual(seen[0]);
});

test("R4: a subscription whose session is destroyed returns what it holds, then throws what the main thread throws", async () => {
  await resetSim();
  const seen = await bothSides(async (runtime) => {
    const session = await runtime.createSession();
    const sub = await session.subscribeEvents();
    await session.turn("hi");
    await session.destroy();
    const first = await outcome(() => sub.poll().map((e: AgentEvent) => e.type).at(-1));
    const rest = [await outcome(() => sub.poll()), await outcome(() => sub.poll())];
    return JSON.parse(JSON.stringify([first, ...rest]).replaceAll(session.id, "SESSION")) as unknown[];
  });
  // Its unread events first (a destroy's reply hands them over on the main thread too).
  expect(seen[0][0]).toEqual({ value: "run_completed" });
  expect(seen[1]).toEqual(seen[0]);
  expect(seen[0][1]).toMatchObject({ name: "SessionNotFoundError", message: expect.stringContaining("subscription.poll: session") });
});

test("R4: subscriptions of a destroyed runtime and of a destroyed mob throw as on the main thread", async () => {
  await resetSim();
  const seen = await bothSides(async (runtime) => {
    const session = await runtime.createSession();
    const sessionSub = await session.subscribeEvents();
    const gone = await runtime.createMob(researchTeam({ id: "gone" }));
    const goneSub = await gone.subscribeEvents();
    await gone.spawn([{ profile: "worker", agent_identity: "worker-1" }]);
    const goneMemberSub = await gone.subscribeMemberEvents("worker-1");
    await gone.destroy();
    const mob = await runtime.createMob(researchTeam());
    const mobSub = await mob.subscribeEvents();
    // What the Worker pushed before the end is returned first; the main thread's reader went with its source.
    const poll = (sub: { poll(): unknown[] }) => outcome(() => sub.poll().length && sub.poll());
    const afterMob = [await poll(goneSub), await poll(goneMemberSub)];
    await runtime.destroy();
    return [...afterMob, await poll(sessionSub), await poll(mobSub)].map((o) =>
      JSON.parse(JSON.stringify(o).replaceAll(session.id, "SESSION")),
    );
  });
  expect(seen[0].map((o) => (o as { code?: string }).code)).toEqual([
    "MOB_NOT_RUNNING", // the mob was destroyed (as a destroyed session's: SESSION_NOT_FOUND)
    "MOB_NOT_RUNNING",
    "RUNTIME_DESTROYED",
    "RUNTIME_DESTROYED",
  ]);
  expect(seen[1]).toEqual(seen[0]);
});

test("R5: after runtime.destroy(), sessions, capabilities and argument checks answer as on the main thread", async () => {
  const seen = await bothSides(async (runtime) => {
    const session = await runtime.createSession();
    await runtime.destroy();
    const scrub = (o: unknown) => JSON.parse(JSON.stringify(o).replaceAll(session.id, "SESSION").replace(" with MeerkatRuntime.init", "").replace(" with connectRuntime", "").replace("worker runtime", "runtime"));
    return [
      await outcome(() => session.turn("x")),
      await outcome(() => session.turn(5 as never)),
      await outcome(() => session.history()),
      await outcome(() => session.subscribeEvents()),
      await outcome(() => session.registerHook("run_started", () => undefined)),
      await outcome(() => session.destroy()),
      await outcome(() => runtime.capabilities),
      await outcome(() => runtime.requireCapability("skills")),
      await outcome(() => runtime.createSession(5 as never)),
      await outcome(() => runtime.registerTool(5 as never, "d", { type: "object" }, () => "")),
      await outcome(() => runtime.listSessions()),
    ].map(scrub);
  });
  expect(seen[0][0]).toMatchObject({ code: "RUNTIME_DESTROYED", message: "session.turn: the runtime was destroyed; create a new one" });
  expect(seen[0][8]).toMatchObject({ code: "RUNTIME_DESTROYED", message: expect.stringMatching(/^createSession: /) });
  expect(seen[1]).toEqual(seen[0]);
});

test("R5: a destroyed session's calls name the method and what to do, as on the main thread", async () => {
  const seen = await bothSides(async (runtime) => {
    const session = await runtime.createSession();
    await session.destroy();
    const scrub = (o: unknown) => JSON.parse(JSON.stringify(o).replaceAll(session.id, "SESSION"));
    return [
      await outcome(() => session.turn("x")),
      await outcome(() => session.pollEvents()),
      await outcome(() => session.appendSystemContext(5 as never)),
      await outcome(() => session.compact()),
    ].map(scrub);
  });
  expect(seen[0][1]).toEqual({
    name: "SessionNotFoundError",
    code: "SESSION_NOT_FOUND",
    message: "session.pollEvents: session SESSION was destroyed; create a new one",
  });
  expect(seen[1]).toEqual(seen[0]);
});

test("R6: a session's hooks are released on the page when the session is destroyed", async () => {
  const { runtime, channel, close } = await workerPair();
  let releases = 0;
  channel.port2.addEventListener("message", (event) => {
    for (const message of messagesOf((event as MessageEvent).data)) if (message?.rkat === "release") releases++;
  });
  const session = await runtime.createSession();
  await session.registerHook("run_started", () => undefined);
  await session.registerHook("run_completed", () => undefined);
  await runtime.registerHook("run_started", () => undefined);
  await session.destroy();
  await runtime.listSessions(); // the releases were posted before destroy's reply, and have arrived
  expect(releases).toBe(2);
  await close();
});

test("R7: a CapabilityUnavailableError keeps its capabilityHint across the bridge", async () => {
  const shell = { ...exampleFiles(), "manifest.toml": '[mobpack]\nname = "x"\nversion = "1"\n[requires]\ncapabilities = ["shell"]\n' };
  const config = { anthropicApiKey: "proxy", mobpackTrust: { policy: "permissive" as const } };
  const main = await MeerkatRuntime.initFromMobpack(wasm, pack(shell), config).catch((e: unknown) => e);
  const channel = new MessageChannel();
  exposeRuntime(wasm, { endpoint: channel.port1 as never });
  const worker = await connectRuntime(channel.port2 as never, config, { mobpack: pack(shell) }).catch((e: unknown) => e);
  channel.port1.close();
  channel.port2.close();
  expect(main).toBeInstanceOf(CapabilityUnavailableError);
  expect(worker).toBeInstanceOf(CapabilityUnavailableError);
  expect((worker as MeerkatError).capabilityHint).toEqual({ capability_id: "shell", message: (worker as MeerkatError).message });
  expect((worker as MeerkatError).capabilityHint).toEqual((main as MeerkatError).capabilityHint);
});

test("R8: a lease that is not JSON is AUTH_LEASE_INVALID, and a resolver's throw AUTH_RESOLVER_FAILED, on both sides", async () => {
  await resetSim();
  const leaseCycle: Record<string, unknown> = { ...leaseOf("tok-1") };
  leaseCycle.metadata = { self: leaseCycle };
  const resolvers: Array<(request: AuthResolverRequest) => unknown> = [
    () => ({ ...leaseOf("tok-1"), metadata: { n: 5n } }),
    () => leaseCycle,
    () => {
      throw () => 1;
    },
  ];
  const bound = withAuthBinding({ realm: "team-alpha", binding: "anthropic" }, { model: "claude-sonnet-4-6" });
  for (const resolver of resolvers) {
    const main = await MeerkatRuntime.init(wasm, realmsConfig());
    registerExternalAuthResolver(wasm, resolver as never);
    const onMain = await outcome(() => main.createSession(bound).turn("hi"));
    clearExternalAuthResolver(wasm);
    main.destroy();
    const channel = new MessageChannel();
    exposeRuntime(wasm, { endpoint: channel.port1 as never });
    const worker = await connectRuntime(channel.port2 as never, realmsConfig());
    await worker.registerExternalAuthResolver(resolver as never);
    const inWorker = await outcome(async () => (await worker.createSession(bound)).turn("hi"));
    await worker.destroy();
    channel.port1.close();
    channel.port2.close();
    expect(inWorker).toEqual(onMain);
  }
});

test("R9: mobpack bytes already transferred are refused at once, with the same error on both sides", async () => {
  const config = { anthropicApiKey: "x", mobpackTrust: { policy: "permissive" as const } };
  const bytes = pack(exampleFiles());
  structuredClone(bytes.buffer, { transfer: [bytes.buffer] }); // as an earlier connectRuntime leaves them
  const onMain = await outcome(() => MeerkatRuntime.initFromMobpack(wasm, bytes, config));
  const buffer = pack(exampleFiles()).buffer as ArrayBuffer;
  structuredClone(buffer, { transfer: [buffer] });
  const channel = new MessageChannel();
  exposeRuntime(wasm, { endpoint: channel.port1 as never });
  const inWorker = await outcome(() => connectRuntime(channel.port2 as never, config, { mobpack: bytes }));
  const detachedBuffer = await outcome(() => connectRuntime(channel.port2 as never, config, { mobpack: buffer }));
  channel.port1.close();
  channel.port2.close();
  expect(onMain).toMatchObject({
    code: "INVALID_MOBPACK",
    message: expect.stringContaining("mobpackBytes is empty or was detached (transferred to a Worker by an earlier connectRuntime)"),
  });
  expect(inWorker).toMatchObject({ code: "INVALID_MOBPACK", message: expect.stringContaining("options.mobpack is empty or was detached") });
  expect(detachedBuffer).toEqual(inWorker);
});

test("R10: registerTool options that are not JSON are refused the same way on both sides, and nothing is registered", async () => {
  const cases = [{ timeoutMs: 5n }, { timeoutMs: () => 1 }, { readOnly: Symbol("r") }, { timeoutMs: "5" }];
  const seen = await bothSides(async (runtime) => {
    const out = [];
    for (const options of cases) out.push(await outcome(() => runtime.registerTool("t", "d", { type: "object" }, () => "", options as never)));
    // Nothing was registered: the name is still free.
    out.push(await outcome(() => runtime.registerTool("t", "d", { type: "object" }, () => "")));
    return out;
  });
  expect(seen[0].slice(0, 3)).toEqual([
    { name: "MeerkatError", code: "INVALID_TOOL", message: "registerTool: options.timeoutMs must be JSON data, got bigint" },
    { name: "MeerkatError", code: "INVALID_TOOL", message: "registerTool: options.timeoutMs must be JSON data, got function" },
    { name: "MeerkatError", code: "INVALID_TOOL", message: "registerTool: options.readOnly must be JSON data, got symbol" },
  ]);
  expect(seen[1]).toEqual(seen[0]);
});

test("a deferred session whose first turn is refused is not started, and can start later, on both sides", async () => {
  await resetSim();
  const seen = await bothSides(async (runtime) => {
    const deferred = await runtime.createDeferredSession();
    const refused = await outcome(() => deferred.startTurn([{ type: "image", media_type: "image/bmp", data: "" }] as never));
    const started = deferred.isStarted;
    const next = await outcome(async () => (await deferred.startTurn("hello")).text);
    return [refused, started, next, deferred.isStarted];
  });
  expect(seen[0][1]).toBe(false);
  expect(seen[0][3]).toBe(true);
  expect(seen[1]).toEqual(seen[0]);
});

test("a deferred session destroyed during its first turn stays started (the turn was taken), on both sides", async () => {
  await resetSim();
  const seen = await bothSides(async (runtime) => {
    const deferred = await runtime.createDeferredSession();
    const turn = outcome(() => deferred.startTurn("hello"));
    await deferred.destroy();
    const ended = (await turn) as { code?: string };
    const again = (await outcome(() => deferred.startTurn("hello"))) as { code?: string };
    return [ended.code, deferred.isStarted, again.code, ((await outcome(() => deferred.session.id)) as { value?: string }).value === deferred.id];
  });
  expect(seen[0]).toEqual(["CANCELLED", true, "INVALID_ARGUMENT", true]);
  expect(seen[1]).toEqual(seen[0]);
});

test("stream() on a busy session: SESSION_BUSY, thrown by stream() on the main thread, by the first next() in the Worker", async () => {
  await resetSim();
  const seen = await bothSides(async (runtime) => {
    const session = await runtime.createSession();
    const pending = session.turn("wait [[sim:hang]]");
    await runtime.listSessions(); // the turn has started (in the Worker too)
    const busy = await outcome(async () => {
      for await (const event of session.stream("again")) return event;
    });
    await session.interrupt();
    await pending.catch(() => {});
    return JSON.parse(JSON.stringify(busy).replaceAll(session.id, "SESSION")) as unknown;
  });
  expect(seen[0]).toMatchObject({ code: "SESSION_BUSY" });
  expect(seen[1]).toEqual(seen[0]);
});
