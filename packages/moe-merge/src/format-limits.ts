/**
 * Explicit limits for the small text files the CLI reads (tokenizer.json,
 * the merge YAML): a byte-size cap checked before reading, and a nesting-depth
 * cap checked before or after parsing, so a hostile or corrupt file fails
 * with a FormatError naming it instead of exhausting memory or the stack.
 */
import { FormatError } from '@paperkit/tensor-core';

/** tokenizer.json: the largest common ones (Gemma, 256k vocabularies) are ~35 MB. */
export const TOKENIZER_JSON_MAX_BYTES = 128 * 1024 * 1024;
/** Real tokenizer.json files nest about 6 levels deep. */
export const TOKENIZER_JSON_MAX_DEPTH = 32;
/** A merge config is a few kilobytes; prompts included, 4 MB is generous. */
export const CONFIG_YAML_MAX_BYTES = 4 * 1024 * 1024;
export const CONFIG_YAML_MAX_DEPTH = 16;

export function checkSize(bytes: number, max: number, source: string): void {
  if (bytes > max) throw new FormatError(source, `file is ${bytes} bytes, over the ${max}-byte limit for this kind of file`);
}

/** Deepest nesting of [ and { in JSON text (strings skipped), failing past `max` without parsing. */
export function checkJsonDepth(text: string, max: number, source: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) throw new FormatError(source, `nesting deeper than ${max} levels`, `offset ${i}`);
    } else if (c === 125 || c === 93) depth--;
  }
}

/** Nesting depth of an already parsed value (objects and arrays), failing past `max`. */
export function checkValueDepth(value: unknown, max: number, source: string, depth = 0): void {
  if (typeof value !== 'object' || value === null) return;
  if (depth >= max) throw new FormatError(source, `nesting deeper than ${max} levels`);
  for (const v of Array.isArray(value) ? value : Object.values(value)) checkValueDepth(v, max, source, depth + 1);
}

/** Widest leading run of indentation and block indicators (`- `, `? `) a merge YAML line may have. */
export const CONFIG_YAML_MAX_INDENT = 128;

/**
 * Nesting of YAML text checked before parsing (the parser recurses per level):
 * flow collections ([ and { outside quotes and comments) at most `max` deep, and
 * block nesting bounded by each line's leading run of spaces and indicators.
 */
export function checkYamlNesting(text: string, max: number, source: string): void {
  let depth = 0;
  let line = 1;
  let lineStart = true;
  let lead = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = true;
      lead = 0;
      continue;
    }
    if (lineStart) {
      if (c === ' ' || c === '\t' || c === '-' || c === '?') {
        if (++lead > CONFIG_YAML_MAX_INDENT) throw new FormatError(source, `nesting deeper than the ${CONFIG_YAML_MAX_INDENT}-column indentation limit`, `line ${line}`);
      } else lineStart = false;
    }
    if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) {
        if (c === '"' && text[i] === '\\') i++;
        if (text[i] === '\n') line++;
      }
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > max) throw new FormatError(source, `nesting deeper than ${max} levels`, `line ${line}`);
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
}
