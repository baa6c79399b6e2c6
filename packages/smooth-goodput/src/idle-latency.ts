/**
 * User idle latency (spec §2, Eq. 9): l_r = max(0, max_i (τ_i − d_i)) with the reading
 * deadlines d_i = V·i (Eq. 5), V = 1 / reading speed, τ_i = t_i − a_r.
 *
 * It is the time a reader who starts at commit and reads one token per V is left with
 * nothing to read: finishing token i at u_i = max(τ_i, u_{i−1} + V), u_0 = 0, gives
 * u_n − n·V = l_r (the reader-buffer identity, `readerFinishTimes`).
 *
 * Dropped/failed requests (our documented rule, switchable): the user waited for token
 * n_r + 1 until the drop notice, so (t_drop − a_r) − V·(n_r + 1) also enters the max.
 */
import { OptionError } from '@paperkit/tensor-core/base';
import { toTraceTable, type TraceInput } from './trace.js';

export interface IdleLatencyOptions {
  /** Tokens per second the user reads (default 5, spec §5.2). */
  readingSpeed?: number;
  /** Count the wait for the never-delivered next token of dropped/failed requests (default true). */
  chargeDropWait?: boolean;
}

export function checkReadingSpeed(readingSpeed: number): number {
  if (!(Number.isFinite(readingSpeed) && readingSpeed > 0))
    throw new OptionError('readingSpeed', 'a positive number of tokens per second', readingSpeed);
  return readingSpeed;
}

/** Idle latency of every request, in seconds (one pass over the events). */
export function idleLatencies(traces: TraceInput, options: IdleLatencyOptions = {}): Float64Array {
  const t = toTraceTable(traces);
  const V = 1 / checkReadingSpeed(options.readingSpeed ?? 5);
  const chargeDrop = options.chargeDropWait ?? true;
  const out = new Float64Array(t.n);
  const { offsets, eventTimes, eventTokens, arrival, droppedAt, status } = t;
  for (let r = 0; r < t.n; r++) {
    const a = arrival[r];
    let worst = 0;
    let i = 1; // index of the first token carried by the current event
    const hi = offsets[r + 1];
    for (let k = offsets[r]; k < hi; k++) {
      // within an event, the first token has the earliest deadline, so it is the binding one
      const late = eventTimes[k] - a - V * i;
      if (late > worst) worst = late;
      i += eventTokens ? eventTokens[k] : 1;
    }
    if (chargeDrop && status[r] !== 0) {
      const notice = Number.isNaN(droppedAt[r]) ? (hi > offsets[r] ? eventTimes[hi - 1] : a) : droppedAt[r];
      const late = notice - a - V * i;
      if (late > worst) worst = late;
    }
    out[r] = worst;
  }
  return out;
}

/**
 * Reader-buffer view of one request (spec §2 identity): times u_i at which a reader who
 * reads one token per V finishes token i. `u[n-1] − n·V` equals the idle latency.
 */
export function readerFinishTimes(relativeTokenTimes: ArrayLike<number>, readingSpeed = 5): Float64Array {
  const V = 1 / checkReadingSpeed(readingSpeed);
  const u = new Float64Array(relativeTokenTimes.length);
  let prev = 0;
  for (let i = 0; i < u.length; i++) {
    prev = Math.max(relativeTokenTimes[i], prev + V);
    u[i] = prev;
  }
  return u;
}
