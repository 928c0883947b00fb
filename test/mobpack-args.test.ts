/**
 * Bad arguments to every mobpack entry point: each is a MeerkatError with a
 * stable code and a message saying what to pass instead.
 */
import { expect, test } from "vitest";
import { MeerkatError, MeerkatRuntime } from "@rkat/web";
import { connectRuntime } from "@rkat/web/worker";
import { wasm } from "./support/runtime.js";
import { exampleFiles, pack } from "./support/pack.js";

async function refusal(call: () => Promise<unknown>): Promise<MeerkatError> {
  try {
    await call();
  } catch (error) {
    expect(error).toBeInstanceOf(MeerkatError);
    return error as MeerkatError;
  }
  throw new Error("expected a refusal");
}

const bytes = pack(exampleFiles());
const BAD_BYTES: unknown[] = ["a.mobpack", 42, null, undefined, [31, 139], { length: 3 }, new Uint16Array(4), new DataView(new ArrayBuffer(4))];

test("initFromMobpack", async () => {
  const call = (...args: unknown[]) => () => (MeerkatRuntime.initFromMobpack as (...a: unknown[]) => Promise<unknown>)(...args);
  const cases: Array<[() => Promise<unknown>, string, string]> = [
    [call({}, bytes, {}), "INVALID_ARGUMENT", "initFromMobpack: pass the wasm module namespace"],
    [call(wasm, bytes, "config"), "INVALID_CONFIG", "initFromMobpack: config must be a plain object, got string"],
    [call(wasm, bytes, { mobpackTrust: "strict" }), "INVALID_CONFIG", "config.mobpackTrust must be a plain object"],
    [call(wasm, bytes, { mobpackTrust: { policy: "lenient" } }), "INVALID_CONFIG", 'mobpackTrust.policy must be "strict" or "permissive"'],
    [call(wasm, bytes, { mobpackTrust: { trustedSigners: { a: "00" } } }), "INVALID_CONFIG", "mobpackTrust.trustedSigners.a must be 64 hex"],
    [call(wasm, bytes, { mobpackTrust: { trusted: {} } }), "INVALID_CONFIG", 'mobpackTrust has an unknown field "trusted"'],
    [call(wasm, bytes, { model: () => "x" }), "INVALID_CONFIG", "config.model must be JSON data"],
    [call(wasm, bytes, {}, "options"), "INVALID_ARGUMENT", "initFromMobpack: options must be a plain object"],
    [call(wasm, bytes, {}, { fetch: 1 }), "INVALID_ARGUMENT", "options.fetch must be a function"],
    [call(wasm, Uint8Array.of(1, 2), {}), "INVALID_MOBPACK", "not gzip data"],
    [
      call(wasm, bytes, { antropicApiKey: "x", mobpackTrust: { policy: "permissive" } }),
      "INVALID_CONFIG",
      'unknown field "antropicApiKey"',
    ],
  ];
  for (const value of BAD_BYTES) {
    cases.push([call(wasm, value, {}), "INVALID_ARGUMENT", "mobpackBytes must be the .mobpack file's bytes, a Uint8Array or an ArrayBuffer"]);
  }
  for (const [run, code, part] of cases) {
    const error = await refusal(run);
    expect([error.code, error.message]).toEqual([code, expect.stringContaining(part)]);
  }
});

test("inspectMobpack", async () => {
  const call = (...args: unknown[]) => () => (MeerkatRuntime.inspectMobpack as (...a: unknown[]) => Promise<unknown>)(...args);
  expect((await refusal(call(null, bytes))).message).toContain("inspectMobpack: pass the wasm module namespace");
  for (const value of BAD_BYTES) {
    const error = await refusal(call(wasm, value));
    expect([error.code, error.message]).toEqual(["INVALID_ARGUMENT", expect.stringContaining("inspectMobpack: mobpackBytes must be")]);
  }
  expect((await refusal(call(wasm, new ArrayBuffer(0)))).code).toBe("INVALID_MOBPACK");
});

test("init refuses mobpackTrust (it only applies to initFromMobpack)", async () => {
  const error = await refusal(() => MeerkatRuntime.init(wasm, { mobpackTrust: {} } as never));
  expect([error.code, error.message]).toEqual(["INVALID_CONFIG", expect.stringContaining("only applies to MeerkatRuntime.initFromMobpack")]);
});

test("connectRuntime's options", async () => {
  const port = new MessageChannel().port2;
  const call = (...args: unknown[]) => () => (connectRuntime as (...a: unknown[]) => Promise<unknown>)(port, ...args);
  const cases: Array<[() => Promise<unknown>, string, string]> = [
    [call({}, "pack"), "INVALID_ARGUMENT", "connectRuntime: options must be a plain object"],
    [call({}, { pack: bytes }), "INVALID_ARGUMENT", 'unknown option "pack"; expected mobpack'],
    [call({ mobpackTrust: {} }), "INVALID_CONFIG", "config.mobpackTrust only applies with options.mobpack"],
  ];
  for (const value of BAD_BYTES.filter((v) => v !== undefined)) {
    cases.push([call({}, { mobpack: value }), "INVALID_ARGUMENT", "connectRuntime: options.mobpack must be the .mobpack file's bytes"]);
  }
  for (const [run, code, part] of cases) {
    const error = await refusal(run);
    expect([error.code, error.message]).toEqual([code, expect.stringContaining(part)]);
  }
  port.close();
});
