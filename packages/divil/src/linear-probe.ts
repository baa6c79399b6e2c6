/**
 * Linear-probe accuracy of frozen features (spec section 5 diagnostics): how much of a target
 * (e.g. the clean, colour-free class) a linear classifier can still read from Phi(x). An
 * over-invariant featuriser has thrown part of it away. Features are standardised with the
 * probe-train statistics; softmax regression with a small L2, full-batch Adam.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, trainSteps } from '@paperkit/tensor-core';

export interface LinearProbeOptions {
  /** Full-batch Adam steps. Default 300. */
  steps?: number;
  /** Default 0.05. */
  lr?: number;
  /** L2 on the probe weights. Default 1e-4. */
  l2?: number;
}

export const LINEAR_PROBE_DEFAULTS = Object.freeze({ steps: 300, lr: 0.05, l2: 1e-4 });

function classIds(labels: tf.Tensor | ArrayLike<number>, n: number, name: string): Int32Array {
  const values = labels instanceof tf.Tensor ? labels.dataSync() : labels;
  if (values.length !== n) throw new ShapeError(name, `${n} labels (one per feature row)`, [values.length]);
  const ids = Int32Array.from(values as ArrayLike<number>, (v) => Math.round(v));
  for (const v of ids) if (!(v >= 0)) throw new OptionError(name, 'class ids >= 0', v);
  return ids;
}

/** Train on (trainFeatures, trainLabels), return accuracy on (testFeatures, testLabels). */
export async function linearProbe(
  trainFeatures: tf.Tensor, trainLabels: tf.Tensor | ArrayLike<number>,
  testFeatures: tf.Tensor, testLabels: tf.Tensor | ArrayLike<number>,
  options: LinearProbeOptions = {},
): Promise<number> {
  const o = { ...LINEAR_PROBE_DEFAULTS, ...options };
  if (!(Number.isInteger(o.steps) && o.steps >= 1)) throw new OptionError('linearProbe.steps', 'an integer >= 1', o.steps);
  if (trainFeatures.rank !== 2) throw new ShapeError('trainFeatures', '[N, D]', trainFeatures.shape);
  const d = trainFeatures.shape[1]!;
  if (testFeatures.rank !== 2 || testFeatures.shape[1] !== d) throw new ShapeError('testFeatures', `[M, ${d}]`, testFeatures.shape);
  const yTrain = classIds(trainLabels, trainFeatures.shape[0], 'trainLabels');
  const yTest = classIds(testLabels, testFeatures.shape[0], 'testLabels');
  let top = 0;
  for (const v of yTrain) top = Math.max(top, v);
  for (const v of yTest) top = Math.max(top, v);
  const classes = Math.max(2, top + 1);
  const { xTrain, xTest, targets } = tf.tidy(() => {
    const { mean, variance } = tf.moments(trainFeatures, 0);
    const std = tf.add(tf.sqrt(variance), 1e-6);
    return {
      xTrain: tf.div(tf.sub(trainFeatures, mean), std),
      xTest: tf.div(tf.sub(testFeatures, mean), std),
      targets: tf.oneHot(tf.tensor1d(yTrain, 'int32'), classes).toFloat(),
    };
  });
  const w = tf.variable(tf.zeros([d, classes]));
  const b = tf.variable(tf.zeros([classes]));
  try {
    await trainSteps({
      steps: o.steps,
      variables: [w, b],
      optimizer: { name: 'adam', lr: o.lr },
      progress: false,
      syncEvery: o.steps,
      loss: () => tf.add(tf.losses.softmaxCrossEntropy(targets, tf.add(tf.matMul(xTrain, w), b)), tf.mul(o.l2, tf.sum(tf.square(w)))) as tf.Scalar,
    });
    const pred = tf.tidy(() => tf.argMax(tf.add(tf.matMul(xTest, w), b), 1));
    const p = await pred.data();
    pred.dispose();
    let hit = 0;
    for (let i = 0; i < yTest.length; i++) if (p[i] === yTest[i]) hit++;
    return hit / yTest.length;
  } finally {
    tf.dispose([w, b, xTrain, xTest, targets]);
  }
}
