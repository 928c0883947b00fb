/**
 * What reading a pack costs the core's memory, which the pack part shares
 * with every runtime on the page and which never shrinks: its file, its
 * archive and the reply. This file's module graph is fresh: the memory
 * has no room left over from bigger reads, so what a read needs shows as
 * growth.
 */
import { randomBytes } from "node:crypto";
import { expect, test } from "vitest";
import { packReader } from "../src/mobpack/reader.js";
import { exampleFiles, pack, tar } from "./support/pack.js";
import { coreExports } from "./support/parts.js";
import { wasm } from "./support/runtime.js";

test("a pack with 24 MiB of skills grows the memory by its file and twice its archive at most (no buffer grown by doubling, no copy of the reply)", async () => {
  const reader = await packReader(wasm);
  const memory = coreExports().memory as WebAssembly.Memory;
  const files: Record<string, string> = { ...(exampleFiles() as Record<string, string>) };
  for (let i = 0; i < 100; i++) files[`skills/s${i}.md`] = `# s${i}\n${randomBytes(250 * 1024).map((b) => 97 + (b % 8)).toString()}`;
  const bytes = pack(files);
  const archive = tar(Object.entries(files).map(([path, data]) => ({ path, data }))).length;
  const size = memory.buffer.byteLength;
  const reply = JSON.parse(reader.read(bytes)) as { ok?: { skills: unknown[] } };
  expect(reply.ok?.skills).toHaveLength(101);
  // The file copied in; the archive inflated; the skills read from it, then the reply where the archive was.
  expect(memory.buffer.byteLength - size).toBeLessThanOrEqual(bytes.length + 2 * archive + 4 * 1024 * 1024);
});
