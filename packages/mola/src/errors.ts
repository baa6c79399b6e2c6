/**
 * MoLA's one error of its own. Shapes, options and non-finite losses use
 * tensor-core's typed errors (ShapeError, OptionError, NonFiniteLossError).
 */
import { PaperkitError } from '@paperkit/tensor-core';

/** The user's model holds a layer addMoLA cannot rebuild or adapt (mola.md section 6). */
export class UnsupportedLayerError extends PaperkitError {
  constructor(
    readonly layer: string,
    readonly className: string,
    readonly reason: string,
  ) {
    super(`layer "${layer}" (${className}): ${reason}`);
  }
}
