/**
 * The graph-free baseline (spec §4): tensor-core's MLP on the node features, wrapped as an encoder
 * so it trains and evaluates exactly like the GNNs. The LP variant adds LayerNorm (spec §2).
 */
import * as tf from '@tensorflow/tfjs';
import { MLP, OptionError, createRng, type Rng, type Seed } from '@paperkit/tensor-core';
import type { GraphInput } from '../graph-input.js';
import { GraphEncoder, type ForwardOptions } from './encoder.js';

export interface MLPEncoderOptions {
  inDim: number;
  /** Default 32. */
  hidden?: number;
  outDim: number;
  /** Default 2 (one hidden layer). */
  layers?: number;
  /** Default 0.5. */
  dropout?: number;
  /** LayerNorm on hidden layers. Default false. */
  layerNorm?: boolean;
  seed?: Seed;
}

export class MLPEncoder extends GraphEncoder {
  readonly outDim: number;
  readonly mlp: MLP;
  private readonly rng: Rng;

  constructor(options: MLPEncoderOptions) {
    super();
    const layers = options.layers ?? 2;
    if (!Number.isInteger(layers) || layers < 1) throw new OptionError('layers', 'a positive integer', layers);
    const hidden = options.hidden ?? 32;
    this.outDim = options.outDim;
    const rng = createRng(options.seed ?? 0);
    this.mlp = new MLP({
      sizes: [options.inDim, ...new Array(layers - 1).fill(hidden), options.outDim],
      dropout: options.dropout ?? 0.5,
      layerNorm: options.layerNorm ?? false,
      rng,
      name: 'mlp-encoder',
    });
    this.rng = rng.fork('dropout');
  }

  get variables(): tf.Variable[] {
    return this.mlp.variables;
  }

  forward(input: GraphInput, options: ForwardOptions = {}): tf.Tensor2D {
    return this.mlp.apply(input.x, { training: options.training, rng: options.rng ?? this.rng }) as tf.Tensor2D;
  }
}
