/**
 * Order statistics as numpy computes them (spec §4: vLLM reports `np.percentile`, linear
 * interpolation). For pooled ITLs of a 1M-request trace (tens of millions of values) a full
 * sort is the bottleneck, so percentiles use selection (expected O(n)) on one scratch copy.
 */

/**
 * numpy's default ("linear") percentile: with x sorted, h = (n-1)·p/100,
 * result = x[floor h] + (h - floor h)·(x[floor h + 1] - x[floor h]).
 * `percentile([1, 2, 3, 4], 99)` = 3.97. Empty input gives NaN.
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentiles(values, [p])[0];
}

/** Several percentiles of the same data with one scratch copy. */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return ps.map(() => Number.NaN);
  // a typed-array source is copied with one memcpy; anything else element by element
  const scratch = ArrayBuffer.isView(values) ? new Float64Array(values as unknown as ArrayLike<number>) : Float64Array.from(values as ArrayLike<number>);
  return percentilesInPlace(scratch, ps);
}

/** Like `percentiles`, but reorders `scratch` (which the caller owns) instead of copying. */
export function percentilesInPlace(scratch: Float64Array, ps: readonly number[]): number[] {
  const n = scratch.length;
  if (n === 0) return ps.map(() => Number.NaN);
  // Select in increasing rank order so each selection narrows the next one's range.
  const order = ps.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(ps.length);
  let lo = 0;
  for (const { p, i } of order) {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
    const h = ((n - 1) * p) / 100;
    const k = Math.floor(h);
    select(scratch, k, lo, n - 1);
    const a = scratch[k];
    let v = a;
    if (k + 1 < n && h > k) {
      let b = Infinity;
      for (let j = k + 1; j < n; j++) if (scratch[j] < b) b = scratch[j];
      v = a + (h - k) * (b - a);
    }
    out[i] = v;
    lo = k;
  }
  return out;
}

/**
 * Partially order `a[lo..hi]` so that a[k] holds the value it would have after sorting,
 * everything left of k is <= it and everything right is >= it (Hoare partition with
 * median-of-three pivots; deterministic, no randomness needed for our inputs).
 */
export function select(a: Float64Array, k: number, lo = 0, hi = a.length - 1): void {
  while (hi > lo) {
    if (hi - lo < 16) {
      for (let i = lo + 1; i <= hi; i++) {
        const v = a[i];
        let j = i - 1;
        while (j >= lo && a[j] > v) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = v;
      }
      return;
    }
    const mid = (lo + hi) >>> 1;
    // median of three to a[mid]
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** The summary vLLM prints per latency metric (spec §4), in the input's unit. */
export interface LatencySummary {
  mean: number;
  median: number;
  /** Population standard deviation (`np.std`, ddof 0). */
  std: number;
  /** `p99`, `p90`, ... one key per requested percentile. */
  [percentileKey: `p${string}`]: number;
}

/** Key for a percentile: 99 -> `p99`, 99.9 -> `p99.9`. */
export function percentileKey(p: number): `p${string}` {
  return `p${String(p)}`;
}

/**
 * Mean, median, population std and percentiles of `values`, scaled by `scale` (1000 turns
 * seconds into vLLM's milliseconds). Empty input reports zeros, as vLLM's `np.mean(x or 0)`.
 * `values` is used as scratch space and reordered.
 */
export function summarizeInPlace(values: Float64Array, ps: readonly number[], scale = 1): LatencySummary {
  const n = values.length;
  if (n === 0) {
    const zero: LatencySummary = { mean: 0, median: 0, std: 0 };
    for (const p of ps) zero[percentileKey(p)] = 0;
    return zero;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    ss += d * d;
  }
  const qs = percentilesInPlace(values, [50, ...ps]);
  const out: LatencySummary = { mean: mean * scale, median: qs[0] * scale, std: Math.sqrt(ss / n) * scale };
  ps.forEach((p, i) => {
    out[percentileKey(p)] = qs[i + 1] * scale;
  });
  return out;
}
