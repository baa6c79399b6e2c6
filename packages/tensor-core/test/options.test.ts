import { describe, expect, it } from 'vitest';
import { OptionError } from '../src/errors.js';
import { defineOptions, opt } from '../src/options.js';

const TRAIN = defineOptions('train', {
  epochs: opt.integer({ min: 1, default: 10 }),
  lr: opt.number({ min: 0, exclusiveMin: true, default: 1e-3 }),
  mode: opt.oneOf(['a', 'b'] as const, { default: 'a' }),
  name: opt.string({ nonEmpty: true }),
  log: opt.optional(opt.func<(line: string) => void>()),
  sizes: opt.optional(opt.array(opt.integer({ min: 1 }), { minLength: 2 })),
});

describe('defineOptions', () => {
  it('exports the defaults and fills them in', () => {
    expect(TRAIN.defaults).toEqual({ epochs: 10, lr: 1e-3, mode: 'a' });
    expect(Object.isFrozen(TRAIN.defaults)).toBe(true);
    const o = TRAIN.parse({ name: 'x' });
    expect(o).toEqual({ epochs: 10, lr: 1e-3, mode: 'a', name: 'x' });
    const epochs: number = o.epochs;
    expect(epochs).toBe(10);
  });

  it('names function.option, the expectation and the value in the error', () => {
    expect(() => TRAIN.parse({ name: 'x', epochs: 0 })).toThrow('option train.epochs: expected an integer >= 1, got 0');
    expect(() => TRAIN.parse({ name: 'x', lr: 0 })).toThrow('option train.lr: expected a finite number > 0, got 0');
    expect(() => TRAIN.parse({ name: 'x', mode: 'c' as never })).toThrow('expected one of "a", "b", got "c"');
    expect(() => TRAIN.parse({} as never)).toThrow('option train.name: expected a non-empty string');
    expect(() => TRAIN.parse({ name: 'x', sizes: [4, 0] })).toThrow('option train.sizes[1]: expected an integer >= 1, got 0');
    expect(() => TRAIN.parse({ name: 'x', sizes: [4] })).toThrow('option train.sizes: expected an array of at least 2 items, each item an integer >= 1, got [4]');
    expect(() => TRAIN.parse({ name: 'x', epoch: 3 } as never)).toThrow(/train\.epoch: expected one of the options epochs, lr/);
    try {
      TRAIN.parse({ name: 'x', epochs: 1.5 });
    } catch (e) {
      expect(OptionError.isInstance(e)).toBe(true);
    }
  });

  it('rejects a default that breaks its own rule when defined', () => {
    expect(() => opt.integer({ min: 1, default: 0 })).toThrow(OptionError);
  });
});
