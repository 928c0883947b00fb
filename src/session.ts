/**
 * `Session`: one conversation. A thin layer over core commands; `turn()`
 * and `stream()` are the same run seen through a promise or an iterator.
 * Every reader of the session's events (`pollEvents`, a stream, a
 * subscription) has its own cursor: none takes events from another.
 */
import type { AgentEvent } from "./events.js";
import { SessionNotFoundError, makeError, type MeerkatError } from "./errors.js";
import type { Driver, RunOutcome } from "./driver.js";
import type { CoreHandle } from "./core.js";
import { hookRegistration, type HookHandler, type HookOptions } from "./hooks.js";
import { turnOptions } from "./options.js";
import { skillRef, type SkillRef } from "./skills.js";
import { EventChannel, EventStream } from "./stream.js";
import { EventSubscription, type ByteReader, type EventFeed, type ReadBytes } from "./subscription.js";
import type { HistoryMessage, Prompt, RunResult, TurnOptions, Usage } from "./types.js";
import { describeValue, fail, requireObject, requirePrompt, requireString, toJsonText } from "./validate.js";
import type { HookPoint } from "./events.js";

/** Session-lifetime counters kept beside the last result. */
export interface SessionTotals {
  usage: Usage;
  turns: number;
  toolCalls: number;
}

/** What a session needs of its runtime. @internal */
export interface SessionHost {
  readonly core: CoreHandle;
  readonly driver: Driver;
  /** Register a hook handler with the core; returns its id. */
  registerHook(point: HookPoint, handler: HookHandler, options: HookOptions | undefined, session: string | undefined, what: string): string;
  requireCapability(id: string): void;
  forget(sessionId: string): void;
}

/** The reader `pollEvents()` uses: every session has it from its creation. */
const POLL_READER = 0;

export class Session {
  readonly id: string;
  // The zero totals and result are made when first read: an idle session
  // (there may be thousands) holds no objects but itself.
  private totals: SessionTotals | undefined;
  private last: RunResult | undefined;
  /** Why the session is gone: destroyed itself, or its runtime went away. */
  private gone: MeerkatError | undefined;
  /** The readers a destroy reads first: the open ones, `pollEvents`' once it was used. */
  private readers: Set<number> | undefined;
  /** Once destroyed: what each of them had left, up to its run's end, by reader id: its last read. */
  private tails: Record<number, string> | undefined;

  /** @internal Sessions come from `runtime.createSession()`. */
  constructor(
    id: string,
    private readonly host: SessionHost,
  ) {
    this.id = id;
  }

  /** The session's human-readable reference (the SDK's `ref`), when the last run's result gave one. */
  get ref(): string | undefined {
    return this.last?.sessionRef;
  }
  /** Assistant text of the last run. */
  get text(): string {
    return this.last?.text ?? "";
  }
  /** Usage summed over every run of this session. */
  get usage(): Usage {
    return this.sessionTotals().usage;
  }
  /** LLM turns over every run of this session. */
  get turns(): number {
    return this.totals?.turns ?? 0;
  }
  /** Tool calls over every run of this session. */
  get toolCalls(): number {
    return this.totals?.toolCalls ?? 0;
  }
  /** The last run's result (zero values before the first run). */
  get lastResult(): RunResult {
    return (this.last ??= { sessionId: this.id, text: "", turns: 0, toolCalls: 0, usage: { inputTokens: 0, outputTokens: 0 } });
  }
  /** The last run's parsed structured output, when it asked for one. */
  get structuredOutput(): unknown {
    return this.last?.structuredOutput;
  }

  private sessionTotals(): SessionTotals {
    return (this.totals ??= { usage: { inputTokens: 0, outputTokens: 0 }, turns: 0, toolCalls: 0 });
  }

  /** Run one turn (the model may call tools several times) to completion. */
  async turn(prompt: Prompt, options?: TurnOptions): Promise<RunResult> {
    return settle(await this.beginTurn(prompt, options, "session.turn"));
  }

  /** @internal Start a turn (throws at once on bad input); its outcome later. */
  beginTurn(prompt: Prompt, options: TurnOptions | undefined, what: string): Promise<RunOutcome> {
    return this.start(prompt, options, what).done;
  }

  /**
   * Run one turn and iterate its events as they stream. Events are pulled
   * from the core when the consumer asks for more, so a consumer slower than
   * the network gets several network reads' worth in one batch.
   */
  stream(prompt: Prompt, options?: TurnOptions): EventStream {
    // `turn` is read only when the consumer pulls, after readTurn returned.
    const channel = new EventChannel(() => this.drainQuietly(turn.reader));
    const turn = this.readTurn(prompt, options, "session.stream", () => channel.poke(), (reader) => this.drainQuietly(reader));
    turn.ended.then(
      ({ outcome, rest }) => {
        // The run's last events move into the stream, so the reader is gone
        // even if the stream is never read to its end.
        if (rest.length > 2) channel.push(JSON.parse(rest) as AgentEvent[]);
        if (outcome.result) channel.end(outcome.result);
        else channel.fail(outcome.error as MeerkatError);
      },
      (error: MeerkatError) => channel.fail(error),
    );
    return new EventStream(this.id, channel);
  }

  /**
   * @internal Run one turn read by the feed that `open` makes of a reader
   * (`read` takes its unread events as bytes): `feed.news()` whenever
   * events may be waiting, `feed.last()` once the run has ended, before the
   * reader closes. Bad input throws synchronously. (The Worker host sends
   * a stream's events to the page this way, when the page is ready, from
   * a compact reader: the page rebuilds the answer's text, `src/elided.ts`.)
   */
  runStreaming(prompt: Prompt, options: TurnOptions | undefined, what: string, open: (read: ReadBytes) => EventFeed): Promise<RunResult> {
    let feed: EventFeed | undefined;
    // The reader comes as an argument: news can arrive while the turn starts.
    const feedOf = (reader: number) => (feed ??= open(() => this.bytesQuietly(reader)));
    const turn = this.readTurn(prompt, options, what, (r) => feedOf(r).news(), (r) => feedOf(r).last(), true);
    feedOf(turn.reader).news();
    return turn.ended.then(({ outcome }) => settle(outcome));
  }

  /**
   * Start a turn read through a reader of its own: `onNews` runs whenever
   * events may have arrived; when the run ends, `atEnd` reads what is
   * left (`rest`) and the reader is closed. Bad input throws
   * synchronously, leaving no reader behind. (`compact`: see `openReader`.)
   */
  private readTurn<T>(
    prompt: Prompt,
    options: TurnOptions | undefined,
    what: string,
    onNews: (reader: number) => void,
    atEnd: (reader: number) => T,
    compact = false,
  ): { reader: number; ended: Promise<{ outcome: RunOutcome; rest: T }> } {
    const reader = this.openReader(what, compact);
    const stop = this.host.driver.listen(this.id, () => onNews(reader));
    const close = () => {
      stop();
      this.closeReader(reader);
    };
    let done: Promise<RunOutcome>;
    try {
      done = this.start(prompt, options, what).done;
    } catch (error) {
      close();
      throw error;
    }
    const ended = done.then(
      (outcome) => {
        let rest: T;
        try {
          rest = atEnd(reader);
        } finally {
          close();
        }
        return { outcome, rest };
      },
      (error: unknown) => {
        close();
        throw error;
      },
    );
    return { reader, ended };
  }

  /** @internal Call `listener` whenever the session may have new events; returns the remover. */
  listen(listener: () => void): () => void {
    return this.host.driver.listen(this.id, listener);
  }

  /** Take the events since the last poll (synchronous). */
  pollEvents(): AgentEvent[] {
    return JSON.parse(this.drainJson("session.pollEvents")) as AgentEvent[];
  }

  /** @internal Unread events of `reader` as JSON text (an array). */
  drainJson(what: string, reader = POLL_READER): string {
    return this.tail(what, reader) ?? this.host.core.drainEventsJson(this.id, reader);
  }

  /**
   * @internal A reader of its own whose events are read as bytes (the
   * Worker host sends them to the page as they are), compact: the page
   * rebuilds the answer's text (`src/elided.ts`).
   */
  openByteReader(): ByteReader {
    const reader = this.openReader("session.subscribeEvents", true);
    return { read: () => this.drainBytes("subscription.poll", reader), close: () => this.closeReader(reader) };
  }

  /** @internal Unread events of `reader` as bytes, `undefined` when there are none. */
  drainBytes(what: string, reader = POLL_READER): Uint8Array | undefined {
    const tail = this.tail(what, reader);
    return tail === undefined ? this.host.core.drainEventBytes(this.id, reader) : new TextEncoder().encode(tail);
  }

  /**
   * `undefined` while the session lives; once destroyed, what `reader` had
   * left (its run's end) the first time, then the session's error.
   */
  private tail(what: string, reader: number): string | undefined {
    if (reader === POLL_READER) this.held(reader);
    const tail = this.tails?.[reader];
    if (tail === undefined) this.assertUsable(what);
    else delete this.tails?.[reader];
    return tail;
  }

  /**
   * A reader of its own: `poll()` returns the events appended since the
   * subscription (or the last poll), without taking them from anyone else.
   */
  async subscribeEvents(): Promise<EventSubscription> {
    const reader = this.openReader("session.subscribeEvents");
    return new EventSubscription(
      () => JSON.parse(this.drainJson("subscription.poll", reader)) as AgentEvent[],
      () => this.closeReader(reader),
    );
  }

  /** The conversation so far, in a provider-neutral shape. */
  async history(): Promise<HistoryMessage[]> {
    this.assertUsable("session.history");
    return this.host.driver.command({ op: "history", session: this.id }) as HistoryMessage[];
  }

  /**
   * Stop the turn in flight: the request is aborted, what streamed so far
   * is kept, and the turn resolves with stop reason `cancelled`. The session
   * takes the next turn normally. Does nothing when idle.
   */
  async interrupt(): Promise<void> {
    this.assertUsable("session.interrupt");
    this.host.driver.command({ op: "interrupt", session: this.id });
  }

  /** Summarise the older turns now (see `SessionConfig.compaction`). */
  async compact(): Promise<void> {
    this.assertUsable("session.compact");
    const { done } = this.host.driver.startRun({ op: "compact", session: this.id });
    const outcome = await done;
    // The summary's tokens count; the last result stays the last turn's.
    this.totals = outcome.totals;
    settle(outcome);
  }

  /** Make the session read-only: its history stays, new turns fail with `SESSION_ARCHIVED`. */
  async archive(): Promise<void> {
    this.assertUsable("session.archive");
    this.host.driver.command({ op: "archive", session: this.id });
  }

  /** Add text to the system prompt from the next request on. */
  appendSystemContext(text: string): void {
    this.assertUsable("session.appendSystemContext");
    requireString(text, "session.appendSystemContext: text");
    this.host.driver.command({ op: "append_system_context", session: this.id, text });
  }

  /** A turn with one skill injected; needs the `skills` capability. */
  async invokeSkill(ref: SkillRef, prompt: Prompt, options?: TurnOptions): Promise<RunResult> {
    const what = "session.invokeSkill";
    this.host.requireCapability("skills");
    skillRef(ref, `${what}: ref`);
    const refs = options === undefined ? [] : requireObject(options, `${what}: options`).skillRefs ?? [];
    if (!Array.isArray(refs)) fail("INVALID_ARGUMENT", `${what}: options.skillRefs must be an array, got ${describeValue(refs)}`);
    return settle(await this.beginTurn(prompt, { ...options, skillRefs: [...refs, ref] as SkillRef[] }, what));
  }

  /** A hook for this session only; returns its id (for `runtime.unregisterHook`). */
  registerHook(point: HookPoint, handler: HookHandler, options?: HookOptions): string {
    this.assertUsable("session.registerHook");
    return this.host.registerHook(point, handler, options, this.id, "session.registerHook");
  }

  /**
   * Forget the session; a turn in flight is aborted and rejects with
   * `CANCELLED`, its readers get its `run_failed`: each reader's next poll
   * returns what it had left, the next ones throw `SESSION_NOT_FOUND`.
   */
  destroy(): void {
    if (this.gone) return;
    this.assertUsable("session.destroy");
    // Each reader's last read: its unread events, then what the destroy
    // added (the run's end, the reply). Only the readers held: a session
    // never polled keeps a whole run for pollEvents, which nobody reads.
    const core = this.host.core;
    const left = [...(this.readers ?? [])].map((r) => [r, JSON.parse(core.drainEventsJson(this.id, r))] as const);
    const end = this.host.driver.command({ op: "destroy_session", session: this.id }) as AgentEvent[];
    const tails: Record<number, string> = (this.tails = {});
    for (const [r, events] of left) if (events.push(...end)) tails[r] = JSON.stringify(events);
    this.markDestroyed();
  }

  /** @internal Destroyed, or (`reason`) its runtime went away. */
  markDestroyed(reason?: MeerkatError): void {
    this.gone = reason ?? new SessionNotFoundError("SESSION_NOT_FOUND", `session ${this.id} was destroyed; create a new one`);
    this.host.driver.forget(this.id);
    this.host.forget(this.id);
  }

  /** Start a run; bad input or a busy session throws at once, having changed nothing. */
  private start(prompt: Prompt, options: TurnOptions | undefined, what: string): { done: Promise<RunOutcome> } {
    this.assertUsable(what);
    requirePrompt(prompt, `${what}: prompt`);
    toJsonText(prompt, `${what}: prompt`);
    const extra = turnOptions(options, what);
    const { done } = this.host.driver.startRun({ op: "turn", session: this.id, prompt, ...extra });
    return {
      done: done.then((outcome) => {
        this.record(outcome);
        return outcome;
      }),
    };
  }

  private record(outcome: RunOutcome): void {
    this.totals = outcome.totals;
    if (outcome.result) this.last = outcome.result;
  }

  /**
   * A reader of the session's events from now on. A `compact` one gets an
   * answer's text once, in its `text_delta`s: the `text_complete` and
   * `run_completed` that repeat it come `elided` (events/log.rs), for the
   * page to rebuild (`src/elided.ts`).
   */
  private openReader(what: string, compact = false): number {
    this.assertUsable(what);
    const cmd = { op: "open_reader", session: this.id, ...(compact ? { compact } : {}) };
    const { reader } = this.host.driver.command(cmd) as { reader: number };
    this.held(reader);
    return reader;
  }

  /** `reader` gets its last read when the session is destroyed. */
  private held(reader: number): void {
    (this.readers ??= new Set()).add(reader);
  }

  private closeReader(reader: number): void {
    this.readers?.delete(reader);
    delete this.tails?.[reader];
    if (this.gone || !this.host.core.alive) return;
    try {
      this.host.driver.command({ op: "close_reader", session: this.id, reader });
    } catch {
      // the session went away meanwhile: its readers went with it
    }
  }

  /** Unread events of `reader` as bytes, or `undefined` when none or once the session or runtime is gone. */
  private bytesQuietly(reader: number): Uint8Array | undefined {
    try {
      return this.drainBytes("session.stream", reader);
    } catch {
      return undefined; // the run's outcome says why
    }
  }

  /** Unread events of `reader` as JSON text, or "[]" once the session or runtime is gone. */
  private drainQuietly(reader: number): string {
    try {
      return this.drainJson("session.stream", reader);
    } catch {
      return "[]"; // the run's outcome says why
    }
  }

  private assertUsable(what: string): void {
    const gone = this.gone;
    if (gone) throw makeError(gone.code, `${what}: ${gone.message}`);
  }
}

/** A run's outcome as a value, or its error thrown. */
export function settle(outcome: RunOutcome): RunResult {
  if (outcome.result) return outcome.result;
  throw outcome.error as MeerkatError;
}
