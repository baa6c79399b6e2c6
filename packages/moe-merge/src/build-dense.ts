/**
 * The dense baselines of spec section 4 (linear average, task arithmetic,
 * TIES, DARE): every tensor, FFN included, merged into one Llama checkpoint of
 * the base's shape (`moe-merge dense cfg.yaml out/`). Same streaming and
 * atomic-write path as buildMoE.
 */
import { OptionError } from '@paperkit/tensor-core';
import { saveCheckpoint } from './checkpoint.js';
import type { CheckpointDType, CheckpointTensor } from './checkpoint-types.js';
import { llamaTensorShapes } from './llama/llama-config.js';
import { checkSharedMerge, type SharedMergeConfig } from './merge-config.js';
import { mergeSharedTensor, openMergeInputs } from './merge-inputs.js';

export interface BuildDenseConfig {
  baseModel: string;
  experts: { sourceModel: string }[];
  merge: SharedMergeConfig;
  dtype?: CheckpointDType;
  seed?: number;
}

export async function buildDense(cfg: BuildDenseConfig, options: { out: string; maxShardBytes?: number; overwrite?: boolean }): Promise<{ out: string; tensorCount: number }> {
  const merge = checkSharedMerge(cfg.merge);
  if (!options.out) throw new OptionError('out', 'an output directory', options.out);
  const inputs = openMergeInputs(cfg.baseModel, cfg.experts.map((e) => e.sourceModel));
  try {
    const shapes = llamaTensorShapes(inputs.config);
    const seed = cfg.seed ?? 0;
    function* tensors(): Generator<CheckpointTensor> {
      for (const [name, shape] of shapes) yield { name, shape, data: mergeSharedTensor(inputs, name, merge, seed) };
    }
    await saveCheckpoint(options.out, { config: { ...inputs.base.config }, tensors: tensors() }, { dtype: cfg.dtype ?? 'float32', maxShardBytes: options.maxShardBytes, overwrite: options.overwrite });
    return { out: options.out, tensorCount: shapes.size };
  } finally {
    inputs.close();
  }
}
