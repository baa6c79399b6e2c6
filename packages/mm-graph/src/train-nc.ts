/**
 * Full-batch node classification with best-validation model selection (spec §5 "Training"; issue:
 * "never best test, unlike the official runner"). Cross-entropy on the labelled training nodes,
 * Adam, coupled L2 weight decay. Validation accuracy is measured every `evalEvery` epochs; the
 * weights of the best validation epoch (first one on ties) are restored at the end and only then
 * is the test split scored once.
 */
import * as tf from '@tensorflow/tfjs';
import {
  NonFiniteLossError, OptionError, accuracy, createRng, makeOptimizer, sparseSoftmaxCrossEntropy, type Seed,
} from '@paperkit/tensor-core';
import type { FeatureView, MMGraph } from './mm-graph.js';
import { makeGraphInput, type GraphInput } from './graph-input.js';
import { gatherRows, type MessagePassingPath } from './message-passing.js';
import type { GraphEncoder } from './models/encoder.js';
import { l2Penalty, restore, snapshot } from './weight-decay.js';

export interface TrainNCOptions {
  /** Default 'both'. Ignored when `input` is given. */
  features?: FeatureView;
  /** Default 100. */
  epochs?: number;
  /** Adam learning rate. Default 0.01. */
  lr?: number;
  /** Coupled L2. Default 5e-4. */
  weightDecay?: number;
  /** Validate every this many epochs (and after the last). Default 1. */
  evalEvery?: number;
  /** Seeds the dropout stream. Default 0. */
  seed?: Seed;
  /** Message-passing implementation. */
  path?: MessagePassingPath;
  /** A prebuilt input (shares tensors across runs); not disposed here. */
  input?: GraphInput;
}

export interface NCResult {
  bestEpoch: number;
  val: number;
  test: number;
  history: { epoch: number[]; val: number[]; loss: number[] };
  seconds: number;
}

export async function trainNodeClassification(model: GraphEncoder, g: MMGraph, options: TrainNCOptions = {}): Promise<NCResult> {
  const start = performance.now();
  const epochs = options.epochs ?? 100;
  const evalEvery = options.evalEvery ?? 1;
  const wd = options.weightDecay ?? 5e-4;
  if (!Number.isInteger(epochs) || epochs < 1) throw new OptionError('epochs', 'a positive integer', epochs);
  if (!Number.isInteger(evalEvery) || evalEvery < 1) throw new OptionError('evalEvery', 'a positive integer', evalEvery);
  if (!g.labels || !g.nodeSplit) throw new OptionError('graph', 'labels and nodeSplit (a node-classification graph)', 'missing');
  const labels = g.labels;
  const labelled = (idx: Int32Array) => idx.filter((i) => labels[i] >= 0);
  const trainIdx = labelled(g.nodeSplit.train);
  const valIdx = labelled(g.nodeSplit.valid);
  const testIdx = labelled(g.nodeSplit.test);
  if (trainIdx.length === 0) throw new OptionError('nodeSplit.train', 'at least one labelled node', 0);

  const input = options.input ?? makeGraphInput(g, options.features ?? 'both', { path: options.path });
  const path = input.path;
  const rng = createRng(options.seed ?? 0).fork('nc-dropout');
  const variables = model.trainableVariables;
  const optimizer = makeOptimizer({ name: 'adam', lr: options.lr ?? 0.01 });
  const trainLabels = tf.tensor1d(Int32Array.from(trainIdx, (i) => labels[i]), 'int32');
  const predict = (): Int32Array => {
    const pred = tf.tidy(() => tf.argMax(model.forward(input, { training: false }), 1));
    const out = pred.dataSync() as Int32Array;
    pred.dispose();
    return out;
  };
  const score = (pred: Int32Array, idx: Int32Array) =>
    idx.length === 0 ? Number.NaN : accuracy(Int32Array.from(idx, (i) => labels[i]), Int32Array.from(idx, (i) => pred[i]));

  const history: NCResult['history'] = { epoch: [], val: [], loss: [] };
  const pending: tf.Scalar[] = [];
  let best: tf.Tensor[] | null = null;
  let bestVal = -Infinity;
  let bestEpoch = -1;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const cost = optimizer.minimize(() => {
        const logits = model.forward(input, { training: true, rng });
        const ce = sparseSoftmaxCrossEntropy(trainLabels, gatherRows(logits, trainIdx, path));
        return tf.add(ce, l2Penalty(variables, wd)) as tf.Scalar;
      }, true, variables);
      pending.push(cost as tf.Scalar);
      if ((epoch + 1) % evalEvery === 0 || epoch === epochs - 1) {
        flushLosses(pending, history.loss);
        const val = score(predict(), valIdx);
        history.epoch.push(epoch);
        history.val.push(val);
        if (val > bestVal || best === null) {
          bestVal = val;
          bestEpoch = epoch;
          best?.forEach((t) => t.dispose());
          best = snapshot(model.variables);
        }
      }
    }
    restore(model.variables, best!);
    const pred = predict();
    return { bestEpoch, val: score(pred, valIdx), test: score(pred, testIdx), history, seconds: (performance.now() - start) / 1000 };
  } finally {
    pending.forEach((t) => t.dispose());
    best?.forEach((t) => t.dispose());
    trainLabels.dispose();
    optimizer.dispose();
    if (!options.input) input.dispose();
  }
}

/** Read the queued loss scalars in one sync; a non-finite loss throws with its exact step. */
export function flushLosses(pending: tf.Scalar[], into: number[]): void {
  if (pending.length === 0) return;
  const stacked = tf.stack(pending);
  const values = stacked.dataSync();
  stacked.dispose();
  pending.forEach((t) => t.dispose());
  pending.length = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new NonFiniteLossError(into.length, v);
    into.push(v);
  }
}
