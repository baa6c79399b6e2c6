/**
 * Andes QoE (spec §4; arXiv 2404.16283). The user expects token i at
 * T*_i = TTFT_exp + (i−1)/TDS_exp and a client pacer displays it at
 * T_i = max(t_i, T_{i−1} + 1/TDS_exp) (T_1 = t_1, relative to the request's send). Then
 *
 *   QoE = 1 − Σ_i max(0, T_i − T*_i) / Σ_i (T_n − T*_i),
 *
 * 1 when nothing is displayed late; QoE is in [0, 1]. We report the mean over requests;
 * a request that delivered no token scores 0 (dropped/failed ones score their delivered tokens).
 */
import { OptionError } from '@paperkit/tensor-core/base';
import { toTraceTable, traceWindow, type TraceInput } from './trace.js';

export interface AndesQoEOptions {
  /** Expected TTFT, seconds (default 1). */
  ttft?: number;
  /** Expected token delivery speed, tokens/s (default 5). */
  tds?: number;
  window?: [number, number];
}

/** QoE of every request. */
export function andesQoEPerRequest(traces: TraceInput, options: AndesQoEOptions = {}): Float64Array {
  const t = toTraceTable(traces);
  const ttftExp = options.ttft ?? 1;
  const tds = options.tds ?? 5;
  if (!(Number.isFinite(ttftExp) && ttftExp >= 0)) throw new OptionError('ttft', 'a non-negative number of seconds', ttftExp);
  if (!(Number.isFinite(tds) && tds > 0)) throw new OptionError('tds', 'a positive number of tokens per second', tds);
  const step = 1 / tds;
  const out = new Float64Array(t.n);
  const { offsets, eventTimes, eventTokens, arrival } = t;
  for (let r = 0; r < t.n; r++) {
    const lo = offsets[r];
    const hi = offsets[r + 1];
    const n = t.tokenCount[r];
    if (hi === lo || n === 0) {
      out[r] = 0;
      continue;
    }
    const a = arrival[r];
    let shown = -Infinity;
    let late = 0;
    let sumIdeal = 0;
    let i = 0; // 0-based token index
    for (let k = lo; k < hi; k++) {
      const tk = eventTimes[k] - a;
      const c = eventTokens ? eventTokens[k] : 1;
      for (let j = 0; j < c; j++, i++) {
        shown = i === 0 ? tk : Math.max(tk, shown + step);
        const ideal = ttftExp + i * step;
        if (shown > ideal) late += shown - ideal;
        sumIdeal += ideal;
      }
    }
    const denom = n * shown - sumIdeal;
    out[r] = late <= 0 ? 1 : denom > 0 ? 1 - late / denom : 0;
  }
  return out;
}

/** Mean Andes QoE over the requests in the window. */
export function andesQoE(traces: TraceInput, options: AndesQoEOptions = {}): number {
  const t = toTraceTable(traces);
  const q = andesQoEPerRequest(t, options);
  const w = traceWindow(t, options.window);
  let s = 0;
  for (let r = 0; r < t.n; r++) if (w.include[r]) s += q[r];
  return w.count ? s / w.count : Number.NaN;
}
