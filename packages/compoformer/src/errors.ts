/**
 * CompoFormer's own error kinds, on top of tensor-core's OptionError /
 * ShapeError / FormatError (which cover bad options, shapes and data).
 */
import { OptionError, PaperkitError } from '@paperkit/tensor-core';

/** Prune variant: no free trunk weights are left for a new task (spec section 7, "exhausted free capacity"). */
export class CapacityError extends PaperkitError {
  static override readonly code = 'CapacityError';
  constructor(
    readonly task: string,
    readonly freeWeights: number,
  ) {
    super(
      `task "${task}": the prune variant has ${freeWeights} free trunk weights left, too few for a new module; ` +
        'use a smaller pruneQuantile, a larger model, or the grow variant',
    );
  }
}

/** act() / evaluation on a task id the learner has never seen (an input error: exit 2 in a CLI). */
export class UnknownTaskError extends OptionError {
  static override readonly code = 'UnknownTaskError';
  constructor(
    readonly task: string,
    readonly known: readonly string[],
  ) {
    super('taskId', `a learned task (${known.length ? known.map((k) => `"${k}"`).join(', ') : 'none yet'})`, task);
  }
}
