/**
 * Held-out evaluation of the reproduction (spec section 5, "Measure"): NLL and
 * next-token accuracy at target positions >= `from`, and the share routed to
 * the domain's expert (token-level top-1 for a Mixtral file, sequence-level
 * for perplexity routing). One device read per (model, domain).
 */
import * as tf from '@tensorflow/tfjs';
import { tokenHits, tokenLogProbs, type CausalLM } from '../lm-eval.js';
import { MixtralModel } from '../mixtral-forward.js';
import { PerplexityRoutedMoE } from '../perplexity-routed-moe.js';
import { DOMAINS } from './data.js';

export interface EvalResult {
  nll: number;
  acc: number;
  route?: number;
}

export type Metrics = Record<string, number>;

export function evaluate(model: CausalLM | MixtralModel | PerplexityRoutedMoE, ids: tf.Tensor2D, from: number, domainIndex: number): EvalResult {
  const [B, T] = ids.shape;
  const stats = tf.tidy(() => {
    let logits: tf.Tensor3D;
    let routeShare: tf.Scalar | null = null;
    if (model instanceof MixtralModel) {
      const out = model.forward(ids, { routing: true });
      logits = out.logits;
      const top1 = tf.reshape(out.top1!, [out.top1!.shape[0], B, T]);
      const tail = tf.slice(top1, [0, 0, from], [-1, -1, T - from]);
      routeShare = tf.mean(tf.cast(tf.equal(tail, domainIndex), 'float32')) as tf.Scalar;
    } else if (model instanceof PerplexityRoutedMoE) {
      const r = model.route(ids);
      routeShare = tf.mean(tf.cast(tf.equal(r.top1, domainIndex), 'float32')) as tf.Scalar;
      logits = model.logits(ids);
    } else {
      logits = model.logits(ids);
    }
    const lp = tf.slice(tokenLogProbs(logits, ids), [0, from - 1], [B, T - from]);
    const hits = tf.slice(tokenHits(logits, ids), [0, from - 1], [B, T - from]);
    const parts = [tf.neg(tf.mean(lp)), tf.mean(hits)];
    if (routeShare) parts.push(routeShare);
    return tf.stack(parts);
  });
  const v = stats.dataSync();
  stats.dispose();
  return { nll: v[0], acc: v[1], route: v.length > 2 ? v[2] : undefined };
}

/** nll_<domain> per domain, and nll / acc / route_acc as the mean over domains. */
export function summarizeDomains(per: EvalResult[]): Metrics {
  const m: Metrics = {};
  per.forEach((r, i) => (m[`nll_${DOMAINS[i]}`] = r.nll));
  m.nll = per.reduce((s, r) => s + r.nll, 0) / per.length;
  m.acc = per.reduce((s, r) => s + r.acc, 0) / per.length;
  if (per.every((r) => r.route !== undefined)) m.route_acc = per.reduce((s, r) => s + r.route!, 0) / per.length;
  return m;
}

/** Every domain's held-out set through one model. */
export function evaluateDomains(model: CausalLM | MixtralModel | PerplexityRoutedMoE, test: tf.Tensor2D[], from: number): Metrics {
  return summarizeDomains(test.map((ids, i) => evaluate(model, ids, from, i)));
}
