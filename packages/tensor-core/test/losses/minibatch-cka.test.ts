import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/init-backend.js';
import { PaperkitError, ShapeError } from '../../src/errors.js';
import { linearCKA } from '../../src/losses/cka.js';
import { MinibatchCKA, ckaLoss } from '../../src/losses/minibatch-cka.js';
import { createRng } from '../../src/random.js';

beforeAll(async () => {
  await initBackend({ quiet: true });
});

const rng = createRng('minibatch-cka');
const matrix = (rows: number, cols: number) => tf.tensor2d(rng.normalArray(rows * cols), [rows, cols]);

describe('MinibatchCKA', () => {
  it('on one batch equals debiased linear CKA of that batch', () => {
    const x = matrix(32, 6);
    const y = tf.tidy(() => tf.add(tf.matMul(x, matrix(6, 4)), tf.mul(matrix(32, 4), 0.5)));
    const mb = new MinibatchCKA();
    mb.update(x, y);
    const full = linearCKA(x, y, { debiased: true });
    expect(mb.value()).toBeCloseTo(full.dataSync()[0], 4);
    tf.dispose([x, y, full]);
  });

  it('is 1 for identical and for orthogonally rotated features over many batches', () => {
    const q = tf.tidy(() => {
      // a 2-D rotation embedded in 5 dims: orthogonal
      const c = Math.cos(0.7);
      const s = Math.sin(0.7);
      return tf.tensor2d([c, -s, 0, 0, 0, s, c, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1], [5, 5]);
    });
    const same = new MinibatchCKA();
    const rotated = new MinibatchCKA();
    for (let b = 0; b < 5; b++) {
      const x = matrix(16, 5);
      const xq = tf.matMul(x, q);
      same.update(x, x);
      rotated.update(x, xq);
      tf.dispose([x, xq]);
    }
    expect(same.batches).toBe(5);
    expect(same.value()).toBeCloseTo(1, 5);
    expect(rotated.value()).toBeCloseTo(1, 4);
    q.dispose();
  });

  it('names bad input and refuses a value before any batch', () => {
    const mb = new MinibatchCKA();
    expect(() => mb.value()).toThrow(PaperkitError);
    const x = matrix(3, 2);
    const y = matrix(4, 2);
    expect(() => mb.update(x, x)).toThrow(/at least 4 rows/);
    expect(() => mb.update(y, x)).toThrow(ShapeError);
    tf.dispose([x, y]);
  });

  it('leaks no tensors', () => {
    const x = matrix(8, 3);
    const before = tf.memory().numTensors;
    const mb = new MinibatchCKA();
    for (let i = 0; i < 20; i++) mb.update(x, x);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('ckaLoss', () => {
  it('is 1 - CKA, 0 for identical features, with finite gradients', () => {
    const x = matrix(20, 4);
    const y = matrix(20, 3);
    const loss = ckaLoss(x, y);
    const cka = linearCKA(x, y);
    expect(loss.dataSync()[0]).toBeCloseTo(1 - cka.dataSync()[0], 6);
    const self = ckaLoss(x, x);
    expect(self.dataSync()[0]).toBeCloseTo(0, 5);
    const grad = tf.grad((t: tf.Tensor) => ckaLoss(t, y, { kernel: 'rbf' }))(x);
    expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y, loss, cka, self, grad]);
  });
});
