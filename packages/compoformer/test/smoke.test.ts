import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CompoFormer } from '../src/compoformer.js';
import { linearTask, setupBackend } from './helpers.js';

beforeAll(setupBackend);

describe('smoke', () => {
  it('runs three tasks', async () => {
    for (const variant of ['prune', 'grow'] as const) {
      const agent = new CompoFormer({ stateDim: 4, actDim: 2, variant, stepsPerTask: 100, seed: 1 });
      const t0 = Date.now();
      const r0 = await agent.learnTask({ id: 'a', description: 'turn the thing left', data: linearTask(0, 1) });
      const t1 = Date.now();
      const r1 = await agent.learnTask({ id: 'b', description: 'turn the thing right', data: linearTask(1, -1) });
      const r2 = await agent.learnTask({ id: 'a2', description: 'turn the thing left', data: linearTask(2, 1) });
      console.log(variant, (t1 - t0) / 100, 'ms/step', r0.finalLoss, r1, r2, tf.memory().numTensors);
      agent.dispose();
    }
  });
});
