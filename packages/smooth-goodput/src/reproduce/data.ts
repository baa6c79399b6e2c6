/**
 * The seeded data of the spec §5 reproduction: ShareGPT-like and long-context workloads
 * with Poisson arrivals, 800 requests per run (fewer with --quick). For a given seed the
 * lengths and the unit-rate arrival draws are the same at every rate (common random
 * numbers), so curves over λ are smooth and capacity bisection is monotone.
 */
import { generateWorkload, type WorkloadRequest } from '../simulator/workload.js';

export interface ReproSize {
  /** Requests per simulated run. */
  n: number;
  /** Bisection resolution of the capacity search, requests/s. */
  capacityEps: number;
  /** λ/capacity grid of the E4 α sweep. */
  e4Grid: number[];
  /** λ/capacity grid of the E3 long-context sweep. */
  e3Grid: number[];
}

export const FULL_SIZE: ReproSize = {
  n: 800,
  capacityEps: 0.05,
  e4Grid: [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2],
  e3Grid: [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2],
};

export const QUICK_SIZE: ReproSize = {
  n: 300,
  capacityEps: 0.1,
  e4Grid: [0.5, 1, 1.5, 2],
  e3Grid: [0.5, 1, 1.5, 2],
};

/** ShareGPT-like workload of the reproduction. */
export function sharegptWorkload(seed: number, rate: number, n: number): WorkloadRequest[] {
  return generateWorkload({ seed, n, rate, lengths: 'sharegpt-like' });
}

/** Long-context (LooGLE-like) workload of E3. */
export function longContextWorkload(seed: number, rate: number, n: number): WorkloadRequest[] {
  return generateWorkload({ seed: 1000 + seed, n, rate, lengths: 'long-context' });
}

/** The spec's serving settings per experiment. */
export const CAPACITY_SLO = { kind: 'ttft-tpot', ttft: 2, tpot: 0.1 } as const;
export const CAPACITY_ATTAINMENT = 0.9;
export const E1_LOAD = 0.8;
export const E1_THETA = 0.09;
export const CHAINED_TBT_SLO = { kind: 'ttft-tbt', ttft: 1, tbt: 0.1 } as const;
export const E2_KV_TOKENS = 12000;
export const E2_LOAD = 1.1;
export const E2_DROP_TBT_MS = 500;
/** The SLO the drop policy is aligned with: a request dropped by it had already failed it. */
export const E2_GOODPUT_SLO = { kind: 'ttft-tbt', ttft: 2, tbt: 0.5 } as const;
export const E4_ALPHAS = [0, 1, 2.5, 5];
