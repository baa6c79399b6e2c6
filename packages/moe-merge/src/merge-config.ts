/**
 * What a merge is asked to do, as plain data (browser-safe): the config of
 * buildMoE (what the YAML parses to), its options and result, and the
 * shared-layer merge rule. The merge itself reads and writes checkpoint
 * directories, so it lives behind `@paperkit/moe-merge/node`.
 */
import { OptionError } from '@paperkit/tensor-core';
import type { CheckpointDType } from './checkpoint-types.js';
import type { GateMode } from './gates.js';
import { MERGE_METHODS, type MergeMethod } from './merge-tensors.js';
import type { MemoryPlan } from './memory-plan.js';
import type { RoutingReport } from './routing-report.js';

/** How shared (non-FFN) tensors are combined: copy the base, average the experts (BTX), or a merge method. */
export type SharedMergeMethod = 'base' | 'average' | MergeMethod;
export const SHARED_MERGE_METHODS: readonly SharedMergeMethod[] = ['base', 'average', ...MERGE_METHODS];

export interface SharedMergeConfig {
  /** Default 'base' (mergekit-moe's behaviour). */
  method: SharedMergeMethod;
  /** ties/dare density (default 1, mergekit). */
  density?: number;
  /** Task-vector scale (default 1, mergekit). */
  lambda?: number;
  /** Override the method's normalisation default. */
  normalize?: boolean;
  consensus?: 'sum' | 'count';
}

export function checkSharedMerge(shared: SharedMergeConfig | undefined): SharedMergeConfig {
  const s = shared ?? { method: 'base' };
  if (!SHARED_MERGE_METHODS.includes(s.method)) throw new OptionError('shared_merge.method', SHARED_MERGE_METHODS.join('|'), s.method);
  if (s.density !== undefined && !(s.density > 0 && s.density <= 1)) throw new OptionError('shared_merge.density', 'a number in (0, 1]', s.density);
  if (s.lambda !== undefined && !Number.isFinite(s.lambda)) throw new OptionError('shared_merge.lambda', 'a finite number', s.lambda);
  return s;
}

export interface ExpertConfig {
  /** Checkpoint directory of a dense expert fine-tuned from the base. */
  sourceModel: string;
  /** Text prompts (need a local tokenizer.json). */
  positivePrompts?: string[];
  negativePrompts?: string[];
  /** Prompts as token ids (no tokenizer needed). */
  positivePromptIds?: number[][];
  negativePromptIds?: number[][];
  /** Multiplies the expert's w2 (mergekit `residual_scale`). Default 1. */
  residualScale?: number;
  /** Std of seeded Gaussian noise added to the expert's FFN (mergekit `noise_scale`). Default 0. */
  noiseScale?: number;
}

export interface BuildMoEConfig {
  baseModel: string;
  experts: ExpertConfig[];
  /** Default 'hidden' (mergekit-moe). */
  gateMode?: GateMode;
  /** Top-k of the router (default 2, mergekit-moe). */
  expertsPerToken?: number;
  /** Shared (non-FFN) tensors: default {method: 'base'} (mergekit-moe); MergeME uses ties or dare_ties. */
  sharedMerge?: SharedMergeConfig;
  /** Output dtype (default bfloat16, mergekit's usual choice). */
  dtype?: CheckpointDType;
  /** Seed of DARE drops, random gates and noise (default 0). */
  seed?: number;
  /** tokenizer.json for text prompts (default `<baseModel>/tokenizer.json`). */
  tokenizer?: string;
}

export interface BuildMoEOptions {
  /** Output directory; required unless dryRun. Built in a temp dir and renamed when complete. */
  out?: string;
  /** Only check the inputs and return the plan. */
  dryRun?: boolean;
  /** Shard size in bytes (default 5e9). */
  maxShardBytes?: number;
  overwrite?: boolean;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /**
   * After writing, run the file on each expert's prompts and report per-layer routing
   * (routing-report.ts). Default: on when the output is under 256 MB (the tfjs forward
   * loads the whole model) and the gates come from prompts.
   */
  routingReport?: boolean;
}

export interface BuildMoEResult {
  out?: string;
  /** The config.json written (or that would be written). */
  config: Record<string, unknown>;
  /** Human-readable plan: one line per step. */
  plan: string[];
  warnings: string[];
  tensorCount: number;
  /** Output bytes of tensor data. */
  totalBytes: number;
  /** Per-layer routing of each expert's own prompts through the written file (when computed). */
  routing?: RoutingReport;
  /** Expected peak memory (also in the plan). */
  memory: MemoryPlan;
  /** Measured by the real run: process RSS at the start, the highest sampled RSS, and getrusage's max RSS (bytes). */
  measured?: { startRss: number; peakRss: number; maxRss: number };
}

/** Gate modes whose router rows do not read the prompts (so no tokenizer is needed). */
export function gatesReadPrompts(mode: GateMode): boolean {
  return mode !== 'random' && mode !== 'uniform_random';
}

