/**
 * The SDK reference's samples that apply to @rkat/web, run as written
 * (with `session` from our runtime instead of MeerkatClient, and stdout
 * captured). The wasm-runtime-docs samples run verbatim in Chromium
 * (e2e/seed.spec.ts).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  CapabilityUnavailableError,
  CONTRACT_VERSION,
  isRunCompleted,
  isRunFailed,
  isTextComplete,
  isTextDelta,
  isToolCallRequested,
  isTurnCompleted,
  MeerkatError,
  type MeerkatRuntime,
  type Session,
} from "@rkat/web";
import { simRuntime } from "./support/runtime.js";

let runtime: MeerkatRuntime;
let session: Session;
let out = "";
const process = { stdout: { write: (s: string) => void (out += s) } };
const logged: unknown[][] = [];
const console = { log: (...args: unknown[]) => logged.push(args), error: (...args: unknown[]) => logged.push(args) };

beforeAll(async () => {
  runtime = await simRuntime();
  session = runtime.createSession();
});
afterAll(() => runtime.destroy());

test("Iterating", async () => {
  out = "";
  const stream = session.stream("Summarise this");
  for await (const event of stream) {
    if (event.type === "text_delta") {
      process.stdout.write(event.delta);
    }
  }
  const result = stream.result;
  expect(out).toBe(result.text);
});

test("collect() and collectText()", async () => {
  const stream = session.stream("Summarise this");
  const result = await stream.collect();
  expect(result.turns).toBe(1);

  const [fullText, result2] = await session.stream("Summarise that").collectText();
  console.log(fullText);
  console.log("Output tokens:", result2.usage.outputTokens);
  expect(logged.at(-1)).toEqual(["Output tokens:", result2.usage.outputTokens]);
});

test("Type guard utilities", async () => {
  out = "";
  const seen: string[] = [];
  for await (const event of session.stream("prompt")) {
    if (isTextDelta(event)) {
      process.stdout.write(event.delta); // TypeScript knows event.delta exists
    }
    if (isTurnCompleted(event)) {
      console.log(event.stopReason, event.usage.inputTokens);
      seen.push(event.stopReason);
    }
    if (isTextComplete(event) || isToolCallRequested(event) || isRunCompleted(event) || isRunFailed(event)) {
      seen.push(event.type);
    }
  }
  expect(out).toContain("prompt");
  expect(seen).toEqual(["text_complete", "end_turn", "run_completed"]);
});

test("Error handling", async () => {
  let caught = "";
  try {
    await session.turn("Next [[sim:error=401]]");
  } catch (err) {
    if (err instanceof CapabilityUnavailableError) {
      console.error("Missing capability:", err.message, err.capabilityHint);
    } else if (err instanceof MeerkatError) {
      console.error(`[${err.code}] ${err.message}`);
      caught = err.code;
    }
  }
  expect(caught).toBe("PROVIDER_AUTH");
});

test("Version compatibility", () => {
  console.log(CONTRACT_VERSION); // e.g. "0.5.0"
  expect(CONTRACT_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
});
