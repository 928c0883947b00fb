#!/usr/bin/env node
// Measure another build of the wasm core with the Node benchmarks, e.g. to
// weigh opt-level "z" (shipped) against "3". Nothing in the repo is touched:
//
//   CARGO_PROFILE_RELEASE_OPT_LEVEL=3 cargo build --offline --release \
//     --target wasm32-unknown-unknown -p meerkat-web-runtime --target-dir /tmp/o3
//   wasm-bindgen --target web --out-dir /tmp/pkg-o3 \
//     /tmp/o3/wasm32-unknown-unknown/release/meerkat_web_runtime.wasm
//   node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
//     /tmp/pkg-o3/meerkat_web_runtime_bg.wasm -o /tmp/pkg-o3/opt.wasm
//   node bench/wasm-variant.mjs /tmp/pkg-o3 /tmp/pkg-o3/opt.wasm
//
// A build that keeps function names, for `node --cpu-prof` (the profile
// then names every wasm function): skip wasm-opt, or run it with -g:
//
//   cargo build --offline --release --target wasm32-unknown-unknown \
//     -p meerkat-web-runtime --target-dir /tmp/named
//   wasm-bindgen --target web --out-dir /tmp/pkg-named \
//     /tmp/named/wasm32-unknown-unknown/release/meerkat_web_runtime.wasm
//   node_modules/.bin/wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int \
//     /tmp/pkg-named/meerkat_web_runtime_bg.wasm -o /tmp/pkg-named/named-oz.wasm
//   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/wasm-variant.mjs /tmp/pkg-named \
//     /tmp/pkg-named/named-oz.wasm --provider=gemini
//
// Usage: node bench/wasm-variant.mjs <folder with meerkat_web_runtime.js> [wasm file] [--quick]
//          [--provider=anthropic|openai-chat|openai-responses|gemini]   (default anthropic)
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { breakdownNode, PARTS } from "./breakdown-node.mjs";
import { benchEventsNode } from "./events-node.mjs";
import { PROVIDER_IDS } from "./providers.mjs";
import { analyzeEvents } from "./report.mjs";
import { num } from "./stats.mjs";

const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const quick = process.argv.includes("--quick");
const provider = process.argv.find((a) => a.startsWith("--provider="))?.slice("--provider=".length) ?? "anthropic";
if (args.length < 1 || !PROVIDER_IDS.includes(provider)) {
  console.error(`usage: node bench/wasm-variant.mjs <folder with meerkat_web_runtime.js> [wasm file] [--quick] [--provider=${PROVIDER_IDS.join("|")}]`);
  process.exit(2);
}
const dir = resolve(args[0]);
const wasmFile = resolve(args[1] ?? `${dir}/meerkat_web_runtime_bg.wasm`);
const wasm = await import(pathToFileURL(`${dir}/meerkat_web_runtime.js`).href);
const bytes = readFileSync(wasmFile);
wasm.initSync({ module: bytes }); // MeerkatRuntime.init then finds it loaded
const runs = quick ? 5 : 21;
const warmup = quick ? 1 : 5;

console.log(`${wasmFile}: ${bytes.length.toLocaleString("en")} B raw, ${(gzipSync(bytes, { level: 9 }).length / 1000).toFixed(1)} KB gzip -9; ${provider} body, 16 KiB chunks`);
const events = analyzeEvents(await benchEventsNode({ runs, warmup, sizes: [16 * 1024], wasm, provider }), "floor");
for (const [name, s] of Object.entries(events.bySize[16384].nsPerEvent)) {
  const r = events.bySize[16384].ratioToBaseline[name];
  console.log(`  ${name.padEnd(9)} ${num(s.median).padStart(6)} ns/event (p25–p75 ${num(s.p25)}–${num(s.p75)})${r ? `  ${r.median.toFixed(2)}× floor` : ""}`);
}
const split = await breakdownNode({ runs, warmup, size: 16 * 1024, wasm, provider });
for (const key of Object.keys(PARTS)) {
  console.log(`  ${PARTS[key].padEnd(56)} turn+poll ${num(split.nsPerEvent.turnPoll[key].median).padStart(6)}  stream ${num(split.nsPerEvent.stream[key].median).padStart(6)} ns/event`);
}
