/** Batched prediction that returns one tensor. */
import * as tf from '@tensorflow/tfjs';

/** Predict in batches (the last partial batch included); returns a new tensor. */
export function predictInBatches(model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[], batchSize = 256): tf.Tensor {
  return tf.tidy(() => model.predict(inputs, { batchSize }) as tf.Tensor);
}
