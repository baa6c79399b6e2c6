import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, randomNormal } from '@paperkit/tensor-core';
import { eksConv2d, eksConv2dStacked, eksDense, expertMask, officialConvDelta, rankOffsets, taskOneHot } from '../src/index.js';
import { maxAbsDiff, setupBackend } from './helpers.js';

beforeAll(setupBackend);

const ranks = [2, 3, 1];
const alpha = 6;
const ids = [0, 1, 2, 1, 0, 2, 1];

function denseParams(seed: number, inDim = 5, outDim = 4) {
  const rng = createRng(seed);
  const R = ranks.reduce((a, r) => a + r, 0);
  return {
    kernel: randomNormal(rng, [inDim, outDim]),
    bias: randomNormal(rng, [outDim]),
    a: randomNormal(rng, [inDim, R]),
    b: randomNormal(rng, [R, outDim]),
  };
}

/** s_t A_t B_t for the dense layout. */
function denseDelta(p: { a: tf.Tensor; b: tf.Tensor }, t: number): tf.Tensor2D {
  const off = rankOffsets(ranks);
  const a = tf.slice(p.a, [0, off[t]], [-1, ranks[t]]) as tf.Tensor2D;
  const b = tf.slice(p.b, [off[t], 0], [ranks[t], -1]) as tf.Tensor2D;
  return tf.mul(tf.matMul(a, b), alpha / ranks[t]);
}

/** s_t reshape(A_t B_t) for the lowrank conv layout. */
function convDelta(a: tf.Tensor, b: tf.Tensor, t: number, kernelShape: number[]): tf.Tensor4D {
  const [kh, kw, cin, cout] = kernelShape;
  const off = rankOffsets(ranks);
  const at = tf.reshape(tf.slice(a, [0, 0, 0, off[t]], [-1, -1, -1, ranks[t]]), [kh * kw * cin, ranks[t]]) as tf.Tensor2D;
  const bt = tf.slice(b, [off[t], 0], [ranks[t], -1]) as tf.Tensor2D;
  return tf.reshape(tf.mul(tf.matMul(at, bt), alpha / ranks[t]), [kh, kw, cin, cout]);
}

describe('dense EKS', () => {
  it('equals per-sample materialised weights and the per-task loop on a mixed batch (< 1e-5)', () => {
    tf.tidy(() => {
      const p = denseParams(0);
      const x = randomNormal(createRng(9), [ids.length, 5]);
      const eks = eksDense(x, { ...p, mask: expertMask(taskOneHot(ids, 3), ranks, alpha) });
      const perSample = tf.concat(ids.map((t, i) => tf.add(tf.matMul(tf.slice(x, [i, 0], [1, -1]) as tf.Tensor2D, tf.add(p.kernel, denseDelta(p, t)) as tf.Tensor2D), p.bias)));
      expect(maxAbsDiff(eks, perSample)).toBeLessThan(1e-5);
      const loop = tf.buffer(eks.shape);
      for (let t = 0; t < 3; t++) {
        const rows = ids.flatMap((id, i) => (id === t ? [i] : []));
        const yt = tf.add(tf.matMul(tf.gather(x, rows) as tf.Tensor2D, tf.add(p.kernel, denseDelta(p, t)) as tf.Tensor2D), p.bias).arraySync() as number[][];
        rows.forEach((row, j) => yt[j].forEach((v, c) => loop.set(v, row, c)));
      }
      expect(maxAbsDiff(eks, loop.toTensor())).toBeLessThan(1e-5);
    });
  });
});

describe('conv EKS', () => {
  const cases: Array<{ padding: 'same' | 'valid'; strides: [number, number] }> = [
    { padding: 'same', strides: [1, 1] },
    { padding: 'valid', strides: [2, 2] },
  ];
  for (const { padding, strides } of cases) {
    it(`lowrank-kxk-1x1 equals per-sample materialised kernels and the per-task loop (${padding}, stride ${strides[0]})`, () => {
      tf.tidy(() => {
        const rng = createRng(3);
        const shape = [3, 3, 2, 4];
        const R = ranks.reduce((a, r) => a + r, 0);
        const kernel = randomNormal(rng, shape);
        const bias = randomNormal(rng, [4]);
        const a = randomNormal(rng, [3, 3, 2, R]);
        const b = randomNormal(rng, [R, 4]);
        const x = randomNormal(rng, [ids.length, 7, 7, 2]) as tf.Tensor4D;
        const eks = eksConv2d(x, { kernel, bias, a, b, mask: expertMask(taskOneHot(ids, 3), ranks, alpha), strides, padding });
        const materialised = tf.concat(ids.map((t, i) =>
          tf.add(tf.conv2d(tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D, tf.add(kernel, convDelta(a, b, t, shape)) as tf.Tensor4D, strides, padding), bias)));
        expect(maxAbsDiff(eks, materialised)).toBeLessThan(1e-4);
        const parts: tf.Tensor[] = [];
        const order: number[] = [];
        for (let t = 0; t < 3; t++) {
          const rows = ids.flatMap((id, i) => (id === t ? [i] : []));
          parts.push(tf.add(tf.conv2d(tf.gather(x, rows) as tf.Tensor4D, tf.add(kernel, convDelta(a, b, t, shape)) as tf.Tensor4D, strides, padding), bias));
          order.push(...rows);
        }
        const inverse = order.map((_, i) => order.indexOf(i));
        expect(maxAbsDiff(eks, tf.gather(tf.concat(parts), inverse))).toBeLessThan(1e-4);
        // Relative to the output scale, the agreement is at float32 rounding level.
        expect(maxAbsDiff(eks, materialised) / tf.max(tf.abs(eks)).dataSync()[0]).toBeLessThan(1e-5);
      });
    });
  }

  it('official factorisation (stacked deltas) equals per-sample materialised kernels', () => {
    tf.tidy(() => {
      const rng = createRng(4);
      const [k, cin, cout] = [3, 2, 4];
      const kernel = randomNormal(rng, [k, k, cin, cout]);
      const deltas = [0, 1, 2].map((t) =>
        tf.mul(officialConvDelta(randomNormal(rng, [ranks[t] * k, cin * k]), randomNormal(rng, [cout * k, ranks[t] * k]), k, cin, cout), alpha / ranks[t]));
      const x = randomNormal(rng, [ids.length, 6, 6, cin]) as tf.Tensor4D;
      const eks = eksConv2dStacked(x, { kernel, deltas: tf.concat(deltas, 3), taskRows: taskOneHot(ids, 3), padding: 'same' });
      const materialised = tf.concat(ids.map((t, i) => tf.conv2d(tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D, tf.add(kernel, deltas[t]) as tf.Tensor4D, 1, 'same')));
      expect(maxAbsDiff(eks, materialised) / tf.max(tf.abs(eks)).dataSync()[0]).toBeLessThan(1e-5);
    });
  });
});

describe('gradient separation', () => {
  it('a batch without task t sends exactly zero gradient to A_t and B_t (dense)', () => {
    tf.tidy(() => {
      const p = denseParams(1);
      const batchIds = [0, 2, 0, 2]; // no task 1
      const x = randomNormal(createRng(2), [4, 5]);
      const mask = expertMask(taskOneHot(batchIds, 3), ranks, alpha);
      const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(eksDense(x, { ...p, a, b, mask }))))([p.a, p.b]);
      const off = rankOffsets(ranks);
      const gaT = tf.slice(ga, [0, off[1]], [-1, ranks[1]]).dataSync();
      const gbT = tf.slice(gb, [off[1], 0], [ranks[1], -1]).dataSync();
      expect(Array.from(gaT).every((v) => v === 0)).toBe(true);
      expect(Array.from(gbT).every((v) => v === 0)).toBe(true);
      // The other experts do get gradient.
      expect(tf.max(tf.abs(tf.slice(ga, [0, off[0]], [-1, ranks[0]]))).dataSync()[0]).toBeGreaterThan(0);
    });
  });

  it('a batch without task t sends exactly zero gradient to A_t and B_t (conv)', () => {
    tf.tidy(() => {
      const rng = createRng(5);
      const R = ranks.reduce((a, r) => a + r, 0);
      const kernel = randomNormal(rng, [3, 3, 2, 4]);
      const a0 = randomNormal(rng, [3, 3, 2, R]);
      const b0 = randomNormal(rng, [R, 4]);
      const x = randomNormal(rng, [4, 6, 6, 2]);
      const mask = expertMask(taskOneHot([0, 2, 2, 0], 3), ranks, alpha);
      const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(eksConv2d(x, { kernel, a, b, mask, padding: 'same' }))))([a0, b0]);
      const off = rankOffsets(ranks);
      expect(Array.from(tf.slice(ga, [0, 0, 0, off[1]], [-1, -1, -1, ranks[1]]).dataSync()).every((v) => v === 0)).toBe(true);
      expect(Array.from(tf.slice(gb, [off[1], 0], [ranks[1], -1]).dataSync()).every((v) => v === 0)).toBe(true);
    });
  });

  it('mixed-batch gradient of A_t, B_t equals (n_t / B) times the task-t sub-batch gradient (mean loss, no BatchNorm)', () => {
    tf.tidy(() => {
      const p = denseParams(6);
      const x = randomNormal(createRng(7), [ids.length, 5]);
      const target = randomNormal(createRng(8), [ids.length, 4]);
      const loss = (xs: tf.Tensor, ys: tf.Tensor, taskIds: number[]) => (a: tf.Tensor, b: tf.Tensor) =>
        tf.mean(tf.sum(tf.square(tf.sub(eksDense(xs, { ...p, a, b, mask: expertMask(taskOneHot(taskIds, 3), ranks, alpha) }), ys)), 1));
      const [gaMix, gbMix] = tf.grads(loss(x, target, ids))([p.a, p.b]);
      const t = 1;
      const rows = ids.flatMap((id, i) => (id === t ? [i] : []));
      const [gaSub, gbSub] = tf.grads(loss(tf.gather(x, rows), tf.gather(target, rows), rows.map(() => t)))([p.a, p.b]);
      const off = rankOffsets(ranks);
      const w = rows.length / ids.length;
      const block = (g: tf.Tensor, axis: 0 | 1) => (axis === 1 ? tf.slice(g, [0, off[t]], [-1, ranks[t]]) : tf.slice(g, [off[t], 0], [ranks[t], -1]));
      expect(maxAbsDiff(block(gaMix, 1), tf.mul(block(gaSub, 1), w))).toBeLessThan(1e-4);
      expect(maxAbsDiff(block(gbMix, 0), tf.mul(block(gbSub, 0), w))).toBeLessThan(1e-4);
    });
  });
});
