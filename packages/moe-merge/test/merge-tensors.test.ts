import { describe, expect, it } from 'vitest';
import { MERGEME_PRESET, mergeTensors } from '../src/merge-tensors.js';
import { magnitudeThreshold } from '../src/merge-methods/magnitude-threshold.js';
import { createRng } from '@paperkit/tensor-core';

const f = (xs: number[]) => Float32Array.from(xs);
const base = f([0, 0, 0]);
const experts = [f([0.8, 0.1, -0.25]), f([-0.6, 0.2, -0.25]), f([0.1, -0.05, 0.5])].map((data) => ({ data }));

function close(actual: Float32Array, expected: number[], digits = 4) {
  expect(Array.from(actual).length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual[i]).toBeCloseTo(v, digits));
}

describe('TIES hand-computed table (spec section 7)', () => {
  it('density 1, normalised: [.45, .15, .5], a zero sum elects +', () => {
    close(mergeTensors('ties', base, experts, { density: 1, normalize: true }), [0.45, 0.15, 0.5]);
  });
  it('density .67, normalised: [.45, 0, .5]', () => {
    close(mergeTensors('ties', base, experts, { density: 0.67, normalize: true }), [0.45, 0, 0.5]);
  });
  it('task arithmetic: [.3, .25, 0]', () => {
    close(mergeTensors('task_arithmetic', base, experts), [0.3, 0.25, 0]);
  });
  it('average: [.1, .0833, 0]', () => {
    close(mergeTensors('linear', null, experts), [0.1, 0.08333, 0]);
  });
  it('the table does not depend on the chunk size of the streaming engine', () => {
    close(mergeTensors('ties', base, experts, { density: 0.67, chunkSize: 1 }), [0.45, 0, 0.5]);
  });
  it("'count' consensus elects by weighted sign counts", () => {
    // entry 0: signs +,-,+ -> +; agreeing .8 and .1 -> .45 (same here); entry 2: -,-,+ -> -, mean -.25
    close(mergeTensors('ties', base, experts, { consensus: 'count' }), [0.45, 0.15, -0.25]);
  });
});

describe('magnitude threshold', () => {
  it('keeps exactly k entries, ties at the threshold in index order', () => {
    const rng = createRng(3);
    const x = Float32Array.from({ length: 5000 }, () => Math.round(rng.normal() * 20) / 20);
    for (const k of [1, 17, 2500, 4999]) {
      const { threshold, keepAtThreshold } = magnitudeThreshold(x.length, k, (visit) => visit(x));
      const sorted = Array.from(x, Math.abs).sort((a, b) => b - a);
      expect(threshold).toBe(sorted[k - 1]);
      const greater = sorted.filter((v) => v > threshold).length;
      expect(greater + keepAtThreshold).toBe(k);
    }
  });
});

describe('DARE (spec section 7)', () => {
  const rng = createRng(11);
  const n = 1000;
  const b = rng.normalArray(n);
  const es = [0, 1, 2].map(() => ({ data: Float32Array.from(b, (v) => v + rng.normal(0, 0.1)) }));
  const ta = mergeTensors('task_arithmetic', b, es);

  it('density 1 equals task arithmetic exactly', () => {
    expect(Array.from(mergeTensors('dare_linear', b, es, { density: 1 }))).toEqual(Array.from(ta));
  });
  it('the mean over 2000 seeds is within 2% (relative L2) of task arithmetic at density .8', () => {
    const mean = new Float64Array(n);
    const seeds = 2000;
    for (let s = 0; s < seeds; s++) {
      const m = mergeTensors('dare_linear', b, es, { density: 0.8, seed: s });
      for (let j = 0; j < n; j++) mean[j] += (m[j] - b[j]) / seeds;
    }
    let num = 0;
    let den = 0;
    for (let j = 0; j < n; j++) {
      const target = ta[j] - b[j];
      num += (mean[j] - target) ** 2;
      den += target ** 2;
    }
    const rel = Math.sqrt(num / den);
    expect(rel).toBeLessThan(0.02);
  });
  it('a fixed seed gives identical bytes; another seed does not', () => {
    const a = mergeTensors('dare_ties', b, es, { density: 0.8, seed: 5 });
    const a2 = mergeTensors('dare_ties', b, es, { density: 0.8, seed: 5, chunkSize: 97 });
    const c = mergeTensors('dare_ties', b, es, { density: 0.8, seed: 6 });
    expect(Buffer.from(a.buffer).equals(Buffer.from(a2.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });
  it('MergeME preset is density .8, lambda 1/3, no normalisation', () => {
    expect(MERGEME_PRESET).toEqual({ density: 0.8, lambda: 1 / 3, normalize: false });
  });
});

describe('identities', () => {
  it('experts identical to the base leave every method at the base', () => {
    const rng = createRng(1);
    const b = rng.normalArray(257);
    const es = [0, 1, 2].map(() => ({ data: b.slice() }));
    for (const method of ['linear', 'task_arithmetic', 'ties', 'dare_linear', 'dare_ties'] as const) {
      const out = mergeTensors(method, b, es, { density: 0.8, lambda: 1 / 3, seed: 2 });
      out.forEach((v, j) => expect(v).toBeCloseTo(b[j], 6));
    }
  });
});
