/**
 * A run's timers beyond what a platform timer can wait (2^31 - 1 ms,
 * about 24.8 days): a `budget.durationMs` of 35 days is valid, and its
 * deadline must not be set as a timer the platform fires at once (Node
 * warns, browsers fire after 0 ms, and the core re-armed it for the
 * rest: a timer every millisecond for the whole run). Main thread and
 * Worker.
 */
import { afterEach, describe, expect, test } from "vitest";
import { resetSim, simRuntime, workerPair } from "./support/runtime.js";
import { gate, weatherSchema } from "./support/features.js";

const THIRTY_FIVE_DAYS = 35 * 24 * 60 * 60 * 1000;

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const done of cleanup) await done();
  cleanup = [];
});

/** The TimeoutOverflowWarnings Node emits while `run` runs. */
async function overflowWarnings(run: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listen = (warning: Error) => {
    if (warning.name === "TimeoutOverflowWarning") seen.push(warning.message);
  };
  process.on("warning", listen);
  try {
    await run();
    // Warnings are emitted on the next tick after the timer was set.
    await new Promise<void>((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", listen);
  }
  return seen;
}

interface Opened {
  registerTool(name: string, description: string, schema: object, handler: () => Promise<string>): unknown;
  createSession(config: object): unknown;
}

const sides = [
  {
    name: "main thread",
    open: async (): Promise<Opened> => {
      const runtime = await simRuntime();
      cleanup.push(async () => runtime.destroy());
      return runtime as never;
    },
  },
  {
    name: "Worker",
    open: async (): Promise<Opened> => {
      const { runtime, close } = await workerPair();
      cleanup.push(close);
      return runtime as never;
    },
  },
];

for (const side of sides) {
  describe(side.name, () => {
    test("a 35-day duration budget sets no timer the platform cuts short; the run ends normally", async () => {
      await resetSim();
      const runtime = await side.open();
      const inTool = gate();
      const release = gate<string>();
      await runtime.registerTool("get_weather", "Weather for a city", weatherSchema, () => {
        inTool.resolve();
        return release.promise;
      });
      const session = (await runtime.createSession({ budget: { durationMs: THIRTY_FIVE_DAYS } })) as {
        turn(prompt: string): Promise<{ text: string; toolCalls: number }>;
      };
      let result: { text: string; toolCalls: number } | undefined;
      const warnings = await overflowWarnings(async () => {
        const turn = session.turn("What is the weather in Oslo?");
        // The run waits on the tool with its deadline timer set.
        await inTool.promise;
        release.resolve("sunny");
        result = await turn;
      });
      expect(warnings).toEqual([]);
      expect(result).toMatchObject({ text: "get_weather returned: sunny.", toolCalls: 1 });
    });
  });
}
