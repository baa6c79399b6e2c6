/** `loadMoEConfig(file)`: the merge YAML from a path (Node; parsing itself is `parseMoEConfig` in `.`). */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FormatError } from '@paperkit/tensor-core';
import { parseMoEConfig } from './config-yaml.js';
import { checkSize, CONFIG_YAML_MAX_BYTES } from './format-limits.js';
import type { BuildMoEConfig } from './merge-config.js';

/** Read and parse a YAML file (at most 4 MB, nesting at most 16 levels). */
export function loadMoEConfig(file: string): BuildMoEConfig {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new FormatError(file, 'config file not found');
  }
  checkSize(size, CONFIG_YAML_MAX_BYTES, file);
  return parseMoEConfig(readFileSync(file, 'utf8'), (p) => resolve(dirname(resolve(file)), p), file);
}
