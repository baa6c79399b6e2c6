/**
 * PEFT-side baselines that deploy the FM (spec section 4), trained on cached FM features:
 * - linear probe: CE(W h_T + b, y);
 * - adapter: h_T + U relu(D h_T) (bottleneck r, U = 0 at start, so it begins as the probe), then a head.
 */
import * as tf from '@tensorflow/tfjs';
import { Dense, OptionError, createRng, softmaxCrossEntropy, type FitResult } from '@paperkit/tensor-core';
import type { TeacherCache } from '../teacher-cache.js';
import { teacherFeatureFn, type Teacher } from '../teacher-features.js';
import { trainOnRows } from '../train-loop.js';
import { training, type BaselineTraining } from './rows.js';

export interface FeatureProbeResult {
  head: Dense;
  /** The adapter's D and U (null for the linear probe). */
  adapter: { down: Dense; up: Dense } | null;
  /** Logits from FM features h_T [n, p_T] (caller disposes). */
  logitsFromFeatures(h: tf.Tensor): tf.Tensor;
  /** x -> logits through the frozen FM; only when `teacher` was given. */
  predict: ((x: tf.Tensor) => tf.Tensor) | null;
  /** Trained parameters (head, plus adapter). */
  trainedParams: number;
  history: FitResult;
  dispose(): void;
}

export interface TrainFeatureProbeOptions extends BaselineTraining {
  data: TeacherCache;
  numClasses: number;
  /** The FM, to build `predict` (evaluation on new inputs). */
  teacher?: Teacher;
  teacherFeatureLayer?: string;
}

export const ADAPTER_DEFAULTS = Object.freeze({ bottleneck: 16 });

export async function trainLinearProbe(options: TrainFeatureProbeOptions): Promise<FeatureProbeResult> {
  return trainProbe(options, 'trainLinearProbe', 0);
}

export async function trainAdapterProbe(options: TrainFeatureProbeOptions & { bottleneck?: number }): Promise<FeatureProbeResult> {
  const r = options.bottleneck ?? ADAPTER_DEFAULTS.bottleneck;
  if (!Number.isInteger(r) || r < 1) throw new OptionError('trainAdapterProbe.bottleneck', 'a positive integer', r);
  return trainProbe(options, 'trainAdapterProbe', r);
}

async function trainProbe(options: TrainFeatureProbeOptions, name: string, bottleneck: number): Promise<FeatureProbeResult> {
  const cache = options.data;
  if (!(cache?.features instanceof tf.Tensor)) throw new OptionError(`${name}.data`, 'a teacher cache (cacheTeacherFeatures)', typeof cache);
  if (cache.numClasses !== options.numClasses) throw new OptionError(`${name}.data`, `a cache built for numClasses = ${options.numClasses}`, cache.numClasses);
  const t = training(options);
  const rng = createRng(t.seed).fork(name);
  const pT = cache.features.shape[1];
  const head = new Dense({ inDim: pT, outDim: options.numClasses, rng: rng.fork('head'), name: `${name}_head` });
  let adapter: FeatureProbeResult['adapter'] = null;
  if (bottleneck > 0) {
    const up = new Dense({ inDim: bottleneck, outDim: pT, rng: rng.fork('up'), name: `${name}_up` });
    tf.tidy(() => up.kernel.assign(tf.zerosLike(up.kernel)));
    adapter = { down: new Dense({ inDim: pT, outDim: bottleneck, rng: rng.fork('down'), name: `${name}_down` }), up };
  }
  const modules = [head, ...(adapter ? [adapter.down, adapter.up] : [])];
  const logitsFromFeatures = (h: tf.Tensor) =>
    tf.tidy(() => head.apply(adapter ? tf.add(h, adapter.up.apply(tf.relu(adapter.down.apply(h)))) : h));
  try {
    const history = await trainOnRows({
      ...t,
      rows: cache.x.shape[0] as number,
      variables: modules.flatMap((m) => m.trainableVariables),
      loss: (idx) => softmaxCrossEntropy(tf.gather(cache.labels, idx), logitsFromFeatures(tf.gather(cache.features, idx))),
    });
    const featureFn = options.teacher ? teacherFeatureFn(options.teacher, options.teacherFeatureLayer) : null;
    return {
      head,
      adapter,
      logitsFromFeatures,
      predict: featureFn ? (x) => tf.tidy(() => logitsFromFeatures(featureFn(x))) : null,
      trainedParams: modules.reduce((a, m) => a + m.parameterCount(), 0),
      history,
      dispose: () => modules.forEach((m) => m.dispose()),
    };
  } catch (error) {
    modules.forEach((m) => m.dispose());
    throw error;
  }
}
