/**
 * Typed errors shared by every paperkit package. Each names the offending
 * tensor, file, line or option and says what was expected, so a user can fix
 * the input without reading our source.
 */

/**
 * The brand every paperkit error carries: the list of its class codes, most
 * derived first. `Symbol.for` gives the same symbol in every copy of this
 * module, so a check works when both the ESM and the CJS build are loaded
 * (where `instanceof` fails: each build has its own classes).
 */
const BRAND = Symbol.for('paperkit.error');

interface Branded {
  [BRAND]?: readonly string[];
}

/**
 * Base class: every error paperkit throws on purpose is one. Subclasses set a
 * `static readonly code` (their stable name); `isInstance` checks the brand, so
 * `OptionError.isInstance(e)` is the cross-copy form of `e instanceof OptionError`.
 */
export class PaperkitError extends Error {
  static readonly code: string = 'PaperkitError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    const codes: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      const code = Object.prototype.hasOwnProperty.call(c, 'code') ? (c as unknown as { code: string }).code : (c as { name: string }).name;
      codes.push(code);
    }
    Object.defineProperty(this, BRAND, { value: Object.freeze(codes), enumerable: false });
  }

  /** True when `value` is an error of this class (or a subclass), from any copy of paperkit. */
  static isInstance(value: unknown): boolean {
    const codes = typeof value === 'object' && value !== null ? (value as Branded)[BRAND] : undefined;
    const own = Object.prototype.hasOwnProperty.call(this, 'code') ? (this as unknown as { code: string }).code : this.name;
    return Array.isArray(codes) && codes.includes(own);
  }
}

/**
 * The errors that mean "the caller's input was wrong" (a CLI exits 2 for them):
 * bad options, shapes, files. Everything else is a failure of the run (exit 1).
 */
export function isInputError(value: unknown): boolean {
  return OptionError.isInstance(value) || ShapeError.isInstance(value) || FormatError.isInstance(value);
}

/** A tensor or array has the wrong shape. */
export class ShapeError extends PaperkitError {
  static override readonly code: string = 'ShapeError';

  constructor(
    readonly tensor: string,
    readonly expected: string,
    readonly actual: readonly number[] | string,
  ) {
    super(`${tensor}: expected shape ${expected}, got ${Array.isArray(actual) ? `[${actual.join(', ')}]` : actual}`);
  }
}

/** A file or byte buffer is malformed. `source` is the file name (or `<bytes>`), `where` a line, entry or tensor. */
export class FormatError extends PaperkitError {
  static override readonly code: string = 'FormatError';

  constructor(
    readonly source: string,
    readonly reason: string,
    readonly where?: string | number,
  ) {
    super(where === undefined ? `${source}: ${reason}` : `${source}:${where}: ${reason}`);
  }
}

/** An option or argument is out of its valid range. */
export class OptionError extends PaperkitError {
  static override readonly code: string = 'OptionError';

  constructor(
    readonly option: string,
    readonly expected: string,
    readonly actual: unknown,
  ) {
    super(`option ${option}: expected ${expected}, got ${formatValue(actual)}`);
  }
}

/** Training produced a non-finite loss; `step` is the 0-based optimizer step where it appeared. */
export class NonFiniteLossError extends PaperkitError {
  static override readonly code: string = 'NonFiniteLossError';

  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(`loss became ${loss} at step ${step}; lower the learning rate or check the inputs`);
  }
}

/** A requested backend could not be initialised. */
export class BackendError extends PaperkitError {
  static override readonly code: string = 'BackendError';
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
