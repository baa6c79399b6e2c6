/**
 * The seeded synthetic domains of spec section 5 (V = 32, length 24):
 *  - math: x_{t+1} = (x_t + s) mod V with a per-sequence step s ~ U{1..5};
 *  - code: a random 4-token motif repeated (x_t = x_{t-4});
 *  - know: a Markov chain in which every token has 3 successors (drawn once
 *    with seed 7, the same for every run) taken with probabilities .6/.3/.1;
 *  - general: each sequence from one of the three, uniformly.
 */
import { createRng, type Seed } from '@paperkit/tensor-core';

export const DOMAINS = ['math', 'code', 'know'] as const;
export type Domain = (typeof DOMAINS)[number];

export interface DomainDataOptions {
  /** Vocabulary size (default 32). */
  vocab?: number;
  /** Sequence length (default 24). */
  length?: number;
}

/** The fixed knowledge graph: successors[token] = 3 distinct next tokens (seed 7, spec section 5). */
export function knowledgeSuccessors(vocab = 32): Int32Array[] {
  const rng = createRng(7);
  return Array.from({ length: vocab }, () => rng.permutation(vocab).slice(0, 3));
}

/** n sequences [n, length] of one domain (or 'general'), row-major int32. */
export function generateDomain(domain: Domain | 'general', n: number, seed: Seed, options: DomainDataOptions = {}): Int32Array {
  const V = options.vocab ?? 32;
  const T = options.length ?? 24;
  const rng = createRng(`${seed}/${domain}`);
  const succ = knowledgeSuccessors(V);
  const out = new Int32Array(n * T);
  for (let r = 0; r < n; r++) {
    const d: Domain = domain === 'general' ? DOMAINS[rng.int(3)] : domain;
    const row = out.subarray(r * T, (r + 1) * T);
    if (d === 'math') {
      const s = 1 + rng.int(5);
      row[0] = rng.int(V);
      for (let t = 1; t < T; t++) row[t] = (row[t - 1] + s) % V;
    } else if (d === 'code') {
      for (let t = 0; t < 4; t++) row[t] = rng.int(V);
      for (let t = 4; t < T; t++) row[t] = row[t - 4];
    } else {
      row[0] = rng.int(V);
      for (let t = 1; t < T; t++) {
        const u = rng.next();
        row[t] = succ[row[t - 1]][u < 0.6 ? 0 : u < 0.9 ? 1 : 2];
      }
    }
  }
  return out;
}
