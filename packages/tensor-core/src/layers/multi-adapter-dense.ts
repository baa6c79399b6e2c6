/**
 * Dense layer with E low-rank adapters mixed per sample:
 *   y = x W0 + b + s * sum_a mix[:, a] * (x A_a B_a),   s = alpha / rank.
 * A one-hot mix gives hard task experts (LoRKD's "efficient knowledge
 * separation", MoLA-Grad); a soft mix gives routed adapters (MoLA-Router).
 * See lorkd.md section 2 and mola.md section 2.
 *
 * Batched form (one pass for a mixed-task batch): the adapters are stored
 * stacked, A_all = [A_0 | ... | A_{E-1}] [in, E*r] and B_all = [B_0; ...; B_{E-1}]
 * [E*r, out]. Then h = (x A_all) * (mix R) with R [E, E*r] the constant block
 * expander (row a has ones on columns a*r..a*r+r-1), and the delta is h B_all.
 * With a one-hot mix, (mix R) is an exact 0/1 mask, so adapter a receives an
 * exactly zero gradient from every sample that does not use it.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '../errors.js';
import { kaimingUniform, toRng, type Rng, type Seed } from '../random.js';
import { checkDim } from './dense.js';
import { checkRank, loraScale, makeBase, type LoRABase } from './lora-dense.js';
import { Module, ownVariable } from './module.js';

export interface MultiAdapterDenseOptions {
  inDim: number;
  outDim: number;
  /** E >= 1 adapters (tasks, domains or experts). */
  numAdapters: number;
  /** Rank r of every adapter. */
  rank: number;
  /** Delta scale numerator (s = alpha / rank). Default = rank. */
  alpha?: number;
  /** Pretrained base weights ([in, out] kernel, [out] bias); default glorot kernel, zero bias. */
  base?: LoRABase;
  /** Bias when no base is given. Default true. */
  bias?: boolean;
  /**
   * Whether W0/b are trainable. Default TRUE, unlike LoRADense: LoRKD and MoLA
   * train the shared backbone together with the adapters (lorkd.md section 2,
   * mola.md section 1). Pass false for a frozen-base setup.
   */
  trainBase?: boolean;
  seed?: Seed;
  rng?: Rng;
  name?: string;
}

export class MultiAdapterDense extends Module {
  readonly inDim: number;
  readonly outDim: number;
  readonly numAdapters: number;
  readonly rank: number;
  readonly alpha: number;
  readonly scale: number;
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;
  /** Stacked down projections [in, numAdapters * rank]; adapter a = columns a*rank .. a*rank+rank-1. */
  readonly A: tf.Variable;
  /** Stacked up projections [numAdapters * rank, out]; adapter a = rows a*rank .. a*rank+rank-1. Zero at init. */
  readonly B: tf.Variable;
  /** Constant block expander [numAdapters, numAdapters * rank] (not a variable). */
  private readonly expander: tf.Tensor2D;

  constructor(options: MultiAdapterDenseOptions) {
    super();
    this.inDim = checkDim('inDim', options.inDim);
    this.outDim = checkDim('outDim', options.outDim);
    this.numAdapters = checkDim('numAdapters', options.numAdapters);
    this.rank = checkRank(options.rank, this.inDim, this.outDim);
    this.alpha = options.alpha ?? this.rank;
    this.scale = loraScale(this.rank, this.alpha);
    const rng = options.rng ?? toRng(options.seed ?? 0);
    const name = options.name ?? 'multi_adapter_dense';
    const base = makeBase(options.base, this.inDim, this.outDim, options.bias ?? true, rng, name, options.trainBase ?? true);
    this.kernel = base.kernel;
    this.bias = base.bias;
    const width = this.numAdapters * this.rank;
    // Each A_a is drawn as its own [in, r] block so fan-in (= in) matches a single LoRA adapter.
    const blocks: tf.Tensor[] = [];
    for (let a = 0; a < this.numAdapters; a++) blocks.push(kaimingUniform(rng, [this.inDim, this.rank]));
    const stacked = tf.concat(blocks, 1);
    blocks.forEach((b) => b.dispose());
    this.A = ownVariable(stacked, `${name}/lora_A`);
    this.B = ownVariable(tf.zeros([width, this.outDim]), `${name}/lora_B`);
    const expand = new Float32Array(this.numAdapters * width);
    for (let a = 0; a < this.numAdapters; a++) {
      for (let j = 0; j < this.rank; j++) expand[a * width + a * this.rank + j] = 1;
    }
    this.expander = tf.tensor2d(expand, [this.numAdapters, width]);
  }

  get variables(): tf.Variable[] {
    const out = [this.kernel];
    if (this.bias) out.push(this.bias);
    out.push(this.A, this.B);
    return out;
  }

  /** Adapter a's down projection A_a [in, rank] (a new tensor; caller disposes). */
  adapterA(a: number): tf.Tensor2D {
    this.checkAdapter(a);
    return tf.slice(this.A as tf.Tensor2D, [0, a * this.rank], [this.inDim, this.rank]);
  }

  /** Adapter a's up projection B_a [rank, out] (a new tensor; caller disposes). */
  adapterB(a: number): tf.Tensor2D {
    this.checkAdapter(a);
    return tf.slice(this.B as tf.Tensor2D, [a * this.rank, 0], [this.rank, this.outDim]);
  }

  /**
   * x [B, in], mix [B, numAdapters] -> [B, out]. `mix` may be one-hot task
   * indicators (build it outside the taped function, e.g. tf.oneHot of task ids)
   * or router weights (gradients flow into the router through it).
   */
  apply(x: tf.Tensor, mix: tf.Tensor): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inDim) throw new ShapeError('MultiAdapterDense input x', `[B, ${this.inDim}]`, x.shape);
    if (mix.rank !== 2 || mix.shape[0] !== x.shape[0] || mix.shape[1] !== this.numAdapters) {
      throw new ShapeError('MultiAdapterDense mix', `[${x.shape[0]}, ${this.numAdapters}] (one weight per sample and adapter)`, mix.shape);
    }
    return tf.tidy(() => {
      let y: tf.Tensor2D = tf.matMul(x as tf.Tensor2D, this.kernel as tf.Tensor2D);
      const projected = tf.matMul(x as tf.Tensor2D, this.A as tf.Tensor2D);
      const gate = tf.matMul(tf.cast(mix, 'float32') as tf.Tensor2D, this.expander);
      const delta = tf.matMul(tf.mul(projected, gate) as tf.Tensor2D, this.B as tf.Tensor2D);
      y = tf.add(y, tf.mul(delta, this.scale));
      if (this.bias) y = tf.add(y, this.bias);
      return y;
    });
  }

  /**
   * The deployable weight W0 + s * sum_a w_a A_a B_a, [in, out] (caller disposes).
   * `adapter` is one index (w = one-hot: that task's merged expert, lorkd.md
   * "Merge/switch") or a weight per adapter (a fixed soft mix).
   */
  mergedKernel(adapter: number | ArrayLike<number>): tf.Tensor2D {
    const weights = new Float32Array(this.numAdapters);
    if (typeof adapter === 'number') {
      this.checkAdapter(adapter);
      weights[adapter] = 1;
    } else {
      if (adapter.length !== this.numAdapters) {
        throw new ShapeError('mergedKernel weights', `[${this.numAdapters}]`, [adapter.length]);
      }
      for (let a = 0; a < this.numAdapters; a++) weights[a] = adapter[a];
    }
    return tf.tidy(() => {
      const columnWeights = tf.matMul(tf.tensor2d(weights, [1, this.numAdapters]), this.expander);
      const delta = tf.matMul(tf.mul(this.A, columnWeights) as tf.Tensor2D, this.B as tf.Tensor2D);
      return tf.add(this.kernel, tf.mul(delta, this.scale)) as tf.Tensor2D;
    });
  }

  override dispose(): void {
    super.dispose();
    if (!this.expander.isDisposed) this.expander.dispose();
  }

  private checkAdapter(a: number): void {
    if (!Number.isInteger(a) || a < 0 || a >= this.numAdapters) {
      throw new OptionError('adapter', `an integer in [0, ${this.numAdapters})`, a);
    }
  }
}
