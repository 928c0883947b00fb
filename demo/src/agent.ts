/**
 * Runtime wiring: the Worker that hosts the wasm runtime, the connection to
 * it, the example tools and the current session.
 */
import type { RuntimeConfig, SessionConfig } from "@rkat/web";
import { connectRuntime, type WorkerRuntime, type WorkerSession } from "@rkat/web/worker";
import { demoTools, instrument, type ToolRun } from "./tools.js";

/** The wire APIs the demo can talk to, each through rkat-web-proxy. */
export const PROVIDERS = {
  anthropic: { label: "Anthropic Messages", path: "/anthropic", model: "claude-sonnet-4-6" },
  "openai-chat": { label: "OpenAI Chat Completions", path: "/openai/v1", model: "gpt-4.1" },
  "openai-responses": { label: "OpenAI Responses", path: "/openai/v1", model: "gpt-4.1" },
  gemini: { label: "Gemini", path: "/gemini", model: "gemini-2.5-flash" },
} as const;

export type ProviderId = keyof typeof PROVIDERS;

export interface AgentSettings {
  provider: ProviderId;
  /** The provider's base URL, e.g. the local rkat-web-proxy's `/anthropic`. */
  baseUrl: string;
  model: string;
}

const PROXY_ORIGIN = "http://127.0.0.1:3100";

/** The defaults of one provider behind the local proxy. */
export function providerDefaults(provider: ProviderId, origin = PROXY_ORIGIN): AgentSettings {
  const p = PROVIDERS[provider];
  return { provider, baseUrl: `${origin}${p.path}`, model: p.model };
}

export const DEFAULT_SETTINGS: AgentSettings = providerDefaults("anthropic");

const isProvider = (value: string | null): value is ProviderId => value !== null && value in PROVIDERS;

/** Defaults, overridden by `?provider=`, `?proxy=<base URL>` and `?model=<name>`. */
export function settingsFromQuery(search: string): AgentSettings {
  const params = new URLSearchParams(search);
  const asked = params.get("provider");
  const defaults = providerDefaults(isProvider(asked) ? asked : "anthropic");
  return {
    provider: defaults.provider,
    baseUrl: params.get("proxy")?.trim() || defaults.baseUrl,
    model: params.get("model")?.trim() || defaults.model,
  };
}

/** The runtime config for one provider: a placeholder key (the proxy holds the real one). */
function runtimeConfig(settings: AgentSettings): RuntimeConfig {
  switch (settings.provider) {
    case "anthropic":
      return { anthropicApiKey: "proxy", anthropicBaseUrl: settings.baseUrl, model: settings.model };
    case "openai-chat":
    case "openai-responses":
      return { openaiApiKey: "proxy", openaiBaseUrl: settings.baseUrl, model: settings.model };
    case "gemini":
      return { geminiApiKey: "proxy", geminiBaseUrl: settings.baseUrl, model: settings.model };
  }
}

function sessionConfig(settings: AgentSettings): SessionConfig {
  const provider = settings.provider === "gemini" ? "gemini" : settings.provider === "anthropic" ? "anthropic" : "openai";
  const config: SessionConfig = { model: settings.model, provider };
  if (settings.provider === "openai-responses") config.openaiApi = "responses";
  if (settings.provider === "openai-chat") config.openaiApi = "chat";
  return config;
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
    try {
      const runtime = await connectRuntime(worker, runtimeConfig(settings));
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
    this.session = await this.runtime.createSession(sessionConfig(this.settings));
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
