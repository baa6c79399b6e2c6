import { describe, expect, it } from 'vitest';
import { makeRegionData, makeRegionWorld, sampleImages } from '../src/reproduce/data.js';

describe('reproduction data (spec section 5)', () => {
  it('is seeded: the same seed gives the same bytes, another seed different ones', () => {
    const sizes = { train: 5, val: 2, test: 3, teacher: 4 };
    const a = makeRegionData(1, sizes);
    const b = makeRegionData(1, sizes);
    const c = makeRegionData(2, sizes);
    expect(Array.from(a.train.x)).toEqual(Array.from(b.train.x));
    expect(Array.from(a.train.x)).not.toEqual(Array.from(c.train.x));
    expect(a.train.n).toBe(20);
    expect(a.teacher.n).toBe(16);
    expect(a.train.shape).toEqual([32]);
  });

  it('each region subspace Q_t has orthonormal columns and regions are balanced', () => {
    const world = makeRegionWorld(0);
    for (const q of world.q) {
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          let dot = 0;
          for (let d = 0; d < 32; d++) dot += q[d * 4 + i] * q[d * 4 + j];
          expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
        }
      }
    }
    const { train } = makeRegionData(0, { train: 50, val: 1, test: 1, teacher: 1 });
    const counts = [0, 0, 0, 0];
    train.task.forEach((t) => counts[t]++);
    expect(counts).toEqual([50, 50, 50, 50]);
    expect(Math.max(...train.y)).toBe(3);
  });

  it('labels follow the XOR rule y = 2 [z1 z2 > 0] + [z3 z4 > 0]: projecting x - mu_t on Q_t recovers them', () => {
    const data = makeRegionData(3, { train: 40, val: 1, test: 1, teacher: 1 });
    const { world, train } = data;
    let agree = 0;
    for (let i = 0; i < train.n; i++) {
      const t = train.task[i];
      const z = [0, 0, 0, 0].map((_, k) => {
        let s = 0;
        for (let d = 0; d < 32; d++) s += (train.x[i * 32 + d] - world.mu[t][d]) * world.q[t][d * 4 + k];
        return s / 2;
      });
      const y = 2 * (z[0] * z[1] > 0 ? 1 : 0) + (z[2] * z[3] > 0 ? 1 : 0);
      if (y === train.y[i]) agree++;
    }
    // The 0.3 noise flips samples with z near an axis, so agreement is high but not total.
    expect(agree / train.n).toBeGreaterThan(0.75);
  });

  it('the image world draws 16x16x1 images with 4 regions and 4 classes', () => {
    const images = sampleImages(0, 'train', 3);
    expect(images.shape).toEqual([16, 16, 1]);
    expect(images.x.length).toBe(12 * 256);
    expect(new Set(images.task)).toEqual(new Set([0, 1, 2, 3]));
  });
});
