/**
 * PEFT baseline "LoRA on the FM" (spec section 4): every Dense layer of the FM up to its
 * feature layer becomes a tensor-core LoRADense (frozen base W0, b; rank 4, alpha 8), and
 * the low-rank deltas and a head are trained on CE. The FM runs (and back-propagates to the
 * adapters) in every step, so this baseline cannot use the feature cache; it trains on the
 * cache's jittered inputs, i.e. the same data and augmentation as RD.
 */
import * as tf from '@tensorflow/tfjs';
import {
  Dense, LoRADense, OptionError, applyActivation, createRng, softmaxCrossEntropy, type Activation, type FitResult,
} from '@paperkit/tensor-core';
import type { TeacherCache } from '../teacher-cache.js';
import { trainOnRows } from '../train-loop.js';
import { training, type BaselineTraining } from './rows.js';

export const LORA_PROBE_DEFAULTS = Object.freeze({ rank: 4, alpha: 8 });

export interface LoRAFeatureExtractor {
  layers: LoRADense[];
  activations: Activation[];
  /** x -> adapted FM features. */
  apply(x: tf.Tensor): tf.Tensor;
  /** The A and B matrices (bases are frozen). */
  readonly trainableVariables: tf.Variable[];
  parameterCount(): number;
  dispose(): void;
}

const SUPPORTED: readonly string[] = ['relu', 'linear', 'tanh', 'sigmoid', 'gelu'];

/**
 * A LoRA copy of a chain of Dense layers of `model` (input to `featureLayer`, default the
 * last layer). Other layer types are refused with an OptionError naming the layer.
 */
export function loraFeatureExtractor(
  model: tf.LayersModel,
  options: { featureLayer?: string; rank?: number; alpha?: number; seed?: number | string } = {},
): LoRAFeatureExtractor {
  if (!(model instanceof tf.LayersModel)) throw new OptionError('loraFeatureExtractor.model', 'a tf.LayersModel', typeof model);
  const rank = options.rank ?? LORA_PROBE_DEFAULTS.rank;
  const alpha = options.alpha ?? LORA_PROBE_DEFAULTS.alpha;
  const chain = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  const end = options.featureLayer === undefined ? chain.length - 1 : chain.findIndex((l) => l.name === options.featureLayer);
  if (end < 0) throw new OptionError('loraFeatureExtractor.featureLayer', `one of ${chain.map((l) => l.name).join(', ')}`, options.featureLayer);
  const rng = createRng(options.seed ?? 0).fork('lora');
  const layers: LoRADense[] = [];
  const activations: Activation[] = [];
  try {
    for (const layer of chain.slice(0, end + 1)) {
      const config = layer.getConfig() as { activation?: string; useBias?: boolean };
      if (layer.getClassName() !== 'Dense' || !SUPPORTED.includes(config.activation ?? 'linear')) {
        throw new OptionError('loraFeatureExtractor.model', `a chain of Dense layers (${SUPPORTED.join('/')}) up to the feature layer`, `${layer.getClassName()} "${layer.name}"`);
      }
      const [kernel, bias] = layer.getWeights();
      const [inDim, outDim] = kernel.shape as [number, number];
      layers.push(new LoRADense({ inDim, outDim, rank: Math.min(rank, inDim, outDim), alpha, base: { kernel, bias }, rng: rng.fork(layer.name), name: `lora_${layer.name}` }));
      activations.push((config.activation ?? 'linear') as Activation);
    }
  } catch (error) {
    layers.forEach((l) => l.dispose());
    throw error;
  }
  return {
    layers,
    activations,
    apply: (x) => tf.tidy(() => layers.reduce<tf.Tensor>((h, l, i) => applyActivation(l.apply(h), activations[i]), x)),
    get trainableVariables() {
      return layers.flatMap((l) => l.trainableVariables);
    },
    parameterCount: () => layers.reduce((a, l) => a + l.parameterCount(), 0),
    dispose: () => layers.forEach((l) => l.dispose()),
  };
}

export interface TrainLoRAProbeOptions extends BaselineTraining {
  /** The FM as a chain of Dense layers. */
  teacher: tf.LayersModel;
  teacherFeatureLayer?: string;
  data: TeacherCache;
  numClasses: number;
  rank?: number;
  alpha?: number;
}

export interface LoRAProbeResult {
  extractor: LoRAFeatureExtractor;
  head: Dense;
  /** x -> logits through the LoRA-adapted FM. */
  predict(x: tf.Tensor): tf.Tensor;
  /** Trained parameters (A, B, head). */
  trainedParams: number;
  history: FitResult;
  dispose(): void;
}

export async function trainLoRAProbe(options: TrainLoRAProbeOptions): Promise<LoRAProbeResult> {
  const cache = options.data;
  if (!(cache?.x instanceof tf.Tensor)) throw new OptionError('trainLoRAProbe.data', 'a teacher cache (cacheTeacherFeatures)', typeof cache);
  const t = training(options);
  const extractor = loraFeatureExtractor(options.teacher, { featureLayer: options.teacherFeatureLayer, rank: options.rank, alpha: options.alpha, seed: t.seed });
  const pT = extractor.layers[extractor.layers.length - 1].outDim;
  const head = new Dense({ inDim: pT, outDim: options.numClasses, rng: createRng(t.seed).fork('lora-head'), name: 'lora_probe_head' });
  const predict = (x: tf.Tensor) => tf.tidy(() => head.apply(extractor.apply(x)));
  try {
    const history = await trainOnRows({
      ...t,
      rows: cache.x.shape[0] as number,
      variables: [...extractor.trainableVariables, ...head.trainableVariables],
      loss: (idx) => softmaxCrossEntropy(tf.gather(cache.labels, idx), predict(tf.gather(cache.x, idx))),
    });
    const trainedParams = extractor.trainableVariables.reduce((a, v) => a + v.size, 0) + head.parameterCount();
    return { extractor, head, predict, trainedParams, history, dispose: () => (extractor.dispose(), head.dispose()) };
  } catch (error) {
    extractor.dispose();
    head.dispose();
    throw error;
  }
}
