import { describe, expect, it } from 'vitest';
import { createRng } from '@paperkit/tensor-core/base';
import { idleLatencies, readerFinishTimes, sloMask, vllmMetrics } from '../src/index.js';
import { FIG1_A, FIG1_B } from './fixtures.js';

describe('user idle latency (Eq. 9) on the paper Fig. 1 traces', () => {
  it('trace A: a 1 s stall hidden by the reading buffer gives l = 0, yet fails TBT 0.5 s (max TBT 1.0 s, TPOT 0.147 s)', () => {
    expect(idleLatencies([FIG1_A], { readingSpeed: 4 })[0]).toBeCloseTo(0, 12);
    expect(sloMask([FIG1_A], { kind: 'ttft-tbt', ttft: 10, tbt: 0.5 })[0]).toBe(0);
    const v = vllmMetrics([FIG1_A], { percentiles: [99, 100] });
    expect(v.itl.p100).toBeCloseTo(1000, 9); // max TBT 1.0 s
    expect(v.itl.p99).toBeCloseTo(838, 9); // numpy-linear: 0.1 + 0.82·0.9 s over 19 gaps
    expect(Math.max(...FIG1_A.tokenTimes.slice(1).map((t, i) => t - FIG1_A.tokenTimes[i]))).toBeCloseTo(1.0, 12);
    expect(v.tpot.mean / 1000).toBeCloseTo(0.147, 3);
  });

  it('trace B: "only 0.1 s" TPOT but the user waits 0.45 s for token 3', () => {
    expect(idleLatencies([FIG1_B], { readingSpeed: 4 })[0]).toBeCloseTo(0.45, 12);
    expect(vllmMetrics([FIG1_B]).tpot.mean / 1000).toBeCloseTo(0.103, 3);
    expect(Math.max(...FIG1_B.tokenTimes.slice(1).map((t, i) => t - FIG1_B.tokenTimes[i]))).toBeCloseTo(1.0, 12);
  });

  it('reader-buffer identity: u_n − n·V equals l_r for random traces', () => {
    const rng = createRng(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + rng.int(40);
      let t = rng.uniform(0, 1);
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        t += rng.bernoulli(0.1) ? rng.uniform(0, 2) : rng.uniform(0, 0.1);
        times.push(t);
      }
      const speed = rng.uniform(1, 30);
      const u = readerFinishTimes(times, speed);
      const l = idleLatencies([{ id: 'x', arrival: 0, tokenTimes: times }], { readingSpeed: speed })[0];
      expect(u[n - 1] - n / speed).toBeCloseTo(l, 9);
    }
  });

  it('a multi-token event counts its tokens at one timestamp (k equal times)', () => {
    const bundled = idleLatencies([{ id: 'b', arrival: 0, tokenTimes: [0.1, 2.0], tokensPerEvent: [1, 4] }], { readingSpeed: 5 })[0];
    const spread = idleLatencies([{ id: 's', arrival: 0, tokenTimes: [0.1, 2, 2, 2, 2] }], { readingSpeed: 5 })[0];
    expect(bundled).toBeCloseTo(spread, 12);
    expect(bundled).toBeCloseTo(2.0 - 0.4, 12);
  });

  it('a dropped request is charged for the wait for its next token until the drop notice', () => {
    const charged = idleLatencies([{ id: 'd', arrival: 0, tokenTimes: [0.1, 0.2], status: 'dropped', droppedAt: 3 }], { readingSpeed: 5 })[0];
    expect(charged).toBeCloseTo(3 - 0.6, 12);
    const uncharged = idleLatencies([{ id: 'd', arrival: 0, tokenTimes: [0.1, 0.2], status: 'dropped', droppedAt: 3 }], { readingSpeed: 5, chargeDropWait: false })[0];
    expect(uncharged).toBe(0);
  });
});
