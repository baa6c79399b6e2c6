/**
 * The one convention for a public function's options: a spec of small rules,
 * each with its default, from which come the function's exported defaults
 * constant and a `parse` that fills the defaults and rejects a bad value with
 * an OptionError naming `function.option`, what was expected and what came.
 *
 *   export const FIT_OPTIONS = defineOptions('fit', {
 *     epochs: opt.integer({ min: 1, default: 10 }),
 *     lr: opt.number({ min: 0, exclusiveMin: true, default: 1e-3 }),
 *     log: opt.optional(opt.func()),
 *   });
 *   export const FIT_DEFAULTS = FIT_OPTIONS.defaults;
 *   const o = FIT_OPTIONS.parse(userOptions);
 *
 * Why not zod: paperkit ships to browsers and each package is small; these
 * rules cover what our options are (numbers in ranges, integers, choices,
 * flags, functions, objects checked by a predicate) in about 150 lines, and
 * the errors are our own typed OptionError instead of a second error type.
 */
import { OptionError } from './errors.js';

/** One option's rule: checks a value (already known not to be undefined) and holds its default. */
export interface OptionRule<T> {
  /** What a valid value is, in words, for error messages ("an integer >= 1"). */
  readonly expected: string;
  /** The default; `undefined` with `required` false means "absent unless given". */
  readonly default: T | undefined;
  /** True when the caller must give a value (no default). */
  readonly required: boolean;
  /** True when the value is valid. */
  check(value: unknown): boolean;
  /** Type-only: the value type (never set at run time). */
  readonly __value?: T;
}

/** The value type of a rule. */
export type RuleValue<R> = R extends { readonly __value?: infer T } ? T : never;

type Spec = Record<string, OptionRule<unknown>>;

/** The type `parse` returns: required and defaulted options are present, optional ones may be undefined. */
export type ParsedOptions<S extends Spec> = {
  [K in keyof S as S[K] extends { required: false; default: undefined } ? never : K]: RuleValue<S[K]>;
} & {
  [K in keyof S as S[K] extends { required: false; default: undefined } ? K : never]?: RuleValue<S[K]>;
};

/** What a caller may pass: every option optional except the required ones. */
export type UserOptions<S extends Spec> = {
  [K in keyof S as S[K] extends { required: true } ? K : never]: RuleValue<S[K]>;
} & {
  [K in keyof S as S[K] extends { required: true } ? never : K]?: RuleValue<S[K]>;
};

/** The defaults of the options that have one. */
export type OptionDefaults<S extends Spec> = {
  readonly [K in keyof S as S[K] extends { default: undefined } ? never : K]: RuleValue<S[K]>;
};

export interface OptionsDefinition<S extends Spec> {
  /** The function the options belong to (error messages say `name.option`). */
  readonly name: string;
  readonly spec: S;
  /** Every default, frozen: export it as the function's documented defaults constant. */
  readonly defaults: OptionDefaults<S>;
  /** Fill defaults and validate; unknown keys are an error too (they are usually typos). */
  parse(options: UserOptions<S> | undefined): ParsedOptions<S>;
}

/** Define a function's options from rules; see the module comment. */
export function defineOptions<S extends Spec>(name: string, spec: S): OptionsDefinition<S> {
  const defaults: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(spec)) if (rule.default !== undefined) defaults[key] = rule.default;
  Object.freeze(defaults);
  return {
    name,
    spec,
    defaults: defaults as OptionDefaults<S>,
    parse(options) {
      const given = (options ?? {}) as Record<string, unknown>;
      if (typeof given !== 'object' || given === null || Array.isArray(given)) {
        throw new OptionError(name, 'an options object', given);
      }
      for (const key of Object.keys(given)) {
        if (!(key in spec)) throw new OptionError(`${name}.${key}`, `one of the options ${Object.keys(spec).join(', ')}`, 'an unknown option');
      }
      const out: Record<string, unknown> = {};
      for (const [key, rule] of Object.entries(spec)) {
        const value = given[key];
        if (value === undefined) {
          if (rule.required) throw new OptionError(`${name}.${key}`, rule.expected, undefined);
          if (rule.default !== undefined) out[key] = rule.default;
          continue;
        }
        if (!rule.check(value)) throw new OptionError(`${name}.${key}`, rule.expected, describeValue(value));
        out[key] = value;
      }
      return out as ParsedOptions<S>;
    },
  };
}

function describeValue(value: unknown): unknown {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) {
    return `a ${value.constructor?.name ?? 'object'}`;
  }
  return value;
}

interface Base<T> {
  /** The default value. Omit it to make the option required (or wrap the rule in `opt.optional`). */
  default?: T;
}

type Rule<T, D> = OptionRule<T> & { default: D; required: D extends undefined ? true : false };

function rule<T, D extends T | undefined>(expected: string, check: (v: unknown) => boolean, dflt: D): Rule<T, D> {
  if (dflt !== undefined && !check(dflt)) throw new OptionError('default', expected, dflt);
  return { expected, default: dflt, required: (dflt === undefined) as never, check };
}

function range(kind: string, o: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean }): string {
  const parts: string[] = [];
  if (o.min !== undefined) parts.push(`${o.exclusiveMin ? '>' : '>='} ${o.min}`);
  if (o.max !== undefined) parts.push(`${o.exclusiveMax ? '<' : '<='} ${o.max}`);
  return parts.length === 0 ? kind : `${kind} ${parts.join(' and ')}`;
}

function inRange(v: number, o: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean }): boolean {
  if (o.min !== undefined && (o.exclusiveMin ? v <= o.min : v < o.min)) return false;
  if (o.max !== undefined && (o.exclusiveMax ? v >= o.max : v > o.max)) return false;
  return true;
}

type NumberRange = { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean };

/** The rules. Each takes `{default}`; without one the option is required. */
export const opt = {
  /** A finite number, optionally in a range. */
  number<D extends number | undefined = undefined>(o: NumberRange & Base<number> & { default?: D } = {}) {
    return rule<number, D>(range('a finite number', o), (v) => typeof v === 'number' && Number.isFinite(v) && inRange(v, o), o.default as D);
  },
  /** A whole number, optionally in a range. */
  integer<D extends number | undefined = undefined>(o: NumberRange & { default?: D } = {}) {
    return rule<number, D>(range('an integer', o), (v) => typeof v === 'number' && Number.isInteger(v) && inRange(v, o), o.default as D);
  },
  /** One of a fixed list of values. */
  oneOf<const C extends readonly (string | number | boolean)[], D extends C[number] | undefined = undefined>(choices: C, o: { default?: D } = {}) {
    return rule<C[number], D>(`one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, (v) => choices.includes(v as C[number]), o.default as D);
  },
  boolean<D extends boolean | undefined = undefined>(o: { default?: D } = {}) {
    return rule<boolean, D>('true or false', (v) => typeof v === 'boolean', o.default as D);
  },
  string<D extends string | undefined = undefined>(o: { default?: D; nonEmpty?: boolean } = {}) {
    return rule<string, D>(o.nonEmpty ? 'a non-empty string' : 'a string', (v) => typeof v === 'string' && (!o.nonEmpty || v.length > 0), o.default as D);
  },
  /** A function (callbacks, loss functions, factories). */
  func<F extends (...args: never[]) => unknown = (...args: never[]) => unknown>() {
    return rule<F, undefined>('a function', (v) => typeof v === 'function', undefined);
  },
  /** An array whose every item passes `item`, optionally of a fixed or minimum length. */
  array<T>(item: OptionRule<T>, o: { minLength?: number; length?: number; default?: T[] } = {}) {
    const size = o.length !== undefined ? ` of length ${o.length}` : o.minLength !== undefined ? ` of at least ${o.minLength} items` : '';
    return rule<T[], typeof o.default>(
      `an array${size} of ${item.expected.replace(/^an? /, '')}s`,
      (v) => Array.isArray(v) && (o.length === undefined || v.length === o.length) && (o.minLength === undefined || v.length >= o.minLength) && v.every((x) => x !== undefined && item.check(x)),
      o.default,
    ) as Rule<T[], undefined>;
  },
  /** Any value accepted by a predicate, described in words (e.g. `opt.custom<tf.LayersModel>('a tf.LayersModel', isModel)`). */
  custom<T>(expected: string, check: (v: unknown) => boolean, o: { default?: T } = {}) {
    return rule<T, undefined>(expected, check, o.default as undefined);
  },
  /** Make a rule optional without a default: the option may be absent. */
  optional<R extends OptionRule<any>>(inner: R): OptionRule<RuleValue<R>> & { default: undefined; required: false } {
    return { expected: inner.expected, default: undefined, required: false, check: inner.check };
  },
};
