/**
 * The frozen foundation model as a feature function x -> h_T [n, p_T]. A user gives a
 * tf.LayersModel (optionally tapping a named inner layer) or any function; its weights
 * never enter an optimizer's variable list (spec section 6).
 */
import * as tf from '@tensorflow/tfjs';
import { FormatError, OptionError, ShapeError } from '@paperkit/tensor-core';

/** Any function from an input batch to a feature batch [n, p_T]. */
export type TeacherFn = (x: tf.Tensor) => tf.Tensor;
/** A teacher: a tf.LayersModel or a function. */
export type Teacher = tf.LayersModel | TeacherFn;

export function isLayersModel(value: unknown): value is tf.LayersModel {
  return value instanceof tf.LayersModel;
}

/**
 * The teacher's feature function. With `featureLayer` the output of that layer of a
 * LayersModel is used (a sub-model sharing the teacher's weights); otherwise the model's
 * (single) output. The forward runs in inference mode.
 */
export function teacherFeatureFn(teacher: Teacher, featureLayer?: string): TeacherFn {
  if (typeof teacher === 'function' && !isLayersModel(teacher)) {
    if (featureLayer !== undefined) throw new OptionError('teacherFeatureLayer', 'unset when the teacher is a function', featureLayer);
    return teacher as TeacherFn;
  }
  if (!isLayersModel(teacher)) throw new OptionError('teacher', 'a tf.LayersModel or a function (x) => features', typeof teacher);
  let model: tf.LayersModel = teacher;
  if (featureLayer !== undefined) {
    const layer = teacher.layers.find((l) => l.name === featureLayer);
    if (!layer) {
      throw new OptionError('teacherFeatureLayer', `one of the teacher's layers (${teacher.layers.map((l) => l.name).join(', ')})`, featureLayer);
    }
    model = tf.model({ inputs: teacher.inputs, outputs: layer.output as tf.SymbolicTensor });
  } else if (teacher.outputs.length !== 1) {
    throw new OptionError('teacherFeatureLayer', `a layer name: the teacher has ${teacher.outputs.length} outputs`, featureLayer);
  }
  return (x) => model.apply(x, { training: false }) as tf.Tensor;
}

/** Throw a ShapeError unless `features` is [rows, p]. */
export function checkFeatureShape(name: string, features: tf.Tensor, rows: number): number {
  if (features.rank !== 2 || features.shape[0] !== rows) {
    throw new ShapeError(name, `[${rows}, p] (pool or flatten inside your teacher/student so features are rank 2)`, features.shape);
  }
  return features.shape[1] as number;
}

/** Throw a FormatError naming the first NaN/Inf entry of `features` (one read of the whole tensor). */
export function checkFinite(name: string, features: tf.Tensor): void {
  const ok = tf.tidy(() => tf.all(tf.isFinite(features)).dataSync()[0]);
  if (ok) return;
  const values = features.dataSync();
  const cols = features.rank >= 2 ? features.size / (features.shape[0] as number) : 1;
  const at = values.findIndex((v) => !Number.isFinite(v));
  throw new FormatError(name, `non-finite value ${values[at]} (features must be finite)`, `row ${Math.floor(at / cols)}, column ${at % cols}`);
}
