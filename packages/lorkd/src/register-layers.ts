/**
 * Registering LoRKD's Keras layer classes with tfjs's serializer, so a saved
 * student (tf.loadLayersModel) finds them. Done on first use, not at module
 * load: the package is `sideEffects: false`, and a bundler may drop a module
 * whose only job is a load-time side effect. `addTaskExperts` calls it; call it
 * yourself before loading a saved student in a fresh process.
 */
import * as tf from '@tensorflow/tfjs';
import { MultiExpertConv2D } from './multi-expert-conv2d.js';
import { MultiExpertDense } from './multi-expert-dense.js';

let registered = false;

/** Register MultiExpertDense and MultiExpertConv2D with tf.serialization (idempotent). */
export function registerLoRKDLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(MultiExpertDense);
  tf.serialization.registerClass(MultiExpertConv2D);
  registered = true;
}
