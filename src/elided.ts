/**
 * The page's half of compact readers (the core's events/log.rs): the
 * Worker's stream and subscription readers get a long answer once, in its
 * `text_delta`s; a `text_complete` or `run_completed` that repeats it
 * comes with its text empty and `elided: true` (only when that reader had
 * every delta since the turn began). This gives the text back: the
 * deltas since the last `turn_started` (or `retrying` that voids them),
 * joined. One per reader: the deltas span batches.
 */
import type { AgentEvent } from "./events.js";

type Elidable = {
  type: string;
  delta?: string;
  content?: string;
  result?: string;
  elided?: boolean;
  textDiscarded?: boolean;
};

export function rebuildElided(): (events: AgentEvent[]) => AgentEvent[] {
  let deltas = "";
  return (events) => {
    for (const event of events as Elidable[]) {
      if (event.type === "text_delta") deltas += event.delta;
      else if (event.type === "turn_started" || event.textDiscarded) deltas = "";
      else if (event.elided) {
        if (event.type === "text_complete") event.content = deltas;
        else event.result = deltas;
        delete event.elided;
      }
    }
    return events;
  };
}
