/**
 * addMoLA: put E low-rank adapters on chosen Dense / Conv2D layers of a user's
 * tfjs model (mola.md sections 2 and 6). mode 'grad' picks adapter t and head
 * t by task id (explicit gradient separation); mode 'router' mixes adapters
 * and heads by a router over the input, trained with the TwD loss, so
 * inference needs no task id at all.
 */
import type * as tf from '@tensorflow/tfjs';
import { OptionError } from '@paperkit/tensor-core';
import { MolaModel, type MolaConfig, type MolaMode, type TwDTarget } from './mola-model.js';

export type MolaTargets = 'dense+conv' | 'dense' | 'conv' | string[];

export interface MolaOptions {
  /** E: number of adapters (= number of tasks for 'grad'). */
  numAdapters: number;
  mode: 'grad' | 'router';
  /** Number of tasks T (task ids in [0, T)). Default numAdapters; must equal it for 'grad'. */
  numTasks?: number;
  /** Adapter rank r, or one per layer name. Default 4 (spec section 5; official 4, 8 in the last stage). */
  rank?: number | Record<string, number>;
  /** s = alpha / r. Default 16 (official --lora_alpha). */
  alpha?: number;
  /**
   * Layers to adapt: names, or 'dense+conv' (default) / 'dense' / 'conv' for
   * every such layer except the output head.
   */
  targets?: MolaTargets;
  /** 'mlp' (default: MLP hidden 16 on the flattened input) or a tfjs model input -> [N, E] scores. */
  router?: tf.LayersModel | 'mlp';
  /** Hidden width of the default router. Default 16. */
  routerHidden?: number;
  /** gamma = softmax(scores / T). Default 1. */
  routerTemperature?: number;
  /** TwD (router only): weight 0.1, temperature 1, projectionDim 32, on 'projectedLogits' (official). weight 0 = no TwD. */
  twd?: { weight?: number; temperature?: number; projectionDim?: number; on?: TwDTarget };
  /** Train the shared backbone too (default true, the paper); false = frozen-base LoRA. */
  trainBackbone?: boolean;
  /** 'perTask' (default): the output Dense becomes one head per task (grad) or per adapter (router). 'shared': one head. */
  heads?: 'perTask' | 'shared';
  /** Seed of the adapter, router and projection initialisation. Default 0. */
  seed?: number;
}

/** The defaults of addMoLA (spec sections 2 and 5). */
export const ADD_MOLA_DEFAULTS = Object.freeze({
  rank: 4,
  alpha: 16,
  targets: 'dense+conv' as MolaTargets,
  router: 'mlp' as const,
  routerHidden: 16,
  routerTemperature: 1,
  twd: Object.freeze({ weight: 0.1, temperature: 1, projectionDim: 32, on: 'projectedLogits' as TwDTarget }),
  trainBackbone: true,
  heads: 'perTask' as const,
  seed: 0,
});

function positiveInt(name: string, v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < 1) throw new OptionError(name, 'an integer >= 1', v);
  return v as number;
}

function positive(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new OptionError(name, 'a positive number', v);
  return v;
}

/** Resolve target keywords to layer names (the output layer is excluded: it is the head). */
export function resolveTargets(model: tf.LayersModel, targets: MolaTargets, option = 'targets'): string[] {
  if (Array.isArray(targets)) {
    if (targets.length === 0) throw new OptionError(option, 'at least one layer name', targets);
    return [...targets];
  }
  if (targets !== 'dense+conv' && targets !== 'dense' && targets !== 'conv') {
    throw new OptionError(option, "layer names or 'dense+conv' | 'dense' | 'conv'", targets);
  }
  const head = model.outputs?.[0]?.sourceLayer?.name;
  const names = model.layers
    .filter((l) => l.name !== head)
    .filter((l) => {
      const cls = l.getClassName();
      return (cls === 'Dense' && targets !== 'conv') || (cls === 'Conv2D' && targets !== 'dense');
    })
    .map((l) => l.name);
  if (names.length === 0) throw new OptionError(option, `a model with at least one ${targets} layer besides the head`, targets);
  return names;
}

/** Shared option resolution of addMoLA and the baselines. */
export function resolveConfig(model: tf.LayersModel, mode: MolaMode, o: Partial<MolaOptions> & { numTasks: number; numAdapters: number }): MolaConfig {
  const d = ADD_MOLA_DEFAULTS;
  const twd = { ...d.twd, ...(o.twd ?? {}) };
  if (typeof twd.weight !== 'number' || !(twd.weight >= 0) || !Number.isFinite(twd.weight)) throw new OptionError('twd.weight', 'a number >= 0', twd.weight);
  positive('twd.temperature', twd.temperature);
  positiveInt('twd.projectionDim', twd.projectionDim);
  if (twd.on !== 'projectedLogits' && twd.on !== 'gates') throw new OptionError('twd.on', "'projectedLogits' or 'gates'", twd.on);
  const alpha = positive('alpha', o.alpha ?? d.alpha);
  const rank = o.rank ?? d.rank;
  if (typeof rank === 'number') positiveInt('rank', rank);
  else if (rank === null || typeof rank !== 'object') throw new OptionError('rank', 'an integer >= 1 or {layerName: rank}', rank);
  const heads = o.heads ?? d.heads;
  if (heads !== 'perTask' && heads !== 'shared') throw new OptionError('heads', "'perTask' or 'shared'", heads);
  const router = o.router ?? d.router;
  if (router !== 'mlp' && (typeof router !== 'object' || typeof (router as tf.LayersModel).apply !== 'function')) {
    throw new OptionError('router', "'mlp' or a tf.LayersModel", router);
  }
  return {
    mode,
    numTasks: o.numTasks,
    numAdapters: o.numAdapters,
    rank,
    alpha,
    targets: mode === 'hps' ? [] : resolveTargets(model, o.targets ?? d.targets),
    router,
    routerHidden: positiveInt('routerHidden', o.routerHidden ?? d.routerHidden),
    routerTemperature: positive('routerTemperature', o.routerTemperature ?? d.routerTemperature),
    twd,
    trainBackbone: o.trainBackbone ?? d.trainBackbone,
    heads,
    seed: o.seed ?? d.seed,
  };
}

export function addMoLA(model: tf.LayersModel, options: MolaOptions): MolaModel {
  if (options === null || typeof options !== 'object') throw new OptionError('options', '{numAdapters, mode, ...}', options);
  const numAdapters = positiveInt('numAdapters', options.numAdapters);
  if (options.mode !== 'grad' && options.mode !== 'router') throw new OptionError('mode', "'grad' or 'router'", options.mode);
  const numTasks = positiveInt('numTasks', options.numTasks ?? numAdapters);
  if (options.mode === 'grad' && numTasks !== numAdapters) {
    throw new OptionError('numTasks', `numAdapters = ${numAdapters} for mode 'grad' (one adapter per task)`, numTasks);
  }
  return new MolaModel(model, resolveConfig(model, options.mode, { ...options, numTasks, numAdapters }));
}
