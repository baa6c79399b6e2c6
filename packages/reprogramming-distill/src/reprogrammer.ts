/**
 * The feature-space reprogrammer R_phi: R^{p_T} -> R^{p_S} (spec section 2). It turns the
 * frozen FM's features into a space relevant to the downstream task that the student can
 * reach. Default: MLP p_T -> hidden (= p_T) -> p_S with ReLU (the spec's R 64-64-32);
 * 'linear' is one Dense; any user tf.LayersModel p_T -> p_S works too.
 */
import * as tf from '@tensorflow/tfjs';
import { Dense, MLP, OptionError, ShapeError, type Rng } from '@paperkit/tensor-core';
import { isLayersModel } from './teacher-features.js';

export type ReprogrammerSpec = 'mlp' | 'linear' | tf.LayersModel;

export interface Reprogrammer {
  /** h_T [B, p_T] -> R(h_T) [B, p_S]. */
  apply(h: tf.Tensor, training?: boolean): tf.Tensor;
  /** Trainable variables (an optimizer updates these). */
  readonly variables: tf.Variable[];
  readonly inDim: number;
  readonly outDim: number;
  /** Free its variables (a user LayersModel is left alone: the user owns it). */
  dispose(): void;
}

export interface CreateReprogrammerOptions {
  /** Hidden width of the 'mlp' reprogrammer. Default p_T. */
  hidden?: number;
  rng: Rng;
}

/** Build R for teacher width `inDim` and student width `outDim`; a user model's widths are checked against them. */
export function createReprogrammer(spec: ReprogrammerSpec, inDim: number, outDim: number, options: CreateReprogrammerOptions): Reprogrammer {
  if (isLayersModel(spec)) {
    const inShape = spec.inputs[0]?.shape ?? [];
    const outShape = spec.outputs[0]?.shape ?? [];
    if (spec.inputs.length !== 1 || inShape.length !== 2 || inShape[1] !== inDim) {
      throw new ShapeError('reprogrammer input', `[null, ${inDim}] (the teacher feature width p_T)`, inShape.map((d) => d ?? -1));
    }
    if (spec.outputs.length !== 1 || outShape.length !== 2 || outShape[1] !== outDim) {
      throw new ShapeError('reprogrammer output', `[null, ${outDim}] (the student feature width p_S)`, outShape.map((d) => d ?? -1));
    }
    return {
      apply: (h, training = false) => spec.apply(h, { training }) as tf.Tensor,
      get variables() {
        return spec.trainableWeights.map((w) => w.read() as tf.Variable);
      },
      inDim,
      outDim,
      dispose() {},
    };
  }
  if (spec === 'mlp' || spec === 'linear') {
    const hidden = options.hidden ?? inDim;
    if (!Number.isInteger(hidden) || hidden < 1) throw new OptionError('reprogrammerHidden', 'a positive integer', hidden);
    const net =
      spec === 'mlp'
        ? new MLP({ sizes: [inDim, hidden, outDim], activation: 'relu', rng: options.rng, name: 'rd_reprogrammer' })
        : new Dense({ inDim, outDim, rng: options.rng, name: 'rd_reprogrammer' });
    return {
      apply: (h) => net.apply(h),
      get variables() {
        return net.trainableVariables;
      },
      inDim,
      outDim,
      dispose: () => net.dispose(),
    };
  }
  throw new OptionError('reprogrammer', "'mlp' | 'linear' | a tf.LayersModel [p_T] -> [p_S]", spec);
}
