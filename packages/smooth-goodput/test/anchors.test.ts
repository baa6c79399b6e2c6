import { describe, expect, it } from 'vitest';
import { andesQoE, andesQoEPerRequest, distserveAttainment, etalonFluidity, fluidityOfGaps } from '../src/index.js';

describe('Etalon fluidity index', () => {
  it('D_p = .5, D_d = .25, gaps [.25, .25, 1, .125] -> missed 3, total 6, fluidity .5', () => {
    expect(fluidityOfGaps([0.25, 0.25, 1, 0.125], { ttftDeadline: 0.5, tbtDeadline: 0.25 })).toEqual({ missed: 3, total: 6, fluidity: 0.5 });
  });

  it('a late first token costs 1 + floor((g − s − D_p)/D_d) deadlines', () => {
    // g1 = 1.0, D_p = .5, D_d = .25: misses = 1 + 2 = 3; then one met token
    expect(fluidityOfGaps([1.0, 0.1], { ttftDeadline: 0.5, tbtDeadline: 0.25 })).toEqual({ missed: 3, total: 4, fluidity: 0.25 });
  });

  it('a perfectly smooth stream is fully fluid and its fluid token rate is the stream rate', () => {
    const times = Array.from({ length: 50 }, (_, i) => 0.05 + 0.04 * i);
    const r = etalonFluidity([{ id: 's', arrival: 0, tokenTimes: times }]);
    expect(r.fluidity).toBe(1);
    expect(r.fluidTokenRate).toBeGreaterThan(24.5);
    expect(r.fluidTokenRate).toBeLessThan(25.1);
    expect(r.tbtRate).toBeCloseTo(25, 6);
  });
});

describe('Andes QoE', () => {
  it('TTFT 1, TDS 1: tokens at [1, 2, 3] -> QoE 1; at [2, 3, 4] -> QoE .5', () => {
    const q = andesQoEPerRequest(
      [
        { id: 'on-time', arrival: 0, tokenTimes: [1, 2, 3] },
        { id: 'late', arrival: 0, tokenTimes: [2, 3, 4] },
      ],
      { ttft: 1, tds: 1 },
    );
    expect(q[0]).toBeCloseTo(1, 12);
    expect(q[1]).toBeCloseTo(0.5, 12);
  });

  it('the client pacer spreads a burst: early bursts cost nothing, the mean is over requests', () => {
    const t = [
      { id: 'burst', arrival: 0, tokenTimes: [0.5, 0.5, 0.5] },
      { id: 'none', arrival: 0, tokenTimes: [], status: 'failed' as const },
    ];
    expect(andesQoEPerRequest(t, { ttft: 1, tds: 1 })[0]).toBe(1);
    expect(andesQoE(t, { ttft: 1, tds: 1 })).toBe(0.5);
  });
});

describe('DistServe attainment', () => {
  it('uses TPOT = decode time / n (no −1) against S_p 200 ms and S_d 100 ms', () => {
    // decode time 0.4 s over 4 tokens -> 0.1 (meets); with n − 1 it would be 0.133 (miss)
    const t = [
      { id: 'a', arrival: 0, tokenTimes: [0.2, 0.3, 0.5, 0.6] },
      { id: 'b', arrival: 0, tokenTimes: [0.25, 0.3] },
      { id: 'c', arrival: 0, tokenTimes: [0.1], status: 'dropped' as const, droppedAt: 1 },
    ];
    expect(distserveAttainment(t)).toBeCloseTo(1 / 3, 12);
    expect(distserveAttainment(t, { ttft: 0.3 })).toBeCloseTo(2 / 3, 12);
  });
});
