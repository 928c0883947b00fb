/** Helpers shared by the Node integration tests. */
import { afterEach, inject } from "vitest";
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";
import { MeerkatRuntime, type RuntimeConfig, type WasmModule } from "@rkat/web";
import { connectRuntime, exposeRuntime, type WorkerRuntime } from "@rkat/web/worker";

export { wasm };

export const proxyUrl = (): string => inject("proxyUrl");

/** A config pointed at the simulated Anthropic provider. */
export function simConfig(extra: RuntimeConfig = {}): RuntimeConfig {
  return { anthropicApiKey: "proxy", anthropicBaseUrl: `${proxyUrl()}/anthropic`, model: "claude-sonnet-4-6", ...extra };
}

/**
 * The real module, with a trap injected: a command mentioning "trap-me"
 * throws what a wasm `unreachable` throws. (The core has no input that
 * traps by design; this checks the host's reaction if one ever does.)
 */
export function trappingWasm(): WasmModule {
  class TrappingCore extends wasm.Core {
    override command(nowMs: number, json: string): string {
      if (json.includes("trap-me")) throw new WebAssembly.RuntimeError("unreachable");
      return super.command(nowMs, json);
    }
  }
  return { ...wasm, Core: TrappingCore } as unknown as WasmModule;
}

/** A config with every provider pointed at the simulator (no default model). */
export function allProvidersConfig(extra: RuntimeConfig = {}): RuntimeConfig {
  const base = proxyUrl();
  return {
    anthropicApiKey: "proxy",
    anthropicBaseUrl: `${base}/anthropic`,
    openaiApiKey: "proxy",
    openaiBaseUrl: `${base}/openai/v1`,
    geminiApiKey: "proxy",
    geminiBaseUrl: `${base}/gemini`,
    ...extra,
  };
}

/** A runtime pointed at the simulated Anthropic provider. */
export function simRuntime(extra: RuntimeConfig = {}): Promise<MeerkatRuntime> {
  return MeerkatRuntime.init(wasm, simConfig(extra));
}

/**
 * A runtime served by `exposeRuntime` over a real MessageChannel (the real
 * RPC, real structured clone), pointed at the simulated provider.
 */
export async function workerPair(extra: RuntimeConfig = {}): Promise<{
  runtime: WorkerRuntime;
  channel: MessageChannel;
  close: () => Promise<void>;
}> {
  const channel = new MessageChannel();
  exposeRuntime(wasm, { endpoint: channel.port1 as never });
  const runtime = await connectRuntime(channel.port2 as never, simConfig(extra));
  const close = async () => {
    await runtime.destroy().catch(() => {});
    channel.port1.close();
    channel.port2.close();
  };
  return { runtime, channel, close };
}

/**
 * Closes run after each test of the suite, in the order registered (a
 * runtime's destroy, a Worker pair's close): the returned function
 * registers one. Call at a suite's top level.
 */
export function closedAfterEachTest(): (close: () => Promise<void>) => void {
  const closes: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closes.splice(0)) await close();
  });
  return (close) => void closes.push(close);
}

/**
 * A fresh session on the main thread and one through the Worker (each
 * closed after its test), typed as `S`: the shape a suite uses of both.
 * Call at a suite's top level (it registers the clean-up).
 */
export function sessionSides<S>(): { name: string; session(): Promise<S> }[] {
  const closing = closedAfterEachTest();
  return [
    {
      name: "main thread",
      session: async () => {
        const runtime = await simRuntime();
        closing(async () => runtime.destroy());
        return runtime.createSession() as S;
      },
    },
    {
      name: "Worker",
      session: async () => {
        const { runtime, close } = await workerPair();
        closing(close);
        return (await runtime.createSession()) as S;
      },
    },
  ];
}

/** Queue behaviours for the next simulated requests. */
export async function script(...directives: string[]): Promise<void> {
  const res = await fetch(`${proxyUrl()}/_sim/script`, { method: "POST", body: JSON.stringify(directives) });
  if (!res.ok) throw new Error(`script failed: ${res.status}`);
}

/** What the simulated provider received, newest last. */
export async function simRequests(): Promise<Array<{ path: string; headers: Record<string, string>; body: any }>> {
  const res = await fetch(`${proxyUrl()}/_sim/requests`);
  return (await res.json()) as Array<{ path: string; headers: Record<string, string>; body: any }>;
}

export async function resetSim(): Promise<void> {
  await fetch(`${proxyUrl()}/_sim/reset`, { method: "POST" });
}

/** Event types with runs of text_delta collapsed to one "text_delta*". */
export function shape(events: Array<{ type: string }>): string[] {
  const out: string[] = [];
  for (const e of events) {
    const t = e.type === "text_delta" ? "text_delta*" : e.type;
    if (t === "text_delta*" && out[out.length - 1] === t) continue;
    out.push(t);
  }
  return out;
}
