import { describe, expect, it } from 'vitest';
import { FormatError, isInputError, NonFiniteLossError, OptionError, PaperkitError, ShapeError } from '../src/errors.js';

describe('error brands', () => {
  it('isInstance follows the class chain like instanceof', () => {
    const e = new FormatError('a.json', 'bad', 3);
    expect(FormatError.isInstance(e)).toBe(true);
    expect(PaperkitError.isInstance(e)).toBe(true);
    expect(OptionError.isInstance(e)).toBe(false);
    expect(FormatError.isInstance(new Error('x'))).toBe(false);
    expect(FormatError.isInstance(null)).toBe(false);
  });

  it('a second copy of the classes (as the CJS build next to the ESM one) is recognised by the brand', () => {
    // Simulate another copy: an object made by different classes but carrying the same registered symbol.
    const foreign = new Error('from the other build');
    Object.defineProperty(foreign, Symbol.for('paperkit.error'), { value: ['ShapeError', 'PaperkitError'] });
    expect(foreign instanceof ShapeError).toBe(false);
    expect(ShapeError.isInstance(foreign)).toBe(true);
    expect(PaperkitError.isInstance(foreign)).toBe(true);
    expect(isInputError(foreign)).toBe(true);
  });

  it('subclasses in method packages brand with their own code', () => {
    class BudgetError extends PaperkitError {
      static override readonly code = 'BudgetError';
    }
    class TightBudgetError extends BudgetError {}
    const e = new TightBudgetError('over');
    expect(BudgetError.isInstance(e)).toBe(true);
    expect(TightBudgetError.isInstance(e)).toBe(true);
    expect(e.name).toBe('TightBudgetError');
    expect(isInputError(e)).toBe(false);
  });

  it('input errors are options, shapes and formats; a non-finite loss is not', () => {
    expect(isInputError(new OptionError('lr', 'a number', 'x'))).toBe(true);
    expect(isInputError(new ShapeError('x', '[n, 2]', [3]))).toBe(true);
    expect(isInputError(new NonFiniteLossError(3, Number.NaN))).toBe(false);
  });
});
