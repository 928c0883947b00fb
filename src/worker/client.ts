/**
 * Main-thread side: the `MeerkatRuntime` API, with async methods, for a
 * runtime living in a Worker. Tools cross as comlink proxies; events cross
 * in batches. If the Worker dies, every pending call rejects with
 * `RUNTIME_TRAPPED` instead of hanging (comlink alone would hang).
 */
import * as Comlink from "comlink";
import type { AgentEvent } from "../events.js";
import { MeerkatError } from "../errors.js";
import { EventChannel, EventStream } from "../stream.js";
import type {
  HistoryMessage,
  Prompt,
  RunResult,
  RuntimeConfig,
  SessionConfig,
  ToolHandler,
  ToolInputSchema,
  TurnOptions,
  Usage,
} from "../types.js";
import { requireFunction, requireObject, requirePrompt, requireString, toJsonText, turnOptions } from "../validate.js";
import { installErrorTransfer, type RuntimeHost, type SessionState } from "./protocol.js";

/** A Worker, or any comlink endpoint with error events. */
export type WorkerLike = Comlink.Endpoint;

/** Tracks the Worker's liveness and rejects pending calls when it dies. */
class Link {
  private readonly pending = new Set<(error: MeerkatError) => void>();
  dead: MeerkatError | undefined;

  constructor(worker: WorkerLike) {
    const die = (why: string) => {
      if (this.dead) return;
      this.dead = new MeerkatError("RUNTIME_TRAPPED", `the runtime worker failed: ${why}; create a new worker and runtime`);
      for (const reject of this.pending) reject(this.dead);
      this.pending.clear();
    };
    worker.addEventListener("error", (event) => die((event as ErrorEvent).message || "uncaught error in the worker"));
    worker.addEventListener("messageerror", () => die("a message could not be deserialized"));
  }

  /** Run a remote call, rejecting at once if the Worker dies meanwhile. */
  call<T>(remote: () => Promise<T>): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise<T>((resolve, reject) => {
      const onDeath = (error: MeerkatError) => reject(error);
      this.pending.add(onDeath);
      remote().then(
        (value) => {
          this.pending.delete(onDeath);
          resolve(value);
        },
        (error: unknown) => {
          this.pending.delete(onDeath);
          reject(error);
        },
      );
    });
  }

  /** Die on purpose (the runtime was destroyed): later calls fail fast. */
  close(): void {
    this.dead = new MeerkatError("RUNTIME_DESTROYED", "the worker runtime was destroyed; create a new one");
  }
}

/** Start a runtime inside `worker` (which must call `exposeRuntime()`). */
export async function connectRuntime(worker: WorkerLike, config: RuntimeConfig): Promise<WorkerRuntime> {
  if (typeof (worker as { postMessage?: unknown } | null)?.postMessage !== "function") {
    throw new MeerkatError("INVALID_ARGUMENT", "connectRuntime: pass a Worker (new Worker(url, { type: 'module' }))");
  }
  requireObject(config, "connectRuntime: config", "INVALID_CONFIG");
  toJsonText(config, "connectRuntime: config", "INVALID_CONFIG");
  installErrorTransfer();
  const link = new Link(worker);
  const host = Comlink.wrap<RuntimeHost>(worker);
  await link.call(() => host.init(config));
  return new WorkerRuntime(host, link);
}

export class WorkerRuntime {
  /** @internal Use `connectRuntime`. */
  constructor(
    private readonly host: Comlink.Remote<RuntimeHost>,
    private readonly link: Link,
  ) {}

  async createSession(config: SessionConfig = {}): Promise<WorkerSession> {
    requireObject(config, "createSession: config", "INVALID_CONFIG");
    toJsonText(config, "createSession: config", "INVALID_CONFIG");
    const id = await this.link.call(() => this.host.createSession(config));
    return new WorkerSession(id, this.host, this.link);
  }

  async registerTool(name: string, description: string, inputSchema: ToolInputSchema, handler: ToolHandler): Promise<void> {
    requireString(name, "registerTool: name");
    requireString(description, "registerTool: description");
    requireObject(inputSchema, "registerTool: inputSchema");
    toJsonText(inputSchema, "registerTool: inputSchema");
    requireFunction(handler, "registerTool: handler");
    const remote = Comlink.proxy(async (args: Record<string, unknown>) => handler(args));
    await this.link.call(() => this.host.registerTool(name, description, inputSchema, remote));
  }

  async unregisterTool(name: string): Promise<void> {
    requireString(name, "unregisterTool: name");
    await this.link.call(() => this.host.unregisterTool(name));
  }

  listSessions(): Promise<string[]> {
    return this.link.call(() => this.host.listSessions());
  }

  /** Free the runtime inside the Worker (the Worker itself stays yours). */
  async destroy(): Promise<void> {
    if (this.link.dead) return;
    await this.link.call(() => this.host.destroy());
    this.link.close();
  }
}

const ZERO: Usage = { inputTokens: 0, outputTokens: 0 };

export class WorkerSession {
  readonly id: string;
  private state: SessionState;

  /** @internal Use `runtime.createSession`. */
  constructor(
    id: string,
    private readonly host: Comlink.Remote<RuntimeHost>,
    private readonly link: Link,
  ) {
    this.id = id;
    const lastResult: RunResult = { sessionId: id, text: "", turns: 0, toolCalls: 0, usage: ZERO };
    this.state = { text: "", usage: ZERO, turns: 0, toolCalls: 0, lastResult };
  }

  get text(): string {
    return this.state.text;
  }
  get usage(): Usage {
    return this.state.usage;
  }
  get turns(): number {
    return this.state.turns;
  }
  get toolCalls(): number {
    return this.state.toolCalls;
  }
  get lastResult(): RunResult {
    return this.state.lastResult;
  }
  get structuredOutput(): unknown {
    return this.state.lastResult.structuredOutput;
  }

  async turn(prompt: Prompt, options?: TurnOptions): Promise<RunResult> {
    this.checkPrompt(prompt, "session.turn");
    turnOptions(options, "session.turn");
    try {
      this.state = await this.link.call(() => this.host.turn(this.id, prompt, options));
    } catch (error) {
      await this.refresh();
      throw error;
    }
    return this.state.lastResult;
  }

  /** Iterate the run's events; they arrive in batches from the Worker. */
  stream(prompt: Prompt, options?: TurnOptions): EventStream {
    this.checkPrompt(prompt, "session.stream");
    turnOptions(options, "session.stream");
    const channel = new EventChannel();
    const onBatch = Comlink.proxy(async (json: string) => channel.push(JSON.parse(json) as AgentEvent[]));
    this.link
      .call(() => this.host.stream(this.id, prompt, options, onBatch))
      .then(
        (state) => {
          this.state = state;
          channel.end(state.lastResult);
        },
        async (error: MeerkatError) => {
          await this.refresh();
          channel.fail(error);
        },
      );
    return new EventStream(this.id, channel);
  }

  /** After a failed run the counters still moved (usage of failed attempts). */
  private async refresh(): Promise<void> {
    try {
      this.state = await this.link.call(() => this.host.state(this.id));
    } catch {
      // the session or worker is gone: keep the last known counters
    }
  }

  async pollEvents(): Promise<AgentEvent[]> {
    return JSON.parse(await this.link.call(() => this.host.pollEvents(this.id))) as AgentEvent[];
  }

  history(): Promise<HistoryMessage[]> {
    return this.link.call(() => this.host.history(this.id));
  }

  /** Stop the turn in flight; it resolves with stop reason `cancelled`. */
  interrupt(): Promise<void> {
    return this.link.call(() => this.host.interrupt(this.id));
  }

  destroy(): Promise<void> {
    return this.link.call(() => this.host.destroySession(this.id));
  }

  private checkPrompt(prompt: Prompt, what: string): void {
    requirePrompt(prompt, `${what}: prompt`);
    toJsonText(prompt, `${what}: prompt`);
  }
}
