/** Mean squared error mean((a - b)^2) over every element; shapes must match exactly (no silent broadcasting). */
import * as tf from '@tensorflow/tfjs';
import { ShapeError } from '../errors.js';

export function mse(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new ShapeError('mse b', `the shape of a [${a.shape.join(', ')}]`, b.shape);
  }
  return tf.tidy(() => tf.mean(tf.squaredDifference(a, b)) as tf.Scalar);
}
