import { describe, expect, test } from 'vitest';
import { metricMean, rowsFromSeeds, summarize } from '../../src/report/reproduction-result.js';

describe('summarize', () => {
  test('mean and sample standard deviation (n - 1) of per-seed values', () => {
    const s = summarize([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(s.values).toEqual([1, 2, 3, 4]);
  });

  test('one seed has zero spread', () => {
    expect(summarize([0.7])).toEqual({ mean: 0.7, std: 0, values: [0.7] });
  });
});

describe('rowsFromSeeds', () => {
  test('groups per-seed measurements by method and metric, keeping first-seen order', () => {
    const rows = rowsFromSeeds([
      { b: { acc: 0.5 }, a: { acc: 0.9, loss: 1 } },
      { b: { acc: 0.7 }, a: { acc: 0.8, loss: 3 } },
    ]);
    expect(rows.map((r) => r.method)).toEqual(['b', 'a']);
    expect(rows[1].metrics.loss).toEqual(summarize([1, 3]));
    expect(metricMean({ rows }, 'b', 'acc')).toBeCloseTo(0.6, 12);
  });

  test('metricMean names the missing method or metric', () => {
    const rows = rowsFromSeeds([{ a: { acc: 1 } }]);
    expect(() => metricMean({ rows }, 'z', 'acc')).toThrow('option method: expected one of "a", got "z"');
    expect(() => metricMean({ rows }, 'a', 'nll')).toThrow('option metric of "a": expected one of "acc", got "nll"');
  });
});
