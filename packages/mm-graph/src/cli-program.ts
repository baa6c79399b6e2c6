/**
 * The `mm-graph` command line on tensor-core's CLI runner: argument parsing and printing only;
 * the work is in the public API. The bin (./cli.ts) only calls runMain(cli).
 *   mm-graph bench [--task nc|lp] [--models ...] [--features text,image,both] [--data DIR] ...
 *   mm-graph inspect <dir|file>
 *   mm-graph eval <pos.npy> <neg.npy>
 *   mm-graph reproduce [--quick] [--seeds N] [--json FILE] [--plot FILE]
 */
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { FormatError, OptionError, formatTable, initBackend, readNpy, rowsFromSeeds } from '@paperkit/tensor-core';
import { defineCli, writeFileAtomic } from '@paperkit/tensor-core/node';
import { FEATURE_VIEWS, type FeatureView, type MMGraph } from './mm-graph.js';
import { MODEL_NAMES, type ModelName } from './models/create-model.js';
import { FEATURE_ENCODERS, loadMMGraph, type FeatureEncoder } from './load-mm-graph.js';
import { TorchTensor } from './pt-reader/torch-file.js';
import { openTorchFile } from './pt-reader/torch-file-node.js';
import type { PickleValue } from './pt-reader/pickle.js';
import { evaluateRanking } from './evaluate-ranking.js';
import { DEFAULT_MODELS, reproduction, runBenchmark, type BenchmarkRow } from './reproduce/run.js';
import { FULL_SIZE, QUICK_SIZE } from './reproduce/data.js';
import type { MessagePassingPath } from './message-passing.js';

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

/** A missing input file is bad input (exit 2), said in one line. */
function mustExist(path: string): void {
  try {
    statSync(path);
  } catch {
    throw new FormatError(path, 'no such file or directory');
  }
}

export const cli = defineCli({
  name: 'mm-graph',
  summary: 'Multimodal Graph Benchmark toolkit: .pt loader, GNN baselines in tfjs, OGB-exact evaluation',
  reproduction,
  commands: {
    bench: {
      summary: 'train and evaluate models on a synthetic preset (default) or an MM-GRAPH dataset directory; prints the table',
      flags: {
        task: { type: 'string', choices: ['nc', 'lp'], default: 'nc', description: 'nc | lp' },
        models: { type: 'string', default: DEFAULT_MODELS.join(','), description: `comma list of ${MODEL_NAMES.join(', ')}` },
        features: { type: 'string', default: FEATURE_VIEWS.join(','), description: 'comma list of text, image, both' },
        data: { type: 'string', description: 'MM-GRAPH dataset directory (default: the spec §5 synthetic preset)' },
        encoder: { type: 'string', choices: FEATURE_ENCODERS, default: 'clip', description: 'feature file for --data' },
        rows: { type: 'string', description: 'with --data: load only these node rows (start:end)' },
        seeds: { type: 'integer', min: 1, default: 1, description: 'number of seeds' },
        quick: { type: 'boolean', description: 'small synthetic graph and short training' },
        path: { type: 'string', choices: ['spmm', 'gather'], description: 'message passing: spmm | gather' },
        json: { type: 'string', description: 'also write the per-run rows as JSON' },
      },
      async run({ flags, log, error }) {
        const task = flags.task as 'nc' | 'lp';
        const models = list(flags.models) as ModelName[];
        for (const m of models) if (!MODEL_NAMES.includes(m)) throw new OptionError('--models', MODEL_NAMES.join(', '), m);
        const features = list(flags.features) as FeatureView[];
        for (const f of features) if (!FEATURE_VIEWS.includes(f)) throw new OptionError('--features', 'text, image, both', f);
        const seeds = flags.seeds as number;
        const backend = await initBackend({ quiet: true });
        let graph: MMGraph | undefined;
        if (flags.data) {
          mustExist(flags.data);
          const rows = flags.rows ? (flags.rows.split(':').map(Number) as [number, number]) : undefined;
          graph = await loadMMGraph(flags.data, { task, features: flags.encoder as FeatureEncoder, rows });
        }
        const start = performance.now();
        const rows = await runBenchmark({
          task, models, features, graph,
          seeds: Array.from({ length: seeds }, (_, i) => i),
          size: flags.quick ? QUICK_SIZE : FULL_SIZE,
          path: flags.path as MessagePassingPath | undefined,
          onRow: (r) => error(`  ${r.model}/${r.features} seed ${r.seed}: ${describeRow(r)} (${r.seconds.toFixed(1)} s)`),
        });
        log(`\nmm-graph bench: task ${task}, ${graph ? flags.data : 'synthetic preset'}, backend ${backend.name}, ${seeds} seed(s), ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
        log(benchTable(rows, task));
        if (flags.json) await writeFileAtomic(flags.json, `${JSON.stringify(rows, null, 2)}\n`);
      },
    },
    inspect: {
      summary: 'show the entries, tensors (dtype, shape) and structure of a .pt file, or of every .pt file in a directory',
      positionals: [{ name: 'path', description: '.pt file or dataset directory' }],
      async run({ args, log }) {
        const path = args.path as string;
        mustExist(path);
        const files = statSync(path).isDirectory()
          ? readdirSync(path).filter((f) => f.endsWith('.pt')).sort().map((f) => join(path, f))
          : [path];
        for (const file of files) {
          const f = await openTorchFile(file);
          log(`${basename(file)} (${statSync(file).size} bytes, ${f.entries.length} zip entries)`);
          log(describeValue(f.value, '  '));
          await f.close();
        }
      },
    },
    eval: {
      summary: 'OGB ranking metrics from score files: pos.npy [n] and neg.npy [n, K]',
      positionals: [{ name: 'pos', description: 'positive scores (.npy)' }, { name: 'neg', description: 'negative scores (.npy), K per positive' }],
      async run({ args, log }) {
        for (const f of [args.pos, args.neg]) mustExist(f);
        const pos = readNpy(new Uint8Array(await readFile(args.pos)));
        const neg = readNpy(new Uint8Array(await readFile(args.neg)));
        const k = neg.shape.length === 2 ? neg.shape[1] : neg.shape[0] / Math.max(pos.shape[0], 1);
        const toNumbers = (d: unknown) => Float64Array.from(d as ArrayLike<number>);
        const m = evaluateRanking(toNumbers(pos.data), toNumbers(neg.data), k);
        log(formatTable(['mrr', 'hits@1', 'hits@3', 'hits@10'], [[m.mrr, m.hits1, m.hits3, m.hits10]]));
      },
    },
  },
});

function describeRow(r: BenchmarkRow): string {
  return r.task === 'nc' ? `acc ${r.metrics.acc.toFixed(3)}` : `mrr ${r.metrics.mrr.toFixed(3)} hits@10 ${r.metrics.hits10.toFixed(3)}`;
}

function benchTable(rows: BenchmarkRow[], task: 'nc' | 'lp'): string {
  const seeds = [...new Set(rows.map((r) => r.seed))];
  const perSeed = seeds.map((s) => Object.fromEntries(rows.filter((r) => r.seed === s).map((r) => [`${r.model}\t${r.features}`, r.metrics])));
  const summary = rowsFromSeeds(perSeed);
  const metrics = task === 'nc' ? ['acc', 'valAcc'] : ['mrr', 'hits1', 'hits3', 'hits10'];
  const fmt = (m?: { mean: number; std: number }) => (m ? (seeds.length > 1 ? `${m.mean.toFixed(4)} ± ${m.std.toFixed(4)}` : m.mean.toFixed(4)) : '');
  return formatTable(['model', 'features', ...metrics], summary.map((r) => [...r.method.split('\t'), ...metrics.map((k) => fmt(r.metrics[k]))]));
}

function describeValue(value: PickleValue, indent: string, depth = 0): string {
  if (value instanceof TorchTensor) return `tensor ${value.dtype} [${value.shape.join(', ')}] (${value.entry})`;
  if (Array.isArray(value)) {
    const inner = value.length > 0 && depth < 3 ? `; first: ${describeValue(value[0], indent, depth + 1)}` : '';
    return `list of ${value.length}${inner}`;
  }
  if (value instanceof Map) return `dict with ${value.size} non-string keys`;
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const entries = Object.entries(value as Record<string, PickleValue>);
    return entries.map(([k, v]) => `\n${indent}${k}: ${describeValue(v, `${indent}  `, depth + 1)}`).join('');
  }
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
