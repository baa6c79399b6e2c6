/**
 * tensor-core's own reproduction: which backend runs, and whether a small MLP
 * trained with `fit` actually learns a non-linear problem. `pnpm demo` runs it
 * beside the method packages so a fresh install proves its substrate works.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo } from './backend/init-backend.js';
import { MLP } from './layers/mlp.js';
import { sparseSoftmaxCrossEntropy } from './losses/cross-entropy.js';
import { accuracy, argmaxRows } from './metrics/classification.js';
import { createRng } from './random.js';
import { defineReproduction } from './report/define-reproduction.js';
import { fit } from './training/fit.js';

export const SELF_CHECK_CLAIM = 'an MLP trained with fit() learns two interleaved spirals (held-out accuracy >= 0.9) and its loss falls at least 5x';

/** Two interleaved spirals: not linearly separable, learnable by a 2-layer MLP. */
function spirals(n: number, seed: number): { x: Float32Array; y: Int32Array } {
  const rng = createRng(`spirals/${seed}`);
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const r = rng.uniform(0.1, 1);
    const angle = 3 * Math.PI * r + label * Math.PI;
    x[2 * i] = r * Math.cos(angle) + rng.normal(0, 0.03);
    x[2 * i + 1] = r * Math.sin(angle) + rng.normal(0, 0.03);
    y[i] = label;
  }
  return { x, y };
}

async function runSeed(seed: number, quick: boolean): Promise<Record<string, Record<string, number>>> {
  lastBackend = await initBackend({ quiet: true });
  const train = spirals(quick ? 512 : 2048, seed);
  const test = spirals(1024, seed + 1000);
  const mlp = new MLP({ sizes: [2, 64, 64, 2], activation: 'relu', seed });
  const xTrain = tf.tensor2d(train.x, [train.y.length, 2]);
  const yTrain = tf.tensor1d(train.y, 'int32');
  const xTest = tf.tensor2d(test.x, [test.y.length, 2]);
  try {
    const result = await fit({
      data: { x: xTrain, y: yTrain },
      loss: (batch) => sparseSoftmaxCrossEntropy(batch.y, mlp.apply(batch.x)),
      model: mlp,
      optimizer: { name: 'adam', lr: 0.01 },
      epochs: quick ? 40 : 60,
      batchSize: 64,
      seed,
      progress: false,
    });
    const logits = tf.tidy(() => mlp.apply(xTest));
    const predicted = argmaxRows(await logits.data() as Float32Array, 2);
    logits.dispose();
    return {
      'MLP 2-64-64-2 (fit, Adam)': {
        'test accuracy': accuracy(test.y, predicted),
        'first-epoch loss': result.epochLosses[0],
        'last-epoch loss': result.epochLosses[result.epochLosses.length - 1],
        steps: result.steps,
      },
    };
  } finally {
    tf.dispose([xTrain, yTrain, xTest]);
    mlp.dispose();
  }
}

/** tensor-core's reproduction: the backend report and the spirals MLP, seeds 0..n-1. */
export const selfCheckReproduction = defineReproduction({
  package: '@paperkit/tensor-core',
  claim: SELF_CHECK_CLAIM,
  seeds: { full: 3, quick: 1 },
  runSeed: async ({ seed, quick }) => ({ metrics: await runSeed(seed, quick) }),
  decide({ rows, metric }) {
    const method = rows[0].method;
    const acc = metric(method, 'test accuracy');
    const drop = metric(method, 'first-epoch loss') / metric(method, 'last-epoch loss');
    const backend = describeBackend();
    return {
      holds: acc >= 0.9 && drop >= 5,
      verdict: `held-out accuracy ${acc.toFixed(3)} (needs >= 0.9), loss fell ${drop.toFixed(1)}x (needs >= 5x) on ${backend.name}${
        backend.missing.length > 0 ? `; not available: ${backend.missing.join(', ')}` : ''
      }`,
      details: { tried: backend.tried },
    };
  },
});

/** The backend the run used (initBackend caches its choice, so this asks no second time). */
let lastBackend: BackendInfo | undefined;
function describeBackend(): { name: string; missing: string[]; tried: BackendInfo['tried'] } {
  const info = lastBackend!;
  return { name: info.name, missing: info.tried.filter((t) => t.error).map((t) => t.source), tried: info.tried };
}
