/**
 * Single shared LoRA (mola.md section 4): E = 1 adapter used by every sample
 * (gamma = 1), per-task heads. A capacity control: trained from scratch with
 * the backbone it equals HPS up to re-parametrisation.
 */
import type * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { resolveConfig, type MolaOptions } from '../add-mola.js';
import { MolaModel } from '../mola-model.js';

export type SharedLoRAOptions = Pick<MolaOptions, 'rank' | 'alpha' | 'targets' | 'trainBackbone' | 'seed'> & { numTasks: number };

export function sharedLoRA(model: tf.LayersModel, options: SharedLoRAOptions): MolaModel {
  if (!Number.isInteger(options?.numTasks) || options.numTasks < 1) throw new OptionError('numTasks', 'an integer >= 1', options?.numTasks);
  return new MolaModel(model, resolveConfig(model, 'lora', { ...options, numAdapters: 1 }));
}
