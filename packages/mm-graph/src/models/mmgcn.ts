/**
 * MMGCN-style multimodal encoder (spec §2, after the official `lp/MMGCN/Model_MMGCN.py`): one message-passing
 * branch per modality, late fusion by averaging.
 *
 * Per modality m: x ← normalize_L2(P_m x) (P_image: Linear → dim; P_text: identity); each layer
 *   h  = LeakyReLU(mean_{j∈N(i)} x_j U)        (no self-loop, no bias)
 *   x̂  = LeakyReLU(W x) + e_id
 *   x  ← LeakyReLU(G [h ‖ x̂])                  (the concat path is what the official code runs)
 * r = mean over present modalities of r_m; for node classification a 3-layer MLP head maps r to logits.
 * The official e_id is never trained (a fixed xavier code per node): `idEmbedding: 'frozen'` (default),
 * 'trainable' or 'none'.
 */
import * as tf from '@tensorflow/tfjs';
import { Dense, MLP, OptionError, createRng, glorotUniform, type Rng, type Seed } from '@paperkit/tensor-core';
import type { GraphInput } from '../graph-input.js';
import { GraphEncoder, type ForwardOptions } from './encoder.js';

export interface MMGCNOptions {
  /** Width of the text block (0 = no text branch). */
  textDim: number;
  /** Width of the image block (0 = no image branch). */
  imageDim: number;
  /** Needed for the per-node id embedding. */
  numNodes: number;
  /** Latent width. Default 32. */
  dim?: number;
  /** Message-passing layers per branch. Default 2. */
  layers?: number;
  /** Class count: adds the 3-layer MLP head (NC). Omit for an embedding encoder (LP, dot decoder). */
  numClasses?: number;
  /** Default 'frozen' (as the official code effectively runs). */
  idEmbedding?: 'frozen' | 'trainable' | 'none';
  /** Dropout in the NC head. Default 0.5. */
  dropout?: number;
  seed?: Seed;
}

interface Branch {
  modality: 'text' | 'image';
  project: Dense | null;
  u: Dense[];
  w: Dense[];
  g: Dense[];
}

const SLOPE = 0.01;

export class MMGCN extends GraphEncoder {
  readonly outDim: number;
  readonly branches: Branch[] = [];
  readonly idEmbedding: tf.Variable | null;
  readonly head: MLP | null;
  private readonly rng: Rng;

  constructor(options: MMGCNOptions) {
    super();
    const dim = options.dim ?? 32;
    const layers = options.layers ?? 2;
    if (!(options.textDim > 0 || options.imageDim > 0)) throw new OptionError('textDim/imageDim', 'at least one modality with width > 0', [options.textDim, options.imageDim]);
    if (!Number.isInteger(layers) || layers < 1) throw new OptionError('layers', 'a positive integer', layers);
    const mode = options.idEmbedding ?? 'frozen';
    if (!['frozen', 'trainable', 'none'].includes(mode)) throw new OptionError('idEmbedding', "'frozen' | 'trainable' | 'none'", mode);
    const rng = createRng(options.seed ?? 0);
    for (const modality of ['text', 'image'] as const) {
      const inDim = modality === 'text' ? options.textDim : options.imageDim;
      if (!(inDim > 0)) continue;
      const project = modality === 'image' ? new Dense({ inDim, outDim: dim, rng, name: 'mmgcn/project' }) : null;
      let width = modality === 'image' ? dim : inDim;
      const branch: Branch = { modality, project, u: [], w: [], g: [] };
      for (let l = 0; l < layers; l++) {
        branch.u.push(new Dense({ inDim: width, outDim: dim, bias: false, rng, name: `mmgcn/${modality}/u${l}` }));
        branch.w.push(new Dense({ inDim: width, outDim: dim, rng, name: `mmgcn/${modality}/w${l}` }));
        branch.g.push(new Dense({ inDim: 2 * dim, outDim: dim, rng, name: `mmgcn/${modality}/g${l}` }));
        width = dim;
      }
      this.branches.push(branch);
    }
    if (mode === 'none') this.idEmbedding = null;
    else {
      const init = glorotUniform(rng, [options.numNodes, dim]);
      this.idEmbedding = tf.variable(init, mode === 'trainable');
      init.dispose(); // the variable keeps its own reference
    }
    this.head = options.numClasses
      ? new MLP({ sizes: [dim, dim, dim, options.numClasses], dropout: options.dropout ?? 0.5, rng, name: 'mmgcn/head' })
      : null;
    this.outDim = options.numClasses ?? dim;
    this.rng = rng.fork('dropout');
  }

  get variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    for (const b of this.branches) {
      if (b.project) out.push(...b.project.variables);
      b.u.forEach((_, l) => out.push(...b.u[l].variables, ...b.w[l].variables, ...b.g[l].variables));
    }
    if (this.idEmbedding) out.push(this.idEmbedding);
    if (this.head) out.push(...this.head.variables);
    return out;
  }

  /** Fused node representation r [N, dim] (before the NC head). */
  represent(input: GraphInput): tf.Tensor2D {
    const adj = input.adjacency('mean');
    return tf.tidy(() => {
      const outs: tf.Tensor2D[] = [];
      for (const b of this.branches) {
        const features = b.modality === 'text' ? input.text : input.image;
        if (!features) continue;
        let x = b.project ? (b.project.apply(features) as tf.Tensor2D) : features;
        x = l2normalize(x);
        b.u.forEach((u, l) => {
          const h = tf.leakyRelu(adj.propagate(u.apply(x) as tf.Tensor2D, input.path), SLOPE);
          let xHat = tf.leakyRelu(b.w[l].apply(x), SLOPE) as tf.Tensor2D;
          if (this.idEmbedding) xHat = tf.add(xHat, this.idEmbedding);
          x = tf.leakyRelu(b.g[l].apply(tf.concat([h, xHat], 1)), SLOPE) as tf.Tensor2D;
        });
        outs.push(x);
      }
      if (outs.length === 0) throw new OptionError('features', 'a view that contains a modality this MMGCN was built for', 'none');
      return (outs.length === 1 ? outs[0] : tf.div(tf.addN(outs), outs.length)) as tf.Tensor2D;
    });
  }

  forward(input: GraphInput, options: ForwardOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      const r = this.represent(input);
      if (!this.head) return r;
      return this.head.apply(r, { training: options.training, rng: options.rng ?? this.rng }) as tf.Tensor2D;
    });
  }
}

function l2normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D);
}
