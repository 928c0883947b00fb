/**
 * HTTP skill sources are read by the core's lazily linked part (the one
 * mobs use, scripts/wasm-split.mjs): the first HTTP source links it; an
 * embedded source, a session and a skill of an embedded source do not.
 * (A file of its own: each test file has a fresh core instance.)
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "vitest";
import { simRuntime, wasm } from "./support/runtime.js";

const PRIMARY = new URL("../pkg/meerkat_web_runtime_bg.wasm", import.meta.url);

function slots(): unknown[] {
  const glue = wasm as unknown as { initSync(input: { module: BufferSource }): WebAssembly.Exports };
  const table = glue.initSync({ module: readFileSync(PRIMARY) }).mob_part as WebAssembly.Table;
  return Array.from({ length: table.length }, (_, i) => table.get(i));
}

test("the first HTTP skill source links the core's lazy part; embedded sources do not", async () => {
  const index = JSON.stringify({ skills: [{ name: "tone", description: "Tone rules", content: "Be brief." }] });
  const server = createServer((_, res) => res.writeHead(200, { "content-type": "application/json" }).end(index));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const runtime = await simRuntime();
  try {
    runtime.addSkillSource({ name: "local", skills: [{ name: "style", description: "Style", content: "Be kind." }] });
    await runtime.createSession().turn("Hello");
    expect(slots().every((slot) => slot === null)).toBe(true);

    const { sourceUuid } = await runtime.addSkillSource({ url: `${base}/index.json` });
    expect(slots().every((slot) => typeof slot === "function")).toBe(true);
    expect(runtime.listSkillSources().find((s) => s.sourceUuid === sourceUuid)?.skills).toEqual([
      { name: "tone", description: "Tone rules" },
    ]);
    await runtime.refreshSkillSource(sourceUuid);
  } finally {
    runtime.destroy();
    server.close();
  }
});
