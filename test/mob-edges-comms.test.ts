/**
 * Comms edges: requests whose requester or responder changes before the
 * answer (respawned, unwired, its mob completed), inbox overflow (one
 * limit_reached while an inbox is full, not one per refused message), and
 * the peers tool after wiring changes, on both sides of the Worker bridge.
 */
import { describe, expect, test } from "vitest";
import {
  eventsOf,
  leadAndWorker,
  memberTape,
  MODEL,
  researchTeam,
  runtimePerTest,
  SIDES,
  tapeOf,
  type AnyMob,
  type AnyRuntime,
} from "./support/mob.js";

/** The research team with a turn-driven worker (requests to it wait), lead-1 and worker-1 wired. */
function turnDrivenTeam(limits: Record<string, number> = {}) {
  return researchTeam({
    profiles: { lead: { model: MODEL }, worker: { model: MODEL, runtimeMode: "turn_driven" } },
    limits,
  });
}

describe.each(SIDES)("comms edges ($name)", (side) => {
  let runtime: AnyRuntime;
  runtimePerTest(side, (opened) => (runtime = opened));

  async function team(limits: Record<string, number> = {}): Promise<AnyMob> {
    const mob = await leadAndWorker(runtime, turnDrivenTeam(limits));
    await mob.wire("lead-1", "worker-1");
    return mob;
  }

  async function requestFromLead(mob: AnyMob): Promise<string> {
    const lead = mob.member("lead-1");
    const sent = await lead.waitForRun((await lead.send("Send a request to worker-1: what is 2+2?")).runId);
    const id = /\((\S+)\)/.exec(sent.text)?.[1];
    expect(id, sent.text).toBeDefined();
    return id as string;
  }

  test("a request whose peers are unwired before it is answered fails at once with interaction_failed", async () => {
    const mob = await team();
    const leadEvents = await memberTape(mob, "lead-1");
    const requestId = await requestFromLead(mob);
    await mob.unwire("lead-1", "worker-1");
    // Not after requestTimeoutMs (120 s): no response can reach lead-1 now.
    await leadEvents.until((events) => events.some((e) => e.type === "interaction_failed"));
    const failed = leadEvents.items.filter((e) => e.type === "interaction_failed");
    expect(failed).toEqual([
      expect.objectContaining({ interactionId: requestId, error: expect.stringContaining("worker-1 was unwired") }),
    ]);
    // The worker's answer is refused, and nothing more reaches lead-1.
    const worker = mob.member("worker-1");
    const answer = await worker.waitForRun((await worker.send("What is in your inbox?")).runId);
    expect(answer.text).toMatch(/PEER_NOT_WIRED/);
    leadEvents.read();
    expect(leadEvents.items.filter((e) => e.type === "interaction_complete")).toEqual([]);
  });

  test("a cross-mob request fails at once when the responder's mob completes", async () => {
    const make = (id: string, runtimeMode?: "turn_driven") =>
      runtime.createMob({ id, orchestrator: { profile: "envoy" }, profiles: { envoy: { model: MODEL, runtimeMode } } });
    const north = await make("north");
    const south = await make("south", "turn_driven");
    await north.spawn([{ profile: "envoy", agent_identity: "an" }]);
    await south.spawn([{ profile: "envoy", agent_identity: "as" }]);
    await runtime.wireCrossMob("north", "an", "south", "as");
    const events = await memberTape(north, "an");
    const envoy = north.member("an");
    const sent = await envoy.waitForRun((await envoy.send("Send a request to south/as: will you trade?")).runId);
    const requestId = /\((\S+)\)/.exec(sent.text)?.[1];
    await south.complete();
    await events.until((all) => all.some((e) => e.type === "interaction_failed"));
    expect(events.items.find((e) => e.type === "interaction_failed")).toMatchObject({
      interactionId: requestId,
      error: expect.stringContaining("south/as was unwired"),
    });
  });
  test("a full inbox is one limit_reached until its member reads it, however many messages it refuses", async () => {
    const mob = await team({ maxInboxDepth: 1 });
    const tape = await tapeOf(mob);
    const lead = mob.member("lead-1");
    const tell = async (words: string) => (await lead.waitForRun((await lead.send(`Send a message to worker-1: ${words}`)).runId)).text;
    expect(await tell("first.")).toMatch(/^I sent worker-1/);
    expect(await tell("second.")).toMatch(/INBOX_FULL/);
    expect(await tell("third.")).toMatch(/INBOX_FULL/);
    tape.read();
    expect(eventsOf(tape.items, "limit_reached")).toEqual([
      expect.objectContaining({ limit: "maxInboxDepth", member: "worker-1" }),
    ]);
    // worker-1 reads its inbox (its reply wakes lead-1, which only acknowledges it).
    const worker = mob.member("worker-1");
    await worker.waitForRun((await worker.send("What is in your inbox?")).runId);
    expect((await mob.memberStatus("worker-1")).inboxDepth).toBe(0);
    expect(await tell("fourth.")).toMatch(/^I sent worker-1/);
    expect(await tell("fifth.")).toMatch(/INBOX_FULL/);
    tape.read();
    expect(eventsOf(tape.items, "limit_reached")).toHaveLength(2);
  });
});
