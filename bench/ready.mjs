// Worker-ready samples in Chromium: the Vite-built app, its profile marks,
// and the package served unbundled, cold and warm. Contestants take turns
// within each round, so the ratios to the empty worker are paired round by
// round, in an order shuffled every round (seeded: runs repeat): a sample
// can run slower right after some contestants, and a fixed or rotated
// order would always put the same contestant there.
// Before each sample the page collects its garbage (gc()): V8 shares
// the compiled code of a wasm module with every later compile of the same
// bytes while the first is alive, functions compiled on first call
// included, so a page still holding the last sample's module would start
// the next one warm, which a page's first connectRuntime is not.

/**
 * @param {{ call: (name: string, opts?: object) => Promise<any> }} page
 * @param {{ runs: number, warmup: number, profileRuns: number, unbundledRuns: number, progress: (what: string) => void }} opts
 */
/** `list` shuffled (Fisher–Yates) by a PRNG seeded with `round` (mulberry32). */
function shuffled(list, round) {
  let seed = (round + 1) * 0x9e3779b9;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export async function benchReady({ call }, { runs, warmup, profileRuns, unbundledRuns, progress }) {
  const sample = (name, opts) => call(name, { ...opts, gc: true });

  const app = { empty: [], emptyCompiling: [], runtime: [], runtimeSession: [], runtimeStatic: [], first: {} };
  for (let round = 0; round < warmup + runs; round++) {
    const order = shuffled(["empty", "emptyCompiling", "runtime", "runtimeStatic"], round);
    if (round === 0) app.firstOrder = order;
    for (const contestant of order) {
      const { ms, sessionMs } = await sample("readyOnce", { contestant });
      if (round === 0) app.first[contestant] = ms; // a fresh browser context: the first runtime loads the wasm cold
      if (round < warmup) continue;
      app[contestant].push(ms);
      if (contestant === "runtime") app.runtimeSession.push(sessionMs);
    }
  }

  progress("worker-ready time: where it goes (profile marks)");
  const profile = { empty: [], runtime: [] };
  for (let round = 0; round < 2 + profileRuns; round++) {
    for (const which of shuffled(["empty", "runtime"], round)) {
      const marks = await sample("profileOnce", { which });
      if (round >= 2) profile[which].push(marks);
    }
  }

  progress("worker-ready time: the package served unbundled, cold and warm");
  const bundle = await call("hasBundle");
  const contestants = [
    ...["empty", "directModules", "exposeModules", ...(bundle ? ["directBundle", "exposeBundle"] : [])].map((c) => [c, true]),
    ...["empty", "directModules", ...(bundle ? ["directBundle"] : [])].map((c) => [c, false]),
  ];
  const unbundled = {};
  let n = 0;
  for (let round = 0; round < 2 + unbundledRuns; round++) {
    for (const [contestant, cold] of shuffled(contestants, round)) {
      const ms = await sample("unbundledOnce", { contestant, cold, n: ++n });
      const key = `${contestant}${cold ? "Cold" : "Warm"}`;
      if (round >= 2) (unbundled[key] ??= []).push(ms);
    }
  }
  return { app, profile, unbundled };
}
