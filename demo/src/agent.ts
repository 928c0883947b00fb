/**
 * Runtime wiring: the Worker that hosts the wasm runtime, the connection to
 * it, the example tools and the current session.
 */
import type { RuntimeConfig } from "@rkat/web";
import { connectRuntime, type WorkerRuntime, type WorkerSession } from "@rkat/web/worker";
import { demoTools, instrument, type ToolRun } from "./tools.js";

export interface AgentSettings {
  /** Anthropic base URL (origin without `/v1`), e.g. the local rkat-web-proxy. */
  baseUrl: string;
  model: string;
}

export const DEFAULT_SETTINGS: AgentSettings = {
  baseUrl: "http://127.0.0.1:3100/anthropic",
  model: "claude-sonnet-4-6",
};

/** Defaults, overridden by `?proxy=<base URL>` and `?model=<name>`. */
export function settingsFromQuery(search: string): AgentSettings {
  const params = new URLSearchParams(search);
  return {
    baseUrl: params.get("proxy")?.trim() || DEFAULT_SETTINGS.baseUrl,
    model: params.get("model")?.trim() || DEFAULT_SETTINGS.model,
  };
}

export class DemoAgent {
  private worker: Worker | undefined;
  private runtime: WorkerRuntime | undefined;
  session: WorkerSession | undefined;
  settings: AgentSettings | undefined;

  constructor(private readonly onToolRun: (run: ToolRun) => void) {}

  get connected(): boolean {
    return this.runtime !== undefined;
  }

  /** (Re)start the Worker and its runtime, register the tools, open a session. */
  async connect(settings: AgentSettings): Promise<WorkerSession> {
    this.dispose();
    this.settings = settings;
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    this.worker = worker;
    // The API key is a placeholder: rkat-web-proxy holds the real one (or simulates the API).
    const config: RuntimeConfig = { anthropicApiKey: "proxy", anthropicBaseUrl: settings.baseUrl, model: settings.model };
    try {
      const runtime = await connectRuntime(worker, config);
      for (const tool of demoTools) {
        await runtime.registerTool(tool.name, tool.description, tool.inputSchema, instrument(tool, this.onToolRun));
      }
      this.runtime = runtime;
      return await this.newSession();
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /** Forget the current conversation and start a fresh one. */
  async newSession(): Promise<WorkerSession> {
    if (!this.runtime || !this.settings) throw new Error("the runtime is not connected");
    const old = this.session;
    this.session = undefined;
    if (old) await old.destroy().catch(() => {});
    this.session = await this.runtime.createSession({ model: this.settings.model });
    return this.session;
  }

  /** Stop the Worker (and with it the runtime and its sessions). */
  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.runtime = undefined;
    this.session = undefined;
  }
}
