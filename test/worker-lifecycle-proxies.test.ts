/**
 * Arguments a framework made reactive (Vue's `reactive`, Svelte's `$state`,
 * MobX observables: Proxies, which `postMessage` cannot clone) work through
 * the Worker as they do on the main thread, which reads them as JSON.
 */
import { expect, test } from "vitest";
import { connectRuntime, exposeRuntime } from "@rkat/web/worker";
import { closedAfterEachTest, resetSim, simConfig, wasm, workerPair } from "./support/runtime.js";
import { errorOf } from "./support/features.js";

/** What a reactive wrapper looks like to `postMessage`: a Proxy over plain data. */
const reactive = <T extends object>(value: T): T => new Proxy(value, {});

const closing = closedAfterEachTest();

test("a reactive config, session config, prompt content and tool schema cross as their JSON copies", async () => {
  await resetSim();
  const channel = new MessageChannel();
  exposeRuntime(wasm, { endpoint: channel.port1 as never });
  const config = simConfig({ eventQueueCapacity: 500 });
  const runtime = await connectRuntime(channel.port2 as never, reactive(config));
  closing(async () => {
    await runtime.destroy();
    channel.port1.close();
    channel.port2.close();
  });
  await runtime.registerTool(
    "clock",
    "Tells the time",
    reactive({ type: "object", properties: reactive({}) }),
    () => "noon",
  );
  const session = await runtime.createSession(reactive({ model: "claude-sonnet-4-6", systemPrompt: "Be brief." }));
  const result = await session.turn(reactive([reactive({ type: "text" as const, text: "What time is it?" })]));
  expect(result.text.length).toBeGreaterThan(0);
  expect((await session.history())[0]).toMatchObject({ role: "user", content: [{ type: "text", text: "What time is it?" }] });
});

test("a function inside an argument is still refused, not dropped", async () => {
  await resetSim();
  const pair = await workerPair();
  closing(pair.close);
  const error = await errorOf(pair.runtime.createSession(reactive({ model: "claude-sonnet-4-6", extra: () => 1 }) as never));
  expect(error.code).toBe("INVALID_CONFIG");
});
