/**
 * The minibatch rows of every training step, drawn up front from the seeded generator:
 * successive permutations of 0..rows-1 (one per pass over the cached copies), cut into
 * batches of a fixed size. Every method of a reproduction seed uses the same plan, so they
 * see the same data, augmentation and steps (spec section 4).
 */
import { OptionError, toRng, type Rng, type Seed } from '@paperkit/tensor-core';

export function batchPlan(rows: number, batchSize: number, steps: number, seed: Seed | Rng): Int32Array[] {
  if (!Number.isInteger(rows) || rows < 1) throw new OptionError('rows', 'an integer >= 1', rows);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new OptionError('batchSize', 'an integer >= 1', batchSize);
  if (!Number.isInteger(steps) || steps < 1) throw new OptionError('steps', 'an integer >= 1', steps);
  const rng = toRng(seed);
  const size = Math.min(batchSize, rows);
  const plan: Int32Array[] = [];
  let order = rng.permutation(rows);
  let at = 0;
  for (let s = 0; s < steps; s++) {
    if (at + size > rows) {
      order = rng.permutation(rows);
      at = 0;
    }
    plan.push(order.slice(at, at + size));
    at += size;
  }
  return plan;
}
