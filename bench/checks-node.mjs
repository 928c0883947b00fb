// The bug checks against the built package in Node.
import { MeerkatRuntime } from "../dist/index.js";
import * as wasm from "../pkg/meerkat_web_runtime.js";
import { runChecks } from "./checks.mjs";

export function checksNode() {
  return runChecks(MeerkatRuntime, wasm);
}
