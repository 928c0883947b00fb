/**
 * The runs a mob's `send`, `spawn` and `respawn` returned, so that
 * `member.waitForRun(runId)` can hand back their ends. The driver waits on
 * each from the moment the core names it (a run may end before anyone asks);
 * the newest finished ones are kept, the oldest forgotten.
 */
import type { RunOutcome } from "../driver.js";

/** Finished runs kept per mob for a late `waitForRun`. */
const KEPT = 256;

export class RunBook {
  private readonly runs = new Map<number, { member: string; done: Promise<RunOutcome> }>();
  private readonly finished: number[] = [];

  track(member: string, runId: number, done: Promise<RunOutcome>): void {
    this.runs.set(runId, { member, done });
    void done.then(() => this.settled(runId));
  }

  /** The run's end, or undefined when `member` started no such run (or it was forgotten). */
  find(member: string, runId: number): Promise<RunOutcome> | undefined {
    const found = this.runs.get(runId);
    return found && found.member === member ? found.done : undefined;
  }

  private settled(runId: number): void {
    this.finished.push(runId);
    while (this.finished.length > KEPT) this.runs.delete(this.finished.shift() as number);
  }
}
