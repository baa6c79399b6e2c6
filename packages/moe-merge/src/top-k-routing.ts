/**
 * Mixtral's top-k router as a differentiable function of the router logits
 * (spec section 2, "Mixtral router"; issue 19):
 *   p = softmax(z),  m = 1[e in top-k(p)],  w_e = m_e p_e / sum_j m_j p_j.
 * tfjs has no TopK gradient, so the 0/1 mask m is computed from the top-k
 * indices inside a custom-gradient op that returns a zero gradient (the
 * selection is piecewise constant, its true derivative is 0 almost
 * everywhere); the gradient reaches z through the softmax weights p only, as
 * in Mixtral's PyTorch code, where the selected values are gathered from p.
 */
import * as tf from '@tensorflow/tfjs';

type CustomGradFunction = Parameters<typeof tf.customGrad>[0];

const masks = new Map<number, (x: tf.Tensor) => tf.Tensor>();

/** The 0/1 mask [N, E] of the k largest entries of each row of scores (ops inside are not taped). */
export function topKMask(scores: tf.Tensor2D, k: number): tf.Tensor2D {
  let f = masks.get(k);
  if (!f) {
    f = tf.customGrad(((x: tf.Tensor2D) => ({
      value: tf.tidy(() => tf.cast(tf.sum(tf.oneHot(tf.topk(x, k).indices, x.shape[1]), 1), 'float32')),
      gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
    })) as unknown as CustomGradFunction) as (x: tf.Tensor) => tf.Tensor;
    masks.set(k, f);
  }
  return f(scores) as tf.Tensor2D;
}

/** Renormalised top-k weights [N, E] (zeros outside the top-k) of router logits [N, E]. */
export function topKRouting(logits: tf.Tensor2D, k: number): tf.Tensor2D {
  return tf.tidy(() => {
    const probs = tf.softmax(logits);
    const kept = tf.mul(probs, topKMask(logits, k));
    return tf.div(kept, tf.sum(kept, -1, true)) as tf.Tensor2D;
  });
}

/**
 * fn() evaluated as a constant of the gradient tape (ops inside a custom-gradient
 * op are not recorded), anchored to `input` so tfjs has an input for the node.
 */
export function untaped<T extends tf.Tensor>(fn: () => T, input: tf.Tensor): T {
  const op = tf.customGrad(((x: tf.Tensor) => ({
    value: fn(),
    gradFunc: () => tf.zerosLike(x),
  })) as unknown as CustomGradFunction);
  return op(input) as T;
}
