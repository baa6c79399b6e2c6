/**
 * The shape every node encoder shares, so the trainers and the benchmark runner treat MLP, GCN,
 * SAGE and MMGCN alike: `forward(input) -> [N, outDim]` over a {@link GraphInput}.
 */
import * as tf from '@tensorflow/tfjs';
import { Module, type Rng } from '@paperkit/tensor-core';
import type { GraphInput } from '../graph-input.js';

export interface ForwardOptions {
  /** Enables dropout. Default false. */
  training?: boolean;
  /** Generator for dropout seeds (default: the model's own stream). */
  rng?: Rng;
}

export abstract class GraphEncoder extends Module {
  /** Width of the node representation (class logits for NC heads). */
  abstract readonly outDim: number;
  /** Node representations [N, outDim]; creates tensors (call inside tf.tidy or dispose the result). */
  abstract forward(input: GraphInput, options?: ForwardOptions): tf.Tensor2D;
}

/** Inverted dropout with a seed drawn from our generator, so a run is reproducible from its seed. */
export function seededTfDropout(x: tf.Tensor2D, rate: number, rng: Rng, training: boolean | undefined): tf.Tensor2D {
  if (!training || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, rng.int32()) as tf.Tensor2D;
}
