/**
 * Single shared LoRA (mola.md section 4): E = 1 adapter used by every sample
 * (gamma = 1), per-task heads. A capacity control: trained from scratch with
 * the backbone it equals HPS up to re-parametrisation.
 */
import type * as tf from '@tensorflow/tfjs';
import { defineOptions, opt } from '@paperkit/tensor-core';
import { ADD_MOLA_OPTIONS, resolveConfig, type MolaOptions } from '../add-mola.js';
import { MolaModel } from '../mola-model.js';

export type SharedLoRAOptions = Pick<MolaOptions, 'rank' | 'alpha' | 'targets' | 'trainBackbone' | 'seed'> & { numTasks: number };

const S = ADD_MOLA_OPTIONS.spec;
export const SHARED_LORA_OPTIONS = defineOptions('sharedLoRA', {
  numTasks: opt.integer({ min: 1 }),
  rank: S.rank, alpha: S.alpha, targets: S.targets, trainBackbone: S.trainBackbone, seed: S.seed,
});

export function sharedLoRA(model: tf.LayersModel, options: SharedLoRAOptions): MolaModel {
  const o = SHARED_LORA_OPTIONS.parse(options as never);
  return new MolaModel(model, resolveConfig(model, 'lora', { ...o, numAdapters: 1 }));
}
