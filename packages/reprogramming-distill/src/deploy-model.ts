/**
 * Deployment: only the student g and the classifier C ship (spec sections 1 and 6); the
 * result is a plain tf.LayersModel x -> logits that shares the student's layers and holds
 * no teacher or reprogrammer tensor.
 */
import * as tf from '@tensorflow/tfjs';
import { ShapeError, type Dense } from '@paperkit/tensor-core';

/** Feature width p_S of a single-output student whose output is [batch, p_S]. */
export function studentFeatureDim(student: tf.LayersModel): number {
  const shape = student.outputs.length === 1 ? student.outputs[0].shape : [];
  if (student.outputs.length !== 1 || shape.length !== 2 || typeof shape[1] !== 'number') {
    throw new ShapeError('student output', '[batch, p_S] features from one output (pool or flatten inside the student)', shape.map((d) => d ?? -1));
  }
  return shape[1];
}

let headCounter = 0;

/** student (x -> h_S) followed by a Dense layer holding a copy of C's weights. */
export function attachClassifier(student: tf.LayersModel, classifier: Dense, name = 'rd_classifier'): tf.LayersModel {
  const head = tf.layers.dense({ units: classifier.outDim, useBias: classifier.bias !== null, name: `${name}_${++headCounter}` });
  const logits = head.apply(student.outputs[0]) as tf.SymbolicTensor;
  head.setWeights(classifier.bias ? [classifier.kernel, classifier.bias] : [classifier.kernel]);
  return tf.model({ inputs: student.inputs, outputs: logits });
}
