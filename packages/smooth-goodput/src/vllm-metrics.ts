/**
 * vLLM's benchmark_serving metrics (spec §4), computed as vLLM computes them:
 * - TTFT = first chunk − send; E2EL = last chunk − send;
 * - ITL = gaps between consecutive chunks, pooled over all requests (a chunk may carry
 *   several tokens, so ITL counts events, not tokens);
 * - TPOT = (E2EL − TTFT)/(n − 1) for n > 1 output tokens (taken as 0 for goodput if n ≤ 1);
 * - mean / median / population std / numpy-linear percentiles, in milliseconds;
 * - request_goodput = completed requests meeting every given SLO (ms; ttft, tpot, e2el) / dur.
 * Failed and dropped requests are excluded (vLLM's `success=False`); dur = T of the trace.
 */
import { OptionError } from '@paperkit/tensor-core/base';
import { summarizeInPlace, type LatencySummary } from './percentile.js';
import { toTraceTable, traceWindow, type TraceInput } from './trace.js';

export type VllmMetricName = 'ttft' | 'tpot' | 'itl' | 'e2el';

export interface VllmMetricsOptions {
  /** SLOs in milliseconds for request_goodput, e.g. `{ttft: 500, tpot: 50}` (vLLM `--goodput`). */
  goodput?: { ttft?: number; tpot?: number; e2el?: number };
  /** Percentiles to report (default [99], vLLM `--metric-percentiles`). */
  percentiles?: number[];
  /**
   * Metrics that get percentile keys (default all four; vLLM's CLI default is ttft,tpot,itl —
   * we report e2el's too so every family has the same shape).
   */
  percentileMetrics?: VllmMetricName[];
  window?: [number, number];
}

export interface VllmMetrics {
  ttft: LatencySummary;
  tpot: LatencySummary;
  itl: LatencySummary;
  e2el: LatencySummary;
  completed: number;
  /** Requests per second meeting every `goodput` SLO (NaN-free: completed/dur when no SLO given, as vLLM). */
  requestGoodput: number;
  requestThroughput: number;
  outputThroughput: number;
  totalTokenThroughput: number;
  /** dur in seconds. */
  duration: number;
}

export function vllmMetrics(traces: TraceInput, options: VllmMetricsOptions = {}): VllmMetrics {
  const t = toTraceTable(traces);
  const ps = options.percentiles ?? [99];
  for (const p of ps) if (!(Number.isFinite(p) && p >= 0 && p <= 100)) throw new OptionError('percentiles', 'numbers in [0, 100]', ps);
  const pm = new Set(options.percentileMetrics ?? ['ttft', 'tpot', 'itl', 'e2el']);
  const slo = options.goodput ?? {};
  for (const [k, v] of Object.entries(slo)) {
    if (!['ttft', 'tpot', 'e2el'].includes(k)) throw new OptionError('goodput', 'keys ttft, tpot, e2el (ms)', k);
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new OptionError(`goodput.${k}`, 'a positive number of milliseconds', v);
  }
  const w = traceWindow(t, options.window);
  const { offsets, eventTimes, arrival, status, tokenCount } = t;

  let completed = 0;
  let itlCount = 0;
  let tpotCount = 0;
  for (let r = 0; r < t.n; r++) {
    if (!w.include[r] || status[r] !== 0 || offsets[r + 1] === offsets[r]) continue;
    completed++;
    itlCount += offsets[r + 1] - offsets[r] - 1;
    if (tokenCount[r] > 1) tpotCount++;
  }
  const ttft = new Float64Array(completed);
  const e2el = new Float64Array(completed);
  const tpot = new Float64Array(tpotCount);
  const itl = new Float64Array(itlCount);
  const sloTtft = slo.ttft === undefined ? Infinity : slo.ttft / 1000;
  const sloTpot = slo.tpot === undefined ? Infinity : slo.tpot / 1000;
  const sloE2el = slo.e2el === undefined ? Infinity : slo.e2el / 1000;
  let c = 0;
  let q = 0;
  let g = 0;
  let good = 0;
  let totalInput = 0;
  let totalOutput = 0;
  for (let r = 0; r < t.n; r++) {
    const lo = offsets[r];
    const hi = offsets[r + 1];
    if (!w.include[r] || status[r] !== 0 || hi === lo) continue;
    const a = arrival[r];
    const first = eventTimes[lo] - a;
    const last = eventTimes[hi - 1] - a;
    ttft[c] = first;
    e2el[c] = last;
    c++;
    const n = tokenCount[r];
    let tp = 0;
    if (n > 1) {
      tp = (last - first) / (n - 1);
      tpot[q++] = tp;
    }
    for (let k = lo + 1; k < hi; k++) itl[g++] = eventTimes[k] - eventTimes[k - 1];
    if (first <= sloTtft && tp <= sloTpot && last <= sloE2el) good++;
    totalOutput += n;
    if (t.promptTokens[r] > 0) totalInput += t.promptTokens[r];
  }
  const dur = w.seconds;
  const sum = (name: VllmMetricName, v: Float64Array) => summarizeInPlace(v, pm.has(name) ? ps : [], 1000);
  return {
    ttft: sum('ttft', ttft),
    tpot: sum('tpot', tpot),
    itl: sum('itl', itl),
    e2el: sum('e2el', e2el),
    completed,
    requestGoodput: good / dur,
    requestThroughput: completed / dur,
    outputThroughput: totalOutput / dur,
    totalTokenThroughput: (totalInput + totalOutput) / dur,
    duration: dur,
  };
}
