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
  /** For containers: the first bad item, as a path suffix (`[3]`), what it should be and what it is. */
  locate?(value: unknown): { at: string; expected: string; actual: unknown } | undefined;
  /** Type-only: the value type (never set at run time). */
  readonly __value?: T;
}

/** The value type of a rule. */
export type RuleValue<R> = R extends { readonly __value?: infer T } ? T : never;

type Spec = Record<string, OptionRule<unknown>>;

/** A rule the caller must satisfy (no default). */
export type RequiredRule<T> = OptionRule<T> & { readonly required: true; readonly hasDefault: false };
/** A rule with a default. */
export type DefaultRule<T> = OptionRule<T> & { readonly required: false; readonly hasDefault: true };
/** A rule that may be left out, with no default (`opt.optional`). */
export type OptionalRule<T> = OptionRule<T> & { readonly required: false; readonly hasDefault: false };

type OptionalKeys<S> = { [K in keyof S]: S[K] extends { hasDefault: false; required: false } ? K : never }[keyof S];
type RequiredKeys<S> = { [K in keyof S]: S[K] extends { required: true } ? K : never }[keyof S];
type DefaultKeys<S> = { [K in keyof S]: S[K] extends { hasDefault: true } ? K : never }[keyof S];

/** The type `parse` returns: required and defaulted options are present, optional ones may be undefined. */
export type ParsedOptions<S extends Spec> = { [K in Exclude<keyof S, OptionalKeys<S>>]: RuleValue<S[K]> } & { [K in OptionalKeys<S>]?: RuleValue<S[K]> };

/** What a caller may pass: every option optional except the required ones. */
export type UserOptions<S extends Spec> = { [K in RequiredKeys<S>]: RuleValue<S[K]> } & { [K in Exclude<keyof S, RequiredKeys<S>>]?: RuleValue<S[K]> };

/** The defaults of the options that have one. */
export type OptionDefaults<S extends Spec> = { readonly [K in DefaultKeys<S>]: RuleValue<S[K]> };

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
        if (!rule.check(value)) {
          const inner = rule.locate?.(value);
          if (inner) throw new OptionError(`${name}.${key}${inner.at}`, inner.expected, describeValue(inner.actual));
          throw new OptionError(`${name}.${key}`, rule.expected, describeValue(value));
        }
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

function rule<T>(expected: string, check: (v: unknown) => boolean, dflt: T | undefined): OptionRule<T> & { required: boolean; hasDefault: boolean } {
  if (dflt !== undefined && !check(dflt)) throw new OptionError('default', expected, dflt);
  return { expected, default: dflt, required: dflt === undefined, hasDefault: dflt !== undefined, check };
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

/** A factory's two forms: with `default` the rule has one, without it the option is required. */
interface Factory<T, O> {
  (o: O & { default: T }): DefaultRule<T>;
  (o?: O & { default?: undefined }): RequiredRule<T>;
}

function factory<T, O extends object>(make: (o: O & { default?: T }) => { expected: string; check: (v: unknown) => boolean }): Factory<T, O> {
  return ((o: O & { default?: T } = {} as O) => {
    const { expected, check } = make(o);
    return rule<T>(expected, check, o.default);
  }) as Factory<T, O>;
}

type Choice = string | number | boolean;

function oneOf<const C extends readonly Choice[]>(choices: C, o: { default: C[number] }): DefaultRule<C[number]>;
function oneOf<const C extends readonly Choice[]>(choices: C): RequiredRule<C[number]>;
function oneOf<const C extends readonly Choice[]>(choices: C, o: { default?: C[number] } = {}) {
  return rule<C[number]>(`one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, (v) => choices.includes(v as C[number]), o.default);
}

function custom<T>(expected: string, check: (v: unknown) => boolean, o: { default: T }): DefaultRule<T>;
function custom<T>(expected: string, check: (v: unknown) => boolean): RequiredRule<T>;
function custom<T>(expected: string, check: (v: unknown) => boolean, o: { default?: T } = {}) {
  return rule<T>(expected, check, o.default);
}

/** The rules. Each takes `{default}`; without one the option is required (or wrap it in `opt.optional`). */
export const opt = {
  /** A finite number, optionally in a range. */
  number: factory<number, NumberRange>((o) => ({ expected: range('a finite number', o), check: (v) => typeof v === 'number' && Number.isFinite(v) && inRange(v, o) })),
  /** A whole number, optionally in a range. */
  integer: factory<number, NumberRange>((o) => ({ expected: range('an integer', o), check: (v) => typeof v === 'number' && Number.isInteger(v) && inRange(v, o) })),
  boolean: factory<boolean, object>(() => ({ expected: 'true or false', check: (v) => typeof v === 'boolean' })),
  string: factory<string, { nonEmpty?: boolean }>((o) => ({
    expected: o.nonEmpty ? 'a non-empty string' : 'a string',
    check: (v) => typeof v === 'string' && (!o.nonEmpty || v.length > 0),
  })),
  /** One of a fixed list of values. */
  oneOf,
  /** A function (callbacks, loss functions, factories); required unless wrapped in `opt.optional`. */
  func<F extends (...args: never[]) => unknown = (...args: never[]) => unknown>(): RequiredRule<F> {
    return rule<F>('a function', (v) => typeof v === 'function', undefined) as RequiredRule<F>;
  },
  /** An array whose every item passes `item`, optionally of a fixed or minimum length; required unless given a default. */
  array<T>(item: OptionRule<T>, o: { minLength?: number; length?: number } = {}): RequiredRule<T[]> {
    const size = o.length !== undefined ? ` of length ${o.length}` : o.minLength !== undefined ? ` of at least ${o.minLength} items` : '';
    const sized = (v: unknown[]) => (o.length === undefined || v.length === o.length) && (o.minLength === undefined || v.length >= o.minLength);
    const r = rule<T[]>(
      `an array${size}, each item ${item.expected}`,
      (v) => Array.isArray(v) && sized(v) && v.every((x) => x !== undefined && item.check(x)),
      undefined,
    );
    return {
      ...r,
      locate(v) {
        if (!Array.isArray(v) || !sized(v)) return undefined;
        const i = v.findIndex((x) => x === undefined || !item.check(x));
        return i < 0 ? undefined : { at: `[${i}]`, expected: item.expected, actual: v[i] };
      },
    } as RequiredRule<T[]>;
  },
  /** Any value accepted by a predicate, described in words (e.g. `opt.custom<tf.LayersModel>('a tf.LayersModel', isModel)`). */
  custom,
  /** Make a rule optional without a default: the option may be absent. */
  optional<R extends OptionRule<any>>(inner: R): OptionalRule<RuleValue<R>> {
    return { ...inner, default: undefined, required: false, hasDefault: false } as OptionalRule<RuleValue<R>>;
  },
};
