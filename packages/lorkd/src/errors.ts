/**
 * Errors specific to LoRKD. Everything else (shapes, options, non-finite losses)
 * uses tensor-core's typed errors.
 */
import { PaperkitError } from '@paperkit/tensor-core';

/**
 * The model holds a layer LoRKD cannot rebuild with task experts (spec section 6:
 * only Dense, Conv2D, BatchNorm, pooling, flatten and activation layers are supported).
 */
export class UnsupportedLayerError extends PaperkitError {
  static override readonly code: string = 'UnsupportedLayerError';

  constructor(
    readonly layer: string,
    readonly className: string,
    readonly reason = 'only Dense, Conv2D, DepthwiseConv2D (kept without experts), BatchNormalization, pooling, Flatten, Reshape and activation layers are supported',
  ) {
    super(`layer "${layer}" (${className}): ${reason}`);
  }
}
