// Worker-ready samples in Chromium: the Vite-built app, its profile marks,
// and the package served unbundled, cold and warm. Contestants take turns
// within each round, so the ratios to the empty worker are paired round by
// round. Before each sample the page collects its garbage (gc()): V8 shares
// the compiled code of a wasm module with every later compile of the same
// bytes while the first is alive, functions compiled on first call
// included, so a page still holding the last sample's module would start
// the next one warm, which a page's first connectRuntime is not.

/**
 * @param {{ call: (name: string, opts?: object) => Promise<any> }} page
 * @param {{ runs: number, warmup: number, profileRuns: number, unbundledRuns: number, progress: (what: string) => void }} opts
 */
export async function benchReady({ call }, { runs, warmup, profileRuns, unbundledRuns, progress }) {
  const sample = (name, opts) => call(name, { ...opts, gc: true });

  const app = { empty: [], runtime: [], runtimeSession: [], runtimeStatic: [], first: {} };
  for (let round = 0; round < warmup + runs; round++) {
    for (const contestant of ["empty", "runtime", "runtimeStatic"]) {
      const { ms, sessionMs } = await sample("readyOnce", { contestant });
      if (round === 0) app.first[contestant] = ms; // the first wasm load of a fresh browser context
      if (round < warmup) continue;
      app[contestant].push(ms);
      if (contestant === "runtime") app.runtimeSession.push(sessionMs);
    }
  }

  progress("worker-ready time: where it goes (profile marks)");
  const profile = { empty: [], runtime: [] };
  for (let round = 0; round < 2 + profileRuns; round++) {
    for (const which of ["empty", "runtime"]) {
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
    for (const [contestant, cold] of contestants) {
      const ms = await sample("unbundledOnce", { contestant, cold, n: ++n });
      const key = `${contestant}${cold ? "Cold" : "Warm"}`;
      if (round >= 2) (unbundled[key] ??= []).push(ms);
    }
  }
  return { app, profile, unbundled };
}
