import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { coloredDigits, digitTemplates, weakDetails } from '../src/index.js';
import { setupBackend } from './helpers.js';

beforeAll(setupBackend);

const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

describe('Colored digits generator', () => {
  it('same seed gives identical tensors; another seed does not', () => {
    const a = coloredDigits({ seed: 3, perEnv: 300, testSize: 100 });
    const b = coloredDigits({ seed: 3, perEnv: 300, testSize: 100 });
    const c = coloredDigits({ seed: 4, perEnv: 300, testSize: 100 });
    expect(Array.from(a.train[0].x.dataSync())).toEqual(Array.from(b.train[0].x.dataSync()));
    expect(Array.from(a.test.y.dataSync())).toEqual(Array.from(b.test.y.dataSync()));
    expect(Array.from(a.train[0].x.dataSync())).not.toEqual(Array.from(c.train[0].x.dataSync()));
    expect(digitTemplates(3)).toEqual(digitTemplates(3));
    [a, b, c].forEach((d) => d.dispose());
  });

  it('colour agrees with the label with probability about 1 - e in every environment', () => {
    const d = coloredDigits({ seed: 0, perEnv: 4000, testSize: 4000 });
    const bound = (e: number) => 4 * Math.sqrt((e * (1 - e)) / 4000);
    expect(Math.abs(mean(d.train[0].colourAgrees) - 0.8)).toBeLessThan(bound(0.2));
    expect(Math.abs(mean(d.train[1].colourAgrees) - 0.9)).toBeLessThan(bound(0.1));
    expect(Math.abs(mean(d.validation.colourAgrees) - 0.5)).toBeLessThan(bound(0.5));
    expect(Math.abs(mean(d.test.colourAgrees) - 0.1)).toBeLessThan(bound(0.9));
    // The colour channel is the one that holds the image.
    const x = d.train[0].x.dataSync();
    const y = d.train[0].y.dataSync();
    let agree = 0;
    for (let i = 0; i < 4000; i++) {
      let c0 = 0;
      let c1 = 0;
      for (let p = 0; p < 49; p++) {
        c0 += x[i * 98 + p];
        c1 += x[i * 98 + 49 + p];
      }
      const colour = c1 > c0 ? 1 : 0;
      if (colour === y[i]) agree++;
    }
    expect(Math.abs(agree / 4000 - 0.8)).toBeLessThan(bound(0.2) + 0.01);
    d.dispose();
  });

  it('grey test has equal channels; half tests zero the first / second half of the pixels', () => {
    const d = coloredDigits({ seed: 1, perEnv: 50, testSize: 50 });
    const g = d.grey.x.arraySync() as number[][];
    for (const row of g) expect(row.slice(0, 49)).toEqual(row.slice(49));
    const h1 = d.halfFirst.x.arraySync() as number[][];
    const h2 = d.halfSecond.x.arraySync() as number[][];
    for (const row of h1) for (const c of [0, 49]) expect(row.slice(c, c + 24).every((v) => v === 0)).toBe(true);
    for (const row of h2) for (const c of [0, 49]) expect(row.slice(c + 24, c + 49).every((v) => v === 0)).toBe(true);
    expect(Array.from(d.grey.y.dataSync())).toEqual(Array.from(d.test.y.dataSync()));
    d.dispose();
  });

  it('label noise is 0.25 against the clean class, and bad options are OptionErrors', () => {
    const d = coloredDigits({ seed: 2, perEnv: 4000, testSize: 10 });
    const y = d.train[0].y.dataSync();
    const flips = mean(Array.from(y, (v, i) => (v !== d.train[0].cleanClass[i] ? 1 : 0)));
    expect(Math.abs(flips - 0.25)).toBeLessThan(4 * Math.sqrt(0.1875 / 4000));
    d.dispose();
    expect(() => coloredDigits({ testFlip: 1.5 })).toThrow(OptionError);
    expect(() => coloredDigits({ perEnv: 1 })).toThrow(/perEnv/);
  });
});

describe('weak-details generator', () => {
  it('is seeded, puts colour in the last dims with agreement 1 - e, and the grey set zeroes them', () => {
    const a = weakDetails({ seed: 5, perEnv: 3000, testSize: 200 });
    const b = weakDetails({ seed: 5, perEnv: 3000, testSize: 200 });
    expect(Array.from(a.train[1].x.dataSync())).toEqual(Array.from(b.train[1].x.dataSync()));
    expect(a.inputDim).toBe(44);
    expect(Math.abs(mean(a.train[0].colourAgrees) - 0.8)).toBeLessThan(0.03);
    const grey = a.grey.x.arraySync() as number[][];
    for (const row of grey) expect(row.slice(36).every((v) => v === 0)).toBe(true);
    // Same rows as the test set elsewhere.
    const test = a.test.x.arraySync() as number[][];
    expect(grey[0].slice(0, 36)).toEqual(test[0].slice(0, 36));
    a.dispose();
    b.dispose();
  });

  it("detail strength changes with the environment: the detail mean times (2c - 1) is ~0.15 and ~0.35 in training", () => {
    const d = weakDetails({ seed: 0, perEnv: 4000, testSize: 10 });
    for (const [e, mu] of [[0, 0.15], [1, 0.35]] as const) {
      const x = d.train[e].x.arraySync() as number[][];
      const signed = x.map((row, i) => (2 * d.train[e].cleanClass[i] - 1) * mean(row.slice(4, 36)));
      expect(Math.abs(mean(signed) - mu)).toBeLessThan(0.02);
    }
    d.dispose();
  });
});
