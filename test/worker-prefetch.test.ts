/**
 * The wasm's head start (src/worker/prefetch.ts): the page compiles the
 * core's wasm while the Worker starts and hands the module over with
 * `init`; the Worker instantiates it only when it fits (this package's own
 * glue, this very version), else loads the wasm itself as before. Node
 * cannot fetch the wasm's file: URL, so here the page hands nothing over on
 * its own; these tests hand a module over by hand.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, expect, test } from "vitest";
import * as glue from "@rkat/web/wasm/meerkat_web_runtime.js";
import { VERSION, type WasmModule } from "@rkat/web";
import { exposeRuntime } from "@rkat/web/worker";
import { adoptCompiled, compileCore } from "../src/worker/prefetch.js";
import { connect } from "../src/worker/rpc.js";
import { simConfig } from "./support/runtime.js";

const wasmFile = fileURLToPath(new URL("../pkg/meerkat_web_runtime_bg.wasm", import.meta.url));
const compiledCore = () => new WebAssembly.Module(readFileSync(wasmFile));
const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
});

test("compileCore hands nothing over where the wasm is a file (Node): the Worker loads it itself", async () => {
  expect(await compileCore()).toBeUndefined();
});

test("adoptCompiled instantiates the page's module only when it is a module of this very version", () => {
  const module = compiledCore();
  const seen: unknown[] = [];
  const spy = { ...glue, initSync: (input: { module: unknown }) => void seen.push(input.module) } as unknown as WasmModule;
  for (const refused of [undefined, null, {}, { module, version: "0.0.0-other" }, { module: new Uint8Array(8), version: VERSION }]) {
    adoptCompiled(spy, refused);
  }
  expect(seen).toEqual([]);
  adoptCompiled(spy, { module, version: VERSION });
  expect(seen).toEqual([module]);
  // A glue that cannot instantiate it is left to its usual load.
  const failing = { ...glue, initSync: () => { throw new WebAssembly.LinkError("imports differ"); } } as unknown as WasmModule;
  expect(() => adoptCompiled(failing, { module, version: VERSION })).not.toThrow();
});

test("the Worker instantiates the module that crossed with init (this package's glue), and the runtime runs", async () => {
  const channel = new MessageChannel();
  channels.push(channel);
  const instantiated: unknown[] = [];
  // This package's glue (same Core), watched: the module that crossed the channel reaches initSync.
  const watched = {
    ...glue,
    initSync: (input: { module: WebAssembly.Module }) => {
      instantiated.push(input.module);
      return glue.initSync(input);
    },
  } as unknown as WasmModule;
  exposeRuntime(watched, { endpoint: channel.port1 as never });
  const page = connect(channel.port2 as never);
  const config = simConfig();
  const ready = (await page.call("init", [config, undefined, { module: compiledCore(), version: VERSION }, VERSION])) as { version: string };
  expect(ready.version).toBe(VERSION);
  // First the page's module; then the usual load's call (Node: the file's bytes), a no-op by then.
  expect(instantiated[0]).toBeInstanceOf(WebAssembly.Module);
  expect(instantiated.slice(1).every((m) => !(m instanceof WebAssembly.Module))).toBe(true);
  const sessionId = await page.call("createSession", [{}]);
  expect(typeof sessionId).toBe("string");
  await page.call("destroy", []);
});

test("a module of another version is not instantiated: the Worker loads its own wasm", async () => {
  const channel = new MessageChannel();
  channels.push(channel);
  const instantiated: unknown[] = [];
  const watched = {
    ...glue,
    initSync: (input: { module: unknown }) => {
      instantiated.push(input.module);
      return glue.initSync(input as never);
    },
  } as unknown as WasmModule;
  exposeRuntime(watched, { endpoint: channel.port1 as never });
  const page = connect(channel.port2 as never);
  const ready = (await page.call("init", [{ anthropicApiKey: "x" }, undefined, { module: compiledCore(), version: "0.0.0-other" }, VERSION])) as {
    version: string;
  };
  expect(ready.version).toBe(VERSION);
  // Only the usual load (Node reads the file beside the glue) called initSync, with bytes.
  expect(instantiated.every((m) => !(m instanceof WebAssembly.Module))).toBe(true);
  await page.call("destroy", []);
});
