/**
 * One simulated provider (rkat-web-proxy without keys) on 127.0.0.1 for
 * the whole Vitest run; tests read its URL with `inject("proxyUrl")`.
 */
import type { TestProject } from "vitest/node";
import { startProxy } from "@rkat/web/proxy";

declare module "vitest" {
  export interface ProvidedContext {
    proxyUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // Empty keys force simulation even if real keys are in the environment.
  const proxy = await startProxy({ port: 0, anthropicApiKey: "", openaiApiKey: "", geminiApiKey: "" });
  project.provide("proxyUrl", proxy.url);
  return async () => {
    await proxy.close();
  };
}
