import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateRanking, hitsAtKGlobal } from '../src/evaluate-ranking.js';

describe('evaluateRanking follows OGB tie-averaged ranks (spec §7)', () => {
  it('hand case: ranks [2, 2, 1], MRR 2/3, H@1 1/3, H@3 1', () => {
    const pos = Float32Array.from([0.5, 0.5, 0.9]);
    const neg = Float32Array.from([0.5, 0.5, 0.1, 0.9, 0.1, 0.2, 0.1, 0.2, 0.3]);
    const m = evaluateRanking(pos, neg, 3);
    expect(Array.from(m.ranks)).toEqual([2, 2, 1]);
    expect(m.mrr).toBeCloseTo(0.666667, 6);
    expect(m.hits1).toBeCloseTo(1 / 3, 12);
    expect(m.hits3).toBe(1);
    expect(m.hits10).toBe(1);
  });

  it('one tie and one better negative give rank 2.5 (RR 0.4, H@1 0, H@3 1)', () => {
    const m = evaluateRanking(Float32Array.from([0.5]), Float32Array.from([0.5, 0.7, 0.1]), 3);
    expect(m.ranks[0]).toBe(2.5);
    expect(m.mrr).toBeCloseTo(0.4, 12);
    expect(m.hits1).toBe(0);
    expect(m.hits3).toBe(1);
  });

  it('all-equal scores with K = 4 give rank 3', () => {
    expect(evaluateRanking([1], [1, 1, 1, 1], 4).ranks[0]).toBe(3);
  });

  it('1000 random rows with ties match the values computed once with the lp_dataset.py formula', () => {
    const fx = JSON.parse(readFileSync(new URL('./fixtures/ranking-1k.json', import.meta.url), 'utf8'));
    const m = evaluateRanking(fx.pos, fx.neg, fx.k);
    expect(m.mrr).toBeCloseTo(fx.mrr, 10);
    expect(m.hits1).toBeCloseTo(fx.hits1, 12);
    expect(m.hits3).toBeCloseTo(fx.hits3, 12);
    expect(m.hits10).toBeCloseTo(fx.hits10, 12);
    expect(Array.from(m.ranks.subarray(0, 20))).toEqual(fx.ranks_head);
  });

  it('rejects a negative array whose length is not k per positive', () => {
    expect(() => evaluateRanking([1, 2], [1, 2, 3], 2)).toThrow(/neg: expected shape \[2, 2\]/);
  });
});

describe('hitsAtKGlobal (ogbl-collab style, strict against the K-th largest negative)', () => {
  it('pos [0.9, 0.5, 0.3] vs neg [0.8, 0.5, 0.4, 0.1] at K = 2 gives 1/3 (the tie does not count)', () => {
    expect(hitsAtKGlobal([0.9, 0.5, 0.3], [0.8, 0.5, 0.4, 0.1], 2)).toBeCloseTo(1 / 3, 12);
  });

  it('fewer negatives than K gives 1', () => {
    expect(hitsAtKGlobal([0.9, 0.5, 0.3], [0.8, 0.5, 0.4, 0.1], 5)).toBe(1);
  });
});
