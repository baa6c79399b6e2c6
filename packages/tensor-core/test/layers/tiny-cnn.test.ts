import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OptionError, ShapeError } from '../../src/errors.js';
import { TinyCNN } from '../../src/layers/tiny-cnn.js';
import { sparseSoftmaxCrossEntropy } from '../../src/losses/cross-entropy.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('TinyCNN', () => {
  it('maps NHWC images to logits; two 2x2 pools take 12x12 to 3x3', () => {
    const cnn = new TinyCNN({ inputShape: [12, 12, 1], numClasses: 4, seed: 0 });
    expect(cnn.featureDim).toBe(3 * 3 * 16);
    expect(cnn.parameterCount()).toBe(3 * 3 * 1 * 8 + 8 + 3 * 3 * 8 * 16 + 16 + 144 * 4 + 4);
    const x = tf.randomUniform([5, 12, 12, 1], 0, 1, 'float32', 1);
    const y = cnn.apply(x);
    expect(y.shape).toEqual([5, 4]);
    tf.dispose([x, y]);
    cnn.dispose();
  });

  it('trains on cpu: loss falls on a separable two-class image task, no tensor leaks', () => {
    const cnn = new TinyCNN({ inputShape: [8, 8, 1], filters: [4, 8], numClasses: 2, seed: 1 });
    // class 0: bright left half, class 1: bright right half
    const images: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 16; i++) {
      const c = i % 2;
      labels.push(c);
      for (let r = 0; r < 8; r++) for (let col = 0; col < 8; col++) images.push((col < 4) === (c === 0) ? 1 : 0.1 * ((r + col + i) % 3));
    }
    const x = tf.tensor4d(images, [16, 8, 8, 1]);
    const y = tf.tensor1d(labels, 'int32');
    const opt = tf.train.adam(0.01);
    const loss = () => sparseSoftmaxCrossEntropy(y, cnn.apply(x));
    const first = tf.tidy(loss).dataSync()[0];
    opt.minimize(loss, false, cnn.trainableVariables);
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) opt.minimize(loss, false, cnn.trainableVariables);
    expect(tf.memory().numTensors).toBe(n0);
    expect(tf.tidy(loss).dataSync()[0]).toBeLessThan(0.5 * first);
    opt.dispose();
    tf.dispose([x, y]);
    cnn.dispose();
  });

  it('rejects a wrong input shape and too many stages for the image size', () => {
    const cnn = new TinyCNN({ inputShape: [8, 8, 1], numClasses: 2 });
    const x = tf.zeros([1, 8, 8, 3]);
    expect(() => cnn.apply(x)).toThrow(ShapeError);
    x.dispose();
    cnn.dispose();
    expect(() => new TinyCNN({ inputShape: [4, 4, 1], filters: [2, 2, 2], numClasses: 2 })).toThrow(OptionError);
  });
});
