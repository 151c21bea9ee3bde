/** Percentiles of latency samples: the p-th of them in ascending order (nearest rank, rounded down). */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export function median(xs: readonly number[]): number {
  return pct(xs, 50);
}
