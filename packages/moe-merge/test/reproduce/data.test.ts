import { describe, expect, it } from 'vitest';
import { generateDomain, knowledgeSuccessors } from '../../src/reproduce/data.js';

const T = 24;
const row = (d: Int32Array, r: number) => Array.from(d.subarray(r * T, (r + 1) * T));

describe('synthetic domains (spec section 5)', () => {
  it('math: constant step s in 1..5 modulo 32', () => {
    const d = generateDomain('math', 50, 0);
    for (let r = 0; r < 50; r++) {
      const x = row(d, r);
      const s = (x[1] - x[0] + 32) % 32;
      expect(s).toBeGreaterThanOrEqual(1);
      expect(s).toBeLessThanOrEqual(5);
      for (let t = 1; t < T; t++) expect(x[t]).toBe((x[t - 1] + s) % 32);
    }
  });
  it('code: a 4-token motif repeated', () => {
    const d = generateDomain('code', 50, 0);
    for (let r = 0; r < 50; r++) {
      const x = row(d, r);
      for (let t = 4; t < T; t++) expect(x[t]).toBe(x[t - 4]);
    }
  });
  it('know: every transition is one of the 3 fixed successors, with frequencies near .6/.3/.1', () => {
    const succ = knowledgeSuccessors();
    const d = generateDomain('know', 400, 0);
    const counts = [0, 0, 0];
    for (let r = 0; r < 400; r++) {
      const x = row(d, r);
      for (let t = 1; t < T; t++) {
        const k = Array.from(succ[x[t - 1]]).indexOf(x[t]);
        expect(k).toBeGreaterThanOrEqual(0);
        counts[k]++;
      }
    }
    const n = counts[0] + counts[1] + counts[2];
    expect(counts[0] / n).toBeCloseTo(0.6, 1);
    expect(counts[1] / n).toBeCloseTo(0.3, 1);
  });
  it('is seeded: same seed same data, other seed other data', () => {
    expect(Array.from(generateDomain('general', 20, 3))).toEqual(Array.from(generateDomain('general', 20, 3)));
    expect(Array.from(generateDomain('general', 20, 3))).not.toEqual(Array.from(generateDomain('general', 20, 4)));
  });
});
