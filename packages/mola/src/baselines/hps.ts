/**
 * Hard parameter sharing (mola.md section 4): the user's backbone shared by
 * every task, one head per task, L = sum_t L_t. HPS-wide is the same built on a
 * wider model; paramMatchedWidth finds the width.
 */
import type * as tf from '@tensorflow/tfjs';
import { OptionError, defineOptions, opt } from '@paperkit/tensor-core';
import { resolveConfig } from '../add-mola.js';
import { MolaModel } from '../mola-model.js';

export interface HpsOptions {
  numTasks: number;
  trainBackbone?: boolean;
}

export const HPS_OPTIONS = defineOptions('hardParameterSharing', {
  numTasks: opt.integer({ min: 1 }),
  trainBackbone: opt.boolean({ default: true }),
});

export function hardParameterSharing(model: tf.LayersModel, options: HpsOptions): MolaModel {
  const o = HPS_OPTIONS.parse(options);
  return new MolaModel(model, resolveConfig(model, 'hps', { numTasks: o.numTasks, numAdapters: 0, trainBackbone: o.trainBackbone }));
}

/**
 * The smallest width w in [min, max] whose HPS model has at least `targetParams`
 * trainable parameters ("HPS with hidden width raised until its parameter
 * count equals MoLA's"). `build(w)` makes the user's model at width w.
 */
export function paramMatchedWidth(
  build: (width: number) => tf.LayersModel,
  numTasks: number,
  targetParams: number,
  range: { min: number; max: number },
): { width: number; params: number } {
  for (let w = range.min; w <= range.max; w++) {
    const base = build(w);
    const hps = hardParameterSharing(base, { numTasks });
    const params = hps.trainableParameterCount();
    hps.dispose();
    base.dispose();
    if (params >= targetParams) return { width: w, params };
  }
  throw new OptionError('range.max', `a width whose HPS reaches ${targetParams} parameters`, range.max);
}
