/**
 * Multi-layer perceptron: Dense -> [LayerNorm] -> activation -> [dropout] for
 * every hidden layer, then a final Dense with `outputActivation`. The workhorse
 * of the synthetic reproductions (students, teachers, routers, heads).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../errors.js';
import { toRng, type Rng, type Seed } from '../random.js';
import { applyActivation, checkActivation, type Activation } from './activations.js';
import { Dense, checkDim } from './dense.js';
import { seededDropout } from './dropout.js';
import { Module } from './module.js';
import { LayerNorm } from './norms.js';

export interface MLPOptions {
  /** Layer widths including input and output: [in, hidden..., out] (at least 2 entries). */
  sizes: number[];
  /** Hidden activation. Default 'relu'. */
  activation?: Activation;
  /** Output activation. Default 'linear' (logits). */
  outputActivation?: Activation;
  /** LayerNorm after each hidden Dense, before the activation. Default false. */
  layerNorm?: boolean;
  /** Dropout rate after each hidden activation (only when apply(..., {training: true})). Default 0. */
  dropout?: number;
  seed?: Seed;
  rng?: Rng;
  /** Prefix of the variable names. Default 'mlp'. */
  name?: string;
  trainable?: boolean;
}

export interface MLPApplyOptions {
  /** Enables dropout. Default false. */
  training?: boolean;
  /** Generator for the dropout masks; default is the layer's own stream (forked from its seed). */
  rng?: Rng;
}

export class MLP extends Module {
  readonly sizes: readonly number[];
  readonly layers: Dense[];
  readonly norms: LayerNorm[];
  readonly activation: Activation;
  readonly outputActivation: Activation;
  readonly dropout: number;
  private readonly dropoutRng: Rng;

  constructor(options: MLPOptions) {
    super();
    const sizes = options.sizes;
    if (!Array.isArray(sizes) || sizes.length < 2) throw new OptionError('sizes', '[in, ..., out] with at least 2 widths', sizes);
    sizes.forEach((s, i) => checkDim(`sizes[${i}]`, s));
    this.sizes = [...sizes];
    this.activation = checkActivation('activation', options.activation ?? 'relu');
    this.outputActivation = checkActivation('outputActivation', options.outputActivation ?? 'linear');
    this.dropout = options.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1)) throw new OptionError('dropout', 'a rate in [0, 1)', options.dropout);
    const rng = options.rng ?? toRng(options.seed ?? 0);
    const name = options.name ?? 'mlp';
    this.layers = [];
    this.norms = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.layers.push(
        new Dense({ inDim: sizes[i], outDim: sizes[i + 1], rng, name: `${name}/dense${i}`, trainable: options.trainable }),
      );
      if (options.layerNorm && i + 2 < sizes.length) {
        this.norms.push(new LayerNorm({ dim: sizes[i + 1], name: `${name}/norm${i}`, trainable: options.trainable }));
      }
    }
    this.dropoutRng = rng.fork('dropout');
  }

  get variables(): tf.Variable[] {
    const out: tf.Variable[] = [];
    this.layers.forEach((layer, i) => {
      out.push(...layer.variables);
      if (this.norms[i]) out.push(...this.norms[i].variables);
    });
    return out;
  }

  /** x [B, in] or [B, T, in] -> [.., out]. */
  apply(x: tf.Tensor, options: MLPApplyOptions = {}): tf.Tensor {
    const dropRng = options.rng ?? this.dropoutRng;
    return tf.tidy(() => {
      let h = x;
      const last = this.layers.length - 1;
      this.layers.forEach((layer, i) => {
        h = layer.apply(h);
        if (i === last) {
          h = applyActivation(h, this.outputActivation);
          return;
        }
        if (this.norms[i]) h = this.norms[i].apply(h);
        h = applyActivation(h, this.activation);
        if (options.training && this.dropout > 0) h = seededDropout(h, this.dropout, dropRng);
      });
      return h;
    });
  }
}
