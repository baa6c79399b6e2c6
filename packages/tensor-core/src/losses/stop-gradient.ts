/**
 * tfjs has no tf.stopGradient (ecosystem notes, section B). This identity passes
 * the value through and returns a zero gradient, so e.g. a teacher's logits can
 * sit inside the taped loss without the teacher being trained by it.
 */
import * as tf from '@tensorflow/tfjs';

type CustomGradFunction = Parameters<typeof tf.customGrad>[0];

const blocked = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as CustomGradFunction);

export function stopGradient<T extends tf.Tensor>(x: T): T {
  return blocked(x) as T;
}
