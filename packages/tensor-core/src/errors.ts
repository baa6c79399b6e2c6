/**
 * Typed errors shared by every paperkit package. Each names the offending
 * tensor, file, line or option and says what was expected, so a user can fix
 * the input without reading our source.
 */

/** Base class: `instanceof PaperkitError` catches every error we throw on purpose. */
export class PaperkitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor or array has the wrong shape. */
export class ShapeError extends PaperkitError {
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
  constructor(
    readonly step: number,
    readonly loss: number,
  ) {
    super(`loss became ${loss} at step ${step}; lower the learning rate or check the inputs`);
  }
}

/** A requested backend could not be initialised. */
export class BackendError extends PaperkitError {}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
