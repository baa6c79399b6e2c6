/**
 * Conv2D with E low-rank adapters mixed per sample, the convolutional sibling
 * of MultiAdapterDense (mola.md sections 2 and 6, "For conv, use the cheap
 * factorisation"):
 *   y = conv(x, W0) + b + s * sum_a mix[:, a] * conv1x1(conv(x, A_a), B_a),
 * with A_a [kh, kw, C_in, r] (same stride/padding/dilation as W0) and B_a
 * [r, C_out]. The delta kernel of adapter a is
 *   dK_a[kh, kw, ci, co] = s * sum_j A_a[kh, kw, ci, j] B_a[j, co],
 * of rank <= r as a (kh kw C_in) x C_out matrix, so mergedKernel is exact.
 * This differs from the official MoLA code, which reshapes a (r k) x (C_in k)
 * by (C_out k) x (r k) product into the kernel.
 *
 * Batched form: A_all [kh, kw, C_in, E*r] runs as ONE conv; the gate is
 * expanded to [B, 1, 1, E*r] (one-hot gates give an exact 0/1 mask, so an
 * adapter gets zero gradient from samples that do not use it), and B_all
 * [E*r, C_out] is a matMul over the channel axis.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors.js';
import { glorotUniform, kaimingUniform, toRng, type Rng, type Seed } from '../random.js';
import { checkDim } from './dense.js';
import { loraScale } from './lora-dense.js';
import { Module, ownVariable } from './module.js';

export interface MultiAdapterConv2DOptions {
  inChannels: number;
  filters: number;
  /** [kh, kw]. */
  kernelSize: [number, number];
  strides?: [number, number];
  padding?: 'same' | 'valid';
  dilations?: [number, number];
  numAdapters: number;
  rank: number;
  /** Delta scale numerator (s = alpha / rank). Default = rank. */
  alpha?: number;
  /** Pretrained kernel [kh, kw, C_in, C_out] and bias [C_out] (copied). Default glorot kernel, zero bias. */
  base?: { kernel: tf.Tensor; bias?: tf.Tensor };
  /** Bias when no base is given. Default true. */
  bias?: boolean;
  /** Whether W0/b are trainable. Default true (MoLA trains the backbone). */
  trainBase?: boolean;
  seed?: Seed;
  rng?: Rng;
  name?: string;
}

export class MultiAdapterConv2D extends Module {
  readonly inChannels: number;
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid';
  readonly dilations: [number, number];
  readonly numAdapters: number;
  readonly rank: number;
  readonly alpha: number;
  readonly scale: number;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;
  /** Stacked first factors [kh, kw, C_in, E*r]; adapter a = channels a*r .. a*r+r-1. */
  readonly A: tf.Variable;
  /** Stacked second factors [E*r, C_out], zero at init. */
  readonly B: tf.Variable;
  private readonly expander: tf.Tensor2D;

  constructor(options: MultiAdapterConv2DOptions) {
    super();
    this.inChannels = checkDim('inChannels', options.inChannels);
    this.filters = checkDim('filters', options.filters);
    const [kh, kw] = options.kernelSize ?? [];
    this.kernelSize = [checkDim('kernelSize[0]', kh), checkDim('kernelSize[1]', kw)];
    this.strides = options.strides ?? [1, 1];
    this.dilations = options.dilations ?? [1, 1];
    this.padding = options.padding ?? 'valid';
    if (this.padding !== 'same' && this.padding !== 'valid') throw new OptionError('padding', "'same' or 'valid'", this.padding);
    this.numAdapters = checkDim('numAdapters', options.numAdapters);
    this.rank = checkDim('rank', options.rank);
    const limit = Math.min(this.filters, kh * kw * this.inChannels);
    if (this.rank > limit) throw new OptionError('rank', `an integer in [1, min(filters, kh*kw*inChannels) = ${limit}]`, options.rank);
    this.alpha = options.alpha ?? this.rank;
    this.scale = loraScale(this.rank, this.alpha);
    const rng = options.rng ?? toRng(options.seed ?? 0);
    const name = options.name ?? 'multi_adapter_conv2d';
    const trainable = options.trainBase ?? true;
    const kernelShape = [kh, kw, this.inChannels, this.filters];
    if (options.base) {
      const k = options.base.kernel;
      if (k.rank !== 4 || k.shape.some((d, i) => d !== kernelShape[i])) throw new ShapeError('base.kernel', `[${kernelShape.join(', ')}]`, k.shape);
      const b = options.base.bias;
      if (b && (b.rank !== 1 || b.shape[0] !== this.filters)) throw new ShapeError('base.bias', `[${this.filters}]`, b.shape);
      this.kernel = ownVariable(tf.tidy(() => tf.cast(k, 'float32').clone()), `${name}/kernel`, trainable);
      this.bias = b ? ownVariable(tf.tidy(() => tf.cast(b, 'float32').clone()), `${name}/bias`, trainable) : null;
    } else {
      this.kernel = ownVariable(glorotUniform(rng, kernelShape), `${name}/kernel`, trainable);
      this.bias = (options.bias ?? true) ? ownVariable(tf.zeros([this.filters]), `${name}/bias`, trainable) : null;
    }
    const width = this.numAdapters * this.rank;
    // Each A_a drawn as its own block: fan-in kh*kw*C_in, as for one adapter alone.
    const blocks: tf.Tensor[] = [];
    for (let a = 0; a < this.numAdapters; a++) blocks.push(kaimingUniform(rng, [kh, kw, this.inChannels, this.rank]));
    const stacked = tf.concat(blocks, 3);
    blocks.forEach((b) => b.dispose());
    this.A = ownVariable(stacked, `${name}/lora_A`);
    this.B = ownVariable(tf.zeros([width, this.filters]), `${name}/lora_B`);
    const expand = new Float32Array(this.numAdapters * width);
    for (let a = 0; a < this.numAdapters; a++) for (let j = 0; j < this.rank; j++) expand[a * width + a * this.rank + j] = 1;
    this.expander = tf.tensor2d(expand, [this.numAdapters, width]);
  }

  get variables(): tf.Variable[] {
    const out = [this.kernel];
    if (this.bias) out.push(this.bias);
    out.push(this.A, this.B);
    return out;
  }

  /** x [B, H, W, C_in] (channels last), mix [B, E] -> [B, H', W', C_out]. */
  apply(x: tf.Tensor, mix: tf.Tensor): tf.Tensor4D {
    if (x.rank !== 4 || x.shape[3] !== this.inChannels) throw new ShapeError('MultiAdapterConv2D input x', `[B, H, W, ${this.inChannels}]`, x.shape);
    if (mix.rank !== 2 || mix.shape[0] !== x.shape[0] || mix.shape[1] !== this.numAdapters) {
      throw new ShapeError('MultiAdapterConv2D mix', `[${x.shape[0]}, ${this.numAdapters}] (one weight per sample and adapter)`, mix.shape);
    }
    return tf.tidy(() => {
      const x4 = x as tf.Tensor4D;
      const conv = (k: tf.Tensor) => tf.conv2d(x4, k as tf.Tensor4D, this.strides, this.padding, 'NHWC', this.dilations);
      let y: tf.Tensor4D = conv(this.kernel);
      const projected = conv(this.A);
      const [n, h, w, width] = projected.shape;
      const gate = tf.reshape(tf.matMul(tf.cast(mix, 'float32') as tf.Tensor2D, this.expander), [n, 1, 1, width]);
      const rows = tf.reshape(tf.mul(projected, gate), [n * h * w, width]) as tf.Tensor2D;
      const delta = tf.reshape(tf.matMul(rows, this.B as tf.Tensor2D), [n, h, w, this.filters]);
      y = tf.add(y, tf.mul(delta, this.scale));
      if (this.bias) y = tf.add(y, this.bias);
      return y;
    });
  }

  /** W0 + s * sum_a w_a dK_a [kh, kw, C_in, C_out]; `adapter` is one index or a weight per adapter (caller disposes). */
  mergedKernel(adapter: number | ArrayLike<number>): tf.Tensor4D {
    const weights = new Float32Array(this.numAdapters);
    if (typeof adapter === 'number') {
      if (!Number.isInteger(adapter) || adapter < 0 || adapter >= this.numAdapters) {
        throw new OptionError('adapter', `an integer in [0, ${this.numAdapters})`, adapter);
      }
      weights[adapter] = 1;
    } else {
      if (adapter.length !== this.numAdapters) throw new ShapeError('mergedKernel weights', `[${this.numAdapters}]`, [adapter.length]);
      for (let a = 0; a < this.numAdapters; a++) weights[a] = adapter[a];
    }
    return tf.tidy(() => {
      const [kh, kw] = this.kernelSize;
      const columnWeights = tf.matMul(tf.tensor2d(weights, [1, this.numAdapters]), this.expander);
      const a2 = tf.reshape(tf.mul(this.A, tf.reshape(columnWeights, [1, 1, 1, -1])), [kh * kw * this.inChannels, -1]) as tf.Tensor2D;
      const delta = tf.reshape(tf.matMul(a2, this.B as tf.Tensor2D), [kh, kw, this.inChannels, this.filters]);
      return tf.add(this.kernel, tf.mul(delta, this.scale)) as tf.Tensor4D;
    });
  }

  override dispose(): void {
    super.dispose();
    if (!this.expander.isDisposed) this.expander.dispose();
  }
}
