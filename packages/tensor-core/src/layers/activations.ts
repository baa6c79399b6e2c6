/**
 * Element-wise activations by name, shared by Dense, MLP and the transformer.
 * GELU is the exact erf form (PyTorch's default `nn.GELU()`); tfjs has no GELU
 * op: on wasm and cpu it is one fused kernel with its own gradient
 * (src/ops/gelu.ts), elsewhere the tf.erf composition (erf has a gradient on
 * every backend, ecosystem notes, section B).
 */
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../errors.js';
import { fusedGelu } from '../ops/gelu.js';

export type Activation = 'relu' | 'gelu' | 'tanh' | 'sigmoid' | 'linear';

export const ACTIVATIONS: readonly Activation[] = ['relu', 'gelu', 'tanh', 'sigmoid', 'linear'];

export function checkActivation(option: string, value: unknown): Activation {
  if (!ACTIVATIONS.includes(value as Activation)) {
    throw new OptionError(option, ACTIVATIONS.map((a) => `'${a}'`).join(' | '), value);
  }
  return value as Activation;
}

/** gelu(x) = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return fusedGelu(x);
}

export function applyActivation(x: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'gelu':
      return gelu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'linear':
      return x;
  }
}
