/**
 * @paperkit/mola bench workloads (spec section 5 model): one Adam step of the
 * user's MLP 12 -> 32 -> 32 with four per-domain heads on a mixed batch of 256,
 * - MoLA-Grad: rank-4 adapters on both hidden layers picked by task id, and
 * - MoLA-Router + TwD: router MLP 12 -> 16 -> 4 mixing adapters and heads,
 *   plus the TwD loss (projection 4 -> 32, tau 0.3, weight 1) on the router logits.
 * PyTorch twins: bench/torch/mola.py (same shapes, same losses, torch.optim.Adam).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, makeOptimizer } from '../../packages/tensor-core/src/index.js';
import { addMoLA, type MolaModel } from '../../packages/mola/src/index.js';
import type { BenchStep, BenchWorkload } from '../workload.js';

const K = 4;
const D = 12;
const B = 256;

function userMlp(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [D], units: 32, activation: 'relu', name: 'hidden1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 32, activation: 'relu', name: 'hidden2', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.dense({ units: 4, name: 'head', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
}

function setup(make: (base: tf.LayersModel) => MolaModel): BenchStep {
  const rng = createRng(0);
  const base = userMlp();
  const model = make(base);
  base.dispose();
  const x = tf.tensor2d(rng.normalArray(B * D), [B, D]);
  const taskIds = Int32Array.from({ length: B }, (_, i) => i % K);
  const y = Int32Array.from({ length: B }, () => rng.int(4));
  const optimizer = makeOptimizer({ name: 'adam', lr: 3e-3 });
  const vars = model.trainableVariables;
  return {
    step: () => {
      const cost = optimizer.minimize(() => model.lossTerms({ x, y, taskIds }).total, true, vars);
      cost?.dataSync();
      cost?.dispose();
    },
    dispose: () => {
      x.dispose();
      optimizer.dispose();
      model.dispose();
    },
  };
}

export const workloads: Array<BenchWorkload & { torch: string }> = [
  {
    name: 'mola MoLA-Grad training step (E=4, r=4, batch 256)',
    torch: 'mola-grad-step',
    async setup() {
      return setup((b) => addMoLA(b, { numAdapters: K, mode: 'grad', rank: 4, alpha: 16 }));
    },
  },
  {
    name: 'mola MoLA-Router + TwD training step (E=4, r=4, batch 256)',
    torch: 'mola-router-twd-step',
    async setup() {
      return setup((b) => addMoLA(b, { numAdapters: K, mode: 'router', rank: 4, alpha: 16, twd: { weight: 1, temperature: 0.3 } }));
    },
  },
];
