/** `withAuthBinding`: a session config bound to a realm binding. */
import type { SessionConfig } from "../types.js";
import { fail, describeValue, isPlainObject, requireObject } from "../validate.js";
import type { AuthBinding } from "./types.js";

/**
 * A copy of `sessionConfig` whose requests go through `authBinding` (its
 * base URL, key or resolver lease, header style). The realm and binding are
 * checked by `createSession` (`AUTH_BINDING_NOT_FOUND`).
 */
export function withAuthBinding(authBinding: AuthBinding, sessionConfig: SessionConfig = {}): SessionConfig {
  const what = "withAuthBinding";
  if (!isPlainObject(authBinding)) {
    fail("INVALID_ARGUMENT", `${what}: authBinding must be { realm, binding }, got ${describeValue(authBinding)}`);
  }
  for (const key of Object.keys(authBinding)) {
    if (key !== "realm" && key !== "binding") {
      fail("INVALID_ARGUMENT", `${what}: authBinding has an unknown field ${JSON.stringify(key)}; expected realm, binding`);
    }
  }
  const { realm, binding } = authBinding;
  for (const [field, value] of [["realm", realm], ["binding", binding]] as const) {
    if (typeof value !== "string" || value.length === 0) {
      fail("INVALID_ARGUMENT", `${what}: authBinding.${field} must be a non-empty string, got ${describeValue(value)}`);
    }
  }
  requireObject(sessionConfig, `${what}: sessionConfig`, "INVALID_CONFIG");
  return { ...sessionConfig, authBinding: { realm, binding } };
}
