/** Errors of @paperkit/baldistill (tensor-core's PaperkitError family, so `instanceof PaperkitError` catches them). */
import { PaperkitError } from '@paperkit/tensor-core';

/**
 * A reservation on a BudgetLedger would pass the total budget or the stage's cap. runBalDistill checks
 * `canAfford` first and never triggers it; it reaches only user code that calls `ledger.reserve` directly.
 */
export class BudgetExceededError extends PaperkitError {
  static override readonly code: string = 'BudgetExceededError';
  constructor(
    readonly requested: number,
    readonly available: number,
    readonly scope: 'budget' | 'stage',
  ) {
    super(`teacher budget: reserving ${requested} would exceed the ${scope === 'budget' ? 'total budget' : "current stage's cap"} (${available} left)`);
  }
}

/** An HTTP teacher request failed for good (after its retries), with the status and the response body's start. */
export class TeacherRequestError extends PaperkitError {
  static override readonly code: string = 'TeacherRequestError';
  constructor(
    readonly url: string,
    readonly status: number | 'timeout' | 'network',
    detail: string,
    readonly attempts: number,
  ) {
    super(`teacher request ${url} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${status}${detail ? ` ${detail}` : ''}`);
  }
}
