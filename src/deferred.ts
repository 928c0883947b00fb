/**
 * `DeferredSession`: a session whose id is reserved now and whose first
 * turn runs later. After `startTurn` it is an ordinary `Session`
 * (`deferred.session`).
 */
import { MeerkatError } from "./errors.js";
import { settle, type Session } from "./session.js";
import type { Prompt, RunResult, TurnOptions } from "./types.js";

export class DeferredSession {
  readonly id: string;
  private started = false;

  /** @internal Use `runtime.createDeferredSession()`. */
  constructor(private readonly inner: Session) {
    this.id = inner.id;
  }

  /** Whether the first turn has been started. */
  get isStarted(): boolean {
    return this.started;
  }

  /** The session, once `startTurn` has been called. */
  get session(): Session {
    if (!this.started) {
      throw new MeerkatError("INVALID_ARGUMENT", "deferred.session: call deferred.startTurn(prompt) first");
    }
    return this.inner;
  }

  /** Give the reserved id back (or destroy the session, once started). */
  destroy(): void {
    this.inner.destroy();
  }

  /** Run the first turn; the session is then `deferred.session`. */
  async startTurn(prompt: Prompt, options?: TurnOptions): Promise<RunResult> {
    if (this.started) {
      throw new MeerkatError(
        "INVALID_ARGUMENT",
        "deferred.startTurn: the first turn was already started; use deferred.session.turn() for the next ones",
      );
    }
    // Bad input throws here and leaves the session unstarted.
    const done = this.inner.beginTurn(prompt, options, "deferred.startTurn");
    this.started = true;
    return settle(await done);
  }
}
