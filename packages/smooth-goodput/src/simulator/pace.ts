/**
 * The delay trick (spec §1, §5): hold tokens back and release them at least θ apart,
 *   s_1 = t_1,  s_i = max(t_i, s_{i−1} + θ)   (per token; multi-token events are spread).
 * No token arrives earlier, yet every gap becomes ≥ θ, so chained-TBT SLOs and tail ITL
 * improve. Idle latency cannot fall, and is unchanged when θ ≤ V: s_i − V·i =
 * max_{j≤i}(t_j − V·j + (i−j)(θ − V)) ≤ max_{j≤i}(t_j − V·j).
 */
import { OptionError } from '@paperkit/tensor-core/base';
import { toTraceTable, toTraces, type Trace, type TraceInput } from '../trace.js';

export function pace(traces: TraceInput, thetaSec: number): Trace[] {
  if (!(Number.isFinite(thetaSec) && thetaSec >= 0)) throw new OptionError('thetaSec', 'a non-negative number of seconds', thetaSec);
  const rows = toTraces(toTraceTable(traces));
  return rows.map((t) => {
    const counts = t.tokensPerEvent;
    const out: number[] = [];
    let prev = -Infinity;
    t.tokenTimes.forEach((time, k) => {
      const c = counts ? counts[k] : 1;
      for (let j = 0; j < c; j++) {
        prev = out.length === 0 ? time : Math.max(time, prev + thetaSec);
        out.push(prev);
      }
    });
    const paced: Trace = { ...t, tokenTimes: out };
    delete paced.tokensPerEvent;
    if (paced.droppedAt !== undefined && out.length > 0) paced.droppedAt = Math.max(paced.droppedAt, out[out.length - 1]);
    return paced;
  });
}
