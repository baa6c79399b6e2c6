/**
 * Normalisation over the last axis. LayerNorm (Ba et al. 2016) is what the
 * pre-LN transformer blocks and the MLP option use; RMSNorm (Zhang & Sennrich
 * 2019) is the Llama-family variant (no centring, no bias).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors.js';
import { layerNorm } from '../ops/layer-norm.js';
import { rmsNorm } from '../ops/rms-norm.js';
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
    // One fused kernel on wasm and cpu (src/ops/layer-norm.ts), the tfjs composition elsewhere.
    return layerNorm(x, this.gamma, this.beta, this.eps);
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
    return rmsNorm(x, this.gamma, this.eps); // fused where it can be (src/ops/rms-norm.ts)
  }
}
