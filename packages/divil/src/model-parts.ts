/**
 * A user's model as the two parts DivIL needs (spec section 6): the featuriser Phi, whose
 * output the contrastive term sees, and the classifier head w. Each part may be a tfjs
 * LayersModel, a paperkit Module (anything with `apply` and `trainableVariables`), or a plain
 * function, in which case the variables it uses are given separately.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';

export type ModelPart =
  | tf.LayersModel
  | ((x: tf.Tensor) => tf.Tensor)
  | { apply(x: tf.Tensor, options?: { training?: boolean }): tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | unknown; trainableVariables: tf.Variable[] };

export interface ResolvedPart {
  apply(x: tf.Tensor, training: boolean): tf.Tensor;
  /** Variables this part contributes (empty for a plain function). */
  variables: tf.Variable[];
}

/** The tf.Variables behind a LayersModel's trainable weights (LayerVariable.read() is the variable). */
export function layersModelVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export function resolvePart(part: ModelPart, name: string): ResolvedPart {
  if (part instanceof tf.LayersModel) {
    return { apply: (x, training) => part.apply(x, { training }) as tf.Tensor, variables: layersModelVariables(part) };
  }
  if (typeof part === 'function') return { apply: (x) => part(x), variables: [] };
  if (part && typeof part === 'object' && typeof part.apply === 'function' && Array.isArray(part.trainableVariables)) {
    return { apply: (x, training) => part.apply(x, { training }) as tf.Tensor, variables: part.trainableVariables };
  }
  throw new OptionError(name, 'a tf.LayersModel, a Module with apply() and trainableVariables, or a function (x) => tf.Tensor', typeof part);
}

/**
 * Split a tf.Sequential at the layer named `featureLayer` (inclusive): layers up to it form
 * the featuriser, the rest the head. Both share the model's variables (no copy).
 */
export function splitSequential(model: tf.Sequential, featureLayer: string): {
  featurizer: (x: tf.Tensor) => tf.Tensor;
  head: (h: tf.Tensor) => tf.Tensor;
  featurizerVariables: tf.Variable[];
  headVariables: tf.Variable[];
} {
  const index = model.layers.findIndex((l) => l.name === featureLayer);
  if (index < 0) throw new OptionError('featureLayer', `one of the model's layer names (${model.layers.map((l) => l.name).join(', ')})`, featureLayer);
  if (index === model.layers.length - 1) throw new OptionError('featureLayer', 'a layer before the last one (the head needs at least one layer)', featureLayer);
  const front = model.layers.slice(0, index + 1);
  const back = model.layers.slice(index + 1);
  const run = (layers: tf.layers.Layer[]) => (x: tf.Tensor) => layers.reduce((h, l) => l.apply(h) as tf.Tensor, x);
  const vars = (layers: tf.layers.Layer[]) => layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  return { featurizer: run(front), head: run(back), featurizerVariables: vars(front), headVariables: vars(back) };
}
