/**
 * The bridge's wire (src/worker/rpc.ts) on its own, over a real
 * MessageChannel: what is posted in one microtask checkpoint crosses as
 * one message, in order, and a message that cannot be cloned fails alone,
 * as it would have as a message of its own.
 */
import { afterEach, expect, test } from "vitest";
import { connect, release, transfer, type Endpoint } from "../src/worker/rpc.js";
import { messagesOf, type WireMessage } from "./support/wire.js";

type Posts = WireMessage[][];

/** Both ends of a channel, each port's posts recorded (one entry per postMessage). */
function wire(serve: (name: string) => ((...args: any[]) => unknown) | undefined) {
  const channel = new MessageChannel();
  const posts = { page: [] as Posts, worker: [] as Posts };
  const recorded = (port: MessagePort, into: Posts): Endpoint => {
    const original = port.postMessage.bind(port);
    port.postMessage = ((message: unknown, list?: Transferable[]) => {
      original(message, list ?? []);
      into.push(messagesOf(message));
    }) as MessagePort["postMessage"];
    return port as unknown as Endpoint;
  };
  const page = connect(recorded(channel.port2, posts.page));
  connect(recorded(channel.port1, posts.worker), serve);
  opened.push(channel);
  return { page, posts };
}

const opened: MessageChannel[] = [];
afterEach(() => {
  for (const channel of opened.splice(0)) {
    channel.port1.close();
    channel.port2.close();
  }
});

test("calls made together cross as one message, in order, and so do their replies", async () => {
  const order: number[] = [];
  const { page, posts } = wire((name) => (name === "echo" ? (n: number) => (order.push(n), n * 2) : undefined));
  const values = await Promise.all(Array.from({ length: 20 }, (_, i) => page.call("echo", [i])));
  expect(values).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(posts.page).toHaveLength(1);
  expect(posts.page[0]!.map((m) => m.rkat)).toEqual(Array(20).fill("call"));
  expect(posts.worker).toHaveLength(1);
  expect(posts.worker[0]!.map((m) => m.rkat)).toEqual(Array(20).fill("reply"));
});

test("a lone message crosses as itself, not wrapped", async () => {
  const channel = new MessageChannel();
  opened.push(channel);
  const seen: unknown[] = [];
  channel.port1.addEventListener("message", (event) => seen.push(event.data));
  channel.port1.start();
  connect(channel.port1 as unknown as Endpoint, () => () => "ok");
  const page = connect(channel.port2 as unknown as Endpoint);
  expect(await page.call("anything", [1])).toBe("ok");
  expect(seen).toEqual([{ rkat: "call", id: expect.any(Number), to: "anything", args: [1], fns: [] }]);
});

test("a call whose arguments cannot be cloned rejects alone; the calls beside it are answered", async () => {
  const { page } = wire(() => (n: unknown) => n);
  const outcomes = await Promise.allSettled([
    page.call("echo", [1]),
    page.call("echo", [{ nested: () => 1 }]),
    page.call("echo", [3]),
  ]);
  expect(outcomes[0]).toEqual({ status: "fulfilled", value: 1 });
  expect(outcomes[1]!.status).toBe("rejected");
  expect(((outcomes[1] as PromiseRejectedResult).reason as Error).name).toBe("DataCloneError");
  expect(outcomes[2]).toEqual({ status: "fulfilled", value: 3 });
  // The wire still works afterwards.
  expect(await page.call("echo", [4])).toBe(4);
});

test("a return value that cannot be cloned fails that call alone", async () => {
  const { page } = wire(() => (n: number) => (n === 2 ? { nested: () => 1 } : n));
  const outcomes = await Promise.allSettled([1, 2, 3].map((n) => page.call("echo", [n])));
  expect(outcomes[0]).toEqual({ status: "fulfilled", value: 1 });
  expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ name: "TypeError", message: "Unserializable return value" });
  expect(outcomes[2]).toEqual({ status: "fulfilled", value: 3 });
});

test("buffers marked for transfer are moved with the batch, not copied", async () => {
  const received: Uint8Array[] = [];
  const { page } = wire(() => (bytes: Uint8Array) => void received.push(bytes));
  const views = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])];
  const calls = views.map((v) => page.call("take", [transfer(v, [v.buffer])]));
  await Promise.all(calls);
  expect(views.map((v) => v.byteLength)).toEqual([0, 0]);
  expect(received.map((v) => [...v])).toEqual([
    [1, 2, 3],
    [4, 5],
  ]);
});

test("a port that refuses every message: the calls reject, and nothing is retried without end", async () => {
  let posts = 0;
  const refusing: Endpoint = {
    postMessage() {
      posts++;
      throw new Error("port closed");
    },
    addEventListener() {},
    removeEventListener() {},
  };
  const peer = connect(refusing);
  const outcomes = await Promise.allSettled([peer.call("a", [1]), peer.call("b", [2])]);
  expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
  expect(((outcomes[0] as PromiseRejectedResult).reason as Error).message).toBe("port closed");
  // One try as a batch, then one for each call.
  expect(posts).toBe(3);
});

test("a call to a callback its owner released is refused, not left to hang; one to another client's is left to that client", async () => {
  let held: ((...args: unknown[]) => Promise<unknown>) | undefined;
  const { page } = wire((name) => (name === "keep" ? (fn: (...args: unknown[]) => Promise<unknown>) => void (held = fn) : undefined));
  await page.call("keep", [() => "answer"]);
  expect(await held!()).toBe("answer");
  release(held);
  // The release crosses first, then the late call: the page no longer has it, and says so.
  await expect(held!()).rejects.toMatchObject({ name: "TypeError" });

  // A second client on the same port (a Worker used again): each answers only its own callbacks.
  const channel = new MessageChannel();
  opened.push(channel);
  const port = channel.port2 as unknown as Endpoint;
  const first = connect(port);
  const second = connect(port);
  let worker: ((...args: unknown[]) => Promise<unknown>) | undefined;
  connect(channel.port1 as unknown as Endpoint, (name) => (name === "keep" ? (fn: typeof worker) => void (worker = fn) : undefined));
  await second.call("keep", [() => "second's"]);
  expect(await worker!()).toBe("second's");
  expect(first).toBeDefined();
});
