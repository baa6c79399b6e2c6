/**
 * The multi-task training loop behind trainLoRKD and the MTL / MTL-KD / shared
 * LoRA / soft-MoE baselines (spec sections 2 and 4): same data, same heads
 * (class blocks of one output layer), same loss code, so the baselines differ
 * from LoRKD only in the model they train and whether KD is on.
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError, createRng, fit, glorotUniform, sparseSoftmaxCrossEntropy, type OptimizerSpec } from '@paperkit/tensor-core';
import { lorkdLoss } from './lorkd-loss.js';
import { resolveOptimizer, type OptimizerChoice } from './optimizer-choice.js';
import { taskRowsFor } from './task-rows.js';
import { predictInBatches } from './predict-in-batches.js';
import { prepareTaskData, type TaskDataset } from './task-data.js';
import { classBlockMatrix, classOffsets, taskOneHot } from './task-labels.js';

export type { OptimizerChoice } from './optimizer-choice.js';

export interface KDOptions {
  /** lambda_kd (default 0.1). */
  weight?: number;
  /** tau (default 1). */
  temperature?: number;
  /** 'logits' (default): task-block logits; 'features': a student layer's output vs a projected teacher layer's output. */
  target?: 'logits' | 'features';
  /** Student feature layer for target 'features' (default: the input of the output layer). */
  studentLayer?: string;
  /** Teacher feature layer for target 'features' (default: the input of the teacher's output layer). */
  teacherLayer?: string;
  /** Teacher -> student feature map for target 'features' (only 'linear'; spec section 2). */
  projector?: 'linear';
}


export interface TrainTaskModelOptions {
  /** Model with inputs [x, taskRows] (experts) or x alone; its output has sum(classesPerTask) logits. */
  model: tf.LayersModel;
  data: TaskDataset;
  classesPerTask: number[];
  /** Labels in data.y: 'local' (default) or 'global'. */
  labels?: 'local' | 'global';
  /** Frozen teacher: a model x -> [N, sum C] logits, or those logits precomputed. */
  teacher?: tf.LayersModel | tf.Tensor;
  /** KD settings; false or weight 0 switches KD off. */
  kd?: KDOptions | false;
  /** 'task' (default): per-task heads (class blocks); 'global': one CE over all classes (the teacher's global head). */
  head?: 'task' | 'global';
  /** lambda_g: weight of the optional global-head CE added to the task loss (default 0; spec section 2). */
  globalWeight?: number;
  /** 'sgd' (default: momentum 0.9, as the official script), 'adam', a tensor-core spec or a tf.Optimizer. */
  optimizer?: OptimizerChoice;
  /** Learning rate for the string optimizers (default 0.05 for sgd, 3e-3 for adam). */
  lr?: number;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  onEpoch?: (epoch: number, loss: number) => void;
  progress?: boolean | string;
}

export interface TrainTaskModelResult {
  steps: number;
  epochLosses: number[];
  lastLoss: number;
  seconds: number;
}

function outputWidth(model: tf.LayersModel): number {
  return model.outputs[0].shape[model.outputs[0].shape.length - 1] as number;
}

export async function trainTaskModel(opts: TrainTaskModelOptions): Promise<TrainTaskModelResult> {
  const { model, classesPerTask, head = 'task', epochs = 10, batchSize = 128, seed = 0 } = opts;
  const prepared = prepareTaskData(opts.data, { classesPerTask, labels: opts.labels });
  const T = classesPerTask.length;
  const totalClasses = classOffsets(classesPerTask)[T];
  if (outputWidth(model) !== totalClasses) {
    throw new ShapeError(`${model.name} output`, `[batch, ${totalClasses}] logits (sum of classesPerTask)`, model.outputs[0].shape.map(String).join(', '));
  }
  const kd = opts.kd === false ? null : { weight: 0.1, temperature: 1, target: 'logits' as const, ...(opts.kd ?? {}) };
  const useKD = kd !== null && kd.weight > 0 && opts.teacher !== undefined;
  if (kd && kd.weight > 0 && opts.kd && opts.teacher === undefined) {
    throw new OptionError('teacher', 'a teacher model or teacher logits when kd.weight > 0', undefined);
  }
  if (useKD && kd!.target === 'features' && !(opts.teacher instanceof tf.LayersModel)) {
    throw new OptionError('teacher', "a teacher LayersModel for kd.target 'features'", 'a tensor');
  }

  tf.engine().startScope();
  const owned: tf.Tensor[] = [];
  let projector: tf.Variable[] = [];
  try {
    const data: Record<string, tf.Tensor> = {
      x: prepared.x,
      labels: tf.tensor1d(prepared.labels, 'int32'),
      taskOneHot: taskOneHot(prepared.taskIds, T),
    };
    const rows = taskRowsFor(model, prepared.taskIds, T);
    if (rows) data.taskRows = rows;
    let featureModel: tf.LayersModel | null = null;
    if (useKD && kd!.target === 'logits') {
      const teacherLogits = opts.teacher instanceof tf.Tensor ? opts.teacher : predictInBatches(opts.teacher as tf.LayersModel, prepared.x);
      if (teacherLogits.rank !== 2 || teacherLogits.shape[0] !== prepared.n || teacherLogits.shape[1] !== totalClasses) {
        throw new ShapeError('teacher logits', `[${prepared.n}, ${totalClasses}] (sum of classesPerTask)`, teacherLogits.shape);
      }
      data.teacherLogits = teacherLogits;
    } else if (useKD) {
      const teacher = opts.teacher as tf.LayersModel;
      const tLayer = kd!.teacherLayer ? teacher.getLayer(kd!.teacherLayer) : teacher.outputs[0].sourceLayer.inboundNodes[0].inboundLayers[0];
      const teacherFeat = tf.tidy(() => tf.model({ inputs: teacher.inputs, outputs: tLayer.output as tf.SymbolicTensor }).predict(prepared.x, { batchSize: 256 }) as tf.Tensor);
      const sLayer = kd!.studentLayer ? model.getLayer(kd!.studentLayer) : model.outputs[0].sourceLayer.inboundNodes[0].inboundLayers[0];
      featureModel = tf.model({ inputs: model.inputs, outputs: [sLayer.output as tf.SymbolicTensor, model.outputs[0]] });
      const studentDim = (sLayer.output as tf.SymbolicTensor).shape.slice(1).reduce((a, b) => (a as number) * (b as number), 1) as number;
      const teacherDim = teacherFeat.shape.slice(1).reduce((a, b) => a * b, 1);
      data.teacherFeatures = tf.reshape(teacherFeat, [prepared.n, teacherDim]);
      const init = glorotUniform(createRng(seed).fork('kd-projector'), [teacherDim, studentDim]);
      projector = [tf.variable(init, true), tf.variable(tf.zeros([studentDim]), true)];
      init.dispose();
    }
    const blocks = classBlockMatrix(classesPerTask);
    owned.push(blocks);
    const variables = [...model.trainableWeights.map((w) => w.read() as tf.Variable), ...projector];
    const result = await fit({
      data,
      variables,
      optimizer: resolveOptimizer(opts.optimizer, opts.lr),
      epochs,
      batchSize,
      seed,
      progress: opts.progress ?? false,
      callbacks: opts.onEpoch ? { onEpochEnd: (e, l) => opts.onEpoch!(e, l) } : undefined,
      loss: (batch) => {
        const inputs = batch.taskRows ? [batch.x, batch.taskRows] : batch.x;
        let logits: tf.Tensor;
        let studentFeatures: tf.Tensor | undefined;
        let teacherFeatures: tf.Tensor | undefined;
        if (featureModel) {
          const [f, z] = featureModel.apply(inputs, { training: true }) as tf.Tensor[];
          logits = z;
          studentFeatures = tf.reshape(f, [f.shape[0], -1]);
          teacherFeatures = tf.add(tf.matMul(batch.teacherFeatures as tf.Tensor2D, projector[0] as tf.Tensor2D), projector[1]);
        } else {
          logits = model.apply(inputs, { training: true }) as tf.Tensor;
        }
        if (head === 'global') return sparseSoftmaxCrossEntropy(batch.labels, logits);
        return lorkdLoss({
          logits,
          labels: batch.labels,
          blockMask: tf.matMul(batch.taskOneHot as tf.Tensor2D, blocks),
          teacherLogits: batch.teacherLogits,
          studentFeatures,
          teacherFeatures,
          kdWeight: useKD ? kd!.weight : 0,
          globalWeight: opts.globalWeight ?? 0,
          temperature: kd?.temperature ?? 1,
        }).total;
      },
    });
    return { steps: result.steps, epochLosses: result.epochLosses, lastLoss: result.lastLoss, seconds: result.seconds };
  } finally {
    tf.dispose(owned);
    tf.dispose(projector);
    tf.engine().endScope();
  }
}
