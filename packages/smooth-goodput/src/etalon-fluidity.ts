/**
 * Etalon's fluidity index and fluid token rate (spec §4; `etalon/metrics/metric_utils.py`).
 *
 * Per request, walk the token gaps g_1 = TTFT, g_i = τ_i − τ_{i−1} with a slack s = 0:
 * - token 1 is met if g_1 ≤ D_p + s (s += D_p − g_1, total += 1), otherwise it costs
 *   misses = 1 + ⌊(g_1 − s − D_p)/D_d⌋ deadlines;
 * - token i > 1 is met if g_i ≤ D_d + s (s += D_d − g_i, total += 1), otherwise it costs
 *   misses = ⌊(g_i − s)/D_d⌋;
 * - on a miss: missed += misses, total += misses, s = 0.
 * fluidity = 1 − missed/total. Early tokens bank slack, so a stall hurts only beyond it.
 *
 * Fluid token rate = 1 / P99 over requests of the smallest D_d (bisection to 1e-4 s, first
 * token ignored) whose miss rate is ≤ the target (0.1).
 */
import { OptionError } from '@paperkit/tensor-core/base';
import { percentile } from './percentile.js';
import { toTraceTable, traceWindow, type TraceInput, type TraceTable } from './trace.js';

export interface EtalonOptions {
  /** D_p, prefill (first-token) deadline in seconds (default 0.1). */
  ttftDeadline?: number;
  /** D_d, per-token decode deadline in seconds (default 0.05). */
  tbtDeadline?: number;
  /** Miss rate allowed when searching the fluid token rate (default 0.1). */
  targetMissRate?: number;
  /** Compute the fluid token rate (a bisection per request; default true). */
  fluidTokenRate?: boolean;
  window?: [number, number];
}

export interface EtalonResult {
  /** Mean fluidity index over requests. */
  fluidity: number;
  /** Share of requests with fluidity ≥ 1 − targetMissRate (Etalon's per-request SLO). */
  fluidAttainment: number;
  perRequest: Float64Array;
  /** Tokens/s: 1 / P99 of the per-request minimal D_d. */
  fluidTokenRate: number;
  /** 1 / mean TPOT and 1 / P99 TBT (event gaps), the rates Etalon contrasts it with. */
  tpotRate: number;
  tbtRate: number;
}

const FLOOR_EPS = 1e-9;

/**
 * Missed and total deadline counts of one request. `dp` NaN ignores the first token
 * (used by the fluid-token-rate search).
 */
function fluidityCounts(t: TraceTable, r: number, dp: number, dd: number, out: Float64Array): void {
  const { offsets, eventTimes, eventTokens } = t;
  let s = 0;
  let missed = 0;
  let total = 0;
  let prev = t.arrival[r];
  let first = true;
  for (let k = offsets[r]; k < offsets[r + 1]; k++) {
    const c = eventTokens ? eventTokens[k] : 1;
    for (let j = 0; j < c; j++) {
      const g = j === 0 ? eventTimes[k] - prev : 0;
      if (first) {
        first = false;
        if (Number.isNaN(dp)) continue;
        if (g <= dp + s) {
          s += dp - g;
          total += 1;
        } else {
          const m = 1 + Math.floor((g - s - dp) / dd + FLOOR_EPS);
          missed += m;
          total += m;
          s = 0;
        }
        continue;
      }
      if (g <= dd + s) {
        s += dd - g;
        total += 1;
      } else {
        const m = Math.floor((g - s) / dd + FLOOR_EPS);
        missed += m;
        total += m;
        s = 0;
      }
    }
    prev = eventTimes[k];
  }
  out[0] = missed;
  out[1] = total;
}

/** Fluidity index of a list of gaps (g_1 = TTFT, then TBTs): the spec's hand case in one call. */
export function fluidityOfGaps(gaps: readonly number[], options: { ttftDeadline?: number; tbtDeadline?: number } = {}): { missed: number; total: number; fluidity: number } {
  let time = 0;
  const times = gaps.map((g) => (time += g));
  const t = toTraceTable([{ id: 'g', arrival: 0, tokenTimes: times }]);
  const out = new Float64Array(2);
  fluidityCounts(t, 0, options.ttftDeadline ?? 0.1, options.tbtDeadline ?? 0.05, out);
  return { missed: out[0], total: out[1], fluidity: out[1] > 0 ? 1 - out[0] / out[1] : 1 };
}

/**
 * Smallest D_d (to 1e-4 s, by bisection) whose decode miss rate, first token ignored, is
 * within `target`. The request's token gaps are copied once into `scratch` so each of the
 * ~13 bisection passes is one tight loop. Every deadline is met iff D_d is at least each
 * prefix mean of the gaps (the slack never goes negative), so the largest prefix mean
 * brackets the search from above.
 */
function minimalDecodeDeadline(t: TraceTable, r: number, target: number, scratch: Float64Array): number {
  const { offsets, eventTimes, eventTokens } = t;
  let m = 0;
  let sum = 0;
  let hiBound = 0;
  const first = offsets[r];
  // tokens after the first: the first token of each later event carries the event gap, the rest 0
  if (eventTokens) for (let j = 1; j < eventTokens[first]; j++) scratch[m++] = 0;
  for (let k = first + 1; k < offsets[r + 1]; k++) {
    const g = eventTimes[k] - eventTimes[k - 1];
    scratch[m++] = g;
    sum += g;
    if (sum / m > hiBound) hiBound = sum / m;
    if (eventTokens) for (let j = 1; j < eventTokens[k]; j++) scratch[m++] = 0;
  }
  let a = 0;
  let b = Math.max(hiBound * (1 + 1e-12), 1e-4);
  while (b - a > 1e-4) {
    const d = (a + b) / 2;
    let s = 0;
    let missed = 0;
    let total = 0;
    for (let i = 0; i < m; i++) {
      const g = scratch[i];
      if (g <= d + s) {
        s += d - g;
        total++;
      } else {
        const misses = Math.floor((g - s) / d + FLOOR_EPS);
        missed += misses;
        total += misses;
        s = 0;
      }
    }
    if (total === 0 || missed <= target * total) b = d;
    else a = d;
  }
  return b;
}

export function etalonFluidity(traces: TraceInput, options: EtalonOptions = {}): EtalonResult {
  const t = toTraceTable(traces);
  const dp = options.ttftDeadline ?? 0.1;
  const dd = options.tbtDeadline ?? 0.05;
  const target = options.targetMissRate ?? 0.1;
  if (!(dp > 0)) throw new OptionError('ttftDeadline', 'a positive number of seconds', dp);
  if (!(dd > 0)) throw new OptionError('tbtDeadline', 'a positive number of seconds', dd);
  if (!(target >= 0 && target < 1)) throw new OptionError('targetMissRate', 'a number in [0, 1)', target);
  const w = traceWindow(t, options.window);
  const per = new Float64Array(t.n);
  const counts = new Float64Array(2);
  let sum = 0;
  let fluidOk = 0;
  const minDd: number[] = [];
  let tpotSum = 0;
  let tpotN = 0;
  let gapCount = 0;
  for (let r = 0; r < t.n; r++) gapCount += Math.max(0, t.offsets[r + 1] - t.offsets[r] - 1);
  const gaps = new Float64Array(gapCount);
  let gi = 0;
  let longest = 0;
  for (let r = 0; r < t.n; r++) longest = Math.max(longest, t.tokenCount[r]);
  const tokenGaps = new Float64Array(longest);
  for (let r = 0; r < t.n; r++) {
    if (!w.include[r]) {
      per[r] = Number.NaN;
      continue;
    }
    const lo = t.offsets[r];
    const hi = t.offsets[r + 1];
    if (hi === lo) {
      per[r] = 0;
      continue;
    }
    fluidityCounts(t, r, dp, dd, counts);
    const f = counts[1] > 0 ? 1 - counts[0] / counts[1] : 1;
    per[r] = f;
    sum += f;
    if (f >= 1 - target) fluidOk++;
    const n = t.tokenCount[r];
    if (n > 1) {
      tpotSum += (t.eventTimes[hi - 1] - t.eventTimes[lo]) / (n - 1);
      tpotN++;
    }
    for (let k = lo + 1; k < hi; k++) gaps[gi++] = t.eventTimes[k] - t.eventTimes[k - 1];
    if ((options.fluidTokenRate ?? true) && n > 1) minDd.push(minimalDecodeDeadline(t, r, target, tokenGaps));
  }
  const p99Dd = minDd.length ? percentile(minDd, 99) : Number.NaN;
  const p99Tbt = gi ? percentile(gaps.subarray(0, gi), 99) : Number.NaN;
  return {
    fluidity: w.count ? sum / w.count : Number.NaN,
    fluidAttainment: w.count ? fluidOk / w.count : Number.NaN,
    perRequest: per,
    fluidTokenRate: 1 / p99Dd,
    tpotRate: tpotN ? tpotN / tpotSum : Number.NaN,
    tbtRate: 1 / p99Tbt,
  };
}
