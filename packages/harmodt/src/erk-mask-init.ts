/**
 * Erdős–Rényi-Kernel mask initialisation (harmodt.md §2 "Mask init", fl_utils.ERK_maskinit).
 *
 * Each task gets an independent random mask with global density 1 − s (s = sparsity). The
 * density of a tensor is proportional to (sum of its dims) / (product of its dims); a tensor
 * whose density would exceed 1 becomes dense and the rest are rescaled, repeated until every
 * density is <= 1. 1-D tensors are dense. Each tensor then keeps exactly round(density · size)
 * randomly chosen coordinates, so the global density is hit within 1/n.
 */
import { OptionError, type Rng } from '@paperkit/tensor-core';

/** Per-tensor densities for a global density `density` (= 1 − sparsity). */
export function erkDensities(shapes: number[][], density: number): number[] {
  if (!(density > 0 && density <= 1)) throw new OptionError('density', 'a number in (0, 1] (1 − sparsity)', density);
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  const raw = shapes.map((s, i) => s.reduce((a, b) => a + b, 0) / sizes[i]);
  const dense = shapes.map((s) => s.length < 2);
  for (;;) {
    // Budget left for the non-dense tensors, split in proportion to raw · size.
    let budget = density * total;
    let weight = 0;
    shapes.forEach((_, i) => {
      if (dense[i]) budget -= sizes[i];
      else weight += raw[i] * sizes[i];
    });
    const eps = weight > 0 ? budget / weight : 0;
    let changed = false;
    shapes.forEach((_, i) => {
      if (!dense[i] && eps * raw[i] > 1) {
        dense[i] = true;
        changed = true;
      }
    });
    if (!changed) return shapes.map((_, i) => (dense[i] ? 1 : Math.max(0, eps * raw[i])));
  }
}

/** One task's flat 0/1 mask over the concatenated tensors (shapes in order). */
export function erkMask(shapes: number[][], density: number, rng: Rng): Uint8Array {
  const densities = erkDensities(shapes, density);
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const mask = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  let offset = 0;
  sizes.forEach((n, i) => {
    const keep = Math.round(densities[i] * n);
    const perm = rng.permutation(n);
    for (let k = 0; k < keep; k++) mask[offset + perm[k]] = 1;
    offset += n;
  });
  return mask;
}

/** A uniform random mask with exactly round(density · n) ones (maskInit 'uniform'). */
export function uniformMask(n: number, density: number, rng: Rng): Uint8Array {
  if (!(density > 0 && density <= 1)) throw new OptionError('density', 'a number in (0, 1]', density);
  const mask = new Uint8Array(n);
  const perm = rng.permutation(n);
  const keep = Math.round(density * n);
  for (let k = 0; k < keep; k++) mask[perm[k]] = 1;
  return mask;
}
