/**
 * Skills at their edges: sources removed while they load, documents that
 * are not UTF-8 or too large, duplicate names, refreshes that fail and
 * recover, references of every bad shape (main thread and Worker), and a
 * source removed while a run uses it. HTTP sources come from a node:http
 * server on 127.0.0.1 (support/skill-server.ts).
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { MeerkatRuntime } from "@rkat/web";
import { resetSim, simRequests, simRuntime, workerPair } from "./support/runtime.js";
import { errorOf, gate, ofType, requestsWith, systemOf, thrownBy } from "./support/features.js";
import { indexOf, server, TONE } from "./support/skill-server.js";

let runtime: MeerkatRuntime;

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime();
});
afterEach(() => runtime.destroy());

describe("a source removed while it loads", () => {
  test("the pending addSkillSource rejects with CANCELLED and nothing is added", async () => {
    const release = gate();
    const srv = await server({ "/index.json": { ...indexOf([TONE]), hold: release.promise } });
    const adding = runtime.addSkillSource({ sourceUuid: "late", url: `${srv.base}/index.json` });
    await srv.hit("/index.json");
    runtime.removeSkillSource("late");
    const error = await errorOf(adding);
    expect(error.code).toBe("CANCELLED");
    expect(error.message).toContain('"late"');
    release.resolve();
    expect(runtime.listSkillSources()).toEqual([]);
    // The id is free again.
    srv.routes["/index.json"] = indexOf([TONE]);
    expect(await runtime.addSkillSource({ sourceUuid: "late", url: `${srv.base}/index.json` })).toEqual({ sourceUuid: "late" });
  });

  test("a pending refreshSkillSource rejects with CANCELLED", async () => {
    const srv = await server({ "/index.json": indexOf([TONE]) });
    const { sourceUuid } = await runtime.addSkillSource({ url: `${srv.base}/index.json` });
    const release = gate();
    srv.routes["/index.json"] = { ...indexOf([TONE]), hold: release.promise };
    srv.hits.length = 0;
    const refreshing = runtime.refreshSkillSource(sourceUuid);
    await srv.hit("/index.json");
    runtime.removeSkillSource(sourceUuid);
    expect((await errorOf(refreshing)).code).toBe("CANCELLED");
    release.resolve();
    expect(runtime.listSkillSources()).toEqual([]);
  });
});

describe("documents an index points at", () => {
  test("one that 404s, is not UTF-8 or is too large is quarantined with its reason; the others serve", async () => {
    const srv = await server({
      "/index.json": indexOf([
        { name: "ok", description: "Works", url: "ok.md" },
        { name: "gone", url: "gone.md" },
        { name: "latin1", url: "latin1.md" },
        // 5 MiB of three-byte characters: any cut ends inside one.
        { name: "huge", url: "huge.md" },
      ]),
      "/ok.md": { body: "Be kind.", type: "text/markdown" },
      "/latin1.md": { body: Uint8Array.from([0x63, 0x61, 0x66, 0xe9]), type: "text/markdown" },
      "/huge.md": { body: "\u20ac".repeat((5 * 1024 * 1024) / 3), type: "text/markdown" },
    });
    const { sourceUuid } = await runtime.addSkillSource({ url: `${srv.base}/index.json` });
    expect(runtime.listSkillSources()[0]!.skills.map((s) => s.name)).toEqual(["ok"]);
    const result = await runtime.createSession().turn("hi", { skillRefs: [{ sourceUuid, skillName: "ok" }] });
    const quarantined = result.skillDiagnostics!.quarantined;
    expect(quarantined.map((q) => [q.skillId, q.errorCode])).toEqual([
      ["gone", "http_status"],
      ["latin1", "invalid_utf8"],
      ["huge", "too_large"],
    ]);
    expect(quarantined[1]!.message).toMatch(/not UTF-8/);
    expect(quarantined[2]!.message).toMatch(/larger than 256 KiB/);
    expect(quarantined[2]!.location).toBe(`${srv.base}/huge.md`);
    expect(result.skillDiagnostics!.sourceHealth).toMatchObject({ state: "degraded", invalidCount: 3, totalCount: 4 });
  });

  test("a document that never ends is cut at its limit: the download stops and the rest serve", async () => {
    const srv = await server({
      "/index.json": indexOf([TONE, { name: "endless", url: "endless.md" }]),
      "/endless.md": { body: "x".repeat(64 * 1024), type: "text/markdown", endless: true },
    });
    const { sourceUuid } = await runtime.addSkillSource({ url: `${srv.base}/index.json` });
    await srv.dropped("/endless.md");
    const [source] = runtime.listSkillSources();
    expect(source!.skills.map((s) => s.name)).toEqual(["tone"]);
    const result = await runtime.createSession().turn("hi", { skillRefs: [{ sourceUuid, skillName: "tone" }] });
    expect(result.skillDiagnostics!.quarantined.map((q) => [q.skillId, q.errorCode])).toEqual([["endless", "too_large"]]);
  });

  test("an index over 4 MiB is refused as such", async () => {
    const srv = await server({ "/big.json": { body: JSON.stringify({ pad: "x".repeat(5 * 1024 * 1024), skills: [] }) } });
    const error = await errorOf(() => runtime.addSkillSource({ url: `${srv.base}/big.json` }));
    expect(error.code).toBe("INVALID_SKILL_SOURCE");
    expect(error.message).toMatch(/larger than 4 MiB/);
    expect(runtime.listSkillSources()).toEqual([]);
  });

  test("the second entry of a name is quarantined; the same name in two sources resolves by source", async () => {
    const srv = await server({
      "/index.json": indexOf([
        { name: "tone", description: "First", content: "Rule A." },
        { name: "tone", description: "Second", content: "Rule B." },
      ]),
    });
    const remote = await runtime.addSkillSource({ url: `${srv.base}/index.json` });
    const local = runtime.addSkillSource({ skills: [TONE] });
    const [http] = runtime.listSkillSources().filter((s) => s.kind === "http");
    expect(http!.skills).toEqual([{ name: "tone", description: "First" }]);
    const result = await runtime.createSession().turn("both marker-dup", {
      skillRefs: [{ sourceUuid: remote.sourceUuid, skillName: "tone" }, { sourceUuid: local.sourceUuid, skillName: "tone" }],
    });
    expect(result.skillDiagnostics!.quarantined).toEqual([expect.objectContaining({ skillId: "tone", errorCode: "duplicate_name" })]);
    const system = systemOf((await requestsWith("marker-dup"))[0]!.body);
    expect(system).toContain("Rule A.");
    expect(system).toContain("Always answer in haiku.");
    expect(system).not.toContain("Rule B.");
  });

  test("a refresh that fails, then one that works: the health recovers", async () => {
    const srv = await server({ "/index.json": indexOf([TONE]) });
    const { sourceUuid } = await runtime.addSkillSource({ url: `${srv.base}/index.json` });
    srv.routes["/index.json"] = { status: 503, body: "busy" };
    for (const streak of [1, 2]) {
      expect((await errorOf(runtime.refreshSkillSource(sourceUuid))).code).toBe("SKILL_SOURCE_FAILED");
      expect(runtime.listSkillSources()[0]!.health).toMatchObject({ state: "degraded", failureStreak: streak, handshakeFailed: true });
    }
    srv.routes["/index.json"] = indexOf([TONE, { name: "brief", content: "Ten words." }]);
    await runtime.refreshSkillSource(sourceUuid);
    const [listed] = runtime.listSkillSources();
    expect(listed!.health).toEqual({ state: "healthy", invalidRatio: 0, invalidCount: 0, totalCount: 2, failureStreak: 0, handshakeFailed: false });
    expect(listed!.skills.map((s) => s.name)).toEqual(["tone", "brief"]);
  });
});

describe("references", () => {
  test("a legacy string in preloadSkills warns like one in a turn; a bad preload names its index", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const { sourceUuid } = runtime.addSkillSource({ skills: [TONE] });
      runtime.createSession({ preloadSkills: [`${sourceUuid}/tone`] });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/deprecated/);
      const sessions = runtime.listSessions().length;
      for (const bad of [5, null, "tone", "/tone", { sourceUuid }, { sourceUuid: "", skillName: "tone" }]) {
        const error = thrownBy(() => runtime.createSession({ preloadSkills: [{ sourceUuid, skillName: "tone" }, bad as never] }));
        expect(error.code).toBe("INVALID_CONFIG");
        expect(error.message).toMatch(/^createSession: config\.preloadSkills\[1\] must be \{ sourceUuid, skillName \}/);
      }
      expect(runtime.listSessions()).toHaveLength(sessions);
    } finally {
      warn.mockRestore();
    }
  });

  test("invokeSkill refuses a bad ref naming its ref argument; nothing is sent", async () => {
    const { sourceUuid } = runtime.addSkillSource({ skills: [TONE] });
    const session = runtime.createSession();
    for (const bad of [undefined, 5, "tone", "tone/", "/tone", "", { sourceUuid }, { sourceUuid, skillName: "" }, { skillName: 5, sourceUuid }]) {
      const error = await errorOf(() => session.invokeSkill(bad as never, "x"));
      expect(error.code, JSON.stringify(bad)).toBe("INVALID_ARGUMENT");
      expect(error.message).toMatch(/^session\.invokeSkill: ref must be \{ sourceUuid, skillName \}/);
    }
    const events = session.pollEvents();
    expect(events).toEqual([]);
    expect(await simRequests()).toEqual([]);
  });

  test("through the Worker, an undefined or \"deferred\" ref is refused, not run as a plain or deferred turn", async () => {
    const pair = await workerPair();
    try {
      const session = await pair.runtime.createSession();
      for (const bad of [undefined, "deferred", { sourceUuid: "s" }]) {
        const error = await errorOf(session.invokeSkill(bad as never, "x marker-wref"));
        expect(error.code, JSON.stringify(bad)).toBe("INVALID_ARGUMENT");
        expect(error.message).toMatch(/^session\.invokeSkill: ref must be/);
      }
      expect(await requestsWith("marker-wref")).toEqual([]);
      expect(await session.history()).toEqual([]);
      expect(session.turns).toBe(0);
    } finally {
      await pair.close();
    }
  });
});

test("a source removed while a run uses it: the run keeps what it resolved and ends normally", async () => {
  const { sourceUuid } = runtime.addSkillSource({ skills: [TONE] });
  runtime.registerTool("clock", "Current time", { type: "object", properties: {} }, () => {
    runtime.removeSkillSource(sourceUuid);
    return "noon";
  });
  const session = runtime.createSession({ preloadSkills: [{ sourceUuid, skillName: "tone" }] });
  const result = await session.turn("use clock marker-rmrun");
  expect(result.toolCalls).toBe(1);
  expect(result.text).toContain("noon");
  const sent = await requestsWith("marker-rmrun");
  expect(sent).toHaveLength(2);
  for (const request of sent) expect(systemOf(request.body)).toContain("Always answer in haiku.");
  expect(runtime.listSkillSources()).toEqual([]);
  // The next run reports the preloaded skill gone, and goes on without it.
  await session.turn("after marker-rmrun2");
  expect(ofType(session.pollEvents(), "skill_resolution_failed").map((e) => e.reference)).toEqual([`${sourceUuid}/tone`]);
  expect(systemOf((await requestsWith("marker-rmrun2"))[0]!.body)).not.toContain("haiku");
});
