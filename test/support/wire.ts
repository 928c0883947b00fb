/**
 * What one `postMessage` of the Worker bridge carries: a message, or the
 * messages posted in one microtask checkpoint, which cross together as
 * `{ rkat: "many", messages }` (src/worker/rpc.ts).
 */
export type WireMessage = { rkat?: string; args?: unknown[]; value?: unknown; fn?: number };

export function messagesOf(data: unknown): WireMessage[] {
  const wire = data as { rkat?: string; messages?: WireMessage[] } | null;
  return wire?.rkat === "many" ? (wire.messages ?? []) : [wire as WireMessage];
}
