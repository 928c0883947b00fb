// Start-up marks inside a runtime Worker, for the ready breakdown. This
// module is imported first, so it evaluates before the package; it watches
// the package from the outside (no hooks in the package itself): the
// wasm's fetch, its compilation and instantiation (streamed, or the page's
// compiled module through initSync), the first call into each of the
// core's exports that matter (start, version handshake, Core constructor,
// first command: Chromium compiles a wasm function on its first call) and
// the messages in and out. After each reply the Worker posts its marks
// (`{ profile }`, ignored by the RPC layer) as absolute times: timeOrigin +
// now, which the page maps onto its own clock.
const marks = [["timeOrigin", performance.timeOrigin]];
const at = () => performance.timeOrigin + performance.now();
const mark = (name) => marks.push([name, at()]);
mark("evaluate");

const WA = WebAssembly;
const real = {
  fetch: globalThis.fetch,
  compileStreaming: WA.compileStreaming,
  instantiateStreaming: WA.instantiateStreaming,
  instantiate: WA.instantiate,
  compile: WA.compile,
  postMessage: globalThis.postMessage,
  addEventListener: globalThis.addEventListener,
};

globalThis.fetch = function (input, init) {
  const url = String(input?.url ?? input);
  const wasm = url.endsWith(".wasm");
  if (wasm) mark("wasm fetch called");
  const promise = real.fetch.call(this, input, init);
  if (wasm) promise.then(() => mark("wasm response headers"), () => {});
  return promise;
};

/** The core's exports, each call of the interesting ones marked (first call only). */
const EXPORTS = { __wbindgen_start: "wasm start", core_version: "version handshake", core_new: "Core constructed", core_command: "first command" };
function watchExports(exports) {
  const out = {};
  for (const [name, value] of Object.entries(exports)) {
    const label = EXPORTS[name];
    if (!label || typeof value !== "function") {
      out[name] = value;
      continue;
    }
    let seen = false;
    out[name] = (...args) => {
      const first = !seen;
      seen = true;
      if (first) mark(`${label}: start`);
      const result = value(...args);
      if (first) mark(`${label}: end`);
      return result;
    };
  }
  return out;
}
/** An Instance whose exports are watched (passes the glue's instanceof check). */
const watched = (instance) => Object.create(WebAssembly.Instance.prototype, { exports: { value: watchExports(instance.exports) } });
const isCore = (imports) => imports && Object.keys(imports).some((k) => k.includes("meerkat_web_runtime") || k === "./meerkat_web_runtime_bg.js");

WA.compileStreaming = function (source) {
  mark("compileStreaming: start");
  return real.compileStreaming.call(WA, source).then((module) => {
    mark("compileStreaming: end");
    return module;
  });
};
WA.compile = function (bytes) {
  mark("compile: start");
  return real.compile.call(WA, bytes).then((module) => {
    mark("compile: end");
    return module;
  });
};
WA.instantiateStreaming = function (source, imports) {
  mark("instantiateStreaming: start");
  return real.instantiateStreaming.call(WA, source, imports).then(({ module, instance }) => {
    mark("instantiateStreaming: end");
    return { module, instance: isCore(imports) ? watched(instance) : instance };
  });
};
WA.instantiate = function (source, imports) {
  const label = source instanceof WA.Module ? "instantiate (compiled module)" : "instantiate (bytes)";
  mark(`${label}: start`);
  return real.instantiate.call(WA, source, imports).then((result) => {
    mark(`${label}: end`);
    if (!isCore(imports)) return result;
    return result instanceof WebAssembly.Instance ? watched(result) : { module: result.module, instance: watched(result.instance) };
  });
};

// initSync (the page's compiled module): new WebAssembly.Instance.
const RealInstance = WA.Instance;
function Instance(module, imports) {
  mark("instantiate (page's module): start");
  const instance = new RealInstance(module, imports);
  mark("instantiate (page's module): end");
  return isCore(imports) ? watched(instance) : instance;
}
Instance.prototype = RealInstance.prototype;
WA.Instance = Instance;

let calls = 0;
globalThis.addEventListener = function (type, listener, options) {
  if (type !== "message") return real.addEventListener.call(this, type, listener, options);
  const wrapped = (event) => {
    const data = event.data;
    if (data?.rkat === "call") mark(`call ${++calls} received (${typeof data.to === "string" ? data.to : "callback"})`);
    return typeof listener === "function" ? listener.call(this, event) : listener.handleEvent(event);
  };
  return real.addEventListener.call(this, type, wrapped, options);
};
// Replies are numbered in order (a call's id says whose client it is, not which call: rpc.ts).
let replies = 0;
globalThis.postMessage = function (message, transfer) {
  const reply = message?.rkat === "reply";
  if (reply) mark(`reply ${++replies} posted`);
  real.postMessage.call(this, message, transfer);
  if (reply) real.postMessage.call(this, { profile: marks.slice(), resources: resources() });
};

function resources() {
  return performance.getEntriesByType("resource").map((e) => ({
    name: e.name.slice(e.name.lastIndexOf("/") + 1),
    start: performance.timeOrigin + e.startTime,
    responseStart: performance.timeOrigin + e.responseStart,
    end: performance.timeOrigin + e.responseEnd,
    status: e.responseStatus,
  }));
}

/** For the worker script: after its imports evaluated. */
export const evaluated = () => mark("module evaluated");
