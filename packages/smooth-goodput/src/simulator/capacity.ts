/**
 * Capacity search (spec §2 Eq. 6 and §5): the largest request rate whose trace still
 * passes `ok` (e.g. attainment ≥ 90%), by bisection on [lo, hi] until hi − lo < eps —
 * DistServe's `simulate.py` procedure. Assumes `ok` holds at low rates and fails beyond
 * some threshold; returns `hi` when even `hi` passes.
 */
import { OptionError } from '@paperkit/tensor-core/base';
import type { Trace } from '../trace.js';

export interface CapacityOptions {
  /** Lower end of the search (default 0, assumed to pass). */
  lo?: number;
  /** Upper end (default 16 requests/s). */
  hi?: number;
  /** Stop when the bracket is narrower than this (default 0.25). */
  eps?: number;
}

export interface CapacityResult {
  /** Largest rate known to pass. */
  rate: number;
  /** Smallest rate known to fail (Infinity if none). */
  failsAt: number;
  probes: { rate: number; ok: boolean }[];
}

export function searchCapacityDetailed<T = Trace[]>(run: (rate: number) => T, ok: (traces: T) => boolean, options: CapacityOptions = {}): CapacityResult {
  let lo = options.lo ?? 0;
  let hi = options.hi ?? 16;
  const eps = options.eps ?? 0.25;
  if (!(hi > lo && lo >= 0)) throw new OptionError('hi', `a rate above lo (${lo})`, hi);
  if (!(eps > 0)) throw new OptionError('eps', 'a positive number', eps);
  const probes: { rate: number; ok: boolean }[] = [];
  const test = (rate: number) => {
    const pass = ok(run(rate));
    probes.push({ rate, ok: pass });
    return pass;
  };
  if (test(hi)) return { rate: hi, failsAt: Infinity, probes };
  while (hi - lo >= eps) {
    const mid = (lo + hi) / 2;
    if (test(mid)) lo = mid;
    else hi = mid;
  }
  return { rate: lo, failsAt: hi, probes };
}

/** The capacity rate only (spec §6 `searchCapacity`). */
export function searchCapacity<T = Trace[]>(run: (rate: number) => T, ok: (traces: T) => boolean, options: CapacityOptions = {}): number {
  return searchCapacityDetailed(run, ok, options).rate;
}
