/**
 * Per-token deadline SLOs (spec §2, Eq. 1–6). Every SLO is a set of deadlines d_i on the
 * relative token times τ_i; a request meets it iff ∀i τ_i ≤ d_i and it completed.
 *
 * - `reading` (Eq. 5, the paper's): d_i = V·i, V = 1/speed.
 * - `ttft-tbt` (Eq. 2): d_1 = TTFT, d_i = τ_{i−1} + TBT — chained to the previous token, hence
 *   gameable by holding tokens back (the delay trick).
 * - `ttft-tpot` (Eq. 3): d_1 = TTFT, d_n = τ_1 + (n−1)·TPOT — only first and last are bound.
 * - `e2e` (Eq. 4): d_n = E2E.
 * Seconds throughout.
 */
import { OptionError } from '@paperkit/tensor-core/base';
import { checkReadingSpeed } from './idle-latency.js';
import { toTraceTable, traceWindow, type TraceInput } from './trace.js';

export type Slo =
  | { kind: 'reading'; speed: number }
  | { kind: 'ttft-tbt'; ttft: number; tbt: number }
  | { kind: 'ttft-tpot'; ttft: number; tpot: number }
  | { kind: 'e2e'; e2e: number };

function positive(name: string, v: unknown): number {
  if (!(typeof v === 'number' && v > 0)) throw new OptionError(`slo.${name}`, 'a positive number of seconds (Infinity allowed)', v);
  return v;
}

/** 1 where request r completed and met every deadline of `slo` (Eq. 1). */
export function sloMask(traces: TraceInput, slo: Slo): Uint8Array {
  const t = toTraceTable(traces);
  const { offsets, eventTimes, eventTokens, arrival, status } = t;
  const met = new Uint8Array(t.n);
  const eps = 1e-12;
  switch (slo?.kind) {
    case 'reading': {
      const V = 1 / checkReadingSpeed(slo.speed);
      for (let r = 0; r < t.n; r++) {
        if (status[r] !== 0) continue;
        let ok = 1;
        let i = 1;
        for (let k = offsets[r]; k < offsets[r + 1]; k++) {
          if (eventTimes[k] - arrival[r] > V * i + eps) {
            ok = 0;
            break;
          }
          i += eventTokens ? eventTokens[k] : 1;
        }
        met[r] = ok;
      }
      return met;
    }
    case 'ttft-tbt': {
      const ttft = positive('ttft', slo.ttft);
      const tbt = positive('tbt', slo.tbt);
      for (let r = 0; r < t.n; r++) {
        const lo = offsets[r];
        const hi = offsets[r + 1];
        if (status[r] !== 0 || hi === lo) continue;
        let ok = eventTimes[lo] - arrival[r] <= ttft + eps ? 1 : 0;
        for (let k = lo + 1; ok && k < hi; k++) if (eventTimes[k] - eventTimes[k - 1] > tbt + eps) ok = 0;
        met[r] = ok;
      }
      return met;
    }
    case 'ttft-tpot': {
      const ttft = positive('ttft', slo.ttft);
      const tpot = positive('tpot', slo.tpot);
      for (let r = 0; r < t.n; r++) {
        const lo = offsets[r];
        const hi = offsets[r + 1];
        if (status[r] !== 0 || hi === lo) continue;
        const first = eventTimes[lo] - arrival[r];
        const n = t.tokenCount[r];
        const last = eventTimes[hi - 1] - arrival[r];
        met[r] = first <= ttft + eps && last <= first + (n - 1) * tpot + eps ? 1 : 0;
      }
      return met;
    }
    case 'e2e': {
      const e2e = positive('e2e', slo.e2e);
      for (let r = 0; r < t.n; r++) {
        const hi = offsets[r + 1];
        if (status[r] !== 0 || hi === offsets[r]) continue;
        met[r] = eventTimes[hi - 1] - arrival[r] <= e2e + eps ? 1 : 0;
      }
      return met;
    }
    default:
      throw new OptionError('slo.kind', "'reading', 'ttft-tbt', 'ttft-tpot' or 'e2e'", (slo as { kind?: unknown })?.kind);
  }
}

/** SLO attainment (Eq. 6): share of requests that meet `slo`. */
export function sloAttainment(traces: TraceInput, slo: Slo, options: { window?: [number, number] } = {}): number {
  return goodput(traces, slo, options).attainment;
}

/**
 * Goodput (Eq. 7) under any SLO. The paper's text says requests/s while its formula weights
 * tokens, so both are reported: `goodputReq` = met requests / T, `goodputTok` = their tokens / T.
 */
export function goodput(
  traces: TraceInput,
  slo: Slo,
  options: { window?: [number, number] } = {},
): { attainment: number; goodputReq: number; goodputTok: number; met: number; total: number; seconds: number } {
  const t = toTraceTable(traces);
  const w = traceWindow(t, options.window);
  const mask = sloMask(t, slo);
  let met = 0;
  let tokens = 0;
  for (let r = 0; r < t.n; r++) {
    if (!w.include[r] || !mask[r]) continue;
    met++;
    tokens += t.tokenCount[r];
  }
  const T = w.seconds;
  return {
    attainment: w.count ? met / w.count : Number.NaN,
    goodputReq: T > 0 ? met / T : Number.NaN,
    goodputTok: T > 0 ? tokens / T : Number.NaN,
    met,
    total: w.count,
    seconds: T,
  };
}
