/**
 * The README's mobpack examples, run as written (main thread and Worker,
 * simulated provider), then their claims checked. `mobpackBytes` and
 * `ACME_PUBLIC_KEY` are what the examples assume the page has.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import { MeerkatRuntime } from "@rkat/web";
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";
import { connectRuntime, exposeRuntime } from "@rkat/web/worker";
import { proxyUrl, resetSim } from "./support/runtime.js";
import { exampleAt, pack, signer } from "./support/pack.js";

const acme = signer("acme");
const ACME_PUBLIC_KEY = acme.publicKey;
const logged: unknown[][] = [];
const console = { log: (...args: unknown[]) => logged.push(args) };
const cleanup: Array<() => unknown> = [];

beforeEach(() => resetSim());
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
});

test("the README's mobpack example", async () => {
  const mobpackBytes = pack(exampleAt(proxyUrl()), acme);

  // ---- README: Mobpacks ----
  const inspected = await MeerkatRuntime.inspectMobpack(wasm, mobpackBytes);
  console.log(inspected.manifest.name, inspected.signerId, inspected.signatureValid);

  const runtime = await MeerkatRuntime.initFromMobpack(wasm, mobpackBytes, {
    anthropicApiKey: "proxy",
    mobpackTrust: { trustedSigners: { acme: ACME_PUBLIC_KEY } },
  });
  const mob = await runtime.createMob(runtime.mobpack.definition);
  await mob.spawn([
    { profile: "lead", agent_identity: "lead-1" },
    { profile: "worker", agent_identity: "worker-1" },
  ]);
  const lead = mob.member("lead-1");
  const result = await lead.waitForRun((await lead.send("Is the Moon drifting away?")).runId);
  // ---- end of the README's example ----
  cleanup.push(() => runtime.destroy());

  expect(logged).toEqual([["research-team", "acme", true]]);
  expect(result.text).toContain("Is the Moon drifting away?");
  expect(runtime.mobpack.skills.map((s) => s.name)).toEqual(["research"]);
});

test("the README's Worker mobpack example", async () => {
  const mobpackBytes = pack(exampleAt(proxyUrl()), acme);
  const channel = new MessageChannel();
  exposeRuntime(wasm, { endpoint: channel.port1 as never });
  const worker = channel.port2 as never;

  // ---- README: Mobpacks in a Web Worker ----
  const runtime = await connectRuntime(
    worker,
    { anthropicApiKey: "proxy", mobpackTrust: { trustedSigners: { acme: ACME_PUBLIC_KEY } } },
    { mobpack: mobpackBytes }, // transferred: mobpackBytes is empty afterwards
  );
  const mob = await runtime.createMob(runtime.mobpack.definition);
  // ---- end of the README's example ----
  cleanup.push(async () => {
    await runtime.destroy();
    channel.port1.close();
    channel.port2.close();
  });

  expect(mobpackBytes.byteLength).toBe(0);
  expect(mob.mobId).toBe("research-team");
});
