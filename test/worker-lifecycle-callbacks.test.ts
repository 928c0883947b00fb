/**
 * The page's callbacks (tools, hooks) at the edges of their lifetime:
 * removed while the Worker is about to call them, and never settling
 * while their session goes away. Each case is compared with the main
 * thread, or held to what the main thread's driver does.
 */
import { expect, test } from "vitest";
import type { AgentEvent, MeerkatError } from "@rkat/web";
import { gate, ofType, until } from "./support/features.js";
import { gatedPair, type GatedPair } from "./support/gated.js";
import { SIDES } from "./support/mob.js";
import { batchBytes } from "./support/batches.js";
import { resetSim } from "./support/runtime.js";
import { messagesOf } from "./support/wire.js";

const decoder = new TextDecoder();
const nextTask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The types of the events the Worker side of `pair` posts from now on (read before their bytes move). */
function eventsPosted(pair: GatedPair): Set<string> {
  const types = new Set<string>();
  const port = pair.channel.port1;
  const post = port.postMessage.bind(port);
  port.postMessage = ((message: unknown, transfer: Transferable[]) => {
    for (const bytes of messagesOf(message).flatMap((m) => batchBytes(m) ?? [])) {
      for (const event of JSON.parse(decoder.decode(bytes)) as AgentEvent[]) types.add(event.type);
    }
    post(message, transfer);
  }) as MessagePort["postMessage"];
  return types;
}

test("a page tool unregistered while the Worker waits to call it: the model is told it has no handler, as on the main thread", async () => {
  await resetSim();
  const pair = await gatedPair();
  const seen: string[] = [];
  await pair.runtime.registerTool("clock", "Time", { type: "object" }, () => {
    seen.push("called");
    return "noon";
  });
  const session = await pair.runtime.createSession();
  const posted = eventsPosted(pair);
  // The page stops taking messages: the Worker's tool call waits for its event batches to be taken first.
  pair.hold();
  const stream = session.stream("read the clock");
  await until(() => (posted.has("tool_execution_started") ? true : undefined));
  await nextTask(); // (one thread: the driver's call of the tool, queued before, has started and waits)
  const unregistered = pair.runtime.unregisterTool("clock");
  pair.release();
  await unregistered;
  const events: AgentEvent[] = [];
  for await (const event of stream) events.push(event);
  expect(seen).toEqual([]);
  expect(stream.result.text).toBe("clock failed: Error: tool clock has no handler in this runtime.");
  expect(ofType(events, "tool_execution_completed")[0]).toMatchObject({ isError: true });
  await pair.close();
});

test("a page hook unregistered while the Worker waits to call it: the run goes on at once, the handler is not called", async () => {
  await resetSim();
  const pair = await gatedPair();
  const seen: string[] = [];
  const hookId = await pair.runtime.registerHook("pre_tool_execution", () => void seen.push("called"), { failurePolicy: "fail_closed" });
  await pair.runtime.registerTool("clock", "Time", { type: "object" }, () => "noon");
  const session = await pair.runtime.createSession();
  const posted = eventsPosted(pair);
  pair.hold();
  const stream = session.stream("read the clock");
  await until(() => (posted.has("hook_started") ? true : undefined));
  await nextTask();
  const unregistered = pair.runtime.unregisterHook(hookId);
  pair.release();
  await unregistered;
  for await (const _ of stream) {
    // to the end
  }
  expect(seen).toEqual([]);
  expect(stream.result.text).toBe("clock returned: noon.");
  await pair.close();
});

test("a page tool or hook that never settles while its session is destroyed: the turn rejects with CANCELLED and the runtime goes on, on both sides", async () => {
  const seen: unknown[] = [];
  for (const side of SIDES) {
    await resetSim();
    const { runtime, close } = await side.open();
    const out: unknown[] = [];
    const toolCalled = gate();
    await runtime.registerTool("clock", "Time", { type: "object" }, () => {
      toolCalled.resolve();
      return new Promise(() => {});
    });
    const withTool = await runtime.createSession();
    const toolTurn = withTool.turn("read the clock");
    await toolCalled.promise;
    await withTool.destroy();
    out.push(await toolTurn.catch((e: MeerkatError) => ({ code: e.code, message: e.message })));

    const hookCalled = gate();
    const withHook = await runtime.createSession();
    await withHook.registerHook("pre_llm_request", () => {
      hookCalled.resolve();
      return new Promise(() => {});
    });
    const hookTurn = withHook.turn("hello");
    await hookCalled.promise;
    await withHook.destroy();
    out.push(await hookTurn.catch((e: MeerkatError) => ({ code: e.code, message: e.message })));

    const next = await runtime.createSession();
    out.push((await next.turn("hello")).text);
    seen.push(out);
    await close();
  }
  expect(seen[0]).toEqual([
    { code: "CANCELLED", message: "the session was destroyed while a turn was in flight" },
    { code: "CANCELLED", message: "the session was destroyed while a turn was in flight" },
    "You said: hello (1 messages in context)",
  ]);
  expect(seen[1]).toEqual(seen[0]);
});
