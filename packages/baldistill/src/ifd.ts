/**
 * Instruction-Following Difficulty (spec section 2; official llama2_classification_ppl.py):
 *   IFD(x) = PPL(y_s | x) / PPL(y_s),   PPL(y | c) = exp(-(1/|y|) sum_j log p(y_j | c, y_<j)),
 * where y_s is the student's OWN response to x (so scoring spends no teacher budget). A high IFD means the input
 * helps the student little: the example is hard for it, and is worth a teacher call.
 * For a classifier (one answer token) this is p(y_s | null) / p(y_s | x).
 */
import { FormatError } from '@paperkit/tensor-core';
import type { LogLikelihood, Response, Student } from './types.js';

/** IFD from the two log-likelihoods of the same response: with the input, and with no input. */
export function ifdFromLogLik(withInput: LogLikelihood, withoutInput: LogLikelihood): number {
  check(withInput, 'withInput');
  check(withoutInput, 'withoutInput');
  const pplWith = Math.exp(-withInput.sum / withInput.tokens);
  const pplWithout = Math.exp(-withoutInput.sum / withoutInput.tokens);
  return pplWith / pplWithout;
}

function check(ll: LogLikelihood, name: string, where?: string): void {
  if (!ll || !Number.isFinite(ll.sum) || ll.sum > 1e-9) {
    throw new FormatError(`student.logLikelihood (${name})`, `expected a finite log-likelihood sum <= 0, got ${ll?.sum}`, where);
  }
  if (!(Number.isFinite(ll.tokens) && ll.tokens >= 1)) {
    throw new FormatError(`student.logLikelihood (${name})`, `expected tokens >= 1, got ${ll?.tokens}`, where);
  }
}

/**
 * IFD of every input under `student`: generate y_s, then score it with and without the input. Uses the
 * student's batched methods when it has them (one pass over the pool instead of 3 per item).
 * `ids` name the inputs in errors (a NaN log-likelihood says which example produced it).
 */
export async function ifdScores<I, R, A>(student: Student<I, R, A>, inputs: I[], ids?: string[]): Promise<number[]> {
  if (inputs.length === 0) return [];
  const responses: Response<R, A>[] = student.generateBatch
    ? await student.generateBatch(inputs)
    : await Promise.all(inputs.map((x) => student.generate(x)));
  let withX: LogLikelihood[];
  let without: LogLikelihood[];
  if (student.logLikelihoodBatch) {
    withX = await student.logLikelihoodBatch(inputs, responses);
    without = await student.logLikelihoodBatch(inputs.map(() => null), responses);
  } else {
    withX = await Promise.all(inputs.map((x, k) => student.logLikelihood(x, responses[k])));
    without = await Promise.all(responses.map((r) => student.logLikelihood(null, r)));
  }
  return inputs.map((_, k) => {
    const where = ids ? `example "${ids[k]}"` : `input ${k}`;
    check(withX[k], 'withInput', where);
    check(without[k], 'withoutInput', where);
    return ifdFromLogLik(withX[k], without[k]);
  });
}
