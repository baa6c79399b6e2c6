/**
 * DistServe's SLO attainment (spec §4): the share of requests with TTFT ≤ S_p and
 * TPOT ≤ S_d, where DistServe's `organize_data.py` takes TPOT = decode time / n
 * (decode time = last token − first token, n output tokens, no −1). Dropped and failed
 * requests miss. Per-GPU goodput is then the largest rate with attainment ≥ 90%
 * (`searchCapacity`). Defaults follow `simdistserve/simulate.py`: 200 ms / 100 ms.
 */
import { OptionError } from '@paperkit/tensor-core/base';
import { toTraceTable, traceWindow, type TraceInput } from './trace.js';

export interface DistServeOptions {
  /** S_p, seconds (default 0.2). */
  ttft?: number;
  /** S_d, seconds (default 0.1). */
  tpot?: number;
  window?: [number, number];
}

export function distserveAttainment(traces: TraceInput, options: DistServeOptions = {}): number {
  const t = toTraceTable(traces);
  const sp = options.ttft ?? 0.2;
  const sd = options.tpot ?? 0.1;
  if (!(sp > 0)) throw new OptionError('ttft', 'a positive number of seconds', sp);
  if (!(sd > 0)) throw new OptionError('tpot', 'a positive number of seconds', sd);
  const w = traceWindow(t, options.window);
  let met = 0;
  for (let r = 0; r < t.n; r++) {
    const lo = t.offsets[r];
    const hi = t.offsets[r + 1];
    if (!w.include[r] || t.status[r] !== 0 || hi === lo) continue;
    const ttft = t.eventTimes[lo] - t.arrival[r];
    const tpot = (t.eventTimes[hi - 1] - t.eventTimes[lo]) / t.tokenCount[r];
    if (ttft <= sp && tpot <= sd) met++;
  }
  return w.count ? met / w.count : Number.NaN;
}
