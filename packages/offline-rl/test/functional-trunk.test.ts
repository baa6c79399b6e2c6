import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from './helpers.js';
import { PlanarSuite, emptyWindowBatch, evaluateTaskMatrix, initTrunkWeights, resolveFunctionalTrunkConfig, trunkFeatures, windowTensors, disposeWindowTensors } from '../src/index.js';

beforeAll(setupBackend);

describe('functional trunk', () => {
  it('is causal: changing a_t leaves the state-token feature at s_t unchanged', () => {
    const cfg = resolveFunctionalTrunkConfig({ stateDim: 3, actDim: 2, context: 4 });
    const w = initTrunkWeights(cfg, 1, 'test_trunk');
    const b = emptyWindowBatch(1, 4, 3, 2);
    for (let i = 0; i < b.states.length; i++) b.states[i] = Math.sin(i);
    b.mask.fill(1);
    const t1 = windowTensors(b);
    const f1 = tf.tidy(() => trunkFeatures(cfg, w, t1).arraySync()) as number[][][];
    b.actions[3 * 2] = 5; // action of the last step
    const t2 = windowTensors(b);
    const f2 = tf.tidy(() => trunkFeatures(cfg, w, t2).arraySync()) as number[][][];
    expect(f2[0][3]).toEqual(f1[0][3]);
    b.actions[1 * 2] = 5; // an earlier action changes later features
    const t3 = windowTensors(b);
    const f3 = tf.tidy(() => trunkFeatures(cfg, w, t3).arraySync()) as number[][][];
    expect(f3[0][3]).not.toEqual(f1[0][3]);
    [t1, t2, t3].forEach(disposeWindowTensors);
    tf.dispose(Object.values(w));
  });
});

describe('evaluateTaskMatrix', () => {
  it('returns one success rate per entry, in [0, 1], and rejects bad episode counts', () => {
    const suite = PlanarSuite.create();
    const policy = { taskId: 'zero', act: (hs: unknown[]) => hs.map(() => new Float32Array(2)) };
    const s = evaluateTaskMatrix(suite, [{ policy, envTask: 'reach', seed: 's', episodes: 2 }, { policy, envTask: 1, seed: 's', episodes: 1 }]);
    expect(s).toHaveLength(2);
    for (const v of s) expect(v >= 0 && v <= 1).toBe(true);
    expect(() => evaluateTaskMatrix(suite, [{ policy, envTask: 'reach', seed: 's', episodes: 0 }])).toThrow(/episodes/);
  });
});
