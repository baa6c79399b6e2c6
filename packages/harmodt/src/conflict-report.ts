/**
 * conflictReport (harmodt.md §6 extras, §5 "Mechanism"): per-task gradients of the DT loss at
 * each task's own weights θ ⊙ m_i, restricted to the maskable weights and masked by m_i
 * (what a task's step can actually change):
 * - pairwise cosines cos(g_i, g_j) (conflict when < 0);
 * - within-mask conflict rate of task i: the share of its active coordinates where
 *   agree_i = ḡ · g_i < 0, ḡ the mean task gradient (§S3).
 * Works for a HarmoDT (its masks) and a plain DecisionTransformer (all-ones masks, MT-DT).
 */
import { createRng, type Seed } from '@paperkit/tensor-core';
import { DecisionTransformer, cosineMatrix, drawBatch, flatGradient, meanGradient, type MultiTaskDataset } from '@paperkit/offline-rl';
import { HarmoDT } from './harmo-dt.js';

export interface ConflictReport {
  tasks: string[];
  /** cosines[i][j] = cos(g_i, g_j). */
  cosines: number[][];
  /** Per task: share of active coordinates with agree < 0. */
  conflictRate: number[];
  meanConflictRate: number;
  /** Share of task pairs with a negative cosine. */
  conflictingPairs: number;
}

export interface ConflictReportOptions {
  /** Batches averaged per task gradient. Default 4. */
  batches?: number;
  /** Windows per batch. Default 32. */
  batchSize?: number;
  /** Global-norm clip applied to each batch gradient (0 = none). Default 0. */
  gradClip?: number;
  seed?: Seed;
}

export async function conflictReport(model: HarmoDT | DecisionTransformer, data: MultiTaskDataset, options: ConflictReportOptions = {}): Promise<ConflictReport> {
  const batches = options.batches ?? 4;
  const batchSize = options.batchSize ?? 32;
  const rng = createRng(`conflict:${options.seed ?? 0}`);
  const dt = model instanceof HarmoDT ? model.dt : model;
  const N = data.numTasks;
  const grads: Float32Array[] = [];
  const masks: Uint8Array[] = [];
  for (let t = 0; t < N; t++) {
    let sum: Float32Array | null = null;
    for (let b = 0; b < batches; b++) {
      const batch = drawBatch(dt, data, 0, { batchSize, sampling: 'round-robin', promptFromTop: 5 }, rng, [t]);
      let g: Float32Array;
      if (model instanceof HarmoDT) {
        g = await model.maskedGradient(batch, model.groupOf[t]);
      } else {
        const vars = dt.namedVariables().filter(([n, v]) => n.startsWith('block') && n.endsWith('/kernel') && v.rank === 2).map(([, v]) => v);
        g = await flatGradient(dt, batch, vars, options.gradClip ?? 0);
      }
      if (!sum) sum = new Float32Array(g.length);
      for (let k = 0; k < g.length; k++) sum[k] += g[k] / batches;
    }
    const mask = model instanceof HarmoDT ? model.masks().masks[model.groupOf[t]] : new Uint8Array(sum!.length).fill(1);
    for (let k = 0; k < sum!.length; k++) if (!mask[k]) sum![k] = 0;
    grads.push(sum!);
    masks.push(mask);
  }
  const mean = meanGradient(grads);
  const conflictRate = grads.map((g, i) => {
    let active = 0;
    let bad = 0;
    for (let k = 0; k < g.length; k++) {
      if (!masks[i][k]) continue;
      active++;
      if (mean[k] * g[k] < 0) bad++;
    }
    return active > 0 ? bad / active : 0;
  });
  const cosines = cosineMatrix(grads);
  let pairs = 0;
  let negative = 0;
  for (let i = 0; i < N; i++) for (let j = i + 1; j < N; j++) {
    pairs++;
    if (cosines[i][j] < 0) negative++;
  }
  return {
    tasks: [...data.taskNames],
    cosines,
    conflictRate,
    meanConflictRate: conflictRate.reduce((a, b) => a + b, 0) / N,
    conflictingPairs: pairs > 0 ? negative / pairs : 0,
  };
}
