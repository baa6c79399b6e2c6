import { describe, expect, it } from 'vitest';
import { ifdFromLogLik, ifdScores, topByScore } from '../src/index.js';
import { FakeStudent } from './helpers.js';

describe('IFD (spec section 7)', () => {
  it('token log-probs with x [-0.1, -0.3], without x [-1.0, -1.4] give exp(0.2)/exp(1.2) = 0.367879', () => {
    const v = ifdFromLogLik({ sum: -0.4, tokens: 2 }, { sum: -2.4, tokens: 2 });
    expect(v).toBeCloseTo(Math.exp(0.2) / Math.exp(1.2), 12);
    expect(v).toBeCloseTo(0.367879, 6);
  });

  it('a classifier with p(y|x) = 0.8 and p(y|null) = 0.4 has IFD 0.5', () => {
    expect(ifdFromLogLik({ sum: Math.log(0.8), tokens: 1 }, { sum: Math.log(0.4), tokens: 1 })).toBeCloseTo(0.5, 12);
  });

  it('ranking picks the highest IFD first; scores above maxIFD rank last', () => {
    expect(topByScore([0.3, 0.9, 0.5, 0.7], 2)).toEqual([1, 3]);
    expect(topByScore([0.3, 1.4, 0.5, 1.2], 3, 1)).toEqual([2, 0, 3]);
  });

  it('ifdScores uses the student\'s own response and names the example on a NaN log-likelihood', async () => {
    const s = new FakeStudent();
    const scores = await ifdScores(s, [1, 2, 3]);
    expect(scores[0]).toBeCloseTo(Math.exp((1 * 0.6180339887) % 1), 9);
    const bad = new FakeStudent();
    bad.logLikelihood = async () => ({ sum: Number.NaN, tokens: 1 });
    await expect(ifdScores(bad, [5], ['ex-5'])).rejects.toThrow(/ex-5.*|NaN/);
    await expect(ifdScores(bad, [5], ['ex-5'])).rejects.toThrow(/finite/);
  });
});
