/**
 * `moe-merge inspect FILE|DIR`: a checkpoint's tensors, dtypes, shapes and
 * sizes, read from the headers only (nothing else is loaded).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '@paperkit/tensor-core';
import { openSafetensors, readShardedIndex } from '@paperkit/tensor-core/node';
import type { InspectResult } from './inspect-format.js';

export { formatBytes, formatInspect, type InspectResult, type InspectRow } from './inspect-format.js';

export function inspectCheckpoint(path: string): InspectResult {
  if (!existsSync(path)) throw new FormatError(path, 'no such file or directory');
  if (statSync(path).isDirectory()) {
    const index = readShardedIndex(path);
    try {
      const rows = index.names.map((name) => {
        const i = index.info(name);
        return { name, dtype: i.dtype, shape: i.shape, bytes: i.byteLength, file: i.file };
      });
      const configPath = join(path, 'config.json');
      const config = existsSync(configPath) ? (JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>) : undefined;
      return { rows, totalBytes: rows.reduce((s, r) => s + r.bytes, 0), config };
    } finally {
      index.close();
    }
  }
  const file = openSafetensors(path);
  try {
    const rows = file.names.map((name) => {
      const i = file.info(name);
      return { name, dtype: i.dtype, shape: i.shape, bytes: i.byteLength };
    });
    return { rows, totalBytes: rows.reduce((s, r) => s + r.bytes, 0) };
  } finally {
    file.close();
  }
}

