/**
 * The long-tailed synthetic world of spec section 5 (seeded): l = 8 domains, x in R^16.
 * Domain d: mean mu_d ~ N(0, I), reason projection P_d in R^{4x16} ~ N(0, 1), answer permutation pi_d of 0..3.
 * An input is x ~ N(mu_d, I); its oracle rationale r = argmax_j (P_d x)_j ("which of 4 reasons applies"),
 * its answer a = pi_d(r). Pool n_d = floor(1000 (d+1)^-2.2) = [1000, 217, 89, 47, 28, 19, 13, 10]
 * (heads: domains 0-2); test 200 per domain (balanced).
 */
import { createRng, type Rng } from '@paperkit/tensor-core';
import type { Example } from '../types.js';

export const DIM = 16;
export const REASONS = 4;

/** The student's input: the vector and the domain index (it sees [x, onehot(d)]). */
export interface WorldInput {
  x: number[];
  d: number;
}

export interface Domain {
  mu: Float32Array;
  /** Row-major [REASONS, DIM]. */
  P: Float32Array;
  pi: Int32Array;
}

export interface World {
  domains: Domain[];
  names: string[];
  pool: Example<WorldInput, number>[];
  test: Example<WorldInput, number>[];
  /** The oracle: (rationale, answer) of an input. */
  label(input: WorldInput): { rationale: number; answer: number };
  rng: Rng;
}

export interface WorldOptions {
  seed: number;
  domains?: number;
  /** n_d = floor(headSize (d+1)^-exponent). */
  headSize?: number;
  exponent?: number;
  testPerDomain?: number;
}

export function poolSizes(domains = 8, headSize = 1000, exponent = 2.2): number[] {
  return Array.from({ length: domains }, (_, d) => Math.floor(headSize * (d + 1) ** -exponent));
}

export function sampleInput(dom: Domain, rng: Rng, d: number): WorldInput {
  return { x: Array.from(dom.mu, (m) => m + rng.normal()), d };
}

export function makeWorld(o: WorldOptions): World {
  const l = o.domains ?? 8;
  const rng = createRng(`baldistill-world/${o.seed}`);
  const domains: Domain[] = Array.from({ length: l }, () => ({
    mu: rng.normalArray(DIM),
    P: rng.normalArray(REASONS * DIM),
    pi: rng.permutation(REASONS),
  }));
  const names = domains.map((_, d) => `d${d}`);
  const label = (input: WorldInput) => {
    const dom = domains[input.d];
    let best = 0;
    let bestV = -Infinity;
    for (let j = 0; j < REASONS; j++) {
      let v = 0;
      for (let k = 0; k < DIM; k++) v += dom.P[j * DIM + k] * input.x[k];
      if (v > bestV) (bestV = v), (best = j);
    }
    return { rationale: best, answer: dom.pi[best] };
  };
  const draw = (d: number, n: number, prefix: string, r: Rng) =>
    Array.from({ length: n }, (_, k) => {
      const input = sampleInput(domains[d], r, d);
      return { id: `${prefix}${d}-${k}`, domain: names[d], input, gold: label(input).answer };
    });
  const sizes = poolSizes(l, o.headSize ?? 1000, o.exponent ?? 2.2);
  const poolRng = rng.fork('pool');
  const testRng = rng.fork('test');
  const pool = sizes.flatMap((n, d) => draw(d, n, 'p', poolRng));
  const test = Array.from({ length: l }, (_, d) => draw(d, o.testPerDomain ?? 200, 't', testRng)).flat();
  return { domains, names, pool, test, label, rng: rng.fork('teacher') };
}
