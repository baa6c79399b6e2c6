import { describe, expect, it } from 'vitest';
import { ShapeError, cosine, cosineMatrix } from '../../src/base.js';

describe('cosine', () => {
  it('matches hand values', () => {
    expect(cosine([1, 0], [-1, 1])).toBeCloseTo(-1 / Math.SQRT2, 12);
    expect(cosine(Float32Array.of(3, 4), Float32Array.of(6, 8))).toBeCloseTo(1, 6);
    expect(cosine([1, 2], [-2, 1])).toBe(0);
  });
  it('is 0 when a vector is all zeros, and refuses different lengths', () => {
    expect(cosine([0, 0], [1, 2])).toBe(0);
    expect(() => cosine([1, 2], [1, 2, 3])).toThrow(ShapeError);
  });
  it('cosineMatrix is symmetric with a unit diagonal', () => {
    const m = cosineMatrix([[1, 0], [0, 1], [1, 1]]);
    expect(m).toEqual([
      [1, 0, m[0][2]],
      [0, 1, m[1][2]],
      [m[0][2], m[1][2], 1],
    ]);
    expect(m[0][2]).toBeCloseTo(Math.SQRT1_2, 12);
  });
});
