/**
 * Comms between members, on both sides of the Worker bridge: a message and
 * its reply, a request and its response, refusals the model can read,
 * request time-outs, delivery modes, storm limits and cross-mob wiring. The
 * simulated provider uses the comms tools when a prompt tells it to talk to
 * a peer, and answers peers briefly, so every conversation ends.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { simRequests, simRuntime } from "./support/runtime.js";
import { until } from "./support/features.js";
import { startPingPong, type PingPong } from "./support/pingpong.js";
import { eventsOf, memberTape, MODEL, replies, researchTeam, runsEnded, SIDES, tapeOf, type AnyMob, type AnyRuntime, runtimePerTest, leadAndWorker } from "./support/mob.js";

describe.each(SIDES)("comms ($name)", (side) => {
  let runtime: AnyRuntime;
  runtimePerTest(side, (opened) => (runtime = opened));

  /** The research team with lead-1 and worker-1 wired. */
  async function team(extra: Parameters<typeof researchTeam>[0] = {}): Promise<AnyMob> {
    const mob = await leadAndWorker(runtime, researchTeam(extra));
    await mob.wire("lead-1", "worker-1");
    return mob;
  }

  test("a message and its reply: each side sees the other's words as attributed context", async () => {
    const mob = await team();
    const tape = await tapeOf(mob);
    const lead = mob.member("lead-1");

    const { runId } = await lead.send("Send a message to worker-1: start the survey.");
    expect(runId).toEqual(expect.any(Number));
    const result = await lead.waitForRun(runId);
    expect(result.text).toBe("I sent worker-1 a message: Start the survey.");
    expect(result.toolCalls).toBe(1);

    // worker-1 wakes (autonomous), replies "Re: ..."; lead-1 wakes and only acknowledges.
    await runsEnded(tape, "worker-1", 1);
    await runsEnded(tape, "lead-1", 2);
    expect(replies(tape.items, "worker-1")).toEqual(["I replied to lead-1."]);
    expect(replies(tape.items, "lead-1")[1]).toBe('worker-1 replied: Re: received "Start the survey", thanks.');

    const delivered = eventsOf(tape.items, "message_delivered");
    expect(delivered.map((d) => [d.from, d.to, d.kind])).toEqual([
      ["lead-1", "worker-1", "message"],
      ["worker-1", "lead-1", "message"],
    ]);
    for (const d of delivered) {
      expect(d.bytes).toBeGreaterThan(0);
      expect(JSON.stringify(d)).not.toContain("survey"); // sizes, never bodies
    }
    expect(eventsOf(tape.items, "message_received", "worker-1")).toEqual([
      expect.objectContaining({ from: "lead-1", kind: "message", bytes: delivered[0]?.bytes }),
    ]);

    const workerHistory = await mob.member("worker-1").history();
    expect(JSON.stringify(workerHistory[0])).toContain("[message from lead-1 (lead)]: Start the survey.");
    const leadHistory = await lead.history();
    expect(JSON.stringify(leadHistory)).toContain('[message from worker-1 (worker)]: Re: received \\"Start the survey\\", thanks.');

    // Items are attributed and ordered.
    const seqs = tape.items.map((i) => i.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    for (const item of tape.items) {
      expect(item.timestampMs).toEqual(expect.any(Number));
      if (item.member === "lead-1") expect(item.role).toBe("lead");
      if (item.member === "worker-1") expect(item.role).toBe("worker");
    }
  });

  test("a request and its response: the requester gets interaction_complete", async () => {
    const mob = await team();
    const tape = await tapeOf(mob);
    const leadEvents = await memberTape(mob, "lead-1");
    const lead = mob.member("lead-1");

    const result = await lead.waitForRun((await lead.send("Send a request to worker-1: what is 2+2?")).runId);
    const match = /^I sent worker-1 a request \((\S+)\): What is 2\+2\?$/.exec(result.text);
    expect(match, result.text).not.toBeNull();
    const requestId = match?.[1] as string;

    await runsEnded(tape, "worker-1", 1);
    await runsEnded(tape, "lead-1", 2);
    expect(replies(tape.items, "worker-1")).toEqual([`I answered lead-1's request ${requestId}.`]);
    expect(replies(tape.items, "lead-1")[1]).toBe(`worker-1 answered ${requestId}: Answer to "What is 2+2": done.`);

    expect(eventsOf(tape.items, "message_delivered").map((d) => [d.from, d.to, d.kind])).toEqual([
      ["lead-1", "worker-1", "request"],
      ["worker-1", "lead-1", "response"],
    ]);
    await leadEvents.until((events) => events.some((e) => e.type === "interaction_complete"));
    const complete = leadEvents.items.filter((e) => e.type === "interaction_complete");
    expect(complete).toEqual([
      expect.objectContaining({ interactionId: requestId, result: 'Answer to "What is 2+2": done.', seq: expect.any(Number) }),
    ]);
    const workerHistory = JSON.stringify(await mob.member("worker-1").history());
    expect(workerHistory).toContain(`[request ${requestId} from lead-1 (lead)]: What is 2+2?`);
  });

  test("an unanswered request fails with interaction_failed after requestTimeoutMs", async () => {
    const mob = await runtime.createMob(
      researchTeam({
        profiles: {
          lead: { model: MODEL },
          worker: { model: MODEL, runtimeMode: "turn_driven" },
        },
        limits: { requestTimeoutMs: 50 },
      }),
    );
    await mob.spawn([
      { profile: "lead", agent_identity: "lead-1" },
      { profile: "worker", agent_identity: "worker-1" },
    ]);
    await mob.wire("lead-1", "worker-1");
    const leadEvents = await memberTape(mob, "lead-1");
    const lead = mob.member("lead-1");
    await lead.waitForRun((await lead.send("Send a request to worker-1: what is 2+2?")).runId);

    // worker-1 is turn-driven: the request waits in its inbox, unanswered.
    expect((await mob.memberStatus("worker-1")).inboxDepth).toBe(1);
    await leadEvents.until((events) => events.some((e) => e.type === "interaction_failed"));
    const failed = leadEvents.items.find((e) => e.type === "interaction_failed");
    expect(failed).toMatchObject({ interactionId: expect.stringMatching(/\S/), error: expect.stringMatching(/\S/) });
    expect((await mob.listMembers()).find((m) => m.agentIdentity === "worker-1")?.runtimeMode).toBe("turn_driven");
  });

  test("peers that are not wired, unknown, or the sender itself are refused as tool results", async () => {
    const mob = await team();
    await mob.spawn([{ profile: "worker", agent_identity: "worker-2" }]);
    const tape = await tapeOf(mob);
    const worker = mob.member("worker-1");

    const unwired = await worker.waitForRun((await worker.send("Send a message to worker-2: hello.")).runId);
    expect(unwired.text).toMatch(/^I could not send worker-2 the message: PEER_NOT_WIRED: /);
    const unknown = await worker.waitForRun((await worker.send("Send a message to worker-9: hello.")).runId);
    expect(unknown.text).toMatch(/^I could not send worker-9 the message: [A-Z_]+: /);
    const self = await worker.waitForRun((await worker.send("Send a message to worker-1: hello.")).runId);
    expect(self.text).toMatch(/^I could not send worker-1 the message: [A-Z_]+: /);

    tape.read();
    expect(eventsOf(tape.items, "message_delivered")).toEqual([]);
    expect((await mob.memberStatus("worker-2")).inboxDepth).toBe(0);

    // Unwired after being wired: refused again.
    await mob.unwire("lead-1", "worker-1");
    expect((await mob.listMembers()).find((m) => m.agentIdentity === "lead-1")?.wiredTo).toEqual(["worker-2"]);
    const lead = mob.member("lead-1");
    const after = await lead.waitForRun((await lead.send("Send a message to worker-1: are you there?")).runId);
    expect(after.text).toMatch(/^I could not send worker-1 the message: PEER_NOT_WIRED: /);
  });

  test("the peers tool lists the wired peers with role, mob and description", async () => {
    const mob = await team();
    const lead = mob.member("lead-1");
    // No name in the prompt: the model looks its peers up first.
    const result = await lead.waitForRun((await lead.send("Send a message to the research worker: begin.")).runId);
    expect(result.text).toBe("I sent worker-1 a message: Begin.");
    const history = await lead.history();
    const peersResult = JSON.stringify(history).match(/\[\{\\"name\\":\\"worker-1\\"[^\]]*\]/)?.[0] ?? "";
    const peers = JSON.parse(JSON.parse(`"${peersResult}"`) as string) as unknown[];
    expect(peers).toEqual([{ name: "worker-1", mob: "research-team", role: "worker", description: "Does the research." }]);
  });

  test("turn-driven members wait for send; queue delivers at the next turn", async () => {
    const mob = await runtime.createMob(
      researchTeam({ profiles: { lead: { model: MODEL }, worker: { model: MODEL, runtime_mode: "turn_driven" } } }),
    );
    await mob.spawn([
      { profile: "lead", agent_identity: "lead-1" },
      { profile: "worker", agent_identity: "worker-1" },
    ]);
    await mob.wire("lead-1", "worker-1");
    const tape = await tapeOf(mob);
    const lead = mob.member("lead-1");
    await lead.waitForRun((await lead.send("Send a message to worker-1: collect the data.")).runId);

    const waiting = await mob.memberStatus("worker-1");
    expect(waiting).toMatchObject({ status: "idle", inboxDepth: 1, turns: 0 });

    const worker = mob.member("worker-1");
    const sent = await worker.send("What is in your inbox?", { handlingMode: "queue" });
    const answer = await worker.waitForRun(sent.runId);
    expect(answer.text).toBe("I replied to lead-1.");
    const history = JSON.stringify(await worker.history());
    expect(history).toContain("[message from lead-1 (lead)]: Collect the data.");
    expect(history).toContain("What is in your inbox?");
    expect((await worker.status()).inboxDepth).toBe(0);
    await runsEnded(tape, "lead-1", 2); // lead-1 acknowledges the reply
  });

  test("steer joins the running turn after its tool call, never inside it; queue runs after", async () => {
    let entered!: () => void;
    const inTool = new Promise<void>((resolve) => (entered = resolve));
    let release!: (value: string) => void;
    await runtime.registerTool("gate", "Waits at the gate.", { type: "object", properties: {} }, () => {
      entered();
      return new Promise<string>((resolve) => (release = resolve));
    });
    const mob = await team({
      profiles: { lead: { model: MODEL }, worker: { model: MODEL, tools: { host: ["gate"] } } },
    });
    const worker = mob.member("worker-1");
    const first = await worker.send("Use the gate tool.");
    await inTool;
    const steered = await worker.send("Also consider the budget.", { handlingMode: "steer" });
    expect(steered.runId).toBe(first.runId);
    const queued = await worker.send("Then summarise.", { handlingMode: "queue" });
    expect(queued.runId).not.toBe(first.runId);
    // Nothing reached the provider while the tool ran.
    expect((await simRequests()).some((r) => JSON.stringify(r.body).includes("consider the budget"))).toBe(false);
    release("open");
    const done = await worker.waitForRun(first.runId);
    expect(done.text).toContain("Also consider the budget.");
    // The steered words went out with the tool's result, in the same run.
    const carrying = (await simRequests()).filter((r) => JSON.stringify(r.body).includes("consider the budget"));
    expect(JSON.stringify(carrying[0]?.body)).toContain("open");
    const next = await worker.waitForRun(queued.runId);
    expect(next.text).toContain("Then summarise.");
  });

  test("cross-mob: wired members see each other as <mob>/<identity>, unwired they cannot talk", async () => {
    const make = (id: string) =>
      runtime.createMob({ id, orchestrator: { profile: "envoy" }, profiles: { envoy: { model: MODEL } } });
    const north = await make("north");
    const south = await make("south");
    await north.spawn([{ profile: "envoy", agent_identity: "ambassador-north" }]);
    await south.spawn([{ profile: "envoy", agent_identity: "ambassador-south" }]);
    const southTape = await tapeOf(south);
    await runtime.wireCrossMob("north", "ambassador-north", "south", "ambassador-south");

    const envoy = north.member("ambassador-north");
    const sent = await envoy.waitForRun(
      (await envoy.send("Send a request to south/ambassador-south: will you trade grain?")).runId,
    );
    expect(sent.text).toMatch(/^I sent south\/ambassador-south a request \(\S+\): Will you trade grain\?$/);
    await runsEnded(southTape, "ambassador-south", 1);
    expect(eventsOf(southTape.items, "message_received", "ambassador-south")[0]).toMatchObject({
      from: "north/ambassador-north",
      kind: "request",
    });

    await runtime.unwireCrossMob("north", "ambassador-north", "south", "ambassador-south");
    expect((await north.listMembers())[0]?.wiredTo).toEqual([]);
    const refused = await envoy.waitForRun((await envoy.send("Send a message to south/ambassador-south: hello?")).runId);
    expect(refused.text).toMatch(/^I could not send south\/ambassador-south the message: PEER_NOT_WIRED: /);
  });
});

/**
 * Storms, against a model that messages its peer back every time (the
 * simulated provider answers peers briefly, so it never storms): only the
 * mob's limits can end them.
 */
describe("storms between autonomous members", () => {
  let model: PingPong;
  beforeAll(async () => {
    model = await startPingPong();
  });
  afterAll(() => model.close());

  async function stormMob(limits: { maxHops?: number; maxTurnsPerMemberPerMinute?: number }) {
    const runtime = await simRuntime({ anthropicBaseUrl: model.url });
    const mob = await runtime.createMob({
      id: "storm",
      profiles: { a: { model: MODEL } },
      wiring: { roleWiring: [{ a: "a", b: "a" }] },
      limits,
    });
    await mob.spawn([
      { profile: "a", agent_identity: "x" },
      { profile: "a", agent_identity: "y" },
    ]);
    return { runtime, mob, tape: await tapeOf(mob) };
  }

  /** Both members idle: the statuses once neither runs. */
  function settled(mob: AnyMob) {
    return until(async () => {
      const all = await Promise.all(["x", "y"].map((id) => mob.memberStatus(id)));
      return all.every((m) => m.status === "idle") ? all : undefined;
    });
  }

  test("a ping-pong ends at maxHops with limit_reached, and nothing runs after it", async () => {
    const { runtime, mob, tape } = await stormMob({ maxHops: 4 });
    try {
      const served = model.requests;
      await mob.member("x").send("ping y");
      await tape.until((all) => eventsOf(all, "limit_reached").length > 0);
      const statuses = await settled(mob);
      // Idle with empty inboxes: no run and no wake-up is left to start one.
      expect(statuses.map((m) => m.inboxDepth)).toEqual([0, 0]);
      tape.read();
      expect(eventsOf(tape.items, "limit_reached")).toEqual([expect.objectContaining({ limit: "maxHops", member: "x" })]);
      // Hops 1 to 4 were delivered (x, y, x, y sending); x's 5th was refused.
      expect(eventsOf(tape.items, "message_delivered").map((e) => e.from)).toEqual(["x", "y", "x", "y"]);
      // Five runs (x's from the host, then four wake-ups), two requests each.
      expect(model.requests - served).toBe(10);
      expect(statuses.map((m) => m.turns)).toEqual([6, 4]); // LLM turns: two per run
    } finally {
      runtime.destroy();
    }
  });

  test("the turn rate limit holds a storming member's wake-ups: its messages wait", async () => {
    const { runtime, mob, tape } = await stormMob({ maxHops: 1000, maxTurnsPerMemberPerMinute: 2 });
    try {
      await mob.member("x").send("ping y");
      await tape.until((all) => eventsOf(all, "limit_reached").length > 0);
      const statuses = await settled(mob);
      tape.read();
      const limits = eventsOf(tape.items, "limit_reached");
      expect(limits).toEqual([expect.objectContaining({ limit: "maxTurnsPerMemberPerMinute", member: "y" })]);
      // y was woken twice (its limit), x twice besides the host's run (two
      // LLM turns a run); y's third message waits in its inbox until the
      // minute has room.
      expect(statuses.map((m) => [m.turns, m.inboxDepth])).toEqual([
        [6, 0],
        [4, 1],
      ]);
      expect(eventsOf(tape.items, "message_delivered")).toHaveLength(5);
    } finally {
      runtime.destroy();
    }
  });
});

describe("blank messages", () => {
  test("a message with a blank body is refused with EMPTY_MESSAGE the model reads, and never delivered", async () => {
    const model = await startPingPong({ body: "  " });
    const runtime = await simRuntime({ anthropicBaseUrl: model.url });
    try {
      const mob = await runtime.createMob({ id: "quiet", profiles: { a: { model: MODEL } }, wiring: { roleWiring: [{ a: "a", b: "a" }] } });
      await mob.spawn([
        { profile: "a", agent_identity: "x" },
        { profile: "a", agent_identity: "y" },
      ]);
      const tape = await tapeOf(mob);
      const x = mob.member("x");
      await x.waitForRun((await x.send("ping y")).runId);
      const history = JSON.stringify(await x.history());
      expect(history).toContain("EMPTY_MESSAGE: the body is empty");
      tape.read();
      expect(eventsOf(tape.items, "message_delivered")).toEqual([]);
      expect((await mob.memberStatus("y")).inboxDepth).toBe(0);
    } finally {
      runtime.destroy();
      await model.close();
    }
  });
});

describe("steer into a run's last request", () => {
  test("the run makes one more request with the steered words: the runId send returned answers them", async () => {
    let arrived!: () => void;
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The first request is held until the steer is in; its answer has no tool call.
    const model = await startPingPong({
      hold: (text) => (text === "Tell me about owls." ? (arrived(), gate) : Promise.resolve()),
    });
    const runtime = await simRuntime({ anthropicBaseUrl: model.url });
    try {
      const mob = await runtime.createMob({ id: "m", profiles: { writer: { model: MODEL } } });
      await mob.spawn([{ profile: "writer", agent_identity: "w" }]);
      const writer = mob.member("w");
      const first = await writer.send("Tell me about owls.");
      await inFlight;
      const steered = await writer.send("Also mention bats.", { handlingMode: "steer" });
      expect(steered.runId).toBe(first.runId);
      release();
      const done = await writer.waitForRun(first.runId);
      expect(done).toMatchObject({ text: "said: Also mention bats.", turns: 2 });
      // No run of its own was left for the steered words.
      expect(await mob.memberStatus("w")).toMatchObject({ status: "idle", inboxDepth: 0, turns: 2 });
      expect(model.requests).toBe(2);
      const history = await writer.history();
      expect(history.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    } finally {
      runtime.destroy();
      await model.close();
    }
  });
});
