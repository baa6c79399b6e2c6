import { describe, expect, it } from 'vitest';
import { adaptiveCounts, naiveCounts, sampledAdaptiveCounts } from '../src/index.js';
import { poolSizes } from '../src/reproduce/world.js';

describe('stage counts (spec section 7 hand values)', () => {
  const sizes = poolSizes();
  it('the section-5 pool is [1000, 217, 89, 47, 28, 19, 13, 10]', () => {
    expect(sizes).toEqual([1000, 217, 89, 47, 28, 19, 13, 10]);
  });

  it('adaptive (expected) counts for B 400, K 4 match the spec stage by stage', () => {
    const at = (stage: number) => adaptiveCounts({ sizes, stageBudget: 100, stages: 4, stage });
    expect(at(0)).toEqual([70, 15, 6, 3, 1, 1, 0, 0]);
    expect(at(0).reduce((a, b) => a + b)).toBe(96);
    expect(at(1)).toEqual([55, 14, 7, 5, 4, 4, 3, 3]);
    expect(at(2)).toEqual([41, 13, 9, 7, 7, 6, 6, 6]);
    expect(at(3)).toEqual([26, 13, 10, 10, 9, 9, 9, 9]);
    expect(at(3).reduce((a, b) => a + b)).toBe(95);
  });

  it('naive counts are floor(B_s / l) = 12 each (96)', () => {
    expect(naiveCounts(8, 100)).toEqual(new Array(8).fill(12));
  });

  it('counts never sum past B_s, and the adaptive ones move from proportional to balanced', () => {
    for (let K = 1; K <= 6; K++) {
      for (let i = 0; i < K; i++) {
        const c = adaptiveCounts({ sizes, stageBudget: 77, stages: K, stage: i });
        expect(c.reduce((a, b) => a + b)).toBeLessThanOrEqual(77);
      }
    }
    const first = adaptiveCounts({ sizes, stageBudget: 100, stages: 4, stage: 0 });
    const last = adaptiveCounts({ sizes, stageBudget: 100, stages: 4, stage: 3 });
    expect(first[0] - first[7]).toBeGreaterThan(last[0] - last[7]);
  });

  it('sampled variant: stage 0 is the sample itself, the last stage tends to balance', () => {
    const m = [70, 16, 6, 3, 2, 1, 1, 1];
    expect(sampledAdaptiveCounts({ sampled: m, stageBudget: 100, stages: 4, stage: 0 })).toEqual(m);
    const s3 = sampledAdaptiveCounts({ sampled: m, stageBudget: 100, stages: 4, stage: 3 });
    // floor((m (K-i) l + B_s i) / (K l)) with K-i = 1, l = 8: (8 m + 300) / 32
    expect(s3).toEqual(m.map((v) => Math.floor((8 * v + 300) / 32)));
  });

  it('rejects a stage outside [0, K) with a named option error', () => {
    expect(() => adaptiveCounts({ sizes, stageBudget: 100, stages: 4, stage: 4 })).toThrow(/adaptiveCounts\.stage/);
    expect(() => naiveCounts(0, 10)).toThrow(/naiveCounts\.domains/);
  });
});
