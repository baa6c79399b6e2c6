/**
 * HarmoDT options with the CPU defaults of harmodt.md §5/§6 (paper values in the comments).
 */
import { OptionError, defineOptions, opt, type Activation, type Seed } from '@paperkit/tensor-core';
import { DT_SIZE_RULES, type Conditioning } from '@paperkit/offline-rl';
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

const isSeed = (v: unknown) => typeof v === 'number' || typeof v === 'string';

/**
 * The options of `new HarmoDT(...)`: each rule with its CPU default (harmodt.md §5/§6); the
 * paper's (official main.py) values are in HARMODT_PAPER_VALUES and the option docs above.
 */
export const HARMODT_OPTIONS = defineOptions('HarmoDT', {
  ...DT_SIZE_RULES,
  numTasks: opt.integer({ min: 1 }),
  ffnDim: opt.optional(opt.integer({ min: 1 })),
  dropout: opt.number({ min: 0, max: 1, exclusiveMax: true, default: 0 }),
  activation: opt.oneOf(['relu', 'gelu', 'tanh', 'sigmoid', 'linear'] as const, { default: 'relu' }),
  maxEpisodeLength: opt.integer({ min: 1, default: 1000 }),
  conditioning: opt.oneOf(['none', 'taskEmbedding', 'prompt'] as const, { default: 'none' }),
  promptLength: opt.integer({ min: 1, default: 5 }),
  lr: opt.number({ min: 0, exclusiveMin: true, default: 1e-3 }),
  weightDecay: opt.number({ min: 0, default: 1e-4 }),
  warmupSteps: opt.integer({ min: 0, default: 0 }),
  batchSize: opt.integer({ min: 1, default: 32 }),
  gradClip: opt.number({ min: 0, default: 1 }),
  sparsity: opt.number({ min: 0, max: 1, exclusiveMax: true, default: 0.2 }),
  maskInit: opt.oneOf(['erk', 'uniform'] as const, { default: 'erk' }),
  maskInterval: opt.integer({ min: 1, default: 25 }),
  changeMax: opt.custom<number>(
    'a fraction in [0, 1) of the maskable weights or an integer count',
    (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && (v < 1 || Number.isInteger(v)),
    { default: 0.005 },
  ),
  gamma: opt.number({ min: 0, default: 10 }),
  importance: opt.oneOf(['fisher', 'magnitude', 'none'] as const, { default: 'fisher' }),
  revive: opt.oneOf(['unmasked', 'official'] as const, { default: 'unmasked' }),
  maskUpdate: opt.boolean({ default: true }),
  seed: opt.custom<Seed>('a number or string', isSeed, { default: 0 }),
});

/** The CPU defaults (harmodt.md §5). */
export const HARMODT_DEFAULTS = HARMODT_OPTIONS.defaults;

/** The official code's values (main.py), for reference and for paper-size configs. */
export const HARMODT_PAPER_VALUES = Object.freeze({
  embedDim: 256, layers: 6, heads: 8, context: 20, dropout: 0.1, lr: 1e-4, weightDecay: 1e-4, warmupSteps: 10_000,
  batchSize: 8, gradClip: 0.25, sparsity: 0.2, maskInterval: 500, changeMax: 100, gamma: 10, maxIters: 1_000_000,
});

/** Fill the defaults and check every option (OptionError naming `HarmoDT.<option>`, what was expected and what came). */
export function resolveHarmoDTOptions(options: HarmoDTOptions): ResolvedHarmoDTOptions {
  const o = HARMODT_OPTIONS.parse(options);
  if (o.embedDim % o.heads !== 0) throw new OptionError('HarmoDT.heads', `a divisor of embedDim (${o.embedDim})`, o.heads);
  return { ...o, ffnDim: o.ffnDim ?? 4 * o.embedDim };
}

/** The options of `HarmoDT.fit` / `GHarmoDT.fit` (harmodt.md §5: 1800 steps; the official code 1e6). */
export const HARMO_FIT_OPTIONS = defineOptions('HarmoDT.fit', {
  steps: opt.integer({ min: 1, default: 1800 }),
  syncEvery: opt.integer({ min: 1, default: 50 }),
  onLog: opt.optional(opt.func<(info: { step: number; loss: number; maskSwaps?: number }) => void>()),
});
