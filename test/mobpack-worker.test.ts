/**
 * Mobpacks through the Worker bridge (the real RPC over a MessageChannel):
 * the pack's bytes are transferred, the Worker runs initFromMobpack, the
 * page gets `runtime.mobpack` and runs the pack's mob.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import * as wasmModule from "@rkat/web/wasm/meerkat_web_runtime.js";
import { connectRuntime, exposeRuntime, type WorkerRuntime } from "@rkat/web/worker";
import { MeerkatError } from "@rkat/web";
import { proxyUrl, resetSim, simRequests } from "./support/runtime.js";
import { exampleAt, pack, signer } from "./support/pack.js";

const acme = signer("acme");
const trust = { trustedSigners: { acme: acme.publicKey } };
let channel: MessageChannel;
let runtime: WorkerRuntime | undefined;

beforeEach(async () => {
  await resetSim();
  channel = new MessageChannel();
  exposeRuntime(wasmModule, { endpoint: channel.port1 as never });
});
afterEach(async () => {
  await runtime?.destroy().catch(() => {});
  runtime = undefined;
  channel.port1.close();
  channel.port2.close();
});

test("connectRuntime with { mobpack }: transferred, initialised from the pack, its mob runs", async () => {
  const bytes = pack(exampleAt(proxyUrl()), acme);
  const length = bytes.byteLength;
  expect(length).toBeGreaterThan(0);
  runtime = await connectRuntime(channel.port2 as never, { anthropicApiKey: "proxy", mobpackTrust: trust }, { mobpack: bytes });
  // Moved, not copied: the page's buffer is detached.
  expect(bytes.byteLength).toBe(0);

  const info = runtime.mobpack!;
  expect(info.manifest.name).toBe("research-team");
  expect(info.signerId).toBe("acme");
  expect(info.skills[0]?.bytes).toBeInstanceOf(Uint8Array);
  expect(new TextDecoder().decode(info.skills[0]?.bytes)).toContain("# Research");
  expect((await runtime.listSkillSources()).map((s) => s.sourceUuid)).toContain(info.skillSource);

  const mob = await runtime.createMob(info.definition);
  await mob.spawn([{ profile: "worker", agent_identity: "worker-1" }]);
  const worker = mob.member("worker-1");
  const result = await worker.waitForRun((await worker.send("Find sources")).runId);
  expect(result.text).toContain("Find sources");
  expect(JSON.stringify((await simRequests()).at(-1)?.body.system)).toContain("Restate the question");
});

test("a view of part of a buffer is copied (the caller's buffer stays); refusals keep their code", async () => {
  const inner = pack(exampleAt(proxyUrl()), acme);
  const big = new Uint8Array(inner.length + 16);
  big.set(inner, 8);
  const view = big.subarray(8, 8 + inner.length);
  runtime = await connectRuntime(channel.port2 as never, { anthropicApiKey: "proxy", mobpackTrust: trust }, { mobpack: view });
  expect(big.byteLength).toBe(inner.length + 16);
  expect(runtime.mobpack?.signerId).toBe("acme");
  await runtime.destroy();
  runtime = undefined;

  const refused = await connectRuntime(channel.port2 as never, { anthropicApiKey: "proxy" }, { mobpack: pack(exampleAt(proxyUrl())) }).catch(
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(MeerkatError);
  expect(refused).toMatchObject({ code: "UNTRUSTED_MOBPACK", message: expect.stringContaining("unsigned") });
});

test("runtime.mobpack is null without a pack", async () => {
  runtime = await connectRuntime(channel.port2 as never, { anthropicApiKey: "proxy", anthropicBaseUrl: `${proxyUrl()}/anthropic` });
  expect(runtime.mobpack).toBeNull();
});
