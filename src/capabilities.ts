/** `requireCapability`, the same on the main thread and in the Worker client. */
import { CapabilityUnavailableError } from "./errors.js";
import type { Capability } from "./types.js";
import { requireString } from "./validate.js";

/** Throws `CapabilityUnavailableError` unless `id` is listed as `Available`. */
export function requireCapabilityIn(capabilities: readonly Capability[], id: string): void {
  requireString(id, "requireCapability: id");
  const found = capabilities.find((c) => c.id === id);
  if (found?.status === "Available") return;
  const message = found
    ? `capability ${id} is ${found.status}: ${found.description} is not available in the browser runtime`
    : `unknown capability ${JSON.stringify(id)}; runtime.capabilities lists them`;
  throw new CapabilityUnavailableError("CAPABILITY_UNAVAILABLE", message, undefined, { capability_id: id, message });
}
