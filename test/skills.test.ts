/**
 * Skill sources (embedded and HTTP, served from a node:http server on
 * 127.0.0.1: support/skill-server.ts), references (SkillKey and the legacy string),
 * preloading, per-turn injection, invokeSkill, the core skill tools, and
 * diagnostics; with the real core and the simulated provider.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { SkillNotFoundError, type MeerkatRuntime } from "@rkat/web";
import { resetSim, simRequests, simRuntime } from "./support/runtime.js";
import { errorOf, ofType, requestsWith, systemOf } from "./support/features.js";
import { indexOf, serve, server, TONE } from "./support/skill-server.js";

let runtime: MeerkatRuntime;

beforeEach(async () => {
  await resetSim();
  runtime = await simRuntime();
});
afterEach(() => runtime.destroy());

describe("embedded sources", () => {
  test("addSkillSource returns its uuid synchronously; listSkillSources describes it", () => {
    const added = runtime.addSkillSource({ name: "house", skills: [TONE] });
    expect(typeof (added as unknown as { then?: unknown }).then).toBe("undefined");
    expect(added.sourceUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(runtime.listSkillSources()).toEqual([
      {
        sourceUuid: added.sourceUuid,
        name: "house",
        kind: "embedded",
        skills: [{ name: "tone", description: "How to write" }],
        health: { state: "healthy", invalidRatio: 0, invalidCount: 0, totalCount: 1, failureStreak: 0, handshakeFailed: false },
      },
    ]);
  });

  test("a given sourceUuid is kept", () => {
    const { sourceUuid } = runtime.addSkillSource({ sourceUuid: "house-rules", skills: [TONE] });
    expect(sourceUuid).toBe("house-rules");
    expect(runtime.listSkillSources().map((s) => s.sourceUuid)).toEqual(["house-rules"]);
  });

  test("front matter supplies name and description and is not injected", async () => {
    const { sourceUuid } = runtime.addSkillSource({
      skills: [{ content: "---\nname: formal\ndescription: Formal register\n---\nAddress the user as Sir or Madam.\n" }],
    });
    expect(runtime.listSkillSources()[0]!.skills).toEqual([{ name: "formal", description: "Formal register" }]);
    const session = runtime.createSession();
    await session.turn("hello marker-fm", { skillRefs: [{ sourceUuid, skillName: "formal" }] });
    const system = systemOf((await requestsWith("marker-fm"))[0]!.body);
    expect(system).toContain("Address the user as Sir or Madam.");
    expect(system).not.toContain("name: formal");
    expect(system).not.toContain("---");
  });

  test("removeSkillSource forgets it; a session preloading it reports skill_resolution_failed and goes on", async () => {
    const { sourceUuid } = runtime.addSkillSource({ skills: [TONE] });
    const session = runtime.createSession({ preloadSkills: [{ sourceUuid, skillName: "tone" }] });
    runtime.removeSkillSource(sourceUuid);
    expect(runtime.listSkillSources()).toEqual([]);
    const result = await session.turn("still there? marker-rm");
    expect(result.text).toBe("You said: still there? marker-rm (1 messages in context)");
    const events = session.pollEvents();
    const failed = ofType(events, "skill_resolution_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reference).toBe(`${sourceUuid}/tone`);
    expect(failed[0]!.error.length).toBeGreaterThan(0);
    expect(ofType(events, "skills_resolved")).toEqual([]);
    expect(systemOf((await requestsWith("marker-rm"))[0]!.body)).not.toContain("haiku");
  });
});

describe("references and injection", () => {
  test("preloadSkills: every request's system prompt carries the skill; skills_resolved reports it", async () => {
    const { sourceUuid } = runtime.addSkillSource({ skills: [TONE] });
    const session = runtime.createSession({ preloadSkills: [{ sourceUuid, skillName: "tone" }] });
    const result = await session.turn("hello marker-pre1");
    expect(result.text).toBe("You said: hello marker-pre1 (1 messages in context)");
    expect(result.skillDiagnostics).toBeUndefined(); // embedded only
    const system = systemOf((await requestsWith("marker-pre1"))[0]!.body);
    expect(system).toContain("Always answer in haiku.");
    const events = session.pollEvents();
    const resolved = ofType(events, "skills_resolved");
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.skills).toEqual([`${sourceUuid}/tone`]);
    // The session has no system prompt of its own: the injection is all of it.
    expect(resolved[0]!.injectionBytes).toBe(Buffer.byteLength(system, "utf8"));
    expect(events.findIndex((e) => e.type === "skills_resolved")).toBeGreaterThan(events.findIndex((e) => e.type === "run_started"));

    await session.turn("again marker-pre2");
    expect(systemOf((await requestsWith("marker-pre2"))[0]!.body)).toContain("Always answer in haiku.");
  });

  test("the session's own system prompt stays beside the skills", async () => {
    const { sourceUuid } = runtime.addSkillSource({ skills: [TONE] });
    const session = runtime.createSession({ systemPrompt: "You are a pirate.", preloadSkills: [{ sourceUuid, skillName: "tone" }] });
    const result = await session.turn("ahoy marker-pre3");
    expect(result.text.startsWith("Arr! ")).toBe(true);
    const system = systemOf((await requestsWith("marker-pre3"))[0]!.body);
    expect(system).toContain("You are a pirate.");
    expect(system).toContain("Always answer in haiku.");
  });

  test("skillRefs apply to one turn only", async () => {
    const { sourceUuid } = runtime.addSkillSource({ skills: [TONE, { name: "brief", description: "", content: "Use at most ten words." }] });
    const session = runtime.createSession();
    await session.turn("first marker-ref1", { skillRefs: [{ sourceUuid, skillName: "tone" }, { sourceUuid, skillName: "brief" }] });
    const first = systemOf((await requestsWith("marker-ref1"))[0]!.body);
    expect(first).toContain("Always answer in haiku.");
    expect(first).toContain("Use at most ten words.");
    expect(ofType(session.pollEvents(), "skills_resolved")[0]!.skills).toEqual([`${sourceUuid}/tone`, `${sourceUuid}/brief`]);

    await session.turn("second marker-ref2");
    expect(systemOf((await requestsWith("marker-ref2"))[0]!.body)).not.toContain("haiku");
    expect(ofType(session.pollEvents(), "skills_resolved")).toEqual([]);
  });

  test("invokeSkill runs one turn with the skill", async () => {
    const { sourceUuid } = runtime.addSkillSource({ skills: [TONE] });
    const session = runtime.createSession();
    const result = await session.invokeSkill({ sourceUuid, skillName: "tone" }, "write about spring marker-inv");
    expect(result.text).toBe("You said: write about spring marker-inv (1 messages in context)");
    expect(systemOf((await requestsWith("marker-inv"))[0]!.body)).toContain("Always answer in haiku.");
    expect(ofType(session.pollEvents(), "skills_resolved")[0]!.skills).toEqual([`${sourceUuid}/tone`]);
  });

  test("legacy string references work and warn once", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const { sourceUuid } = runtime.addSkillSource({ skills: [TONE] });
      const session = runtime.createSession();
      await session.turn("legacy one marker-leg1", { skillRefs: [`${sourceUuid}/tone`] });
      expect(systemOf((await requestsWith("marker-leg1"))[0]!.body)).toContain("Always answer in haiku.");
      await session.invokeSkill(`${sourceUuid}/tone`, "legacy two marker-leg2");
      expect(systemOf((await requestsWith("marker-leg2"))[0]!.body)).toContain("Always answer in haiku.");
      const preloaded = runtime.createSession({ preloadSkills: [`${sourceUuid}/tone`] });
      await preloaded.turn("legacy three marker-leg3");
      expect(systemOf((await requestsWith("marker-leg3"))[0]!.body)).toContain("Always answer in haiku.");
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/deprecated/);
    } finally {
      warn.mockRestore();
    }
  });

  test("an unknown reference is SkillNotFoundError before anything is sent", async () => {
    const { sourceUuid } = runtime.addSkillSource({ skills: [TONE] });
    const session = runtime.createSession();
    const before = (await simRequests()).length;

    const unknownSkill = await errorOf(session.turn("x", { skillRefs: [{ sourceUuid, skillName: "nope" }] }));
    expect(unknownSkill).toBeInstanceOf(SkillNotFoundError);
    expect(unknownSkill.code).toBe("SKILL_NOT_FOUND");
    const unknownSource = await errorOf(session.invokeSkill({ sourceUuid: "no-such-source", skillName: "tone" }, "x"));
    expect(unknownSource).toBeInstanceOf(SkillNotFoundError);
    const sessions = runtime.listSessions().length;
    const atCreate = await errorOf(() => runtime.createSession({ preloadSkills: [{ sourceUuid, skillName: "nope" }] }));
    expect(atCreate).toBeInstanceOf(SkillNotFoundError);
    expect(runtime.listSessions()).toHaveLength(sessions);

    expect((await simRequests()).length).toBe(before);
    expect(session.pollEvents()).toEqual([]);
    expect(await session.history()).toEqual([]);
  });
});

describe("skill tools", () => {
  test("skillTools offers browse_skills and load_skill, which the core answers", async () => {
    const { sourceUuid } = runtime.addSkillSource({ skills: [TONE, { name: "brief", description: "Short answers", content: "Use at most ten words." }] });
    const session = runtime.createSession({ skillTools: true });

    const loaded = await session.turn(`use load_skill {"key":"${sourceUuid}/tone"} marker-st1`);
    const sent = await requestsWith("marker-st1");
    expect(sent[0]!.body.tools.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(["browse_skills", "load_skill"]));
    let completed = ofType(session.pollEvents(), "tool_execution_completed");
    expect(completed).toEqual([expect.objectContaining({ name: "load_skill", isError: false, result: "Always answer in haiku." })]);
    expect(loaded.text).toBe("load_skill returned: Always answer in haiku.");
    expect(loaded.toolCalls).toBe(1);

    await session.turn(`use browse_skills {"query":"short"}`);
    completed = ofType(session.pollEvents(), "tool_execution_completed");
    expect(completed[0]).toMatchObject({ name: "browse_skills", isError: false });
    expect(JSON.parse(completed[0]!.result)).toEqual([{ key: `${sourceUuid}/brief`, name: "brief", description: "Short answers" }]);

    await session.turn(`use load_skill {"key":"${sourceUuid}/missing"}`);
    completed = ofType(session.pollEvents(), "tool_execution_completed");
    expect(completed[0]).toMatchObject({ name: "load_skill", isError: true });
    expect(completed[0]!.result).toMatch(/^SKILL_NOT_FOUND/);
  });

  test("without skillTools the core tools are not offered", async () => {
    runtime.addSkillSource({ skills: [TONE] });
    runtime.registerTool("clock", "Current time", { type: "object" }, () => "noon");
    await runtime.createSession().turn("no skill tools marker-st2");
    const names = ((await requestsWith("marker-st2"))[0]!.body.tools ?? []).map((t: { name: string }) => t.name);
    expect(names).toEqual(["clock"]);
  });
});

describe("HTTP sources", () => {
  test("the index is fetched, urls resolved against it, and the skills served", async () => {
    const srv = await server({
      "/skills/index.json": indexOf([
        { name: "greet", description: "Greeting rules", url: "greet.md" },
        { name: "inline", description: "Inline one", content: "Inline content here." },
        { name: "abs", description: "Absolute path", url: "/docs/abs.md" },
      ]),
      "/skills/greet.md": { body: "Greet the user in French.", type: "text/markdown" },
      "/docs/abs.md": { body: "---\ndescription: ignored\n---\nAlways cite sources.", type: "text/markdown" },
    });
    const pending = runtime.addSkillSource({ name: "remote", url: `${srv.base}/skills/index.json` });
    expect(pending).toBeInstanceOf(Promise);
    const { sourceUuid } = await pending;
    expect(srv.hits.sort()).toEqual(["/docs/abs.md", "/skills/greet.md", "/skills/index.json"]);

    const [listed] = runtime.listSkillSources();
    expect(listed).toMatchObject({ sourceUuid, name: "remote", kind: "http", url: `${srv.base}/skills/index.json` });
    expect([...listed!.skills].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "abs", description: "Absolute path" },
      { name: "greet", description: "Greeting rules" },
      { name: "inline", description: "Inline one" },
    ]);
    expect(listed!.health).toEqual({ state: "healthy", invalidRatio: 0, invalidCount: 0, totalCount: 3, failureStreak: 0, handshakeFailed: false });

    const session = runtime.createSession();
    const result = await session.turn("bonjour marker-http1", {
      skillRefs: [
        { sourceUuid, skillName: "greet" },
        { sourceUuid, skillName: "abs" },
        { sourceUuid, skillName: "inline" },
      ],
    });
    const system = systemOf((await requestsWith("marker-http1"))[0]!.body);
    expect(system).toContain("Greet the user in French.");
    expect(system).toContain("Always cite sources.");
    expect(system).toContain("Inline content here.");
    expect(result.skillDiagnostics).toEqual({
      sourceHealth: { state: "healthy", invalidRatio: 0, invalidCount: 0, totalCount: 3, failureStreak: 0, handshakeFailed: false },
      quarantined: [],
    });
    // A run that used no HTTP source has no diagnostics.
    expect((await session.turn("plain")).skillDiagnostics).toBeUndefined();
  });

  test("an entry that cannot be fetched is quarantined; the others serve", async () => {
    const srv = await server({
      "/index.json": indexOf([
        { name: "good", description: "Works", url: "good.md" },
        { name: "missing", description: "Gone", url: "missing.md" },
      ]),
      "/good.md": { body: "Be kind.", type: "text/markdown" },
    });
    const { sourceUuid } = await runtime.addSkillSource({ url: `${srv.base}/index.json` });
    expect(runtime.listSkillSources()[0]!.skills.map((s) => s.name)).toEqual(["good"]);
    const result = await runtime.createSession().turn("hi", { skillRefs: [{ sourceUuid, skillName: "good" }] });
    const diagnostics = result.skillDiagnostics!;
    expect(diagnostics.sourceHealth).toEqual({
      state: "degraded",
      invalidRatio: 0.5,
      invalidCount: 1,
      totalCount: 2,
      failureStreak: 0,
      handshakeFailed: false,
    });
    expect(diagnostics.quarantined).toHaveLength(1);
    expect(diagnostics.quarantined[0]).toMatchObject({ sourceUuid, skillId: "missing" });
    expect(diagnostics.quarantined[0]!.message.length).toBeGreaterThan(0);
    const missing = await errorOf(runtime.createSession().turn("x", { skillRefs: [{ sourceUuid, skillName: "missing" }] }));
    expect(missing.code).toBe("SKILL_NOT_FOUND");
  });

  test("refreshSkillSource fetches again; a failed refresh keeps the cached skills", async () => {
    const srv = await server({
      "/index.json": indexOf([{ name: "one", description: "First", content: "Rule one." }]),
    });
    const { sourceUuid } = await runtime.addSkillSource({ url: `${srv.base}/index.json` });
    srv.routes["/index.json"] = indexOf([
      { name: "one", description: "First", content: "Rule one, revised." },
      { name: "two", description: "Second", content: "Rule two." },
    ]);
    await runtime.refreshSkillSource(sourceUuid);
    expect(srv.hits.filter((h) => h === "/index.json")).toHaveLength(2);
    expect(runtime.listSkillSources()[0]!.skills.map((s) => s.name)).toEqual(["one", "two"]);
    await runtime.createSession().turn("refreshed marker-rf1", { skillRefs: [{ sourceUuid, skillName: "one" }] });
    expect(systemOf((await requestsWith("marker-rf1"))[0]!.body)).toContain("Rule one, revised.");

    srv.routes["/index.json"] = { status: 500, body: "{}" };
    const failed = await errorOf(runtime.refreshSkillSource(sourceUuid));
    expect(failed.code).toBe("SKILL_SOURCE_FAILED");
    const [listed] = runtime.listSkillSources();
    expect(listed!.skills.map((s) => s.name)).toEqual(["one", "two"]);
    expect(listed!.health.failureStreak).toBe(1);
    expect(listed!.health.state).toBe("degraded");
    await runtime.createSession().turn("cached marker-rf2", { skillRefs: [{ sourceUuid, skillName: "two" }] });
    expect(systemOf((await requestsWith("marker-rf2"))[0]!.body)).toContain("Rule two.");
  });

  test("a malformed index is INVALID_SKILL_SOURCE and adds nothing", async () => {
    const srv = await server({
      "/not-json": { body: "this is not json" },
      "/no-skills": { body: JSON.stringify({ items: [] }) },
      "/skills-not-array": { body: JSON.stringify({ skills: "tone" }) },
    });
    runtime.addSkillSource({ sourceUuid: "keep", skills: [TONE] });
    const before = runtime.listSkillSources();
    for (const path of ["/not-json", "/no-skills", "/skills-not-array"]) {
      const error = await errorOf(() => runtime.addSkillSource({ url: `${srv.base}${path}` }));
      expect(error.code, path).toBe("INVALID_SKILL_SOURCE");
    }
    expect(runtime.listSkillSources()).toEqual(before);
  });

  test("an index answering an HTTP error, or unreachable, is SKILL_SOURCE_FAILED and adds nothing", async () => {
    const srv = await server({ "/broken": { status: 500, body: "{}" } });
    const error = await errorOf(() => runtime.addSkillSource({ url: `${srv.base}/broken` }));
    expect(error.code).toBe("SKILL_SOURCE_FAILED");
    const notFound = await errorOf(() => runtime.addSkillSource({ url: `${srv.base}/nothing-here` }));
    expect(notFound.code).toBe("SKILL_SOURCE_FAILED");

    const gone = await serve({});
    const deadUrl = `${gone.base}/index.json`;
    await gone.close();
    const unreachable = await errorOf(() => runtime.addSkillSource({ url: deadUrl }));
    expect(unreachable.code).toBe("SKILL_SOURCE_FAILED");
    expect(runtime.listSkillSources()).toEqual([]);
  });
});
