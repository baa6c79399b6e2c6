import { describe, expect, it } from 'vitest';
import { OptionError } from '@paperkit/tensor-core';
import { cheapEmbedGates, conditionNumber, gateWarnings, randomGates } from '../src/gates.js';

// V = 4, H = 2 embedding rows: e0 = [1, 0], e1 = [0, 1], e2 = [1, 1], e3 = [-1, 0]
const embed = Float32Array.from([1, 0, 0, 1, 1, 1, -1, 0]);

describe('cheap_embed gates (spec section 7)', () => {
  const gates = cheapEmbedGates(embed, 4, 2, [
    { positive: [[0, 1]], negative: [] },
    { positive: [[2], [3]], negative: [[1]] },
  ], 3);

  it('equal the hand value: normalised summed prompt embeddings, positives minus negatives', () => {
    // expert 0: e0 + e1 = [1, 1] -> [.7071, .7071]
    // expert 1: mean([1, 1], [-1, 0]) - [0, 1] = [0, -.5] -> [0, -1]
    const row = Array.from(gates.rows[0]);
    [Math.SQRT1_2, Math.SQRT1_2, 0, -1].forEach((v, i) => expect(row[i]).toBeCloseTo(v, 6));
  });
  it('have unit rows and the same matrix in every layer', () => {
    for (const G of gates.rows) {
      for (let e = 0; e < 2; e++) expect(Math.hypot(G[2 * e], G[2 * e + 1])).toBeCloseTo(1, 6);
      expect(Array.from(G)).toEqual(Array.from(gates.rows[0]));
    }
    expect(gates.rows.length).toBe(3);
  });
  it('reject a prompt token outside the vocabulary', () => {
    expect(() => cheapEmbedGates(embed, 4, 2, [{ positive: [[7]], negative: [] }], 1)).toThrow(OptionError);
  });
});

describe('gate conditioning (spec section 7)', () => {
  it('warns when cond(G) > 5 and not for well separated rows', () => {
    const close = { rows: [Float32Array.from([1, 0, 0.99, Math.sqrt(1 - 0.99 ** 2)])], numExperts: 2, hidden: 2 };
    const warnings = gateWarnings(close);
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toMatch(/layer 0: gate matrix condition number 14\.\d > 5/);
    expect(gateWarnings({ rows: [Float32Array.from([1, 0, 0, 1])], numExperts: 2, hidden: 2 })).toEqual([]);
  });
  it('condition number of an orthonormal matrix is 1', () => {
    expect(conditionNumber(Float32Array.from([1, 0, 0, 0, 1, 0]), 2, 3)).toBeCloseTo(1, 6);
  });
  it('random gates are seeded', () => {
    expect(Array.from(randomGates('random', 1, 2, 4, 3).rows[0])).toEqual(Array.from(randomGates('random', 1, 2, 4, 3).rows[0]));
  });
});
