/**
 * What a consumer app's Worker loads at start (the size bench's app,
 * bench/size-app, built with Vite from dist/ as the size bench does): its
 * start chunk has none of the Worker host's mob methods. They are a chunk
 * of their own, imported at the first mob call, beside the runtime's mobs
 * chunk and the pack reader.
 */
import { fileURLToPath } from "node:url";
import { build, type Rollup } from "vite";
import { expect, test } from "vitest";

const config = fileURLToPath(new URL("../bench/size-app/vite.config.mjs", import.meta.url));

/** The app's built files (the Worker's chunks come as assets of the page's build), by name without hash. */
async function buildApp(): Promise<Map<string, string>> {
  const out = (await build({ configFile: config, logLevel: "silent", build: { write: false } })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const files = new Map<string, string>();
  for (const o of (Array.isArray(out) ? out : [out]).flatMap((b) => b.output)) {
    if (!o.fileName.endsWith(".js")) continue;
    const code = o.type === "chunk" ? o.code : String(o.source);
    files.set(o.fileName.replace(/^assets\//, "").replace(/-[\w-]{8}\.js$/, ""), code);
  }
  return files;
}

test("the app's Worker start chunk has no mob host: it imports it (and the runtime's mobs chunk) at the first mob call", async () => {
  const files = await buildApp();
  const worker = files.get("worker");
  const host = files.get("expose-mob");
  expect(worker, [...files.keys()].join(", ")).toBeDefined();
  expect(host, [...files.keys()].join(", ")).toBeDefined();
  const dynamic = [...worker!.matchAll(/\bimport\(\s*["'`]\.\/([^"'`]+?)-[\w-]{8}\.js["'`]\s*\)/g)].map((m) => m[1]);
  expect([...new Set(dynamic)].sort()).toEqual(["expose-mob", "lazy-mobs", "pack"]);
  // What only the mob methods say or call: MOB_NOT_FOUND's message, the method checks, the mob subscriptions, the mob list.
  for (const marker of ["create it with runtime.createMob", "a mob member", "has no method", "listenAll", "`cancelFlow`,`stop`"]) {
    expect(worker, marker).not.toContain(marker);
    expect(host, marker).toContain(marker);
  }
  // What sessions need stays at start: their subscriptions' feeds (a call's news ahead of its reply).
  expect(host).not.toMatch(/\bnews\(\)/);
});
