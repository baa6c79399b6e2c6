/**
 * Smooth goodput, the paper's metric (spec §2, Eq. 10–11):
 *
 *   benefit(r)     = n_r − α · f(l_r)
 *   smoothGoodput  = Σ_{r ∈ R} benefit(r) / T
 *
 * n_r = tokens delivered, l_r = user idle latency (Eq. 9, `idleLatencies`), α = penalty
 * weight (default 2.5), f = penalty function (the paper leaves it open; ours):
 *   - `tokens` (default): f(l) = l / V — idle time counted as tokens the user could have read;
 *   - `seconds`: f(l) = l;
 *   - `fraction`: f(l) = n_r · min(1, l / maxIdle) — lose the whole request at `maxIdle`;
 *   - a function (l, request) => number.
 * T = last event − first arrival (or the window length). Requests already late count
 * partially, stalls the user never sees cost nothing, so neither holding tokens back
 * (pace) nor dropping late requests can raise it.
 *
 * The same call reports the reading-SLO goodput (Eq. 7) so the two can be compared on one T.
 */
import { OptionError } from '@paperkit/tensor-core/base';
import { checkReadingSpeed, idleLatencies } from './idle-latency.js';
import { sloMask } from './slo.js';
import { toTraceTable, traceWindow, type TraceInput } from './trace.js';

export type PenaltyName = 'tokens' | 'seconds' | 'fraction';
/** Custom penalty f: idle latency in seconds and the request -> lost benefit (before α). */
export type PenaltyFn = (idle: number, request: { index: number; id: string; tokens: number }) => number;

export interface SmoothGoodputOptions {
  /** Tokens per second the user reads; V = 1/readingSpeed (default 5). */
  readingSpeed?: number;
  /** Penalty weight α (default 2.5, spec §5.2). */
  alpha?: number;
  /** Penalty function f (default `tokens`). */
  penalty?: PenaltyName | PenaltyFn;
  /** `fraction` penalty: idle seconds at which the whole request is lost (default 10). */
  maxIdle?: number;
  /** Floor each benefit at 0 (default false: a very late request costs more than it earns). */
  clampBenefit?: boolean;
  /** Measurement window [start, end] in seconds; requests arriving in it count, T = its length. */
  window?: [number, number];
  /** Charge dropped/failed requests for the wait for their next token (default true, spec §2). */
  chargeDropWait?: boolean;
}

export interface SmoothGoodputResult {
  /** Σ benefit / T, tokens per second. */
  smoothGoodput: number;
  /** Requests meeting every reading deadline, per second (Eq. 7, request-weighted). */
  goodputReq: number;
  /** Their tokens per second (Eq. 7, token-weighted). */
  goodputTok: number;
  /** Share of requests meeting every reading deadline (Eq. 6). */
  sloAttainment: number;
  /** Delivered tokens per second (what smooth goodput equals when α = 0). */
  tokenThroughput: number;
  /** T in seconds. */
  seconds: number;
  /** Idle latency (s) and benefit (tokens) per request; NaN outside the window. */
  perRequest: { idle: Float64Array; benefit: Float64Array };
}

export function smoothGoodput(traces: TraceInput, options: SmoothGoodputOptions = {}): SmoothGoodputResult {
  const t = toTraceTable(traces);
  const speed = checkReadingSpeed(options.readingSpeed ?? 5);
  const V = 1 / speed;
  const alpha = options.alpha ?? 2.5;
  if (!(Number.isFinite(alpha) && alpha >= 0)) throw new OptionError('alpha', 'a non-negative number', alpha);
  const penalty = options.penalty ?? 'tokens';
  const maxIdle = options.maxIdle ?? 10;
  if (!(Number.isFinite(maxIdle) && maxIdle > 0)) throw new OptionError('maxIdle', 'a positive number of seconds', maxIdle);
  if (typeof penalty !== 'function' && penalty !== 'tokens' && penalty !== 'seconds' && penalty !== 'fraction')
    throw new OptionError('penalty', "'tokens', 'seconds', 'fraction' or a function (idle, request) => number", penalty);
  const clamp = options.clampBenefit ?? false;

  const w = traceWindow(t, options.window);
  const idle = idleLatencies(t, { readingSpeed: speed, chargeDropWait: options.chargeDropWait });
  const met = sloMask(t, { kind: 'reading', speed });
  const benefit = new Float64Array(t.n);
  let sumBenefit = 0;
  let metCount = 0;
  let metTokens = 0;
  let tokens = 0;
  for (let r = 0; r < t.n; r++) {
    if (!w.include[r]) {
      benefit[r] = Number.NaN;
      idle[r] = Number.NaN;
      continue;
    }
    const n = t.tokenCount[r];
    const l = idle[r];
    let f: number;
    if (penalty === 'tokens') f = l / V;
    else if (penalty === 'seconds') f = l;
    else if (penalty === 'fraction') f = n * Math.min(1, l / maxIdle);
    else f = penalty(l, { index: r, id: t.ids[r], tokens: n });
    let b = n - alpha * f;
    if (clamp && b < 0) b = 0;
    benefit[r] = b;
    sumBenefit += b;
    tokens += n;
    if (met[r]) {
      metCount++;
      metTokens += n;
    }
  }
  const T = w.seconds;
  return {
    smoothGoodput: sumBenefit / T,
    goodputReq: metCount / T,
    goodputTok: metTokens / T,
    sloAttainment: w.count ? metCount / w.count : Number.NaN,
    tokenThroughput: tokens / T,
    seconds: T,
    perRequest: { idle, benefit },
  };
}
