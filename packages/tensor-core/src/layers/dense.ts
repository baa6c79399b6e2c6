/**
 * Fully connected layer y = act(x W + b) with the weight stored as [in, out]
 * (the tfjs/Keras layout), so a later speed pass that swaps the wasm MatMul
 * kernel sees plain tf.matMul calls on [rows, in] x [in, out].
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors.js';
import { glorotUniform, kaimingUniform, toRng, type Rng, type Seed } from '../random.js';
import { applyActivation, checkActivation, type Activation } from './activations.js';
import { Module, ownVariable } from './module.js';

export interface DenseOptions {
  inDim: number;
  outDim: number;
  /** Add a bias (initialised to zero). Default true. */
  bias?: boolean;
  /** Default 'linear'. */
  activation?: Activation;
  /** 'glorot' (Keras default, the default here) or 'kaiming' (PyTorch nn.Linear, kaiming-uniform a = sqrt 5). */
  init?: 'glorot' | 'kaiming';
  /** Seed or generator for the initial weights. Default seed 0. */
  seed?: Seed;
  rng?: Rng;
  /** Prefix of the variable names. Default 'dense'. */
  name?: string;
  /** Whether the optimizer should update the weights. Default true. */
  trainable?: boolean;
}

export function checkDim(option: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new OptionError(option, 'a positive integer', value);
  return value as number;
}

/**
 * x [B, in] or [B, T, in] -> [B*T, in] plus a function restoring the leading
 * dims on a [B*T, k] result, so one 2-D matMul serves sequences too.
 */
export function flattenRows(x: tf.Tensor, inDim: number, tensorName: string): {
  rows: tf.Tensor2D;
  restore: (y: tf.Tensor) => tf.Tensor;
} {
  if ((x.rank !== 2 && x.rank !== 3) || x.shape[x.rank - 1] !== inDim) {
    throw new ShapeError(tensorName, `[B, ${inDim}] or [B, T, ${inDim}]`, x.shape);
  }
  if (x.rank === 2) return { rows: x as tf.Tensor2D, restore: (y) => y };
  const [b, t] = x.shape;
  return {
    rows: tf.reshape(x, [b * t, inDim]),
    restore: (y) => tf.reshape(y, [b, t, y.shape[y.rank - 1]]),
  };
}

export class Dense extends Module {
  readonly inDim: number;
  readonly outDim: number;
  readonly activation: Activation;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(options: DenseOptions) {
    super();
    this.inDim = checkDim('inDim', options.inDim);
    this.outDim = checkDim('outDim', options.outDim);
    this.activation = checkActivation('activation', options.activation ?? 'linear');
    const init = options.init ?? 'glorot';
    if (init !== 'glorot' && init !== 'kaiming') throw new OptionError('init', "'glorot' | 'kaiming'", init);
    const rng = options.rng ?? toRng(options.seed ?? 0);
    const name = options.name ?? 'dense';
    const trainable = options.trainable ?? true;
    const shape = [this.inDim, this.outDim];
    const w = init === 'glorot' ? glorotUniform(rng, shape) : kaimingUniform(rng, shape);
    this.kernel = ownVariable(w, `${name}/kernel`, trainable);
    this.bias = options.bias === false ? null : ownVariable(tf.zeros([this.outDim]), `${name}/bias`, trainable);
  }

  get variables(): tf.Variable[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  /** x [B, in] -> [B, out]; x [B, T, in] -> [B, T, out]. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { rows, restore } = flattenRows(x, this.inDim, 'Dense input x');
      let y: tf.Tensor = tf.matMul(rows, this.kernel);
      if (this.bias) y = tf.add(y, this.bias);
      return restore(applyActivation(y, this.activation));
    });
  }
}
