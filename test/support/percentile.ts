// Percentiles of benchmark figures (nearest rank), rounded to whole milliseconds.

/** The nearest-rank p-th percentile of `xs`, rounded; null when there are none. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!);
}

export interface Spread {
  count: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/** p50, p95 and max of the figures that were measured (nulls, i.e. never observed, are left out). */
export function spread(xs: readonly (number | null | undefined)[]): Spread {
  const measured = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return {
    count: measured.length,
    p50: percentile(measured, 50),
    p95: percentile(measured, 95),
    max: percentile(measured, 100),
  };
}
