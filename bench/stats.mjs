// Summary statistics and number formatting shared by every benchmark.
// Works in Node and in the browser (no imports).

/** Sorted copy of the samples. */
function sorted(samples) {
  return [...samples].sort((a, b) => a - b);
}

/** Linear-interpolated quantile of sorted values, q in [0, 1]. */
function quantile(s, q) {
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** { n, median, p25, p75, min, max } of a list of numbers. */
export function summarize(samples) {
  const s = sorted(samples);
  return {
    n: s.length,
    median: quantile(s, 0.5),
    p25: quantile(s, 0.25),
    p75: quantile(s, 0.75),
    min: s[0],
    max: s[s.length - 1],
  };
}

/** Multiply every figure of a summary (e.g. ms per run → ns per event). */
export function scale(summary, factor) {
  const out = { n: summary.n };
  for (const key of ["median", "p25", "p75", "min", "max"]) out[key] = summary[key] * factor;
  return out;
}

/** Number with a sensible count of significant digits. */
export function num(x) {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** "123 ns (p25–p75 118–130, n=15)" */
export function fmtSummary(summary, unit) {
  return `${num(summary.median)} ${unit} (p25–p75 ${num(summary.p25)}–${num(summary.p75)}, min–max ${num(summary.min)}–${num(summary.max)}, n=${summary.n})`;
}

/** Decimal kilobytes (1 KB = 1000 B), the unit of the size targets. */
export function kb(bytes) {
  return `${(bytes / 1000).toFixed(1)} KB`;
}

/** Ratio a/b as "3.2×". */
export function ratio(a, b) {
  return `${(a / b).toFixed(2)}×`;
}
