/**
 * What a mob subscription's poll reads from the core: runs of items (the
 * consecutive items of one source and millisecond, attributed once), made
 * into `AttributedMobEvent`s here. Half the text of one attributed object
 * per item to parse, on the main thread and on a Worker client's page.
 */
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

/** The items of a poll's runs, in order. */
export function mobItems(runs: readonly ItemRun[]): AttributedMobEvent[] {
  const items: AttributedMobEvent[] = [];
  for (const { member, role, seq, timestampMs, events } of runs) {
    for (let i = 0; i < events.length; i++) {
      items.push({ member, role, seq: seq + i, timestampMs, event: events[i] as AgentEvent | MobEvent });
    }
  }
  return items;
}
