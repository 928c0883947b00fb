/**
 * A real Worker thread (test/support/thread.ts) going away while the page
 * has work in flight: calls pending, a stream open, a subscription being
 * polled, turns waiting on the page's tools and hooks. Every promise
 * settles with `RUNTIME_TRAPPED`; later calls are refused the way a
 * runtime whose core trapped refuses them on the main thread. And
 * `runtime.destroy()` with the same work in flight, on both sides.
 */
import { expect, test } from "vitest";
import { MeerkatRuntime, type AgentEvent } from "@rkat/web";
import { connectRuntime } from "@rkat/web/worker";
import { gate, outcomeOf, until } from "./support/features.js";
import { SIDES } from "./support/mob.js";
import { resetSim, simConfig, trappingWasm } from "./support/runtime.js";
import { endedAfterEachTest, runtimeWorker, threadWorker } from "./support/thread.js";

const started = endedAfterEachTest();

const TERMINATED = "the runtime worker failed: it was terminated (worker.terminate()); create a new worker and runtime";

test("worker.terminate() with turns waiting on page callbacks, a stream open and a subscription polled: everything settles with RUNTIME_TRAPPED", async () => {
  await resetSim();
  const worker = runtimeWorker();
  started(worker);
  const runtime = await connectRuntime(worker, simConfig());
  const toolCalled = gate();
  await runtime.registerTool("clock", "Time", { type: "object" }, () => {
    toolCalled.resolve();
    return new Promise(() => {});
  });
  const hookCalled = gate();
  const [withTool, streaming, withHook] = await Promise.all([runtime.createSession(), runtime.createSession(), runtime.createSession()]);
  await withHook.registerHook("pre_llm_request", () => {
    hookCalled.resolve();
    return new Promise(() => {});
  });
  const sub = await streaming.subscribeEvents();
  const toolTurn = withTool.turn("read the clock");
  const hookTurn = withHook.turn("hello");
  const stream = streaming.stream("wait [[sim:hang]]")[Symbol.asyncIterator]();
  const first = await stream.next();
  await Promise.all([toolCalled.promise, hookCalled.promise]);
  const polled = await until(() => {
    const events = sub.poll();
    return events.length > 0 ? events : undefined;
  });
  const pendingCall = runtime.listSessions();

  void worker.terminate();
  expect(first.value).toMatchObject({ type: "run_started" });
  expect(polled[0]).toMatchObject({ type: "run_started" });
  const trapped = { name: "MeerkatError", code: "RUNTIME_TRAPPED", message: TERMINATED };
  expect(await outcomeOf(() => toolTurn)).toEqual(trapped);
  expect(await outcomeOf(() => hookTurn)).toEqual(trapped);
  expect(await outcomeOf(() => pendingCall)).toEqual(trapped);
  // The stream yields what had arrived, then throws.
  const rest: AgentEvent[] = [];
  const end = await outcomeOf(async () => {
    for (let next = await stream.next(); !next.done; next = await stream.next()) rest.push(next.value);
  });
  expect(end).toEqual(trapped);
  expect(rest.every((event) => event.type !== "run_completed")).toBe(true);
  expect(await outcomeOf(() => sub.poll())).toEqual({ name: "MeerkatError", code: "RUNTIME_TRAPPED", message: TERMINATED });
  expect(runtime.destroyed).toBe(true);
});

test("an uncaught error in the Worker mid-turn: the turn rejects with RUNTIME_TRAPPED naming the error", async () => {
  await resetSim();
  // A Worker whose own code throws when it sees a prompt saying CRASH.
  const worker = threadWorker(`
    exposeRuntime();
    parentPort.on("message", (m) => { if (JSON.stringify(m).includes("CRASH")) setTimeout(() => { throw new Error("out of memory (simulated)"); }); });`);
  started(worker);
  const runtime = await connectRuntime(worker, simConfig());
  const session = await runtime.createSession();
  expect(await outcomeOf(() => session.turn("CRASH now [[sim:hang]]"))).toEqual({
    name: "MeerkatError",
    code: "RUNTIME_TRAPPED",
    message: "the runtime worker failed: out of memory (simulated); create a new worker and runtime",
  });
  expect(await outcomeOf(() => runtime.createSession())).toMatchObject({ code: "RUNTIME_TRAPPED" });
});

test("after the Worker died, its sessions answer as a trapped runtime's do on the main thread: destroy() does nothing, every other call names itself", async () => {
  await resetSim();
  const main = await MeerkatRuntime.init(trappingWasm(), simConfig());
  const mainSession = main.createSession();
  await main.createSession().turn("trap-me").catch(() => {});

  const worker = runtimeWorker();
  started(worker);
  const runtime = await connectRuntime(worker, simConfig());
  const session = await runtime.createSession();
  void worker.terminate();

  const seen = [];
  for (const s of [mainSession, session]) {
    seen.push([
      await outcomeOf(() => s.destroy()),
      await outcomeOf(() => s.destroy()),
      await outcomeOf(() => s.turn("x")),
      await outcomeOf(() => {
        s.stream("x"); // refused at once, as on the main thread
      }),
      await outcomeOf(() => s.pollEvents()),
      await outcomeOf(() => s.subscribeEvents()),
      await outcomeOf(() => s.appendSystemContext("x")),
    ]);
  }
  const [onMain, inWorker] = seen as [Array<{ code?: string; message?: string }>, Array<{ code?: string; message?: string }>];
  expect(onMain[0]).toEqual({ value: undefined });
  expect(onMain[2]).toMatchObject({ code: "RUNTIME_TRAPPED", message: expect.stringMatching(/^session\.turn: the wasm core trapped/) });
  // The same outcomes, each refusal naming the method, then the Worker's reason.
  const shape = (o: { code?: string; message?: string }) => ({ code: o.code, what: o.message?.split(": ")[0] });
  expect(inWorker.map(shape)).toEqual(onMain.map(shape));
  expect(inWorker[2]).toEqual({ name: "MeerkatError", code: "RUNTIME_TRAPPED", message: `session.turn: ${TERMINATED}` });
});

test("runtime.destroy() with a turn waiting on a page tool, a stream open and a subscription: everything settles with RUNTIME_DESTROYED, on both sides", async () => {
  const seen: unknown[] = [];
  for (const side of SIDES) {
    await resetSim();
    const { runtime, close } = await side.open();
    const toolCalled = gate();
    await runtime.registerTool("clock", "Time", { type: "object" }, () => {
      toolCalled.resolve();
      return new Promise(() => {});
    });
    const withTool = await runtime.createSession();
    const streaming = await runtime.createSession();
    const sub = await streaming.subscribeEvents();
    const toolTurn = withTool.turn("read the clock");
    const stream = streaming.stream("wait [[sim:hang]]")[Symbol.asyncIterator]();
    await stream.next();
    await toolCalled.promise;
    await runtime.destroy();
    const code = async (call: () => unknown) => ((await outcomeOf(call)) as { code?: string }).code ?? "resolved";
    seen.push([
      await code(() => toolTurn),
      await code(async () => {
        for (let next = await stream.next(); !next.done; next = await stream.next());
      }),
      // What the Worker had pushed to the page first (the main thread's reader went with its runtime).
      await code(() => {
        while (sub.poll().length > 0);
      }),
      await code(() => withTool.turn("x")),
      await code(() => withTool.destroy()),
      await code(() => runtime.destroy()),
    ]);
    await close();
  }
  expect(seen[0]).toEqual(["RUNTIME_DESTROYED", "RUNTIME_DESTROYED", "RUNTIME_DESTROYED", "RUNTIME_DESTROYED", "resolved", "resolved"]);
  expect(seen[1]).toEqual(seen[0]);
});
