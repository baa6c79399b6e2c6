/**
 * GraphSAGE with mean aggregation, spec §2: h_i' = W_self h_i + W_nbr mean_{j∈N(i)} h_j + b
 * (the mean is 0 for a node without neighbours).
 */
import * as tf from '@tensorflow/tfjs';
import { Dense, OptionError, createRng, type Rng, type Seed } from '@paperkit/tensor-core';
import type { GraphInput } from '../graph-input.js';
import { DEFAULT_PATH, type MessagePassingPath, type SparseAdjacency } from '../message-passing.js';
import { GraphEncoder, seededTfDropout, type ForwardOptions } from './encoder.js';

/** One SAGE-mean layer; `meanAdj` must be the row-normalised adjacency. */
export function sageConv(
  meanAdj: SparseAdjacency,
  x: tf.Tensor2D,
  wSelf: tf.Tensor2D,
  wNbr: tf.Tensor2D,
  bias: tf.Tensor1D | null,
  path: MessagePassingPath = DEFAULT_PATH,
): tf.Tensor2D {
  return tf.tidy(() => {
    const y = tf.add(tf.matMul(x, wSelf), meanAdj.propagate(tf.matMul(x, wNbr) as tf.Tensor2D, path));
    return (bias ? tf.add(y, bias) : y) as tf.Tensor2D;
  });
}

export interface SAGEOptions {
  inDim: number;
  /** Default 32. */
  hidden?: number;
  outDim: number;
  /** Default 2. */
  layers?: number;
  /** Default 0.5. */
  dropout?: number;
  seed?: Seed;
}

export class SAGE extends GraphEncoder {
  readonly outDim: number;
  readonly dropout: number;
  readonly selfLins: Dense[] = [];
  readonly nbrLins: Dense[] = [];
  private readonly rng: Rng;

  constructor(options: SAGEOptions) {
    super();
    const layers = options.layers ?? 2;
    const hidden = options.hidden ?? 32;
    if (!Number.isInteger(layers) || layers < 1) throw new OptionError('layers', 'a positive integer', layers);
    this.dropout = options.dropout ?? 0.5;
    this.outDim = options.outDim;
    const rng = createRng(options.seed ?? 0);
    const sizes = [options.inDim, ...new Array(layers - 1).fill(hidden), options.outDim];
    for (let l = 0; l < layers; l++) {
      this.selfLins.push(new Dense({ inDim: sizes[l], outDim: sizes[l + 1], bias: true, rng, name: `sage/self${l}` }));
      this.nbrLins.push(new Dense({ inDim: sizes[l], outDim: sizes[l + 1], bias: false, rng, name: `sage/nbr${l}` }));
    }
    this.rng = rng.fork('dropout');
  }

  get variables(): tf.Variable[] {
    return this.selfLins.flatMap((lin, l) => [...lin.variables, ...this.nbrLins[l].variables]);
  }

  forward(input: GraphInput, options: ForwardOptions = {}): tf.Tensor2D {
    const adj = input.adjacency('mean');
    const rng = options.rng ?? this.rng;
    return tf.tidy(() => {
      let h = input.x;
      this.selfLins.forEach((lin, l) => {
        h = sageConv(adj, h, lin.kernel as tf.Tensor2D, this.nbrLins[l].kernel as tf.Tensor2D, lin.bias as tf.Tensor1D, input.path);
        if (l < this.selfLins.length - 1) h = seededTfDropout(tf.relu(h), this.dropout, rng, options.training);
      });
      return h;
    });
  }
}
