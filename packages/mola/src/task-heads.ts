/**
 * Per-task output heads mixed per sample (mola.md section 2, "per-task head"):
 *   logits_n = sum_h w[n, h] (z_n W_h + b_h).
 * With w = one-hot(task) this is the paper's head-per-task, chosen by task id
 * (MoLA-Grad, HPS). With w = the router's gates it is a head that needs no task
 * id at inference: the official evaluator still picks the head by task id
 * (code/evaluation/vlcs.py); we mix heads by the same gates as the adapters.
 * Stored stacked, W_all [in, H*C], so one matMul serves the whole batch.
 */
import * as tf from '@tensorflow/tfjs';
import { Module, ShapeError, ownVariable } from '@paperkit/tensor-core';

export interface TaskHeadsOptions {
  inDim: number;
  classes: number;
  heads: number;
  /** Every head starts as a copy of this kernel [in, C] and bias [C] (the user's head). */
  kernel: tf.Tensor;
  bias?: tf.Tensor | null;
  name?: string;
}

export class TaskHeads extends Module {
  readonly inDim: number;
  readonly classes: number;
  readonly heads: number;
  /** [in, heads * classes]; head h = columns h*C .. h*C+C-1. */
  readonly kernel: tf.Variable;
  /** [heads * classes]. */
  readonly bias: tf.Variable | null;

  constructor(o: TaskHeadsOptions) {
    super();
    this.inDim = o.inDim;
    this.classes = o.classes;
    this.heads = o.heads;
    if (o.kernel.rank !== 2 || o.kernel.shape[0] !== o.inDim || o.kernel.shape[1] !== o.classes) {
      throw new ShapeError('head kernel', `[${o.inDim}, ${o.classes}]`, o.kernel.shape);
    }
    const name = o.name ?? 'mola_heads';
    this.kernel = ownVariable(tf.tidy(() => tf.tile(o.kernel, [1, o.heads])), `${name}/kernel`);
    this.bias = o.bias ? ownVariable(tf.tidy(() => tf.tile(o.bias!, [o.heads])), `${name}/bias`) : null;
  }

  get variables(): tf.Variable[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  /** z [N, in], weights [N, heads] -> logits [N, C]. */
  apply(z: tf.Tensor, weights: tf.Tensor): tf.Tensor2D {
    if (z.rank !== 2 || z.shape[1] !== this.inDim) throw new ShapeError('head input', `[N, ${this.inDim}]`, z.shape);
    if (weights.rank !== 2 || weights.shape[0] !== z.shape[0] || weights.shape[1] !== this.heads) {
      throw new ShapeError('head weights', `[${z.shape[0]}, ${this.heads}]`, weights.shape);
    }
    return tf.tidy(() => {
      const n = z.shape[0] as number;
      let all: tf.Tensor = tf.matMul(z as tf.Tensor2D, this.kernel as tf.Tensor2D);
      if (this.bias) all = tf.add(all, this.bias);
      const perHead = tf.reshape(all, [n, this.heads, this.classes]);
      return tf.sum(tf.mul(perHead, tf.reshape(weights, [n, this.heads, 1])), 1) as tf.Tensor2D;
    });
  }

  /** Head h's kernel [in, C] and bias [C] (new tensors; caller disposes). */
  head(h: number): { kernel: tf.Tensor2D; bias: tf.Tensor1D | null } {
    return {
      kernel: tf.slice(this.kernel as tf.Tensor2D, [0, h * this.classes], [this.inDim, this.classes]),
      bias: this.bias ? tf.slice(this.bias as tf.Tensor1D, [h * this.classes], [this.classes]) : null,
    };
  }
}
