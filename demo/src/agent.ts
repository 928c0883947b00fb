/**
 * Runtime wiring: the Worker that hosts the wasm runtime, the connection to
 * it, the example tools, the demo's skill source and hook, and the current
 * session.
 */
import type { RuntimeConfig, SessionConfig } from "@rkat/web";
import { connectRuntime, type WorkerRuntime, type WorkerSession } from "@rkat/web/worker";
import { DEMO_SKILL_SOURCE, SKILL_SOURCE_UUID, calculatorPolicy, type HookVerdict } from "./loop.js";
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
export function runtimeConfig(settings: AgentSettings): RuntimeConfig {
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

/** The provider family of the settings' wire API (both OpenAI APIs are "openai"). */
export function providerFamily(settings: AgentSettings): "anthropic" | "openai" | "gemini" {
  return settings.provider === "anthropic" || settings.provider === "gemini" ? settings.provider : "openai";
}

export function sessionConfig(settings: AgentSettings): SessionConfig {
  const provider = providerFamily(settings);
  const config: SessionConfig = { model: settings.model, provider };
  if (settings.provider === "openai-responses") config.openaiApi = "responses";
  if (settings.provider === "openai-chat") config.openaiApi = "chat";
  return config;
}

/** A skill the picker offers, as the runtime lists it. */
export interface SkillChoice {
  name: string;
  description: string;
}

export class DemoAgent {
  private worker: Worker | undefined;
  private runtime: WorkerRuntime | undefined;
  session: WorkerSession | undefined;
  settings: AgentSettings | undefined;
  /** The demo source's skills, as listed by the runtime after adding it. */
  skills: SkillChoice[] = [];
  /** The id of the calculator-denying hook while it is registered. */
  hookId: string | undefined;
  /** Whether the hook should be registered (it outlives reconnections). */
  private wantHook = false;
  /** Hook (un)registrations, one at a time: a quick on/off/on must not interleave. */
  private hookSync: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly onToolRun: (run: ToolRun) => void,
    private readonly onHookVerdict: (verdict: HookVerdict) => void,
  ) {}

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
      await runtime.addSkillSource(DEMO_SKILL_SOURCE);
      // The picker offers what the runtime holds, not what the demo meant to add.
      const source = (await runtime.listSkillSources()).find((s) => s.sourceUuid === SKILL_SOURCE_UUID);
      this.skills = source ? source.skills.map(({ name, description }) => ({ name, description })) : [];
      this.runtime = runtime;
      await this.setDenyCalculator(this.wantHook);
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

  /**
   * Register (on) or unregister (off) the `pre_tool_execution` hook that
   * denies the calculator. Remembered across reconnections; resolves with
   * the hook's id while it is registered.
   */
  setDenyCalculator(on: boolean): Promise<string | undefined> {
    this.wantHook = on;
    const next = this.hookSync.catch(() => {}).then(() => this.syncHook());
    this.hookSync = next;
    return next;
  }

  private async syncHook(): Promise<string | undefined> {
    const runtime = this.runtime;
    if (!runtime) return undefined; // applied by connect()
    if (this.wantHook && this.hookId === undefined) {
      const id = await runtime.registerHook("pre_tool_execution", calculatorPolicy(this.onHookVerdict));
      // A reconnection meanwhile started a new runtime: this id belongs to the old one.
      if (this.runtime === runtime) this.hookId = id;
    } else if (!this.wantHook && this.hookId !== undefined) {
      const id = this.hookId;
      this.hookId = undefined;
      await runtime.unregisterHook(id);
    }
    return this.hookId;
  }

  /** Stop the Worker (and with it the runtime, its sessions and hooks). */
  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.runtime = undefined;
    this.session = undefined;
    this.hookId = undefined;
    // A call into a terminated Worker never settles: do not queue behind it.
    this.hookSync = Promise.resolve();
    this.skills = [];
  }
}
