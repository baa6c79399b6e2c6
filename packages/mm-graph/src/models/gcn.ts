/**
 * GCN (Kipf & Welling) as in PyG GCNConv, spec §2: X' = Â X W + b with Â the self-looped symmetric
 * normalisation, or the MM-GRAPH/DGL parity norm ('dgl-both', no self term).
 */
import * as tf from '@tensorflow/tfjs';
import { Dense, OptionError, createRng, type Rng, type Seed } from '@paperkit/tensor-core';
import type { GraphInput } from '../graph-input.js';
import type { GCNNorm } from '../normalization.js';
import { DEFAULT_PATH, type MessagePassingPath, type SparseAdjacency } from '../message-passing.js';
import { GraphEncoder, seededTfDropout, type ForwardOptions } from './encoder.js';

/** One GCN layer: Â (X W) + b (the product is taken on the narrower side; the result is the same). */
export function gcnConv(adj: SparseAdjacency, x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D | null, path: MessagePassingPath = DEFAULT_PATH): tf.Tensor2D {
  return tf.tidy(() => {
    const xw = tf.matMul(x, weight) as tf.Tensor2D;
    const y = adj.propagate(xw, path);
    return (bias ? tf.add(y, bias) : y) as tf.Tensor2D;
  });
}

export interface GCNOptions {
  inDim: number;
  /** Hidden width. Default 32 (spec §5). */
  hidden?: number;
  outDim: number;
  /** Number of GCN layers. Default 2. */
  layers?: number;
  /** 'pyg' (default) or 'dgl-both'. */
  norm?: GCNNorm;
  /** Dropout after each hidden layer. Default 0.5. */
  dropout?: number;
  seed?: Seed;
}

export class GCN extends GraphEncoder {
  readonly outDim: number;
  readonly norm: GCNNorm;
  readonly dropout: number;
  readonly lins: Dense[] = [];
  readonly biases: tf.Variable[] = [];
  private readonly rng: Rng;

  constructor(options: GCNOptions) {
    super();
    const layers = options.layers ?? 2;
    const hidden = options.hidden ?? 32;
    if (!Number.isInteger(layers) || layers < 1) throw new OptionError('layers', 'a positive integer', layers);
    this.norm = options.norm ?? 'pyg';
    if (this.norm !== 'pyg' && this.norm !== 'dgl-both') throw new OptionError('norm', "'pyg' | 'dgl-both'", this.norm);
    this.dropout = options.dropout ?? 0.5;
    this.outDim = options.outDim;
    const rng = createRng(options.seed ?? 0);
    const sizes = [options.inDim, ...new Array(layers - 1).fill(hidden), options.outDim];
    for (let l = 0; l < layers; l++) {
      this.lins.push(new Dense({ inDim: sizes[l], outDim: sizes[l + 1], bias: false, rng, name: `gcn/lin${l}` }));
      const zeros = tf.zeros([sizes[l + 1]]);
      this.biases.push(tf.variable(zeros, true));
      zeros.dispose(); // the variable keeps its own reference
    }
    this.rng = rng.fork('dropout');
  }

  get variables(): tf.Variable[] {
    return this.lins.flatMap((lin, l) => [lin.kernel, this.biases[l]]);
  }

  forward(input: GraphInput, options: ForwardOptions = {}): tf.Tensor2D {
    const adj = input.adjacency(this.norm);
    const rng = options.rng ?? this.rng;
    return tf.tidy(() => {
      let h = input.x;
      this.lins.forEach((lin, l) => {
        h = gcnConv(adj, h, lin.kernel as tf.Tensor2D, this.biases[l] as tf.Tensor1D, input.path);
        if (l < this.lins.length - 1) h = seededTfDropout(tf.relu(h), this.dropout, rng, options.training);
      });
      return h;
    });
  }
}
