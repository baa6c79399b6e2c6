/**
 * Text-conditioned attention over earlier modules (compoformer.md section 2,
 * steps 2-3): task t owns q_t, k_t: Linear(textDim -> qkDim) and weighs the
 * earlier trained modules j < t by
 *   w_j = softmax_j( q_t(e_t) . k_t(e_j) / sqrt(qkDim) ).
 * Init 'identity' (port default, quirk a): q = k = I (qkDim = textDim, bias 0),
 * so before warm-up the logits are e_t . e_j / sqrt(d) and an identical
 * description gets the largest weight. Init 'official': every weight 1, bias 0,
 * which makes the initial logits depend only on coordinate sums.
 */
import * as tf from '@tensorflow/tfjs';
import { Module, OptionError, ShapeError, ownVariable } from '@paperkit/tensor-core';

export type QKInit = 'identity' | 'official';

export interface TaskAttentionOptions {
  textDim: number;
  /** Key/query width; must equal textDim with qkInit 'identity'. */
  qkDim: number;
  qkInit: QKInit;
  name?: string;
}

export class TaskAttention extends Module {
  readonly textDim: number;
  readonly qkDim: number;
  readonly qKernel: tf.Variable;
  readonly qBias: tf.Variable;
  readonly kKernel: tf.Variable;
  readonly kBias: tf.Variable;

  constructor(options: TaskAttentionOptions) {
    super();
    const { textDim, qkDim, qkInit } = options;
    if (qkInit !== 'identity' && qkInit !== 'official') throw new OptionError('qkInit', "'identity' | 'official'", qkInit);
    if (qkInit === 'identity' && qkDim !== textDim) {
      throw new OptionError('qkDim', `equal to the text dimension ${textDim} when qkInit is 'identity'`, qkDim);
    }
    this.textDim = textDim;
    this.qkDim = qkDim;
    const name = options.name ?? 'task_attention';
    const init = () => (qkInit === 'identity' ? tf.eye(textDim) : tf.ones([textDim, qkDim]));
    this.qKernel = ownVariable(init(), `${name}/q_kernel`);
    this.qBias = ownVariable(tf.zeros([qkDim]), `${name}/q_bias`);
    this.kKernel = ownVariable(init(), `${name}/k_kernel`);
    this.kBias = ownVariable(tf.zeros([qkDim]), `${name}/k_bias`);
  }

  get variables(): tf.Variable[] {
    return [this.qKernel, this.qBias, this.kKernel, this.kBias];
  }

  /** Logits [M] of the query description e_t [textDim] against the earlier keys E [M, textDim]. */
  logits(query: tf.Tensor1D, keys: tf.Tensor2D): tf.Tensor1D {
    if (query.rank !== 1 || query.shape[0] !== this.textDim) throw new ShapeError('TaskAttention query', `[${this.textDim}]`, query.shape);
    if (keys.rank !== 2 || keys.shape[1] !== this.textDim || keys.shape[0] < 1) {
      throw new ShapeError('TaskAttention keys', `[M >= 1, ${this.textDim}]`, keys.shape);
    }
    return tf.tidy(() => {
      const q = tf.add(tf.matMul(tf.reshape(query, [1, this.textDim]), this.qKernel), this.qBias); // [1, qk]
      const k = tf.add(tf.matMul(keys, this.kKernel), this.kBias); // [M, qk]
      return tf.reshape(tf.mul(tf.matMul(k, tf.transpose(q)), 1 / Math.sqrt(this.qkDim)), [keys.shape[0]]) as tf.Tensor1D;
    });
  }

  /** Soft weights softmax(logits) [M]. */
  weights(query: tf.Tensor1D, keys: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.softmax(this.logits(query, keys)) as tf.Tensor1D);
  }

  /** Hard selection (spec step 4 and inference of a reused task): one-hot of the argmax [M]. */
  hardWeights(query: tf.Tensor1D, keys: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const logits = this.logits(query, keys);
      return tf.oneHot(tf.argMax(logits), keys.shape[0], 1, 0, 'float32') as tf.Tensor1D;
    });
  }
}
