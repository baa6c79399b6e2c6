/**
 * Per-layer routing report (spec section 8, mergekit #119 "how does hidden
 * routing work?"): run the written Mixtral file on each expert's own positive
 * prompts and measure, per layer, the share of prompt tokens whose top-1
 * router choice is that expert. Chance is 1/E; values near chance mean the gate
 * rows do not separate the experts' inputs at that layer.
 */
import * as tf from '@tensorflow/tfjs';
import type { ExpertPrompts } from './gates.js';
import type { MixtralModel } from './mixtral-forward.js';

export interface RoutingReport {
  /** share[l][e]: fraction of expert e's prompt tokens routed top-1 to e at layer l. */
  share: number[][];
  /** 1 / E. */
  chance: number;
}

/** The report of a Mixtral model already in memory (the directory version is `routingReport` in `./node`). */
export function modelRoutingReport(model: MixtralModel, prompts: ExpertPrompts[], bos?: number | null): RoutingReport {
  const L = model.config.num_hidden_layers;
  const share = Array.from({ length: L }, () => new Array<number>(prompts.length).fill(0));
  prompts.forEach((p, e) => {
    if (p.positive.length === 0) return;
    for (const ids of p.positive) {
      const full = bos === null || bos === undefined ? ids : [bos, ...ids];
      const skip = full.length - ids.length;
      const hits = tf.tidy(() => {
        const out = model.forward(tf.tensor2d([full], [1, full.length], 'int32'), { routing: true });
        const own = tf.slice(out.top1!, [0, skip], [-1, full.length - skip]);
        return tf.mean(tf.cast(tf.equal(own, e), 'float32'), 1);
      });
      const v = hits.dataSync();
      hits.dispose();
      for (let l = 0; l < L; l++) share[l][e] += v[l] / p.positive.length;
    }
  });
  return { share, chance: 1 / prompts.length };
}

export function formatRoutingReport(r: RoutingReport): string[] {
  return [
    `routing report: share of each expert's own prompt tokens routed top-1 to it (chance ${r.chance.toFixed(2)})`,
    ...r.share.map((row, l) => `  layer ${l}: ${row.map((v, e) => `e${e} ${v.toFixed(2)}`).join('  ')}`),
  ];
}
