/**
 * addMoLA: put E low-rank adapters on chosen Dense / Conv2D layers of a user's
 * tfjs model (mola.md sections 2 and 6). mode 'grad' picks adapter t and head
 * t by task id (explicit gradient separation); mode 'router' mixes adapters
 * and heads by a router over the input, trained with the TwD loss, so
 * inference needs no task id at all.
 */
import type * as tf from '@tensorflow/tfjs';
import { OptionError, defineOptions, opt } from '@paperkit/tensor-core';
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

const isRecordOfRanks = (v: unknown) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((r) => Number.isInteger(r) && (r as number) >= 1);
const isTargets = (v: unknown) =>
  v === 'dense+conv' || v === 'dense' || v === 'conv' || (Array.isArray(v) && v.length > 0 && v.every((n) => typeof n === 'string'));
const isRouter = (v: unknown) => v === 'mlp' || (typeof v === 'object' && v !== null && typeof (v as tf.LayersModel).apply === 'function' && Array.isArray((v as tf.LayersModel).trainableWeights));
const isTwd = (v: unknown) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const t = v as Record<string, unknown>;
  const known = new Set(['weight', 'temperature', 'projectionDim', 'on']);
  if (Object.keys(t).some((k) => !known.has(k))) return false;
  const num = (x: unknown, strict: boolean) => x === undefined || (typeof x === 'number' && Number.isFinite(x) && (strict ? x > 0 : x >= 0));
  return num(t.weight, false) && num(t.temperature, true)
    && (t.projectionDim === undefined || (Number.isInteger(t.projectionDim) && (t.projectionDim as number) >= 1))
    && (t.on === undefined || t.on === 'projectedLogits' || t.on === 'gates');
};

/** addMoLA's options: rules and defaults (spec sections 2 and 5). */
export const ADD_MOLA_OPTIONS = defineOptions('addMoLA', {
  numAdapters: opt.integer({ min: 1 }),
  mode: opt.oneOf(['grad', 'router'] as const),
  numTasks: opt.optional(opt.integer({ min: 1 })),
  rank: opt.optional(opt.custom<number | Record<string, number>>('an integer >= 1 or {layerName: rank}', (v) => (Number.isInteger(v) && (v as number) >= 1) || isRecordOfRanks(v))),
  alpha: opt.number({ min: 0, exclusiveMin: true, default: 16 }),
  targets: opt.optional(opt.custom<MolaTargets>("layer names or 'dense+conv' | 'dense' | 'conv'", isTargets)),
  router: opt.optional(opt.custom<tf.LayersModel | 'mlp'>("'mlp' or a tf.LayersModel (input -> [N, E] scores)", isRouter)),
  routerHidden: opt.integer({ min: 1, default: 16 }),
  routerTemperature: opt.number({ min: 0, exclusiveMin: true, default: 1 }),
  twd: opt.optional(opt.custom<NonNullable<MolaOptions['twd']>>("{weight >= 0, temperature > 0, projectionDim >= 1, on: 'projectedLogits' | 'gates'}", isTwd)),
  trainBackbone: opt.boolean({ default: true }),
  heads: opt.oneOf(['perTask', 'shared'] as const, { default: 'perTask' }),
  seed: opt.integer({ default: 0 }),
});

/** The defaults of addMoLA (the rules above plus the structured options' defaults). */
export const ADD_MOLA_DEFAULTS = Object.freeze({
  ...ADD_MOLA_OPTIONS.defaults,
  rank: 4 as number | Record<string, number>,
  targets: 'dense+conv' as MolaTargets,
  router: 'mlp' as tf.LayersModel | 'mlp',
  twd: Object.freeze({ weight: 0.1, temperature: 1, projectionDim: 32, on: 'projectedLogits' as TwDTarget }),
});

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

/** Shared option resolution of addMoLA and the baselines (options already validated by their defineOptions). */
export function resolveConfig(model: tf.LayersModel, mode: MolaMode, o: Partial<MolaOptions> & { numTasks: number; numAdapters: number }): MolaConfig {
  const d = ADD_MOLA_DEFAULTS;
  const twd = { ...d.twd, ...(o.twd ?? {}) } as MolaConfig['twd'];
  return {
    mode,
    numTasks: o.numTasks,
    numAdapters: o.numAdapters,
    rank: o.rank ?? d.rank,
    alpha: o.alpha ?? d.alpha,
    targets: mode === 'hps' ? [] : resolveTargets(model, o.targets ?? d.targets),
    router: o.router ?? d.router,
    routerHidden: o.routerHidden ?? d.routerHidden,
    routerTemperature: o.routerTemperature ?? d.routerTemperature,
    twd,
    trainBackbone: o.trainBackbone ?? d.trainBackbone,
    heads: o.heads ?? d.heads,
    seed: o.seed ?? d.seed,
  };
}

export function addMoLA(model: tf.LayersModel, options: MolaOptions): MolaModel {
  const o = ADD_MOLA_OPTIONS.parse(options as never);
  const numTasks = o.numTasks ?? o.numAdapters;
  if (o.mode === 'grad' && numTasks !== o.numAdapters) {
    throw new OptionError('addMoLA.numTasks', `numAdapters = ${o.numAdapters} for mode 'grad' (one adapter per task)`, numTasks);
  }
  return new MolaModel(model, resolveConfig(model, o.mode, { ...o, numTasks, numAdapters: o.numAdapters }));
}
