import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, randomNormal } from '@paperkit/tensor-core';
import { conv2dFast, conv2dFilterGrad } from '../src/fast-conv2d.js';
import { maxAbsDiff, setupBackend } from './helpers.js';

beforeAll(setupBackend);

describe('fast conv filter gradient', () => {
  for (const [s, padding] of [[1, 'same'], [1, 'valid'], [2, 'same'], [2, 'valid']] as const) {
    it(`patch-GEMM gradients equal tfjs's conv2d gradients (stride ${s}, ${padding})`, () => {
      tf.tidy(() => {
        const rng = createRng(s);
        const x = randomNormal(rng, [3, 7, 7, 2]) as tf.Tensor4D;
        const w = randomNormal(rng, [3, 3, 2, 4]) as tf.Tensor4D;
        const g = { strides: [s, s] as [number, number], padding, dilations: [1, 1] as [number, number] };
        const dy = randomNormal(rng, tf.conv2d(x, w, s, padding).shape);
        const loss = (conv: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), dy));
        const [dxRef, dwRef] = tf.grads(loss((a, b) => tf.conv2d(a, b, s, padding)))([x, w]);
        const [dx, dw] = tf.grads(loss((a, b) => conv2dFast(a, b, g)))([x, w]);
        expect(maxAbsDiff(dx, dxRef)).toBeLessThan(1e-4);
        expect(maxAbsDiff(dw, dwRef)).toBeLessThan(1e-4);
        expect(maxAbsDiff(conv2dFilterGrad(x, dy as tf.Tensor4D, w.shape, g), dwRef)).toBeLessThan(1e-4);
      });
    });
  }
});
