/**
 * HarmoDT options with the CPU defaults of harmodt.md §5/§6 (paper values in the comments).
 */
import { OptionError, type Activation, type Seed } from '@paperkit/tensor-core';
import type { Conditioning } from '@paperkit/offline-rl';
import type { Importance } from './harmony-mask-update.js';

export interface HarmoDTOptions {
  stateDim: number;
  actDim: number;
  numTasks: number;
  /** Width D. CPU 32 / paper 256. */
  embedDim?: number;
  /** Blocks. CPU 2 / paper 6. */
  layers?: number;
  /** Heads. CPU 2 / paper 8. */
  heads?: number;
  /** Block MLP width. Default 4 · embedDim. */
  ffnDim?: number;
  /** Window K. CPU 5 / paper 20. */
  context?: number;
  /** CPU 0 / paper 0.1. */
  dropout?: number;
  /** Block MLP activation. Default 'relu' (official). */
  activation?: Activation;
  /** Timestep table size. Default 1000 (at least the longest episode). */
  maxEpisodeLength?: number;
  /** Task signal besides the masks: 'none' (default here: masks are the only task signal, "HarmoDT-noID"), 'taskEmbedding', or 'prompt' (paper). */
  conditioning?: Conditioning;
  /** Prompt length k* for 'prompt'. Default 5. */
  promptLength?: number;
  /** Adam(W) learning rate. CPU 1e-3 / paper 1e-4. */
  lr?: number;
  /** AdamW decoupled weight decay. 1e-4 (paper and CPU). */
  weightDecay?: number;
  /** Linear learning-rate warm-up steps. CPU 0 / paper 10,000. */
  warmupSteps?: number;
  /** Windows per step (one task per step, round robin). CPU 32 / paper 8. */
  batchSize?: number;
  /** Global gradient-norm clip. CPU 1 / paper 0.25. */
  gradClip?: number;
  /** s: each mask keeps a share 1 − s of the maskable weights. 0.2 (paper and CPU). */
  sparsity?: number;
  /** 'erk' (default, official) or 'uniform'. */
  maskInit?: 'erk' | 'uniform';
  /** Outer (mask) update every this many steps. CPU 25 / paper 500. */
  maskInterval?: number;
  /** η_max: a fraction (< 1) of the maskable weights, or an integer count. CPU 0.005 / paper 100. */
  changeMax?: number;
  /** γ weighting the agreement in the removal score. 10. */
  gamma?: number;
  /** Removal importance: 'fisher' (default, HarmoDT-F), 'magnitude', 'none'. */
  importance?: Importance;
  /** Revival scoring: 'unmasked' (default, paper intent) or 'official' (code quirk b). */
  revive?: 'unmasked' | 'official';
  /** false = masks stay at their initialisation (the RandMask ablation). Default true. */
  maskUpdate?: boolean;
  seed?: Seed;
}

export type ResolvedHarmoDTOptions = Required<Omit<HarmoDTOptions, 'ffnDim'>> & { ffnDim: number };

/** The CPU defaults (harmodt.md §5). */
export const HARMODT_DEFAULTS = Object.freeze({
  embedDim: 32,
  layers: 2,
  heads: 2,
  context: 5,
  dropout: 0,
  activation: 'relu' as Activation,
  maxEpisodeLength: 1000,
  conditioning: 'none' as Conditioning,
  promptLength: 5,
  lr: 1e-3,
  weightDecay: 1e-4,
  warmupSteps: 0,
  batchSize: 32,
  gradClip: 1,
  sparsity: 0.2,
  maskInit: 'erk' as const,
  maskInterval: 25,
  changeMax: 0.005,
  gamma: 10,
  importance: 'fisher' as Importance,
  revive: 'unmasked' as const,
  maskUpdate: true,
  seed: 0 as Seed,
});

/** The official code's values (main.py), for reference and for `paper: true` style configs. */
export const HARMODT_PAPER_VALUES = Object.freeze({
  embedDim: 256, layers: 6, heads: 8, context: 20, dropout: 0.1, lr: 1e-4, weightDecay: 1e-4, warmupSteps: 10_000,
  batchSize: 8, gradClip: 0.25, sparsity: 0.2, maskInterval: 500, changeMax: 100, gamma: 10, maxIters: 1_000_000,
});

export function resolveHarmoDTOptions(options: HarmoDTOptions): ResolvedHarmoDTOptions {
  if (options === null || typeof options !== 'object') throw new OptionError('HarmoDT options', '{stateDim, actDim, numTasks, ...}', options);
  const o = { ...HARMODT_DEFAULTS, ...stripUndefined(options) } as ResolvedHarmoDTOptions;
  o.ffnDim = options.ffnDim ?? 4 * o.embedDim;
  for (const k of ['stateDim', 'actDim', 'numTasks', 'embedDim', 'layers', 'heads', 'context', 'batchSize', 'maskInterval', 'promptLength'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new OptionError(k, 'a positive integer', o[k]);
  }
  if (!(typeof o.sparsity === 'number' && o.sparsity >= 0 && o.sparsity < 1)) throw new OptionError('sparsity', 'a number in [0, 1)', o.sparsity);
  if (!(o.lr > 0)) throw new OptionError('lr', 'a number > 0', o.lr);
  if (!(o.weightDecay >= 0)) throw new OptionError('weightDecay', 'a number >= 0', o.weightDecay);
  if (!(Number.isInteger(o.warmupSteps) && o.warmupSteps >= 0)) throw new OptionError('warmupSteps', 'an integer >= 0', o.warmupSteps);
  if (!(o.gradClip >= 0)) throw new OptionError('gradClip', 'a number >= 0', o.gradClip);
  if (!(o.changeMax >= 0) || (o.changeMax >= 1 && !Number.isInteger(o.changeMax))) {
    throw new OptionError('changeMax', 'a fraction in [0, 1) of the maskable weights or an integer count', o.changeMax);
  }
  if (!(o.gamma >= 0)) throw new OptionError('gamma', 'a number >= 0', o.gamma);
  if (!['fisher', 'magnitude', 'none'].includes(o.importance)) throw new OptionError('importance', "'fisher' | 'magnitude' | 'none'", o.importance);
  if (!['unmasked', 'official'].includes(o.revive)) throw new OptionError('revive', "'unmasked' | 'official'", o.revive);
  if (!['erk', 'uniform'].includes(o.maskInit)) throw new OptionError('maskInit', "'erk' | 'uniform'", o.maskInit);
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
