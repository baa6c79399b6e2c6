import { describe, expect, it } from 'vitest';
import { CapacityError } from '../src/errors.js';
import { WeightOwnership } from '../src/prune-masks.js';

describe('prune ownership (spec section 7)', () => {
  const shapes = { a: [10, 10], b: [37] };
  const values = (seed: number) => ({
    a: Float32Array.from({ length: 100 }, (_, i) => Math.sin(i * 7.1 + seed)),
    b: Float32Array.from({ length: 37 }, (_, i) => Math.cos(i * 3.3 + seed)),
  });

  it('masks are pairwise disjoint, |mask_t| = round((1-q) free), union_t covers masks <= t', () => {
    const own = new WeightOwnership(shapes);
    const sizes: number[] = [];
    for (let t = 0; t < 4; t++) {
      const free = own.freeCount();
      const kept = own.assign(t, values(t), 0.5, `task${t}`);
      expect(Math.abs(kept - Math.round(0.5 * free))).toBeLessThanOrEqual(1);
      expect(own.ownedBy(t)).toBe(kept);
      sizes.push(kept);
    }
    // Disjoint: each weight has exactly one owner, so counts add up.
    expect(sizes.reduce((a, b) => a + b, 0) + own.freeCount()).toBe(137);
    for (const name of ['a', 'b']) {
      const u1 = own.unionMask(name, 1);
      const m0 = own.ownMask(name, 0);
      const m1 = own.ownMask(name, 1);
      const m2 = own.ownMask(name, 2);
      u1.forEach((v, i) => {
        expect(v).toBe(m0[i] || m1[i] ? 1 : 0);
        expect(m0[i] + m1[i] + m2[i]).toBeLessThanOrEqual(1);
      });
    }
  });

  it('keeps the largest magnitudes among the free weights', () => {
    const own = new WeightOwnership({ w: [6] });
    own.assign(0, { w: Float32Array.from([0.1, -5, 0.3, 4, -0.2, 0.05]) }, 0.5, 't0');
    expect(Array.from(own.ownMask('w', 0))).toEqual([0, 1, 1, 1, 0, 0]);
  });

  it('throws CapacityError when no free weight is left, and OptionError for q outside (0, 1)', () => {
    const own = new WeightOwnership({ w: [2] });
    own.assign(0, { w: Float32Array.from([1, 2]) }, 0.5, 't0');
    own.assign(1, { w: Float32Array.from([1, 2]) }, 0.5, 't1');
    expect(own.freeCount()).toBe(0);
    expect(() => own.assign(2, { w: Float32Array.from([1, 2]) }, 0.5, 't2')).toThrow(CapacityError);
    expect(() => own.requireFree('t2')).toThrow(/free trunk weights/);
    expect(() => new WeightOwnership({ w: [2] }).assign(0, { w: Float32Array.from([1, 2]) }, 1, 't')).toThrow(/pruneQuantile/);
  });
});
