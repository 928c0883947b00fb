/** Event batches on their way from the Worker to the page. */
import type { BatchSink } from "./protocol.js";

/**
 * Sends event batches to the page one call at a time: while a call is
 * unanswered, new batches queue and go out merged as one. Under load (many
 * small network reads) this turns thousands of round trips into a few; when
 * reads are spaced out each batch still goes at once.
 */
export class BatchOutbox {
  private queued: string[] = [];
  private inFlight: Promise<void> | undefined;

  constructor(private readonly send: BatchSink) {}

  push(json: string): void {
    this.queued.push(json);
    this.pump();
  }

  /** Resolves once everything pushed so far has been delivered. */
  async drained(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private pump(): void {
    if (this.inFlight || this.queued.length === 0) return;
    const json = mergeEventArrays(this.queued);
    this.queued = [];
    this.inFlight = this.send(json)
      .catch(() => {}) // a page that went away is not the run's failure
      .then(() => {
        this.inFlight = undefined;
        this.pump();
      });
  }
}

/** `["[a,b]", "[c]"]` → `"[a,b,c]"` without parsing. */
function mergeEventArrays(arrays: string[]): string {
  if (arrays.length === 1) return arrays[0] as string;
  return `[${arrays.map((a) => a.slice(1, -1)).filter((inner) => inner.length > 0).join(",")}]`;
}
