/**
 * Training environments, given either as separate datasets or as one dataset with an
 * environment id per example (issue 14). Everything downstream sees an Env[].
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '@paperkit/tensor-core';

/** One environment's examples: inputs x [N, ...] and labels y ([N], [N, 1] or one-hot [N, K]). */
export interface Env {
  x: tf.Tensor;
  y: tf.Tensor;
}

/** A pooled dataset with an environment id per row. */
export interface PooledData {
  x: tf.Tensor;
  y: tf.Tensor;
  env: tf.Tensor | ArrayLike<number>;
}

export function checkEnvs(envs: Env[], name = 'envs'): void {
  if (!Array.isArray(envs) || envs.length === 0) throw new OptionError(name, 'a non-empty array of {x, y} environments', envs);
  envs.forEach((e, i) => {
    if (!(e && e.x instanceof tf.Tensor && e.y instanceof tf.Tensor)) throw new OptionError(`${name}[${i}]`, '{x: tf.Tensor, y: tf.Tensor}', e);
    if (e.x.isDisposed || e.y.isDisposed) throw new OptionError(`${name}[${i}]`, 'live tensors', 'a disposed tensor');
    if (e.x.rank < 1 || e.x.shape[0] < 1) throw new ShapeError(`${name}[${i}].x`, '[N >= 1, ...]', e.x.shape);
    if (e.y.shape[0] !== e.x.shape[0]) throw new ShapeError(`${name}[${i}].y`, `[${e.x.shape[0]}, ...] (one label per row of x)`, e.y.shape);
  });
}

/** Split a pooled dataset by its environment ids (ids 0..E-1 in order of value). */
export function splitByEnvironment(data: PooledData): Env[] {
  const n = data.x.shape[0];
  const ids = data.env instanceof tf.Tensor ? data.env.dataSync() : data.env;
  if (ids.length !== n) throw new ShapeError('env', `${n} environment ids (one per row of x)`, [ids.length]);
  if (data.y.shape[0] !== n) throw new ShapeError('y', `[${n}, ...]`, data.y.shape);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (!Number.isInteger(id)) throw new OptionError(`env[${i}]`, 'an integer environment id', id);
    if (!groups.has(id)) groups.set(id, []);
    groups.get(id)!.push(i);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((id) => {
    const idx = tf.tensor1d(groups.get(id)!, 'int32');
    const env = { x: tf.gather(data.x, idx), y: tf.gather(data.y, idx) };
    idx.dispose();
    return env;
  });
}
