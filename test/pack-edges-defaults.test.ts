/**
 * A pack's config/defaults.toml holding values the runtime config refuses
 * (a base URL with no host or with spaces, a model name with spaces): the
 * pack is at fault, so inspecting and opening it refuse it as
 * INVALID_MOBPACK naming the file, not INVALID_CONFIG (which blames the
 * caller's config) and not only once a runtime is being made.
 */
import { afterEach, expect, test } from "vitest";
import { MeerkatError, MeerkatRuntime } from "@rkat/web";
import { wasm } from "./support/runtime.js";
import { exampleFiles, pack } from "./support/pack.js";

const open: MeerkatRuntime[] = [];
afterEach(() => {
  for (const runtime of open.splice(0)) runtime.destroy();
});

async function refusal(promise: Promise<unknown>): Promise<MeerkatError> {
  try {
    open.push((await promise) as MeerkatRuntime);
  } catch (error) {
    expect(error).toBeInstanceOf(MeerkatError);
    return error as MeerkatError;
  }
  throw new Error("expected a refusal");
}

const withDefaults = (defaults: string) => pack({ ...exampleFiles(), "config/defaults.toml": defaults });

test.each([
  ['anthropicBaseUrl = "http://"\n', "anthropicBaseUrl"],
  ['openai_base_url = "http://proxy host/openai"\n', "openai_base_url"],
  ['model = "claude sonnet"\n', "model"],
])("defaults %j: inspect and open refuse the pack naming the key", async (defaults, key) => {
  const bytes = withDefaults(defaults);
  for (const error of [
    await refusal(MeerkatRuntime.inspectMobpack(wasm, bytes)),
    await refusal(MeerkatRuntime.initFromMobpack(wasm, bytes, { mobpackTrust: { policy: "permissive" } })),
  ]) {
    expect(error.code).toBe("INVALID_MOBPACK");
    expect(error.message).toContain("config/defaults.toml");
    expect(error.message).toContain(key);
  }
});
