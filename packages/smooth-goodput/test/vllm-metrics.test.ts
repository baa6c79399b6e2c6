import { describe, expect, it } from 'vitest';
import { createRng } from '@paperkit/tensor-core/base';
import { percentile, percentiles, vllmMetrics } from '../src/index.js';
import { VLLM_FIXTURE } from './fixtures.js';

describe('numpy-linear percentiles', () => {
  it('percentile([1, 2, 3, 4], 99) = 3.97', () => {
    expect(percentile([1, 2, 3, 4], 99)).toBeCloseTo(3.97, 12);
  });

  it('matches a full sort with linear interpolation on random data, several percentiles at once', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rng.int(500);
      const xs = Array.from({ length: n }, () => (rng.bernoulli(0.2) ? rng.int(5) : rng.normal(0, 10)));
      const sorted = [...xs].sort((a, b) => a - b);
      const ps = [0, 1, 50, 90, 99, 99.9, 100];
      const ref = ps.map((p) => {
        const h = ((n - 1) * p) / 100;
        const lo = Math.floor(h);
        return lo + 1 < n ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
      });
      percentiles(xs, ps).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 9));
    }
  });
});

describe('vLLM benchmark_serving metrics', () => {
  // r0: TTFT 100, E2EL 400, ITL 200,100, TPOT 150 | r1: TTFT 200, E2EL 500, ITL 300, 4 tokens -> TPOT 100
  // r2: TTFT 50, E2EL 50, 1 token (no TPOT; TPOT 0 for goodput) | r3 failed: excluded. dur = 2.6 s.
  const v = vllmMetrics(VLLM_FIXTURE, { goodput: { ttft: 150, tpot: 120 } });

  it('TTFT mean/median/population std/p99 in ms', () => {
    expect(v.ttft.mean).toBeCloseTo(350 / 3, 9);
    expect(v.ttft.median).toBeCloseTo(100, 9);
    expect(v.ttft.std).toBeCloseTo(Math.sqrt(3888.888888888889), 9);
    expect(v.ttft.p99).toBeCloseTo(198, 9);
  });

  it('TPOT uses (E2EL − TTFT)/(n − 1) with n the token count, skipping one-token requests', () => {
    expect(v.tpot.mean).toBeCloseTo(125, 9);
    expect(v.tpot.median).toBeCloseTo(125, 9);
    expect(v.tpot.std).toBeCloseTo(25, 9);
    expect(v.tpot.p99).toBeCloseTo(149.5, 9);
  });

  it('ITL pools chunk gaps (a 3-token chunk is one gap) and E2EL is the last chunk', () => {
    expect(v.itl.mean).toBeCloseTo(200, 9);
    expect(v.itl.std).toBeCloseTo(Math.sqrt(20000 / 3), 9);
    expect(v.itl.p99).toBeCloseTo(298, 9);
    expect(v.e2el.mean).toBeCloseTo(950 / 3, 9);
    expect(v.e2el.median).toBeCloseTo(400, 9);
    expect(v.e2el.p99).toBeCloseTo(498, 9);
  });

  it('request_goodput counts completed requests meeting every SLO (r2 only) per second of dur; failed are excluded', () => {
    expect(v.completed).toBe(3);
    expect(v.duration).toBeCloseTo(2.6, 12);
    expect(v.requestGoodput).toBeCloseTo(1 / 2.6, 12);
    expect(v.requestThroughput).toBeCloseTo(3 / 2.6, 12);
    expect(v.outputThroughput).toBeCloseTo(8 / 2.6, 12);
    expect(v.totalTokenThroughput).toBeCloseTo(43 / 2.6, 12);
  });

  it('without SLOs request_goodput equals request throughput; empty metrics report 0 like np.mean(x or 0)', () => {
    const plain = vllmMetrics(VLLM_FIXTURE);
    expect(plain.requestGoodput).toBeCloseTo(plain.requestThroughput, 12);
    const one = vllmMetrics([{ id: 'a', arrival: 0, tokenTimes: [0.5] }]);
    expect(one.tpot).toEqual({ mean: 0, median: 0, std: 0, p99: 0 });
    expect(one.itl.mean).toBe(0);
  });
});
