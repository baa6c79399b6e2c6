/** Class-id checks and one-hot rows (built in JS: no per-step tf.oneHot). */
import * as tf from '@tensorflow/tfjs';
import { OptionError, ShapeError } from '@paperkit/tensor-core';

/** Validate numClasses >= 2 and labels: n integers in [0, numClasses). Returns them as Int32Array. */
export function checkLabels(y: ArrayLike<number> | tf.Tensor, n: number, numClasses: number): Int32Array {
  if (!Number.isInteger(numClasses) || numClasses < 2) throw new OptionError('numClasses', 'an integer >= 2', numClasses);
  let values: ArrayLike<number>;
  if (y instanceof tf.Tensor) {
    if (y.rank !== 1) throw new ShapeError('data.y', `[${n}] class ids`, y.shape);
    values = y.dataSync();
  } else if (y && typeof (y as ArrayLike<number>).length === 'number') {
    values = y;
  } else {
    throw new OptionError('data.y', 'an array or 1-D tensor of class ids', typeof y);
  }
  if (values.length !== n) throw new ShapeError('data.y', `[${n}] (one label per row of data.x)`, [values.length]);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) throw new OptionError(`data.y[${i}]`, `a class id in [0, ${numClasses})`, v);
    out[i] = v;
  }
  return out;
}

/** One-hot float32 rows [ids.length, numClasses]. */
export function oneHot(ids: ArrayLike<number>, numClasses: number): tf.Tensor2D {
  const out = new Float32Array(ids.length * numClasses);
  for (let i = 0; i < ids.length; i++) out[i * numClasses + ids[i]] = 1;
  return tf.tensor2d(out, [ids.length, numClasses]);
}
