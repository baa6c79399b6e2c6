/**
 * The `compoformer` command line on tensor-core's CLI runner (argument parsing
 * and printing only; the work is in the public API and ./reproduce).
 *   compoformer reproduce [--quick] [--seeds N] [--json FILE] [--plot FILE] [--methods ...]
 *   compoformer metrics <matrix.json>     P, F, BWT, FWT of a success matrix
 *   compoformer encode <text...>          the hashed bag-of-words vector of a description
 */
import { readFile } from 'node:fs/promises';
import { FormatError, formatTable } from '@paperkit/tensor-core';
import { defineCli } from '@paperkit/tensor-core/node';
import { continualMetrics } from './continual-metrics.js';
import { hashedBow } from './text-encoder.js';
import { reproduction } from './reproduce/index.js';

export const cli = defineCli({
  name: 'compoformer',
  summary: 'CompoFormer (arXiv 2411.11364): continual offline RL by composing frozen earlier policies',
  reproduction,
  commands: {
    metrics: {
      summary: 'continual-learning metrics of a success matrix: JSON {"matrix": [[...]], "init"?: [...]} or a bare [[...]]',
      positionals: [{ name: 'file', description: 'matrix.json (a[i][j] = success on task j after task i)' }],
      async run({ args, log }) {
        const file = args.file as string;
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch {
          throw new FormatError(file, 'cannot read the file');
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          throw new FormatError(file, `not JSON (${(e as Error).message})`);
        }
        const obj = Array.isArray(parsed) ? { matrix: parsed } : (parsed as { matrix?: unknown; init?: unknown });
        if (!obj || !Array.isArray(obj.matrix) || !obj.matrix.every((r) => Array.isArray(r) && r.every((v) => typeof v === 'number' || v === null))) {
          throw new FormatError(file, 'expected {"matrix": [[numbers]], "init"?: [numbers]} (null = not measured)');
        }
        const matrix = (obj.matrix as Array<Array<number | null>>).map((r) => r.map((v) => (v === null ? Number.NaN : v)));
        const m = continualMetrics(matrix, Array.isArray(obj.init) ? (obj.init as number[]) : undefined);
        log(formatTable(['P', 'F', 'BWT', 'FWT'], [[m.P, m.F, m.BWT, m.FWT]]));
        return 0;
      },
    },
    encode: {
      summary: 'print the offline hashed bag-of-words embedding (non-zero buckets) of a task description',
      positionals: [{ name: 'text', description: 'the description words', variadic: true }],
      flags: { dim: { type: 'integer', min: 2, default: 256, description: 'number of hash buckets' } },
      async run({ args, flags, log }) {
        const v = hashedBow({ dim: flags.dim }).encode((args.text as string[]).join(' ')) as Float32Array;
        const rows = Array.from(v).flatMap((x, i) => (x !== 0 ? [[i, x]] : []));
        log(formatTable(['bucket', 'value'], rows));
        return 0;
      },
    },
  },
});
