/**
 * Full-batch link prediction with best-validation model selection (spec §2 "Decoders/losses", §5).
 *
 * Each epoch is one optimizer step: a random `targetFraction` of the training edges are this
 * step's positives and, as in the official runner (seed edges and their reverses excluded), they
 * are removed from the message-passing graph; each positive gets uniform negatives. Loss: BCE with
 * negative sampling ('hadamard-mlp' decoder) or BPR ('dot' decoder, MMGCN). Every `evalEvery`
 * epochs the encoder runs on all training edges and the validation positives are ranked against
 * their own K negatives (OGB MRR); the best validation weights are restored and the test split is
 * scored once at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, collectVariables, createRng, makeOptimizer, type Seed } from '@paperkit/tensor-core';
import type { FeatureView, MMGraph, RankedPairs } from './mm-graph.js';
import { makeGraphInput, type GraphInput } from './graph-input.js';
import type { MessagePassingPath } from './message-passing.js';
import type { GraphEncoder } from './models/encoder.js';
import { makeDecoder, type DecoderKind, type LinkDecoder } from './decoders.js';
import { bprLoss, linkBCELoss, uniformNegatives } from './link-loss.js';
import { evaluateRanking } from './evaluate-ranking.js';
import { l2Penalty, restore, snapshot } from './weight-decay.js';
import { flushLosses } from './train-nc.js';

export interface TrainLPOptions {
  /** Default 'both'. Ignored when `input` is given. */
  features?: FeatureView;
  /** Default 100. */
  epochs?: number;
  /** Default 0.01. */
  lr?: number;
  /** Default 5e-4. */
  weightDecay?: number;
  /** Default 'bce' for 'hadamard-mlp', 'bpr' for 'dot'. */
  loss?: 'bce' | 'bpr';
  /** Validate every this many epochs (and after the last). Default 10. */
  evalEvery?: number;
  /** Fraction of training edges used as positives (and hidden from message passing) per step. Default 0.25. */
  targetFraction?: number;
  /** Uniform negatives per positive for BCE. Default 1 (spec §2). */
  negativesPerPositive?: number;
  seed?: Seed;
  path?: MessagePassingPath;
  /** Prebuilt input whose edges are the training edges; not disposed here. */
  input?: GraphInput;
}

export interface LPMetrics {
  mrr: number;
  hits1: number;
  hits3: number;
  hits10: number;
}

export interface LPResult {
  bestEpoch: number;
  val: LPMetrics;
  test: LPMetrics;
  history: { epoch: number[]; valMrr: number[]; loss: number[] };
  seconds: number;
  /** The decoder used (created here when a kind was passed; the caller owns it). */
  decoder: LinkDecoder;
}

export async function trainLinkPrediction(
  encoder: GraphEncoder,
  decoderSpec: DecoderKind | LinkDecoder,
  g: MMGraph,
  options: TrainLPOptions = {},
): Promise<LPResult> {
  const start = performance.now();
  const split = g.edgeSplit;
  if (!split) throw new OptionError('graph', 'an edgeSplit (a link-prediction graph)', 'missing');
  const epochs = options.epochs ?? 100;
  const evalEvery = options.evalEvery ?? 10;
  const wd = options.weightDecay ?? 5e-4;
  const fraction = options.targetFraction ?? 0.25;
  const negPer = options.negativesPerPositive ?? 1;
  if (!Number.isInteger(epochs) || epochs < 1) throw new OptionError('epochs', 'a positive integer', epochs);
  if (!Number.isInteger(evalEvery) || evalEvery < 1) throw new OptionError('evalEvery', 'a positive integer', evalEvery);
  if (!(fraction > 0 && fraction <= 1)) throw new OptionError('targetFraction', 'a fraction in (0, 1]', fraction);
  const seed = options.seed ?? 0;
  const decoder = typeof decoderSpec === 'string' ? makeDecoder(decoderSpec, { dim: encoder.outDim, seed: `${seed}/decoder` }) : decoderSpec;
  const lossKind = options.loss ?? (decoder.kind === 'dot' ? 'bpr' : 'bce');
  if (lossKind !== 'bce' && lossKind !== 'bpr') throw new OptionError('loss', "'bce' | 'bpr'", lossKind);
  if (lossKind === 'bpr' && negPer !== 1) throw new OptionError('negativesPerPositive', '1 with the BPR loss', negPer);

  const n = g.numNodes;
  const input = options.input ?? makeGraphInput(g, options.features ?? 'both', { edges: split.train, path: options.path });
  const path = input.path;
  const rng = createRng(seed).fork('lp');
  const variables = collectVariables(encoder, decoder).filter((v) => v.trainable);
  const optimizer = makeOptimizer({ name: 'adam', lr: options.lr ?? 0.01 });
  const m = split.train.src.length;
  const order = new Int32Array(m).map((_, i) => i);
  const nTargets = Math.max(1, Math.round(fraction * m));

  const rank = (pairs: RankedPairs): LPMetrics => {
    const k = pairs.k;
    const p = pairs.src.length;
    const src = new Int32Array(p * (1 + k));
    const dst = new Int32Array(p * (1 + k));
    src.set(pairs.src);
    dst.set(pairs.dst);
    for (let i = 0; i < p; i++) {
      src.fill(pairs.src[i], p + i * k, p + (i + 1) * k);
      dst.set(pairs.neg.subarray(i * k, (i + 1) * k), p + i * k);
    }
    const scores = tf.tidy(() => decoder.score(encoder.forward(input, { training: false }), src, dst, path));
    const values = scores.dataSync() as Float32Array;
    scores.dispose();
    const { mrr, hits1, hits3, hits10 } = evaluateRanking(values.subarray(0, p), values.subarray(p), k);
    return { mrr, hits1, hits3, hits10 };
  };

  const history: LPResult['history'] = { epoch: [], valMrr: [], loss: [] };
  const pending: tf.Scalar[] = [];
  let best: tf.Tensor[] | null = null;
  let bestMrr = -Infinity;
  let bestEpoch = -1;
  const allVars = collectVariables(encoder, decoder);
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      // Partial Fisher–Yates: the first nTargets entries of `order` are this step's positives.
      for (let i = 0; i < nTargets; i++) {
        const j = i + rng.int(m - i);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      const posSrc = Int32Array.from(order.subarray(0, nTargets), (e) => split.train.src[e]);
      const posDst = Int32Array.from(order.subarray(0, nTargets), (e) => split.train.dst[e]);
      const rest = order.subarray(nTargets);
      const stepInput = fraction < 1
        ? input.withEdges(Int32Array.from(rest, (e) => split.train.src[e]), Int32Array.from(rest, (e) => split.train.dst[e]))
        : input.withEdges(new Int32Array(0), new Int32Array(0));
      const neg = uniformNegatives(posSrc, n, negPer, () => rng.next());
      try {
        const cost = optimizer.minimize(() => {
          const h = encoder.forward(stepInput, { training: true, rng });
          const pos = decoder.score(h, posSrc, posDst, path);
          const negScores = decoder.score(h, neg.src, neg.dst, path);
          const main = lossKind === 'bce' ? linkBCELoss(pos, negScores) : bprLoss(pos, negScores);
          return tf.add(main, l2Penalty(variables, wd)) as tf.Scalar;
        }, true, variables);
        pending.push(cost as tf.Scalar);
      } finally {
        stepInput.dispose();
      }
      if ((epoch + 1) % evalEvery === 0 || epoch === epochs - 1) {
        flushLosses(pending, history.loss);
        const val = rank(split.valid);
        history.epoch.push(epoch);
        history.valMrr.push(val.mrr);
        if (val.mrr > bestMrr || best === null) {
          bestMrr = val.mrr;
          bestEpoch = epoch;
          best?.forEach((t) => t.dispose());
          best = snapshot(allVars);
        }
      }
    }
    restore(allVars, best!);
    return { bestEpoch, val: rank(split.valid), test: rank(split.test), history, seconds: (performance.now() - start) / 1000, decoder };
  } finally {
    pending.forEach((t) => t.dispose());
    best?.forEach((t) => t.dispose());
    optimizer.dispose();
    if (!options.input) input.dispose();
  }
}
