/**
 * Normalisation over the last axis. LayerNorm (Ba et al. 2016) is what the
 * pre-LN transformer blocks and the MLP option use; RMSNorm (Zhang & Sennrich
 * 2019) is the Llama-family variant (no centring, no bias).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors.js';
import { checkDim } from './dense.js';
import { Module, ownVariable } from './module.js';

export interface NormOptions {
  dim: number;
  /** Added to the variance (LayerNorm default 1e-5, RMSNorm default 1e-6). */
  eps?: number;
  /** Prefix of the variable names. */
  name?: string;
  trainable?: boolean;
}

function checkEps(eps: unknown): number {
  if (typeof eps !== 'number' || !(eps > 0)) throw new OptionError('eps', 'a positive number', eps);
  return eps;
}

function checkLastDim(x: tf.Tensor, dim: number, what: string): void {
  if (x.rank < 1 || x.shape[x.rank - 1] !== dim) throw new ShapeError(what, `[..., ${dim}]`, x.shape);
}

/** y = (x - mean) / sqrt(var + eps) * gamma + beta, statistics over the last axis (biased variance). */
export class LayerNorm extends Module {
  readonly dim: number;
  readonly eps: number;
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  constructor(options: NormOptions) {
    super();
    this.dim = checkDim('dim', options.dim);
    this.eps = checkEps(options.eps ?? 1e-5);
    const name = options.name ?? 'layer_norm';
    this.gamma = ownVariable(tf.ones([this.dim]), `${name}/gamma`, options.trainable ?? true);
    this.beta = ownVariable(tf.zeros([this.dim]), `${name}/beta`, options.trainable ?? true);
  }

  get variables(): tf.Variable[] {
    return [this.gamma, this.beta];
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkLastDim(x, this.dim, 'LayerNorm input x');
    return tf.tidy(() => {
      const axis = x.rank - 1;
      const centred = tf.sub(x, tf.mean(x, axis, true));
      const variance = tf.mean(tf.square(centred), axis, true);
      const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normed, this.gamma), this.beta);
    });
  }
}

/** y = x / sqrt(mean(x^2) + eps) * gamma over the last axis. */
export class RMSNorm extends Module {
  readonly dim: number;
  readonly eps: number;
  readonly gamma: tf.Variable;

  constructor(options: NormOptions) {
    super();
    this.dim = checkDim('dim', options.dim);
    this.eps = checkEps(options.eps ?? 1e-6);
    this.gamma = ownVariable(tf.ones([this.dim]), `${options.name ?? 'rms_norm'}/gamma`, options.trainable ?? true);
  }

  get variables(): tf.Variable[] {
    return [this.gamma];
  }

  apply(x: tf.Tensor): tf.Tensor {
    checkLastDim(x, this.dim, 'RMSNorm input x');
    return tf.tidy(() => {
      const meanSquare = tf.mean(tf.square(x), x.rank - 1, true);
      return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, this.eps))), this.gamma);
    });
  }
}
