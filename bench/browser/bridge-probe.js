// Where the time goes on the Worker side of the bridge (bench only): the
// wasm entry points, JSON.parse/stringify, TextEncoder/Decoder and
// postMessage (which serializes, or transfers, right there) are wrapped with
// performance.now() pairs while a probe is on. The page switches it with
// untagged messages, which the runtime's RPC leaves alone:
//   { benchProbe: "start" }  → zero the counters, wrap
//   { benchProbe: "take" }   → unwrap, post { benchProbe: counters }
// Timestamps are on the shared clock (performance.timeOrigin + now()), so
// the page can put the Worker's spans beside its own.
import * as wasm from "@rkat/web/wasm/meerkat_web_runtime.js";

const now = () => performance.timeOrigin + performance.now();

let acc;
let inWasm = 0; // wasm calls under way: the glue's own string decode is counted apart
const restore = [];

function zero() {
  acc = {
    pushBody: 0,
    drainEvents: 0,
    command: 0,
    jsonParse: 0,
    jsonStringify: 0,
    textCodec: 0,
    glueDecode: 0,
    postMessage: 0,
    posts: 0,
    postedBytes: 0,
    firstPushAt: 0,
    lastPushAt: 0,
    postLog: [],
  };
}

/**
 * Replace `owner[name]` with a timed wrapper adding to `acc[key]` (to
 * `acc[nested]` instead when called from inside a wasm call).
 */
function wrap(owner, name, key, { after, wasmCall = false, nested = key } = {}) {
  const original = owner[name];
  owner[name] = function (...args) {
    const bucket = inWasm > 0 ? nested : key;
    if (wasmCall) inWasm++;
    const t0 = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      acc[bucket] += performance.now() - t0;
      if (wasmCall) inWasm--;
      after?.(args);
    }
  };
  restore.push(() => (owner[name] = original));
}

/** The UTF-16 or byte size of what a post carries (batches are strings or buffers). */
function sizeOf(value) {
  if (typeof value === "string") return value.length;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((n, v) => n + sizeOf(v), 0);
  if (value && typeof value === "object") return Object.values(value).reduce((n, v) => n + sizeOf(v), 0);
  return 0;
}

function start() {
  zero();
  const proto = wasm.Core.prototype;
  const stamp = () => {
    const t = now();
    acc.firstPushAt ||= t;
    acc.lastPushAt = t;
  };
  wrap(proto, "pushBody", "pushBody", { wasmCall: true, after: stamp });
  for (const name of ["drainEvents", "drainEventBytes"]) {
    if (proto[name]) wrap(proto, name, "drainEvents", { wasmCall: true });
  }
  wrap(proto, "command", "command", { wasmCall: true });
  wrap(JSON, "parse", "jsonParse");
  wrap(JSON, "stringify", "jsonStringify");
  wrap(TextEncoder.prototype, "encode", "textCodec", { nested: "glueDecode" });
  wrap(TextEncoder.prototype, "encodeInto", "textCodec", { nested: "glueDecode" });
  wrap(TextDecoder.prototype, "decode", "textCodec", { nested: "glueDecode" });
  const original = self.postMessage;
  self.postMessage = function (message, transfer) {
    const size = sizeOf(message?.args ?? message?.value ?? message);
    const t0 = performance.now();
    try {
      return original.call(this, message, transfer);
    } finally {
      const t1 = performance.now();
      acc.postMessage += t1 - t0;
      acc.posts++;
      acc.postedBytes += size;
      // [when, ms, kind, size, transferred]: for a timeline by hand.
      acc.postLog.push([now() - (t1 - t0), t1 - t0, message?.rkat, size, transfer?.length ?? 0]);
    }
  };
  restore.push(() => (self.postMessage = original));
}

function take() {
  while (restore.length) restore.pop()();
  return acc;
}

/** Listen for the page's probe commands (alongside the runtime's RPC). */
export function installProbe() {
  zero();
  self.addEventListener("message", ({ data }) => {
    if (data?.benchProbe === "start") start();
    else if (data?.benchProbe === "take") self.postMessage({ benchProbe: take() });
  });
}
