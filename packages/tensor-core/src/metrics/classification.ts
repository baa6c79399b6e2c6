/**
 * Classification metrics computed in JS on downloaded predictions (one
 * dataSync per evaluation, never per step). Labels equal to `ignore` (default
 * -1, e.g. padding or "no label") and NaN entries are left out.
 */
import { OptionError, ShapeError } from '../errors.js';

export interface LabelOptions {
  /** Label value to skip. Default -1. */
  ignore?: number;
}

function checkPair(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
  if (yTrue.length !== yPred.length) throw new ShapeError('yPred', `[${yTrue.length}] (same length as yTrue)`, [yPred.length]);
}

/** Share of kept positions where yPred equals yTrue; NaN when nothing is kept. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: LabelOptions = {}): number {
  checkPair(yTrue, yPred);
  const ignore = options.ignore ?? -1;
  let kept = 0;
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (t === ignore || Number.isNaN(t) || Number.isNaN(p)) continue;
    kept++;
    if (t === p) correct++;
  }
  return kept === 0 ? Number.NaN : correct / kept;
}

/** Index of the largest entry of each row of a row-major [rows, cols] array (first index on ties; NaN never wins). */
export function argmaxRows(values: ArrayLike<number>, cols: number): Int32Array {
  if (!Number.isInteger(cols) || cols < 1) throw new OptionError('cols', 'a positive integer', cols);
  if (values.length % cols !== 0) throw new ShapeError('argmaxRows values', `a multiple of cols = ${cols} entries`, [values.length]);
  const rows = values.length / cols;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bestValue = -Infinity;
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/**
 * counts[t][p] = number of kept samples with true class t predicted as p.
 * Ignored/NaN labels are skipped; any other label outside [0, numClasses) throws.
 */
export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  numClasses: number,
  options: LabelOptions = {},
): number[][] {
  checkPair(yTrue, yPred);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new OptionError('numClasses', 'a positive integer', numClasses);
  const ignore = options.ignore ?? -1;
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (t === ignore || Number.isNaN(t) || Number.isNaN(p)) continue;
    for (const [label, value] of [['yTrue', t], ['yPred', p]] as const) {
      if (!Number.isInteger(value) || value < 0 || value >= numClasses) {
        throw new OptionError(`${label}[${i}]`, `a class id in [0, ${numClasses}) or ${ignore} (ignored)`, value);
      }
    }
    counts[t][p]++;
  }
  return counts;
}
