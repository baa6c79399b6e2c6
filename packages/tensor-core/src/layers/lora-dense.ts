/**
 * LoRA dense layer (Hu et al. 2021): y = x W0 + b + (alpha / rank) x A B.
 * A [in, rank] is kaiming-uniform (a = sqrt 5, bound 1/sqrt(in)) and B [rank, out]
 * is zero, so the adapter starts as an exact no-op. The base W0/b are frozen
 * (trainable = false variables) unless `trainBase` is set. `merge()` folds the
 * delta into W0 for deployment; `unmerge()` takes it out again.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors.js';
import { glorotUniform, kaimingUniform, toRng, type Rng, type Seed } from '../random.js';
import { checkDim, flattenRows } from './dense.js';
import { Module, ownVariable } from './module.js';

export interface LoRABase {
  /** Pretrained weight, [in, out]. Copied: the caller keeps ownership of its tensor. */
  kernel: tf.Tensor;
  /** Pretrained bias, [out]. Omitted = no bias. */
  bias?: tf.Tensor;
}

export interface LoRADenseOptions {
  inDim: number;
  outDim: number;
  /** Adapter rank r >= 1. */
  rank: number;
  /** Scale numerator: the delta is multiplied by alpha / rank. Default = rank (scale 1). */
  alpha?: number;
  /** Pretrained base weights; without it W0 is glorot-initialised and b zero (bias option). */
  base?: LoRABase;
  /** Bias when no base is given. Default true. */
  bias?: boolean;
  /** Let the optimizer update W0 and b too. Default false (classic frozen-base LoRA). */
  trainBase?: boolean;
  seed?: Seed;
  rng?: Rng;
  name?: string;
}

/** A LoRA rank: a positive integer no larger than min(inDim, outDim). */
export function checkRank(rank: unknown, inDim: number, outDim: number): number {
  const r = checkDim('rank', rank);
  if (r > Math.min(inDim, outDim)) throw new OptionError('rank', `an integer in [1, min(inDim, outDim) = ${Math.min(inDim, outDim)}]`, rank);
  return r;
}

/** Validate rank/alpha shared by LoRADense and MultiAdapterDense; returns the scale alpha / rank. */
export function loraScale(rank: unknown, alpha: unknown): number {
  checkDim('rank', rank);
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new OptionError('alpha', 'a finite number', alpha);
  return alpha / (rank as number);
}

/** Copy (or glorot-initialise) the base kernel/bias as variables, validating shapes. */
export function makeBase(
  base: LoRABase | undefined,
  inDim: number,
  outDim: number,
  withBias: boolean,
  rng: Rng,
  name: string,
  trainable: boolean,
): { kernel: tf.Variable; bias: tf.Variable | null } {
  if (base) {
    const k = base.kernel;
    if (k.rank !== 2 || k.shape[0] !== inDim || k.shape[1] !== outDim) {
      throw new ShapeError('base.kernel', `[${inDim}, ${outDim}] (layout [in, out])`, k.shape);
    }
    if (base.bias && (base.bias.rank !== 1 || base.bias.shape[0] !== outDim)) {
      throw new ShapeError('base.bias', `[${outDim}]`, base.bias.shape);
    }
    return {
      kernel: ownVariable(tf.tidy(() => tf.cast(k, 'float32').clone()), `${name}/kernel`, trainable),
      bias: base.bias ? ownVariable(tf.tidy(() => tf.cast(base.bias!, 'float32').clone()), `${name}/bias`, trainable) : null,
    };
  }
  return {
    kernel: ownVariable(glorotUniform(rng, [inDim, outDim]), `${name}/kernel`, trainable),
    bias: withBias ? ownVariable(tf.zeros([outDim]), `${name}/bias`, trainable) : null,
  };
}

export class LoRADense extends Module {
  readonly inDim: number;
  readonly outDim: number;
  readonly rank: number;
  readonly alpha: number;
  /** alpha / rank. */
  readonly scale: number;
  /** W0 [in, out] (holds W0 + s A B while merged). */
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;
  /** Down projection [in, rank]. */
  readonly A: tf.Variable;
  /** Up projection [rank, out], zero at init. */
  readonly B: tf.Variable;
  private mergedState = false;

  constructor(options: LoRADenseOptions) {
    super();
    this.inDim = checkDim('inDim', options.inDim);
    this.outDim = checkDim('outDim', options.outDim);
    this.rank = checkRank(options.rank, this.inDim, this.outDim);
    this.alpha = options.alpha ?? this.rank;
    this.scale = loraScale(this.rank, this.alpha);
    const rng = options.rng ?? toRng(options.seed ?? 0);
    const name = options.name ?? 'lora_dense';
    const base = makeBase(options.base, this.inDim, this.outDim, options.bias ?? true, rng, name, options.trainBase ?? false);
    this.kernel = base.kernel;
    this.bias = base.bias;
    this.A = ownVariable(kaimingUniform(rng, [this.inDim, this.rank]), `${name}/lora_A`);
    this.B = ownVariable(tf.zeros([this.rank, this.outDim]), `${name}/lora_B`);
  }

  get variables(): tf.Variable[] {
    const out = [this.kernel];
    if (this.bias) out.push(this.bias);
    out.push(this.A, this.B);
    return out;
  }

  /** True after merge(): W0 currently holds the adapted weight and apply skips the adapter path. */
  get merged(): boolean {
    return this.mergedState;
  }

  /** s * A B, [in, out] (caller disposes). */
  delta(): tf.Tensor2D {
    return tf.tidy(() => tf.mul(tf.matMul(this.A, this.B), this.scale));
  }

  /** x [B, in] or [B, T, in] -> [.., out]. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { rows, restore } = flattenRows(x, this.inDim, 'LoRADense input x');
      let y: tf.Tensor = tf.matMul(rows, this.kernel);
      if (!this.mergedState) y = tf.add(y, tf.mul(tf.matMul(tf.matMul(rows, this.A), this.B), this.scale));
      if (this.bias) y = tf.add(y, this.bias);
      return restore(y);
    });
  }

  /**
   * Fold s A B into W0 (for deployment: one matMul per call). Training A/B while
   * merged does not change the output; unmerge() first. No-op when already merged.
   */
  merge(): void {
    if (this.mergedState) return;
    tf.tidy(() => this.kernel.assign(tf.add(this.kernel, this.delta())));
    this.mergedState = true;
  }

  /** Subtract s A B from W0 again (restores the base within float32 rounding). No-op when not merged. */
  unmerge(): void {
    if (!this.mergedState) return;
    tf.tidy(() => this.kernel.assign(tf.sub(this.kernel, this.delta())));
    this.mergedState = false;
  }
}
