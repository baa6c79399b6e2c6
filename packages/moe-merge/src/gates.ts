/**
 * Router rows G_l in R^{E x H} from prompts (spec section 2, "Gate modes";
 * mergekit/moe/router.py semantics, our code):
 *  - hidden: the base model runs each BOS-prefixed prompt; per layer we take
 *    the residual stream entering that layer at the last token ('hidden') or
 *    averaged over positions ('hidden_avg'), average over the expert's positive
 *    prompts, subtract the average over its negative prompts, L2-normalise;
 *  - cheap_embed: the same with the summed token embeddings of each prompt,
 *    one row reused for every layer;
 *  - random: N(0, 1) rows (seeded); uniform_random: nn.Linear's U(-1/sqrt(H), 1/sqrt(H)).
 * A Mixtral router then scores p = softmax(G_l h), which prefers the expert
 * whose prompts produced hidden states most aligned with h.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, jacobiEigenSymmetric, OptionError, type Seed } from '@paperkit/tensor-core';
import type { TinyLlama } from './llama/tiny-llama.js';

export type GateMode = 'hidden' | 'hidden_avg' | 'cheap_embed' | 'random' | 'uniform_random';
export const GATE_MODES: readonly GateMode[] = ['hidden', 'hidden_avg', 'cheap_embed', 'random', 'uniform_random'];

/** Token-id prompts of one expert. */
export interface ExpertPrompts {
  positive: number[][];
  negative: number[][];
}

/** Gates per layer: rows[l] is a row-major [E, H] Float32Array. */
export interface Gates {
  rows: Float32Array[];
  numExperts: number;
  hidden: number;
}

function normalizeRow(row: Float32Array | Float64Array, out: Float32Array, what: string): void {
  let norm = 0;
  for (const v of row) norm += v * v;
  norm = Math.sqrt(norm);
  if (!(norm > 0)) throw new OptionError(what, 'prompts whose positive and negative representations differ (the gate row came out zero)', 'a zero row');
  for (let j = 0; j < row.length; j++) out[j] = row[j] / norm;
}

/** Mean of positives minus mean of negatives, given a per-prompt vector function. */
function contrast(prompts: ExpertPrompts, H: number, vec: (ids: number[]) => Float64Array): Float64Array {
  const acc = new Float64Array(H);
  for (const [set, sign] of [[prompts.positive, 1], [prompts.negative, -1]] as const) {
    for (const ids of set) {
      const v = vec(ids);
      for (let j = 0; j < H; j++) acc[j] += (sign * v[j]) / set.length;
    }
  }
  return acc;
}

/** cheap_embed: the same normalised row for every layer, from summed prompt token embeddings. */
export function cheapEmbedGates(embed: Float32Array, vocab: number, hidden: number, experts: ExpertPrompts[], layers: number): Gates {
  const G = new Float32Array(experts.length * hidden);
  experts.forEach((prompts, e) => {
    const row = contrast(prompts, hidden, (ids) => {
      const v = new Float64Array(hidden);
      for (const id of ids) {
        if (!(Number.isInteger(id) && id >= 0 && id < vocab)) throw new OptionError(`experts[${e}] prompt token id`, `an integer in [0, ${vocab})`, id);
        for (let j = 0; j < hidden; j++) v[j] += embed[id * hidden + j];
      }
      return v;
    });
    normalizeRow(row, G.subarray(e * hidden, (e + 1) * hidden), `experts[${e}] prompts`);
  });
  return { rows: Array.from({ length: layers }, () => G.slice()), numExperts: experts.length, hidden };
}

/** hidden / hidden_avg: runs the base model (a tfjs Llama; small models only) on every prompt. */
export function hiddenGates(base: TinyLlama, experts: ExpertPrompts[], options: { average?: boolean; bos?: number | null } = {}): Gates {
  const { hidden_size: H, num_hidden_layers: L, vocab_size: V } = base.config;
  const perPrompt = new Map<string, Float64Array[]>();
  const layerVectors = (ids: number[], e: number): Float64Array[] => {
    const full = options.bos === null || options.bos === undefined ? ids : [options.bos, ...ids];
    const key = full.join(',');
    const cached = perPrompt.get(key);
    if (cached) return cached;
    for (const id of full) if (!(Number.isInteger(id) && id >= 0 && id < V)) throw new OptionError(`experts[${e}] prompt token id`, `an integer in [0, ${V})`, id);
    if (full.length === 0) throw new OptionError(`experts[${e}] prompt`, 'at least one token', '[]');
    const rows = tf.tidy(() => {
      const ids2 = tf.tensor2d([full], [1, full.length], 'int32');
      const out = base.forward(ids2, { layerInputs: true });
      const picked = out.layerInputs!.map((x) =>
        options.average ? tf.mean(x, 0) : tf.squeeze(tf.slice(x, [full.length - 1, 0], [1, H]), [0]),
      );
      const stacked = tf.stack(picked);
      tf.dispose(out.layerInputs!);
      return stacked;
    });
    const data = rows.dataSync();
    rows.dispose();
    const vecs = Array.from({ length: L }, (_, l) => Float64Array.from(data.subarray(l * H, (l + 1) * H)));
    perPrompt.set(key, vecs);
    return vecs;
  };
  const rows = Array.from({ length: L }, () => new Float32Array(experts.length * H));
  experts.forEach((prompts, e) => {
    for (let l = 0; l < L; l++) {
      const row = contrast(prompts, H, (ids) => layerVectors(ids, e)[l]);
      normalizeRow(row, rows[l].subarray(e * H, (e + 1) * H), `experts[${e}] prompts (layer ${l})`);
    }
  });
  return { rows, numExperts: experts.length, hidden: H };
}

/** random (N(0,1)) or uniform_random (U(+-1/sqrt(H))) rows. */
export function randomGates(mode: 'random' | 'uniform_random', layers: number, numExperts: number, hidden: number, seed: Seed = 0): Gates {
  const rng = createRng(`${seed}/gates`);
  const bound = 1 / Math.sqrt(hidden);
  const rows = Array.from({ length: layers }, () =>
    mode === 'random' ? rng.normalArray(numExperts * hidden) : rng.uniformArray(numExperts * hidden, -bound, bound),
  );
  return { rows, numExperts, hidden };
}

/** cond(G) = sigma_max / sigma_min of an [E, H] matrix (Infinity when rank-deficient). */
export function conditionNumber(G: Float32Array, rows: number, cols: number): number {
  const gram = new Float64Array(rows * rows);
  for (let a = 0; a < rows; a++) {
    for (let b = a; b < rows; b++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += G[a * cols + j] * G[b * cols + j];
      gram[a * rows + b] = s;
      gram[b * rows + a] = s;
    }
  }
  const { values } = jacobiEigenSymmetric(gram, rows);
  const max = Math.max(...values);
  const min = Math.min(...values);
  return min <= max * 1e-12 ? Number.POSITIVE_INFINITY : Math.sqrt(max / min);
}

/** One warning per badly conditioned layer (mergekit warns above 5: experts hard to tell apart). */
export function gateWarnings(gates: Gates, limit = 5): string[] {
  const out: string[] = [];
  gates.rows.forEach((G, l) => {
    if (gates.numExperts < 2) return;
    const cond = conditionNumber(G, gates.numExperts, gates.hidden);
    if (cond > limit) out.push(`layer ${l}: gate matrix condition number ${cond.toFixed(1)} > ${limit}; the experts' prompts give similar directions, routing may not separate them`);
  });
  return out;
}
