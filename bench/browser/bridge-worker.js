// The runtime worker of the end-to-end bridge benchmarks: exposeRuntime()
// with the Worker's fetch answering the LLM requests from memory. The read
// size (and, for the mob bench, the deltas per answer) ride in the (never
// contacted) base URL: .../bench-chunk-<size>[-deltas-<n>]/...
// Every other request (the wasm asset) goes to the bench server as usual.
import { exposeRuntime } from "@rkat/web/worker";
import { cutEvery, makeBody, sseResponse } from "../sse-body.mjs";
import { installProbe } from "./bridge-probe.js";

const realFetch = globalThis.fetch.bind(globalThis);
const chunksByKey = new Map();

globalThis.fetch = async (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith("http://127.0.0.1:9/")) return realFetch(input, init);
  const match = /^http:\/\/127\.0\.0\.1:9\/bench-chunk-(\d+)(?:-deltas-(\d+))?\//.exec(url);
  if (!match) throw new Error(`bridge-worker: unexpected URL ${url}`);
  const key = match[0];
  if (!chunksByKey.has(key)) {
    const body = match[2] ? makeBody(Number(match[2])) : makeBody();
    chunksByKey.set(key, cutEvery(body.bytes, Number(match[1])));
  }
  return sseResponse(chunksByKey.get(key));
};

installProbe();
exposeRuntime();
