/**
 * A two-layer GCN training step (Kipf & Welling 2017, eq. 2):
 *   logits = A_hat relu(A_hat X W1 + b1) W2 + b2   (bias applied before propagation here)
 * on a random graph of 512 nodes (about 8 neighbours each, symmetric, self
 * loops, A_hat = D^-1/2 (A + I) D^-1/2 stored dense, as wasm has no sparse
 * matmul), 128 input features, 64 hidden, 8 classes, cross-entropy over all
 * nodes, one Adam step. PyTorch twin: `gcn-step` (also dense).
 */
import * as tf from '@tensorflow/tfjs';
import { oneHotRows, rawAdamStep, seededInts, seededUniform, type BenchStep, type CoreWorkload } from '../workload.js';

const NODES = 512;
const FEATURES = 128;
const HIDDEN = 64;
const CLASSES = 8;
const DEGREE = 8;
const LR = 1e-2;

/** The normalised adjacency (bench/torch/workloads.py builds the same kind of graph with torch's generator). */
export function normalisedAdjacency(): Float32Array {
  const adj = new Float32Array(NODES * NODES);
  const ends = seededInts(NODES * DEGREE, NODES, 41);
  for (let i = 0; i < NODES; i++) {
    adj[i * NODES + i] = 1;
    for (let e = 0; e < DEGREE / 2; e++) {
      const j = ends[i * DEGREE + e];
      adj[i * NODES + j] = 1;
      adj[j * NODES + i] = 1;
    }
  }
  const deg = new Float32Array(NODES);
  for (let i = 0; i < NODES; i++) for (let j = 0; j < NODES; j++) deg[i] += adj[i * NODES + j];
  for (let i = 0; i < NODES; i++) for (let j = 0; j < NODES; j++) adj[i * NODES + j] /= Math.sqrt(deg[i] * deg[j]);
  return adj;
}

function data() {
  const a = tf.tensor2d(normalisedAdjacency(), [NODES, NODES]);
  const x = tf.tensor2d(seededUniform(NODES * FEATURES, 42, 0, 1), [NODES, FEATURES]);
  const y = tf.tensor2d(oneHotRows(seededInts(NODES, CLASSES, 43), CLASSES), [NODES, CLASSES]);
  return { a, x, y };
}

async function paperkit(): Promise<BenchStep> {
  const { Dense } = await import('../../packages/tensor-core/src/layers/dense.js');
  const { softmaxCrossEntropy } = await import('../../packages/tensor-core/src/losses/cross-entropy.js');
  const { FusedAdamOptimizer } = await import('../../packages/tensor-core/src/training/fused-adam.js');
  const { a, x, y } = data();
  const l1 = new Dense({ inDim: FEATURES, outDim: HIDDEN, seed: 1, name: 'gcn1' });
  const l2 = new Dense({ inDim: HIDDEN, outDim: CLASSES, seed: 2, name: 'gcn2' });
  const optimizer = new FusedAdamOptimizer({ learningRate: LR });
  const variables = [...l1.trainableVariables, ...l2.trainableVariables];
  return {
    step() {
      optimizer.minimize(
        () => {
          const h = tf.relu(tf.matMul(a, l1.apply(x) as tf.Tensor2D));
          return softmaxCrossEntropy(y, tf.matMul(a, l2.apply(h) as tf.Tensor2D));
        },
        false,
        variables,
      );
    },
    dispose() {
      optimizer.dispose();
      l1.dispose();
      l2.dispose();
      for (const t of [a, x, y]) t.dispose();
    },
  };
}

async function raw(): Promise<BenchStep> {
  const { a, x, y } = data();
  const dense = (inDim: number, outDim: number, seed: number) => {
    const limit = Math.sqrt(6 / (inDim + outDim));
    return {
      w: tf.variable(tf.tensor2d(seededUniform(inDim * outDim, seed, -limit, limit), [inDim, outDim])),
      b: tf.variable(tf.zeros([outDim])),
    };
  };
  const l1 = dense(FEATURES, HIDDEN, 51);
  const l2 = dense(HIDDEN, CLASSES, 52);
  const variables = [l1.w, l1.b, l2.w, l2.b];
  const loss = (): tf.Scalar => {
    const h = tf.relu(tf.matMul(a, tf.add(tf.matMul(x, l1.w), l1.b) as tf.Tensor2D));
    const logits = tf.matMul(a, tf.add(tf.matMul(h, l2.w), l2.b) as tf.Tensor2D);
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits, -1)), -1))) as tf.Scalar;
  };
  return rawAdamStep(LR, loss, variables, [a, x, y]);

}

export const coreWorkloads: CoreWorkload[] = [{ name: 'gcn-step', torch: 'gcn-step', paperkit, raw }];
