/**
 * A lease's secret goes to the provider and nowhere else: not in events,
 * errors (even when the provider's error body quotes it), history, session
 * lists, results, hook contexts or console output; its metadata is not
 * sent at all.
 */
import { afterEach, expect, test, vi } from "vitest";
import {
  clearExternalAuthResolver,
  HOOK_POINTS,
  MeerkatError,
  registerExternalAuthResolver,
  withAuthBinding,
  type AgentEvent,
  type AuthLease,
} from "@rkat/web";
import { resetSim, script, wasm } from "./support/runtime.js";
import { ALPHA, authRuntime, credentialOf } from "./support/auth.js";
import { weatherSchema } from "./support/features.js";

afterEach(() => {
  clearExternalAuthResolver(wasm);
  vi.restoreAllMocks();
});

test("no secret reaches events, errors, history, session info, results, hook contexts or the console", async () => {
  await resetSim();
  const seen: string[] = [];
  const keep = (value: unknown) => seen.push(typeof value === "string" ? value : JSON.stringify(value, bigints));
  for (const method of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void args.forEach(keep));
  }
  // Behind a gateway that quotes the refused key in its error bodies.
  const { runtime, sent } = await authRuntime({}, { echoKey: true });
  const issued: string[] = [];
  let malformed = false;
  registerExternalAuthResolver(wasm, (): AuthLease => {
    const secret = `tok-SECRET-${issued.length + 1}-${Math.random().toString(36).slice(2)}`;
    issued.push(secret);
    // A resolver that mixes up its fields: the secret lands where messages could quote it.
    if (malformed) return { kind: "inline_secret", secret: "", expires_at: secret, metadata: { note: secret } };
    return { kind: "inline_secret", secret, metadata: { account_id: "meta-MARKER" }, expires_at: Date.now() + 3_600_000 };
  });
  for (const point of HOOK_POINTS) runtime.registerHook(point, (ctx) => void keep(ctx));
  runtime.registerTool("get_weather", "Get the current weather for a city.", weatherSchema, () => "18 °C");

  const session = runtime.createSession(withAuthBinding(ALPHA));
  // A turn with a tool call whose first request is refused (401): two leases.
  await script("error=401");
  keep(await session.turn("What's the weather in Paris?"));
  // A streamed turn.
  const stream = session.stream("Tell me more");
  for await (const event of stream) keep(event);
  keep(stream.result);
  // A final 401, then a malformed lease: two failed runs.
  await script("error=401", "error=401");
  const failures: MeerkatError[] = [];
  await session.turn("again").catch((e: MeerkatError) => failures.push(e));
  malformed = true;
  await session.turn("and again").catch((e: MeerkatError) => failures.push(e));
  expect(failures.map((e) => e.code)).toEqual(["PROVIDER_AUTH", "AUTH_LEASE_INVALID"]);
  for (const error of failures) keep({ message: error.message, details: error.details, stack: error.stack });

  const events: AgentEvent[] = session.pollEvents();
  keep(events);
  keep(await session.history());
  keep(runtime.listSessions());
  keep([session.text, session.usage, session.lastResult]);

  // The secrets did reach the provider (the test is not vacuous)...
  const used = sent.map(credentialOf);
  // (the last lease issued is the malformed one, never sent)
  expect(issued).toHaveLength(4);
  expect(used).toEqual(expect.arrayContaining(issued.slice(0, 3)));
  expect(events.some((e) => e.type === "run_failed")).toBe(true);
  expect(seen.some((text) => text.includes('"point":"pre_llm_request"'))).toBe(true);
  // ...and nowhere else. Metadata is never sent.
  const everything = seen.join("\n");
  for (const secret of issued) expect(everything).not.toContain(secret);
  expect(everything).not.toContain("tok-SECRET");
  expect(JSON.stringify(sent)).not.toContain("meta-MARKER");
  runtime.destroy();
});

function bigints(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? String(value) : value;
}
