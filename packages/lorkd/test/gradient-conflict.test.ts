import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng, randomNormal } from '@paperkit/tensor-core';
import { gradientConflict } from '../src/index.js';
import { setupBackend, smallMlp } from './helpers.js';

beforeAll(setupBackend);

describe('gradientConflict', () => {
  it('returns a symmetric cosine matrix with unit diagonal; tasks with the same data and head give cosine 1', () => {
    const rng = createRng(0);
    const half = randomNormal(rng, [8, 5]);
    const x = tf.concat([half, half]);
    const y = [0, 1, 2, 0, 1, 2, 0, 1, 0, 1, 2, 0, 1, 2, 0, 1];
    const task = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
    const model = smallMlp(5, 6);
    // Make task 1's head equal to task 0's, so both tasks are literally the same problem.
    const out = model.layers[2];
    const [k, b] = out.getWeights();
    out.setWeights([tf.concat([tf.slice(k, [0, 0], [-1, 3]), tf.slice(k, [0, 0], [-1, 3])], 1), tf.concat([tf.slice(b, [0], [3]), tf.slice(b, [0], [3])])]);
    const result = gradientConflict(model, { x, y, task }, { classesPerTask: [3, 3] });
    expect(result.cosine[0][0]).toBeCloseTo(1, 5);
    expect(result.cosine[0][1]).toBeCloseTo(result.cosine[1][0], 10);
    expect(result.meanPairwiseCosine).toBeCloseTo(1, 4);
    expect(result.weight).toMatch(/kernel/);
  });
});
