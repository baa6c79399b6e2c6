/**
 * MergeME's no-fine-tune MoE (spec section 2, "MergeME PPL routing"): every
 * expert keeps its own full model (its own attention), and a whole sequence
 * goes to the experts that find its prompt least surprising:
 *   PPL_i = exp(-(1/t) sum_j log P(x_j | x_<j; theta_i)) over the first
 *   `prefixTokens` tokens, alpha = softmax(top-K(1/PPL_1 .. 1/PPL_l)),
 *   logits = sum_k alpha_k logits_k.
 * A Mixtral file cannot express this (routing is per sequence and attention is
 * per expert), so it is a runtime composition of tfjs models. The routing is a
 * selection: it carries no gradient, so fine-tuning the composition trains
 * each expert on the sequences routed to it.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { tokenLogProbs, type CausalLM } from './lm-eval.js';
import { untaped } from './top-k-routing.js';

export interface PerplexityRoutedMoEOptions {
  /** Experts run per sequence (default 1). */
  topK?: number;
  /** Prompt length used to score perplexity (default 8, spec section 5). */
  prefixTokens?: number;
}

export interface Routing {
  /** [B, E] mixing weights (zeros outside the top-K). */
  weights: tf.Tensor2D;
  /** [B] int32 index of the highest-weight expert. */
  top1: tf.Tensor1D;
}

export class PerplexityRoutedMoE implements CausalLM {
  readonly topK: number;
  readonly prefixTokens: number;

  constructor(
    readonly experts: CausalLM[],
    options: PerplexityRoutedMoEOptions = {},
  ) {
    if (experts.length === 0) throw new OptionError('experts', 'at least one expert model', 0);
    this.topK = options.topK ?? 1;
    this.prefixTokens = options.prefixTokens ?? 8;
    if (!Number.isInteger(this.topK) || this.topK < 1 || this.topK > experts.length) throw new OptionError('topK', `an integer in [1, ${experts.length}]`, this.topK);
    if (!Number.isInteger(this.prefixTokens) || this.prefixTokens < 2) throw new OptionError('prefixTokens', 'an integer >= 2', this.prefixTokens);
  }

  /** Per-sequence expert weights from the prefix perplexities (one prefix forward per expert). */
  route(ids: tf.Tensor2D): Routing {
    const weights = untaped(() => this.routeWeights(ids), ids);
    const top1 = tf.tidy(() => tf.cast(tf.argMax(weights, -1), 'int32') as tf.Tensor1D);
    return { weights, top1 };
  }

  private routeWeights(ids: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [B, T] = ids.shape;
      const t = Math.min(this.prefixTokens, T);
      const prefix = tf.slice(ids, [0, 0], [B, t]);
      const inv = tf.stack(
        this.experts.map((m) => tf.exp(tf.mean(tokenLogProbs(m.logits(prefix), prefix), 1))),
        1,
      ) as tf.Tensor2D; // 1/PPL, [B, E]
      const { values, indices } = tf.topk(inv, this.topK);
      const alpha = tf.softmax(values);
      return tf.sum(tf.mul(tf.oneHot(indices, this.experts.length), tf.expandDims(alpha, -1)), 1) as tf.Tensor2D;
    });
  }

  /** Mixed logits [B, T, V]: every expert runs the batch, weights zero out the unchosen ones. */
  logits(ids: tf.Tensor2D): tf.Tensor3D {
    const { weights, top1 } = this.route(ids);
    const out = tf.tidy(() => {
      const mixed = this.experts.map((m, e) => {
        const w = tf.reshape(tf.slice(weights, [0, e], [-1, 1]), [-1, 1, 1]);
        return tf.mul(m.logits(ids), w);
      });
      return tf.addN(mixed) as tf.Tensor3D;
    });
    tf.dispose([weights, top1]);
    return out;
  }
}
