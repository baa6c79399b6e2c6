/**
 * Number of coordinates each task swaps at an outer step (harmodt.md §2 outer step 2, main.py):
 * k = int(η_max + ½ (η_min − η_max)(1 + cos 2πα)), α = iter / maxIters. With η_min = 0 this
 * rises 0 → η_max (at α = ½) → 0. (fl_utils' half-period variant is shadowed in the official
 * code and not used.)
 */
export function changeCount(iter: number, maxIters: number, etaMax: number, etaMin = 0): number {
  const alpha = maxIters > 0 ? iter / maxIters : 0;
  // int() truncates toward zero; the tiny epsilon keeps k(½) = η_max despite cos rounding.
  return Math.trunc(etaMax + 0.5 * (etaMin - etaMax) * (1 + Math.cos(2 * Math.PI * alpha)) + 1e-9);
}
