/**
 * Mobs whose members run on every provider (OpenAI Chat Completions, OpenAI
 * Responses, Gemini 2.5 and 3), alone and beside a Claude lead, against the
 * simulator: the same comms round trips, refusals, JSON flow steps and
 * cross-mob traffic as on Anthropic, with the same answers. What differs
 * only by the provider's nature (OpenAI has no error flag, so a refusal
 * reads "Error: ...") is allowed for. On both sides of the Worker bridge.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { MobDefinition, MobFlowStatus, MobProfile } from "@rkat/web";
import { allProvidersConfig, resetSim } from "./support/runtime.js";
import { until } from "./support/features.js";
import { eventsOf, memberTape, replies, runsEnded, SIDES, tapeOf, type AnyMob, type AnyRuntime } from "./support/mob.js";

const CLAUDE: MobProfile = { model: "claude-sonnet-4-6" };
const PROVIDERS: Array<[string, MobProfile]> = [
  ["OpenAI Chat", { model: "gpt-4.1" }],
  ["OpenAI Responses", { model: "gpt-4.1", openaiApi: "responses" }],
  ["Gemini 2.5", { model: "gemini-2.5-flash" }],
  ["Gemini 3", { model: "gemini-3-pro-preview" }],
];
const FACTS = {
  type: "object",
  properties: { facts: { type: "array", items: { type: "string" } } },
  required: ["facts"],
  additionalProperties: false,
};
/** A refusal's tool result as the model reads it: OpenAI's APIs have no error flag. */
const REFUSED = /^I could not send worker-2 the message: (Error: )?PEER_NOT_WIRED: /;

async function settled(mob: AnyMob, runId: string): Promise<MobFlowStatus> {
  return until(async () => {
    const s = await mob.flowStatus(runId);
    return s.status === "completed" || s.status === "failed" ? s : undefined;
  });
}

const CASES = SIDES.flatMap((side) => PROVIDERS.map(([name, profile]) => ({ side, name, profile })));

describe.each(CASES)("a mob on $name ($side.name)", ({ side, profile }) => {
  let runtime: AnyRuntime;
  let close: () => Promise<void>;
  beforeEach(async () => {
    await resetSim();
    ({ runtime, close } = await side.open(allProvidersConfig()));
  });
  afterEach(() => close());

  /** lead-1 and worker-1 (`lead` and `worker` profiles), wired by the orchestrator. */
  async function team(lead: MobProfile, worker: MobProfile, extra: Partial<MobDefinition> = {}): Promise<AnyMob> {
    const mob = await runtime.createMob({
      id: "team",
      orchestrator: { profile: "lead" },
      profiles: { lead: { ...lead, peerDescription: "Leads." }, worker: { ...worker, peerDescription: "Works." } },
      ...extra,
    });
    await mob.spawn([
      { profile: "lead", agent_identity: "lead-1" },
      { profile: "worker", agent_identity: "worker-1" },
    ]);
    return mob;
  }

  for (const [shape, lead] of [
    ["all members", profile],
    ["a Claude lead", CLAUDE],
  ] as const) {
    test(`${shape}: a message and its reply, a request and its response`, async () => {
      const mob = await team(lead, profile);
      const tape = await tapeOf(mob);
      const leadEvents = await memberTape(mob, "lead-1");
      const leader = mob.member("lead-1");
      const sent = await leader.waitForRun((await leader.send("Send a message to worker-1: start the survey.")).runId);
      expect(sent.text).toBe("I sent worker-1 a message: Start the survey.");
      await runsEnded(tape, "worker-1", 1);
      await runsEnded(tape, "lead-1", 2);
      expect(replies(tape.items, "worker-1")).toEqual(["I replied to lead-1."]);
      expect(replies(tape.items, "lead-1")[1]).toBe('worker-1 replied: Re: received "Start the survey", thanks.');

      const asked = await leader.waitForRun((await leader.send("Send a request to worker-1: what is 2+2?")).runId);
      const requestId = /^I sent worker-1 a request \((\S+)\): What is 2\+2\?$/.exec(asked.text)?.[1];
      expect(requestId, asked.text).toBeDefined();
      await runsEnded(tape, "lead-1", 4);
      expect(replies(tape.items, "lead-1")[3]).toBe(`worker-1 answered ${requestId}: Answer to "What is 2+2": done.`);
      await leadEvents.until((events) => events.some((e) => e.type === "interaction_complete"));
      expect(eventsOf(tape.items, "run_failed")).toEqual([]);
    });
  }

  test("peers looked up by description; an unwired peer is refused as a tool result", async () => {
    const mob = await team(profile, profile);
    await mob.spawn([{ profile: "worker", agent_identity: "worker-2" }]);
    const lead = mob.member("lead-1");
    const found = await lead.waitForRun((await lead.send("Send a message to the research worker: begin.")).runId);
    expect(found.text).toBe("I sent worker-1 a message: Begin.");
    const worker = mob.member("worker-1");
    const refused = await worker.waitForRun((await worker.send("Send a message to worker-2: hello.")).runId);
    expect(refused.text).toMatch(REFUSED);
  });

  test('an outputFormat "json" step completes with the parsed document, with and without a schema', async () => {
    const mob = await team({ ...profile, outputSchema: FACTS }, profile, {
      flows: {
        schema: { steps: [{ id: "facts", role: "lead", message: "Facts about {{params.topic}}.", outputFormat: "json" }] },
        free: { steps: [{ id: "facts", role: "worker", message: "Facts about {{params.topic}}.", outputFormat: "json" }] },
      },
    });
    const withSchema = await settled(mob, await mob.runFlow("schema", { topic: "owls" }));
    expect(withSchema.status).toBe("completed");
    expect(withSchema.steps[0]?.output).toEqual({ facts: [expect.any(String)] });
    const free = await settled(mob, await mob.runFlow("free", { topic: "owls" }));
    expect(free.status).toBe("completed");
  });

  test('a JSON step whose profile schema is a list gets the list (OpenAI is sent it wrapped, answers come back bare)', async () => {
    const LIST = { type: "array", items: { type: "string" } };
    const mob = await team({ ...profile, outputSchema: LIST }, profile, {
      flows: { list: { steps: [{ id: "names", role: "lead", message: "Names of {{params.topic}}.", outputFormat: "json" }] } },
    });
    const status = await settled(mob, await mob.runFlow("list", { topic: "owls" }));
    expect(status.status).toBe("completed");
    expect(status.steps[0]?.output).toEqual([expect.any(String)]);
  });

  test("cross-mob: a member on this provider and a Claude ambassador trade a message and a request", async () => {
    const make = (id: string, envoy: MobProfile) => runtime.createMob({ id, orchestrator: { profile: "envoy" }, profiles: { envoy } });
    const north = await make("north", CLAUDE);
    const south = await make("south", profile);
    await north.spawn([{ profile: "envoy", agent_identity: "ambassador-north" }]);
    await south.spawn([{ profile: "envoy", agent_identity: "ambassador-south" }]);
    const northTape = await tapeOf(north);
    const southTape = await tapeOf(south);
    await runtime.wireCrossMob("north", "ambassador-north", "south", "ambassador-south");
    const envoy = south.member("ambassador-south");
    const sent = await envoy.waitForRun(
      (await envoy.send("Send a message to the north faction proposing an alliance on the eastern front.")).runId,
    );
    expect(sent.text).toBe("I sent north/ambassador-north a message: An alliance on the eastern front.");
    await runsEnded(northTape, "ambassador-north", 1);
    await runsEnded(southTape, "ambassador-south", 2);
    expect(replies(southTape.items, "ambassador-south")[1]).toBe(
      'north/ambassador-north replied: Re: received "An alliance on the eastern front", thanks.',
    );
    const asked = await envoy.waitForRun((await envoy.send("Send a request to north/ambassador-north: will you trade grain?")).runId);
    expect(asked.text).toMatch(/^I sent north\/ambassador-north a request \(\S+\): Will you trade grain\?$/);
    await runsEnded(southTape, "ambassador-south", 4);
    expect(replies(southTape.items, "ambassador-south")[3]).toMatch(/^north\/ambassador-north answered \S+: Answer to "Will you trade grain": done\.$/);
    expect(eventsOf(southTape.items, "run_failed")).toEqual([]);
  });

  test("a compacting member reads a peer's message after its summary as the peer's, not as its own context", async () => {
    const mob = await team(CLAUDE, { ...profile, compaction: { thresholdTokens: 1, keepRecentTurns: 1 } });
    const tape = await tapeOf(mob);
    const worker = mob.member("worker-1");
    await worker.waitForRun((await worker.send("My name is Ada.")).runId);
    // Its next run is compacted: the summary and lead-1's message reach the model as one user turn.
    const lead = mob.member("lead-1");
    await lead.waitForRun((await lead.send("Send a message to worker-1: start the survey.")).runId);
    await runsEnded(tape, "worker-1", 2);
    expect(eventsOf(tape.items, "compaction_completed", "worker-1")).toHaveLength(1);
    expect(replies(tape.items, "worker-1")[1]).toBe("I replied to lead-1.");
  });
});
