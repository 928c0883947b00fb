/**
 * The README's "Real provider keys: the proxy" page-side example, run as
 * written against the suite's proxy (without keys: the simulated provider;
 * only its address differs). The proxy's forwarding, key injection and
 * origin rules are test/proxy/'s.
 */
import { expect, test } from "vitest";
import { MeerkatRuntime } from "@rkat/web";
import { proxyUrl, resetSim, wasm } from "./support/runtime.js";

test("Real provider keys: the page gives the proxy a dummy key", async () => {
  await resetSim();
  const base = proxyUrl();
  // ---- README: Real provider keys ----
  const runtime = await MeerkatRuntime.init(wasm, {
    anthropicApiKey: "proxy",                          // replaced server-side
    anthropicBaseUrl: `${base}/anthropic`,
    model: "claude-sonnet-4-6",
  });
  // ---- end ----
  expect((await runtime.createSession().turn("Hello")).text).toContain("Hello");
  runtime.destroy();
});
