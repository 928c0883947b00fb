/**
 * The mob samples of the WASM runtime docs ("Mob lifecycle in browser",
 * "Subscribe to member events", "Cross-mob comms"), run as written on the
 * main thread and through the Worker client, then checked.
 */
import { describe, expect, test } from "vitest";

import { eventsOf, MODEL, SIDES, tapeOf, type AnyMob, type AnyRuntime, runtimePerTest } from "./support/mob.js";

describe.each(SIDES)("seed samples ($name)", (side) => {
  let runtime: AnyRuntime;
  const logged: unknown[][] = [];
  const console = { log: (...args: unknown[]) => logged.push(args) };
  runtimePerTest(side, (opened) => {
    runtime = opened;
    logged.length = 0;
  });

  test("Mob lifecycle in browser, then Subscribe to member events", async () => {
    // ---- sample: Mob lifecycle in browser ----
    // Create mob from definition
    const mob = await runtime.createMob({
      id: "research-team",
      orchestrator: { profile: "lead" },
      profiles: {
        lead: { model: "claude-sonnet-4-6" },
        worker: { model: "claude-sonnet-4-6" },
      },
    });

    // Spawn members
    await mob.spawn([
      { profile: "lead", agent_identity: "lead-1" },
      { profile: "worker", agent_identity: "worker-1" },
    ]);

    // Wire peers
    await mob.wire("lead-1", "worker-1");

    // Inspect runtime state
    const members = await mob.listMembers();
    const leadStatus = await mob.memberStatus("lead-1");
    // ---- end of sample ----

    expect(mob.mobId).toBe("research-team");
    expect(members.map((m) => [m.agentIdentity, m.role, m.status, m.runtimeMode])).toEqual([
      ["lead-1", "lead", "idle", "autonomous_host"],
      ["worker-1", "worker", "idle", "autonomous_host"],
    ]);
    expect(members.find((m) => m.agentIdentity === "lead-1")?.wiredTo).toContain("worker-1");
    expect(members.find((m) => m.agentIdentity === "worker-1")?.wiredTo).toContain("lead-1");
    for (const m of members) expect(m.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(leadStatus).toMatchObject({ agentIdentity: "lead-1", status: "idle", turns: 0, toolCalls: 0, inboxDepth: 0 });
    expect(leadStatus.sessionId).toBe(members[0]?.sessionId);

    // ---- sample: Subscribe to member events ----
    const sub = await mob.subscribeMemberEvents("lead-1");

    for (const event of sub.poll()) {
      console.log(event.type, event);
    }

    sub.close();
    // ---- end of sample ----

    for (const [type, event] of logged) expect(type).toBe((event as { type: string }).type);
    expect(sub.isClosed).toBe(true);
    expect(() => sub.poll()).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  test("Cross-mob comms", async () => {
    const ambassadors = (id: string, faction: string) =>
      runtime.createMob({
        id,
        orchestrator: { profile: "ambassador" },
        profiles: { ambassador: { model: MODEL, peerDescription: `Speaks for the ${faction} faction.` } },
      });
    const northMob: AnyMob = await ambassadors("north", "north");
    const southMob: AnyMob = await ambassadors("south", "south");
    await northMob.spawn([{ profile: "ambassador", agent_identity: "ambassador-north" }]);
    await southMob.spawn([{ profile: "ambassador", agent_identity: "ambassador-south" }]);
    const north = await tapeOf(northMob);
    const south = await tapeOf(southMob);

    // ---- sample: Cross-mob comms ----
    // Wire ambassadors between two mobs
    await runtime.wireCrossMob(
      northMob.mobId,
      "ambassador-north",
      southMob.mobId,
      "ambassador-south",
    );

    // Send work to a member through the canonical member path
    await northMob
      .member("ambassador-north")
      .send("Send a message to the south faction proposing an alliance on the eastern front.");
    // ---- end of sample ----

    const [northMember] = await northMob.listMembers();
    expect(northMember?.wiredTo).toEqual(["south/ambassador-south"]);
    const [southMember] = await southMob.listMembers();
    expect(southMember?.wiredTo).toEqual(["north/ambassador-north"]);

    // The south ambassador hears the proposal, replies, and the north one
    // acknowledges the reply: two runs in the north, one in the south.
    await south.until((items) => eventsOf(items, "run_completed", "ambassador-south").length >= 1);
    await north.until((items) => eventsOf(items, "run_completed", "ambassador-north").length >= 2);

    const heard = eventsOf(south.items, "message_received", "ambassador-south");
    expect(heard[0]).toMatchObject({ from: "north/ambassador-north", kind: "message" });
    expect(heard[0]?.bytes).toBeGreaterThan(0);
    const [sent, acknowledged] = eventsOf(north.items, "run_completed", "ambassador-north").map((e) => e.result);
    expect(sent).toBe("I sent south/ambassador-south a message: An alliance on the eastern front.");
    expect(acknowledged).toBe('south/ambassador-south replied: Re: received "An alliance on the eastern front", thanks.');
    expect(eventsOf(south.items, "run_completed", "ambassador-south")[0]?.result).toBe("I replied to north/ambassador-north.");

    const southHistory = await southMob.member("ambassador-south").history();
    expect(JSON.stringify(southHistory[0])).toContain(
      "[message from north/ambassador-north (ambassador)]: An alliance on the eastern front.",
    );
  });
});
