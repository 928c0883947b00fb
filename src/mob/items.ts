/**
 * What a mob subscription's poll reads from the core: runs of items (the
 * consecutive items of one source and millisecond, attributed once), made
 * into `AttributedMobEvent`s here. Half the text of one attributed object
 * per item to parse, on the main thread and on a Worker client's page.
 * The subscription's member readers are compact (the core's
 * events/log.rs): each member's answer text is rebuilt from its deltas.
 */
import { rebuildElided } from "../elided.js";
import type { AgentEvent } from "../events.js";
import type { AttributedMobEvent, MobEvent } from "./types.js";

/** A run as the core writes it (`write_run_head`); its events are numbered from `seq`. */
interface ItemRun {
  member: string | null;
  role: string | null;
  seq: number;
  timestampMs: number;
  events: Array<AgentEvent | MobEvent>;
}

/**
 * The items of a subscription's polls, in order: one of these per
 * subscription (a member's deltas span polls).
 */
export function mobItemsReader(): (runs: readonly ItemRun[]) => AttributedMobEvent[] {
  const rebuilders = new Map<string | null, ReturnType<typeof rebuildElided>>();
  return (runs) => {
    const items: AttributedMobEvent[] = [];
    for (const { member, role, seq, timestampMs, events } of runs) {
      let rebuild = rebuilders.get(member);
      if (!rebuild) rebuilders.set(member, (rebuild = rebuildElided()));
      rebuild(events as AgentEvent[]);
      for (let i = 0; i < events.length; i++) {
        items.push({ member, role, seq: seq + i, timestampMs, event: events[i] as AgentEvent | MobEvent });
      }
    }
    return items;
  };
}

/**
 * The events of a member's subscription (runs of that member's events
 * only), in order, their answer text rebuilt: one per subscription.
 */
export function memberEventsReader(): (runs: readonly ItemRun[]) => AgentEvent[] {
  const rebuild = rebuildElided();
  return (runs) => {
    const events: AgentEvent[] = [];
    for (const run of runs) {
      const batch = run.events as AgentEvent[];
      rebuild(batch);
      for (const event of batch) events.push(event);
    }
    return events;
  };
}
