// The runtime worker of the end-to-end bridge benchmark: exposeRuntime()
// with the Worker's fetch answering the LLM request from memory. The chunk
// size rides in the (never contacted) base URL: .../bench-chunk-<size>/...
// Every other request (the wasm asset) goes to the bench server as usual.
import { exposeRuntime } from "@rkat/web/worker";
import { cutEvery, makeBody, sseResponse } from "../sse-body.mjs";
import { installProbe } from "./bridge-probe.js";

const realFetch = globalThis.fetch.bind(globalThis);
const chunksBySize = new Map();
let body;

globalThis.fetch = async (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith("http://127.0.0.1:9/")) return realFetch(input, init);
  const match = /^http:\/\/127\.0\.0\.1:9\/bench-chunk-(\d+)\//.exec(url);
  if (!match) throw new Error(`bridge-worker: unexpected URL ${url}`);
  const size = Number(match[1]);
  body ??= makeBody();
  if (!chunksBySize.has(size)) chunksBySize.set(size, cutEvery(body.bytes, size));
  return sseResponse(chunksBySize.get(size));
};

installProbe();
exposeRuntime();
