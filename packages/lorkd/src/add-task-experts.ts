/**
 * addTaskExperts: turn a user's tfjs LayersModel into a LoRKD student (spec
 * sections 2 and 6). Every targeted Dense / Conv2D becomes a MultiExpertDense /
 * MultiExpertConv2D carrying T low-rank deltas on the original weight; the model
 * gains a second input, the [batch, T] one-hot task rows. A_t is Kaiming-uniform
 * (a = sqrt 5) and B_t = 0, so the student starts exactly equal to the base model.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, createRng, defineOptions, kaimingUniform, opt } from '@paperkit/tensor-core';
import { UnsupportedLayerError } from './errors.js';
import type { ExpertRouting } from './expert-layer.js';
import { copyWeights, freshLayer, rebuildGraph } from './graph-rebuild.js';
import { MultiExpertConv2D, type ConvFactorization } from './multi-expert-conv2d.js';
import { MultiExpertDense } from './multi-expert-dense.js';
import { registerLoRKDLayers } from './register-layers.js';

export type ExpertTargets = 'dense+conv' | 'dense' | 'conv' | string[];

export interface AddTaskExpertsOptions {
  /** Number of tasks T (regions, departments, modalities). */
  numTasks: number;
  /** Rank r of every expert (default 4, the paper's gamma). */
  rank?: number;
  /** LoRA alpha; expert t is scaled by alpha / r_t (default 16, the paper's lora_alpha). */
  alpha?: number;
  /**
   * Which layers get experts: 'dense+conv' (default), 'dense', 'conv', or explicit
   * layer names. The keyword forms skip layers that produce a model output: those are
   * the task heads, already separate per task through trainLoRKD's class blocks.
   */
  targets?: ExpertTargets;
  /** Conv delta factorisation (spec section 2), default 'lowrank-kxk-1x1'. */
  factorization?: ConvFactorization;
  /** Per-task ranks (the extended paper's "imbalance" gamma_list); overrides `rank`. */
  perTaskRank?: number[];
  /**
   * 'hard' (default): inputs [x, taskRows]. 'soft': a learned softmax router on the
   * input mixes the experts, so the model takes x alone (the soft-MoE variant for
   * unknown task ids, spec section 4).
   */
  routing?: ExpertRouting;
  /** Seed of the A_t initialisation (default 0). */
  seed?: number;
}

/** Weightless or per-channel layers that are copied unchanged. */
const PASS_THROUGH = new Set([
  'BatchNormalization', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D',
  'Flatten', 'Reshape', 'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'ThresholdedReLU', 'DepthwiseConv2D',
]);

/** Name of the task input of every student built here. */
export const TASK_INPUT_SUFFIX = 'task_rows';

/** The options of `addTaskExperts`, their rules and defaults (the paper's gamma = 4 and lora_alpha = 16). */
export const ADD_TASK_EXPERTS_OPTIONS = defineOptions('addTaskExperts', {
  numTasks: opt.integer({ min: 1 }),
  rank: opt.integer({ min: 1, default: 4 }),
  alpha: opt.number({ min: 0, exclusiveMin: true, default: 16 }),
  targets: opt.custom<ExpertTargets>(
    "'dense+conv', 'dense', 'conv' or an array of layer names",
    (v) => v === 'dense+conv' || v === 'dense' || v === 'conv' || (Array.isArray(v) && v.every((x) => typeof x === 'string')),
    { default: 'dense+conv' },
  ),
  factorization: opt.oneOf(['lowrank-kxk-1x1', 'official'] as const, { default: 'lowrank-kxk-1x1' }),
  perTaskRank: opt.optional(opt.array(opt.integer({ min: 1 }))),
  routing: opt.oneOf(['hard', 'soft'] as const, { default: 'hard' }),
  seed: opt.integer({ default: 0 }),
});

/** Defaults of `addTaskExperts`. */
export const ADD_TASK_EXPERTS_DEFAULTS = ADD_TASK_EXPERTS_OPTIONS.defaults;

export function addTaskExperts(model: tf.LayersModel, userOptions: AddTaskExpertsOptions): tf.LayersModel {
  registerLoRKDLayers();
  const options = ADD_TASK_EXPERTS_OPTIONS.parse(userOptions);
  const { numTasks, rank, alpha, targets, factorization, routing, seed } = options;
  if (options.perTaskRank !== undefined && options.perTaskRank.length !== numTasks) {
    throw new OptionError('perTaskRank', `an array of length numTasks = ${numTasks}`, options.perTaskRank);
  }
  const ranks = options.perTaskRank ? [...options.perTaskRank] : new Array<number>(numTasks).fill(rank);
  if (model.inputs.length !== 1) throw new OptionError('model', 'a model with exactly one input', model.inputs.length);
  if (Array.isArray(targets)) {
    const names = new Set(model.layers.map((l) => l.name));
    for (const name of targets) if (!names.has(name)) throw new OptionError('targets', `names of layers of the model (${[...names].join(', ')})`, name);
  }
  for (const layer of model.layers) checkSupported(layer);

  const outputLayerNames = new Set(model.outputs.map((t) => t.sourceLayer.name));
  const isTarget = (layer: tf.layers.Layer): boolean => {
    const cls = layer.getClassName();
    if (Array.isArray(targets)) return targets.includes(layer.name);
    if (outputLayerNames.has(layer.name)) return false;
    if (cls === 'Dense') return targets !== 'conv';
    if (cls === 'Conv2D') return targets !== 'dense';
    return false;
  };

  const rng = createRng(seed).fork('lorkd-experts');
  const x = tf.input({ shape: model.inputs[0].shape.slice(1) as number[] });
  let taskRows: tf.SymbolicTensor;
  const inputs: tf.SymbolicTensor[] = [x];
  if (routing === 'soft') {
    const flat = x.shape.length > 2 ? (tf.layers.flatten({ name: 'lorkd_router_flatten' }).apply(x) as tf.SymbolicTensor) : x;
    taskRows = tf.layers.dense({ units: numTasks, activation: 'softmax', name: 'lorkd_router', kernelInitializer: 'zeros' }).apply(flat) as tf.SymbolicTensor;
  } else {
    taskRows = tf.input({ shape: [numTasks], name: `${model.name}_${TASK_INPUT_SUFFIX}` });
    inputs.push(taskRows);
  }

  const outputs = rebuildGraph(model, [x], (layer, ins) => {
    const cls = layer.getClassName();
    if (isTarget(layer)) {
      if (cls !== 'Dense' && cls !== 'Conv2D') {
        throw new UnsupportedLayerError(layer.name, cls, 'only Dense and Conv2D layers can carry task experts');
      }
      const expert = cls === 'Dense'
        ? makeDenseExpert(layer, ins[0], ranks, alpha, routing)
        : makeConvExpert(layer, ranks, alpha, routing, factorization);
      const out = expert.apply([ins[0], taskRows]) as tf.SymbolicTensor;
      initExperts(expert, layer, ranks, factorization, rng);
      return out;
    }
    const copy = freshLayer(layer);
    const out = copy.apply(ins.length === 1 ? ins[0] : ins) as tf.SymbolicTensor;
    copyWeights(layer, copy);
    return out;
  });
  return tf.model({ inputs, outputs, name: `${model.name}_lorkd` });
}

function checkSupported(layer: tf.layers.Layer): void {
  const cls = layer.getClassName();
  if (cls === 'InputLayer' || cls === 'Dense' || cls === 'Conv2D' || PASS_THROUGH.has(cls)) {
    if (cls === 'Conv2D') {
      const config = layer.getConfig() as { dataFormat?: string };
      if (config.dataFormat === 'channelsFirst') throw new UnsupportedLayerError(layer.name, cls, 'only channelsLast convs are supported');
    }
    return;
  }
  throw new UnsupportedLayerError(layer.name, cls);
}

function maxRank(layer: tf.layers.Layer, kernelShape: number[]): number {
  if (layer.getClassName() === 'Dense') return Math.min(kernelShape[0], kernelShape[1]);
  const [kh, kw, cin, cout] = kernelShape;
  return Math.min(cout, cin * kh * kw);
}

function checkRanks(layer: tf.layers.Layer, ranks: number[], kernelShape: number[]): void {
  const limit = maxRank(layer, kernelShape);
  ranks.forEach((r, t) => {
    if (r > limit) {
      throw new OptionError(`rank (task ${t}, layer "${layer.name}")`, `<= min(C_out, C_in*k*k) = ${limit}`, r);
    }
  });
}

function makeDenseExpert(layer: tf.layers.Layer, x: tf.SymbolicTensor, ranks: number[], alpha: number, routing: ExpertRouting): MultiExpertDense {
  const config = layer.getConfig() as { units: number; activation: string; useBias: boolean; name: string };
  if (x.shape.length !== 2) throw new UnsupportedLayerError(layer.name, 'Dense', 'experts need a 2-D input [batch, features]; add a Flatten first');
  checkRanks(layer, ranks, layer.getWeights()[0].shape);
  return new MultiExpertDense({
    units: config.units, activation: config.activation, useBias: config.useBias, name: config.name,
    numTasks: ranks.length, ranks, alpha, routing,
  });
}

function makeConvExpert(
  layer: tf.layers.Layer, ranks: number[], alpha: number, routing: ExpertRouting, factorization: ConvFactorization,
): MultiExpertConv2D {
  const config = layer.getConfig() as {
    filters: number; kernelSize: number[]; strides: number[]; padding: string; dilationRate: number | number[];
    activation: string; useBias: boolean; name: string;
  };
  const pair = (v: number | number[]): [number, number] => (Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v]);
  if (config.padding !== 'valid' && config.padding !== 'same') {
    throw new UnsupportedLayerError(layer.name, 'Conv2D', `padding "${config.padding}" is not supported`);
  }
  const kernelSize = pair(config.kernelSize);
  if (factorization === 'official' && kernelSize[0] !== kernelSize[1]) {
    throw new OptionError('factorization', `'lowrank-kxk-1x1' for the non-square kernel of layer "${layer.name}"`, factorization);
  }
  checkRanks(layer, ranks, layer.getWeights()[0].shape);
  return new MultiExpertConv2D({
    filters: config.filters, kernelSize, strides: pair(config.strides), padding: config.padding,
    dilationRate: pair(config.dilationRate), activation: config.activation, useBias: config.useBias, name: config.name,
    numTasks: ranks.length, ranks, alpha, routing, factorization,
  });
}

/** W0 (and bias) from the base layer; A_t Kaiming-uniform (a = sqrt 5); B_t = 0 (spec section 2, "Init"). */
function initExperts(
  expert: MultiExpertDense | MultiExpertConv2D, base: tf.layers.Layer, ranks: number[], factorization: ConvFactorization, rng: ReturnType<typeof createRng>,
): void {
  const baseWeights = base.getWeights();
  const current = expert.getWeights();
  const aShape = current[current.length - 2].shape as number[];
  const bShape = current[current.length - 1].shape;
  const layerRng = rng.fork(base.name);
  const a = tf.tidy(() => {
    if (expert instanceof MultiExpertDense) {
      return tf.concat(ranks.map((r) => kaimingUniform(layerRng, [aShape[0], r])), 1);
    }
    if (factorization === 'official') {
      const k = expert.kernelSize[0];
      // PyTorch's kaiming_uniform_ on A_t [(r k), (C_in k)] uses fan-in C_in k.
      return tf.concat(ranks.map((r) => tf.transpose(kaimingUniform(layerRng, [aShape[1], r * k]))), 0);
    }
    return tf.concat(ranks.map((r) => kaimingUniform(layerRng, [aShape[0], aShape[1], aShape[2], r])), 3);
  });
  const b = tf.zeros(bShape);
  expert.setWeights([...baseWeights, a, b]);
  a.dispose();
  b.dispose();
}
