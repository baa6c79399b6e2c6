/**
 * MoLA-Router's router (mola.md section 2, layers/router.py): input -> E
 * scores; gamma = softmax(scores / T). One router per model; its gates are
 * broadcast to every adapted layer and to the heads. The official router is a
 * small ResNet on the image; ours defaults to an MLP (hidden 16) on the
 * flattened input, or takes any tfjs model the user supplies.
 */
import * as tf from '@tensorflow/tfjs';
import { MLP, ShapeError, type Rng } from '@paperkit/tensor-core';

export interface Router {
  /** x (the model's raw input batch) -> scores [N, E]. */
  scores(x: tf.Tensor, training?: boolean): tf.Tensor2D;
  readonly variables: tf.Variable[];
  dispose(): void;
}

export function mlpRouter(inputShape: number[], numAdapters: number, hidden: number, rng: Rng): Router {
  const inDim = inputShape.reduce((a, b) => a * b, 1);
  const mlp = new MLP({ sizes: [inDim, hidden, numAdapters], rng, name: 'mola_router' });
  return {
    scores: (x) => tf.tidy(() => mlp.apply(x.rank === 2 ? x : tf.reshape(x, [x.shape[0], inDim])) as tf.Tensor2D),
    get variables() {
      return mlp.variables;
    },
    dispose: () => mlp.dispose(),
  };
}

/** Wrap a user's tfjs model (input -> [N, E] scores). The wrapper does not own it: dispose() leaves it alone. */
export function layersRouter(model: tf.LayersModel, numAdapters: number): Router {
  return {
    scores: (x, training = false) => {
      const s = model.apply(x, { training }) as tf.Tensor;
      if (s.rank !== 2 || s.shape[1] !== numAdapters) throw new ShapeError('router output', `[N, ${numAdapters}]`, s.shape);
      return s as tf.Tensor2D;
    },
    get variables() {
      return model.trainableWeights.map((w) => w.read() as tf.Variable);
    },
    dispose: () => undefined,
  };
}
