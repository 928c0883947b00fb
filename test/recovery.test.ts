/**
 * Retries with backoff (timer effects carried out by the driver) and
 * interrupt, against the simulated provider.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import type { AgentEvent, MeerkatRuntime, RetryingEvent } from "@rkat/web";
import { resetSim, script, simRequests, simRuntime } from "./support/runtime.js";

let runtime: MeerkatRuntime;
const fast = { maxRetries: 2, initialDelayMs: 20, maxDelayMs: 200 };

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime({ retry: fast });
});
afterEach(() => runtime.destroy());

test("a transient failure is retried and the turn succeeds", async () => {
  await script("error=529");
  const session = runtime.createSession();
  const result = await session.turn("hello after an overload");
  expect(result.text).toBe("You said: hello after an overload (1 messages in context)");
  const events = session.pollEvents();
  const retrying = events.filter((e): e is RetryingEvent => e.type === "retrying");
  expect(retrying).toHaveLength(1);
  expect(retrying[0]).toMatchObject({ attempt: 1, maxAttempts: 2 });
  expect(retrying[0]!.error).toContain("overloaded_error");
  expect(retrying[0]!.delayMs).toBeGreaterThanOrEqual(10);
  expect(retrying[0]!.delayMs).toBeLessThanOrEqual(20);
  expect((await simRequests()).filter((r) => JSON.stringify(r.body).includes("after an overload"))).toHaveLength(2);
});

test("a mid-stream overload is retried without duplicating text in the result or in collectText", async () => {
  await script("midstream=overloaded");
  const session = runtime.createSession();
  const stream = session.stream("no duplicates please");
  const events: AgentEvent[] = [];
  for await (const event of stream) events.push(event);
  const result = stream.result;
  expect(result.text).toBe("You said: no duplicates please (1 messages in context)");
  // The failed attempt's deltas, then a retrying event that voids them, then the whole text.
  const at = events.findIndex((e) => e.type === "retrying");
  expect(events[at]).toMatchObject({ type: "retrying", textDiscarded: true });
  expect(events.slice(0, at).some((e) => e.type === "text_delta")).toBe(true);
  const joined = (list: typeof events) => list.map((e) => (e.type === "text_delta" ? e.delta : "")).join("");
  expect(joined(events.slice(at))).toBe(result.text);
  expect(await session.history()).toHaveLength(2);
  await script("midstream=overloaded");
  const [text, again] = await session.stream("and collectText").collectText();
  expect(text).toBe(again.text);
});

test("a retry before anything streamed says nothing was discarded", async () => {
  await script("error=529");
  const session = runtime.createSession();
  const [text, result] = await session.stream("overloaded at once").collectText();
  expect(text).toBe(result.text);
  const retrying = session.pollEvents().find((e) => e.type === "retrying");
  expect(retrying).toBeDefined();
  expect(retrying).not.toHaveProperty("textDiscarded");
});

test("a 429 honours retry-after", async () => {
  await script("error=429,retry-after=0");
  const session = runtime.createSession();
  await session.turn("rate limited once");
  const retrying = session.pollEvents().find((e) => e.type === "retrying");
  expect(retrying).toMatchObject({ delayMs: 0 });
});

test("retries run out with a code that names the cause", async () => {
  const session = runtime.createSession();
  const error = await session.turn("always failing [[sim:error=500]]").catch((e: unknown) => e);
  expect(error).toMatchObject({ code: "PROVIDER_UNAVAILABLE", message: expect.stringMatching(/after 2 retries/) });
  expect(session.pollEvents().filter((e) => e.type === "retrying")).toHaveLength(2);
});

test("permanent failures are not retried", async () => {
  const session = runtime.createSession();
  await expect(session.turn("bad key [[sim:error=401]]")).rejects.toMatchObject({ code: "PROVIDER_AUTH" });
  expect(session.pollEvents().some((e) => e.type === "retrying")).toBe(false);
  await expect(session.turn("bad request [[sim:error=400]]")).rejects.toMatchObject({ code: "PROVIDER_BAD_REQUEST" });
});

test("interrupt mid-stream resolves the turn as cancelled and keeps what streamed", async () => {
  const session = runtime.createSession();
  const stream = session.stream("a long answer [[sim:hang]]");
  for await (const event of stream) {
    // Text has streamed and the provider hangs: interrupt.
    if (event.type === "text_delta") await session.interrupt();
  }
  const result = stream.result;
  expect(result.text.length).toBeGreaterThan(0);
  expect("You said: a long answer (1 messages in context)".startsWith(result.text)).toBe(true);
  const events = session.pollEvents();
  expect(events.find((e) => e.type === "turn_completed")).toMatchObject({ stopReason: "cancelled" });
  expect(events.at(-1)?.type).toBe("run_completed");
  const next = await session.turn("and now?");
  expect(next.text).toBe("You said: and now? (3 messages in context)");
});

test("interrupt while a tool runs pairs the call with an interrupted result", async () => {
  let release: (value: string) => void = () => {};
  let called: () => void = () => {};
  const running = new Promise<void>((r) => (called = r));
  runtime.registerTool("clock", "Time", { type: "object" }, () => {
    called();
    return new Promise<string>((r) => (release = r));
  });
  const session = runtime.createSession();
  const pending = session.turn("what does the clock say");
  await running; // the handler is running: interrupt it
  await session.interrupt();
  const result = await pending;
  expect(result.toolCalls).toBe(1);
  release("too late"); // a late result changes nothing
  // The next request pairs the tool call with its interrupted result, and
  // the new words after it are what the model answers.
  const next = await session.turn("and after that?");
  expect(next.text).toBe("You said: and after that? (3 messages in context)");
  const sent = (await simRequests()).at(-1)!;
  expect(sent.body.messages[2].content[0]).toMatchObject({ type: "tool_result", is_error: true });
  expect(sent.body.messages[2].content[1]).toEqual({ type: "text", text: "and after that?" });
});

test("interrupt during backoff ends the turn without retrying", async () => {
  const slow = await simRuntime({ retry: { maxRetries: 2, initialDelayMs: 5000, maxDelayMs: 5000 } });
  try {
    const session = slow.createSession();
    const stream = session.stream("overloaded once [[sim:error=529]]");
    let retried = false;
    for await (const event of stream) {
      // Waiting out the 5 s backoff: interrupt it.
      if (event.type === "retrying") {
        retried = true;
        await session.interrupt();
      }
    }
    expect(retried).toBe(true);
    const result = stream.result;
    expect(result.text).toBe("");
    expect(session.pollEvents().find((e) => e.type === "turn_completed")).toMatchObject({ stopReason: "cancelled" });
    const sent = (await simRequests()).filter((r) => JSON.stringify(r.body).includes("overloaded once"));
    expect(sent).toHaveLength(1);
  } finally {
    slow.destroy();
  }
});

test("interrupt on an idle session does nothing", async () => {
  const session = runtime.createSession();
  await session.interrupt();
  expect(session.pollEvents()).toEqual([]);
});
