/**
 * MLP 784-256-10 (ReLU), softmax cross-entropy, one Adam step on a batch of
 * 256: forward, backward and update. The PyTorch twin is `mlp-784-256-10-adam-b256`
 * in bench/torch/workloads.py.
 */
import * as tf from '@tensorflow/tfjs';
import { oneHotRows, rawAdamStep, seededInts, seededUniform, type BenchStep, type CoreWorkload } from '../workload.js';

const BATCH = 256;
const SIZES = [784, 256, 10];
const LR = 1e-3;

function batch(): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const x = tf.tensor2d(seededUniform(BATCH * SIZES[0], 11, 0, 1), [BATCH, SIZES[0]]);
  const y = tf.tensor2d(oneHotRows(seededInts(BATCH, SIZES[2], 12), SIZES[2]), [BATCH, SIZES[2]]);
  return { x, y };
}

async function paperkit(): Promise<BenchStep> {
  const { MLP } = await import('../../packages/tensor-core/src/layers/mlp.js');
  const { softmaxCrossEntropy } = await import('../../packages/tensor-core/src/losses/cross-entropy.js');
  const { FusedAdamOptimizer } = await import('../../packages/tensor-core/src/training/fused-adam.js');
  const { x, y } = batch();
  const model = new MLP({ sizes: SIZES, activation: 'relu', seed: 0 });
  const optimizer = new FusedAdamOptimizer({ learningRate: LR });
  const variables = model.trainableVariables;
  return {
    step() {
      optimizer.minimize(() => softmaxCrossEntropy(y, model.apply(x) as tf.Tensor2D), false, variables);
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
      x.dispose();
      y.dispose();
    },
  };
}

async function raw(): Promise<BenchStep> {
  const { x, y } = batch();
  const layers = SIZES.slice(1).map((out, i) => {
    const fanIn = SIZES[i];
    const limit = Math.sqrt(6 / (fanIn + out));
    return {
      w: tf.variable(tf.tensor2d(seededUniform(fanIn * out, 20 + i, -limit, limit), [fanIn, out])),
      b: tf.variable(tf.zeros([out])),
    };
  });
  const variables = layers.flatMap((l) => [l.w, l.b]);
  const loss = (): tf.Scalar => {
    let h: tf.Tensor = x;
    layers.forEach((l, i) => {
      h = tf.add(tf.matMul(h as tf.Tensor2D, l.w), l.b);
      if (i < layers.length - 1) h = tf.relu(h);
    });
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(h, -1)), -1))) as tf.Scalar;
  };
  return rawAdamStep(LR, loss, variables, [x, y]);

}

export const coreWorkloads: CoreWorkload[] = [
  { name: 'mlp-784-256-10-adam-b256', torch: 'mlp-784-256-10-adam-b256', paperkit, raw },
];
