/**
 * Error names survive minification: a consumer's bundler renames classes,
 * and `error.name` ("SessionNotFoundError", ...) is part of the API.
 */
import { fileURLToPath } from "node:url";
import { build, type Rollup } from "vite";
import { expect, test } from "vitest";

test("a minified build keeps every error class's name", async () => {
  const entry = fileURLToPath(new URL("../src/errors.ts", import.meta.url));
  const out = (await build({
    logLevel: "silent",
    configFile: false,
    build: { write: false, minify: true, lib: { entry, formats: ["es"], fileName: "errors" } },
  })) as Rollup.RollupOutput[];
  const chunk = out[0]!.output.find((o): o is Rollup.OutputChunk => o.type === "chunk")!;
  expect(chunk.code).not.toMatch(/class SessionNotFoundError/); // the names really were mangled away
  const mod = (await import(`data:text/javascript;base64,${Buffer.from(chunk.code).toString("base64")}`)) as {
    makeError: (code: string, message: string) => Error;
  };
  const names = ["SESSION_NOT_FOUND", "CAPABILITY_UNAVAILABLE", "SKILL_NOT_FOUND", "PROVIDER_AUTH", "INVALID_CONFIG"].map(
    (code) => mod.makeError(code, "m").name,
  );
  expect(names).toEqual(["SessionNotFoundError", "CapabilityUnavailableError", "SkillNotFoundError", "ProviderError", "MeerkatError"]);
});
