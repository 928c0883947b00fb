// The four wire formats the runtime speaks, each with its body generator
// (sse-body.mjs), its hand-written floor (floor.mjs), and the runtime and
// session config that make the runtime request it. Every base URL is on
// 127.0.0.1 and never contacted: the injected fetch answers from memory,
// and refuses any URL but the one the provider must request.
// Works in Node and in the browser.
import { BENCH_CONFIG } from "./contestants.mjs";
import { floorParse, floorParseGemini, floorParseOpenAiChat, floorParseOpenAiResponses } from "./floor.mjs";

const OPENAI_CONFIG = { ...BENCH_CONFIG, openaiApiKey: "x", openaiBaseUrl: "http://127.0.0.1:9/openai/v1" };

export const PROVIDERS = {
  anthropic: {
    label: "Anthropic Messages",
    short: "Anthropic",
    floor: floorParse,
    config: BENCH_CONFIG,
    session: undefined, // the runtime's default model, claude-sonnet-4-6
    url: "http://127.0.0.1:9/anthropic/v1/messages",
  },
  "openai-chat": {
    label: "OpenAI Chat Completions",
    short: "OpenAI Chat",
    floor: floorParseOpenAiChat,
    config: OPENAI_CONFIG,
    session: { model: "gpt-4.1", openaiApi: "chat" },
    url: "http://127.0.0.1:9/openai/v1/chat/completions",
  },
  "openai-responses": {
    label: "OpenAI Responses",
    short: "OpenAI Resp.",
    floor: floorParseOpenAiResponses,
    config: OPENAI_CONFIG,
    session: { model: "gpt-4.1", openaiApi: "responses" },
    url: "http://127.0.0.1:9/openai/v1/responses",
  },
  gemini: {
    label: "Gemini streamGenerateContent",
    short: "Gemini",
    floor: floorParseGemini,
    config: { ...BENCH_CONFIG, geminiApiKey: "x", geminiBaseUrl: "http://127.0.0.1:9/gemini" },
    session: { model: "gemini-2.5-flash" },
    url: "http://127.0.0.1:9/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
  },
};

export const PROVIDER_IDS = Object.keys(PROVIDERS);
