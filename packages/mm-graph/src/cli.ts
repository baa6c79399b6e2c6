/**
 * `mm-graph` command line: argument parsing and printing only; the work is in the public API.
 *   mm-graph bench [--task nc|lp] [--models ...] [--features text,image,both] [--data DIR] ...
 *   mm-graph inspect <dir|file>
 *   mm-graph eval <pos.npy> <neg.npy>
 *   mm-graph reproduce [--quick] [--seeds N] [--json FILE] [--plot FILE]
 */
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Command } from 'commander';
import { OptionError, PaperkitError, formatTable, initBackend, readNpy, rowsFromSeeds } from '@paperkit/tensor-core';
import { finishReproduction, parseReproduceArgs, writeFileAtomic } from '@paperkit/tensor-core/node';
import { FEATURE_VIEWS, type FeatureView, type MMGraph } from './mm-graph.js';
import { MODEL_NAMES, type ModelName } from './models/create-model.js';
import { FEATURE_ENCODERS, loadMMGraph, type FeatureEncoder } from './load-mm-graph.js';
import { openTorchFile, TorchTensor } from './pt-reader/torch-file.js';
import type { PickleValue } from './pt-reader/pickle.js';
import { evaluateRanking } from './evaluate-ranking.js';
import { DEFAULT_MODELS, runBenchmark, runReproduction, type BenchmarkRow } from './reproduce/run.js';
import { FULL_SIZE, QUICK_SIZE } from './reproduce/data.js';
import type { MessagePassingPath } from './message-passing.js';

const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);

function program(): Command {
  const cmd = new Command('mm-graph')
    .description('Multimodal Graph Benchmark toolkit: .pt loader, GNN baselines in tfjs, OGB-exact evaluation')
    .showHelpAfterError();

  cmd.command('bench')
    .description('train and evaluate models on a synthetic preset (default) or an MM-GRAPH dataset directory; prints the table')
    .option('--task <task>', 'nc | lp', 'nc')
    .option('--models <list>', `comma list of ${MODEL_NAMES.join(', ')}`, DEFAULT_MODELS.join(','))
    .option('--features <list>', 'comma list of text, image, both', FEATURE_VIEWS.join(','))
    .option('--data <dir>', 'MM-GRAPH dataset directory (default: the spec §5 synthetic preset)')
    .option('--encoder <name>', `feature file for --data: ${FEATURE_ENCODERS.join(', ')}`, 'clip')
    .option('--rows <start:end>', 'with --data: load only these node rows')
    .option('--seeds <n>', 'number of seeds', '1')
    .option('--quick', 'small synthetic graph and short training')
    .option('--path <path>', 'message passing: spmm | gather')
    .option('--json <file>', 'also write the per-run rows as JSON')
    .action(async (opts) => {
      const task = opts.task as 'nc' | 'lp';
      if (task !== 'nc' && task !== 'lp') throw new OptionError('--task', "'nc' | 'lp'", opts.task);
      const models = list(opts.models) as ModelName[];
      for (const m of models) if (!MODEL_NAMES.includes(m)) throw new OptionError('--models', MODEL_NAMES.join(', '), m);
      const features = list(opts.features) as FeatureView[];
      for (const f of features) if (!FEATURE_VIEWS.includes(f)) throw new OptionError('--features', 'text, image, both', f);
      const seeds = Number(opts.seeds);
      if (!Number.isInteger(seeds) || seeds < 1) throw new OptionError('--seeds', 'a positive integer', opts.seeds);
      const backend = await initBackend({ quiet: true });
      let graph: MMGraph | undefined;
      if (opts.data) {
        const rows = opts.rows ? (opts.rows.split(':').map(Number) as [number, number]) : undefined;
        graph = await loadMMGraph(opts.data, { task, features: opts.encoder as FeatureEncoder, rows });
      }
      const start = performance.now();
      const rows = await runBenchmark({
        task, models, features, graph,
        seeds: Array.from({ length: seeds }, (_, i) => i),
        size: opts.quick ? QUICK_SIZE : FULL_SIZE,
        path: opts.path as MessagePassingPath | undefined,
        onRow: (r) => process.stderr.write(`  ${r.model}/${r.features} seed ${r.seed}: ${describeRow(r)} (${r.seconds.toFixed(1)} s)\n`),
      });
      console.log(`\nmm-graph bench: task ${task}, ${graph ? opts.data : 'synthetic preset'}, backend ${backend.name}, ${seeds} seed(s), ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
      console.log(benchTable(rows, task));
      if (opts.json) await writeFileAtomic(opts.json, `${JSON.stringify(rows, null, 2)}\n`);
    });

  cmd.command('inspect')
    .description('show the entries, tensors (dtype, shape) and structure of a .pt file, or of every .pt file in a directory')
    .argument('<path>', '.pt file or dataset directory')
    .action(async (path: string) => {
      const files = statSync(path).isDirectory()
        ? readdirSync(path).filter((f) => f.endsWith('.pt')).sort().map((f) => join(path, f))
        : [path];
      for (const file of files) {
        const f = await openTorchFile(file);
        console.log(`${basename(file)} (${statSync(file).size} bytes, ${f.entries.length} zip entries)`);
        console.log(describeValue(f.value, '  '));
        await f.close();
      }
    });

  cmd.command('eval')
    .description('OGB ranking metrics from score files: pos.npy [n] and neg.npy [n, K]')
    .argument('<pos>', 'positive scores (.npy)')
    .argument('<neg>', 'negative scores (.npy), K per positive')
    .action(async (posFile: string, negFile: string) => {
      const pos = readNpy(new Uint8Array(await readFile(posFile)));
      const neg = readNpy(new Uint8Array(await readFile(negFile)));
      const k = neg.shape.length === 2 ? neg.shape[1] : neg.shape[0] / Math.max(pos.shape[0], 1);
      const toNumbers = (d: unknown) => Float64Array.from(d as ArrayLike<number>);
      const m = evaluateRanking(toNumbers(pos.data), toNumbers(neg.data), k);
      console.log(formatTable(['mrr', 'hits@1', 'hits@3', 'hits@10'], [[m.mrr, m.hits1, m.hits3, m.hits10]]));
    });

  cmd.command('reproduce')
    .description('spec §5 reproduction: 4 models x 3 feature views x seeds on NC and LP, with LP heuristics')
    .option('--quick', 'one seed, smaller graph (CI, < 30 s)')
    .option('--seeds <n>', 'number of seeds (default 3)')
    .option('--json <file>', 'write the ReproductionResult JSON')
    .option('--plot <file>', 'write an SVG bar chart')
    .action(async () => {
      const rest = process.argv.slice(process.argv.indexOf('reproduce') + 1);
      const args = parseReproduceArgs(rest, { defaultSeeds: 3 });
      const result = await runReproduction({ quick: args.quick, seeds: args.seeds, progress: true });
      await finishReproduction(result, args, { plotMetrics: ['acc', 'mrr'] });
    });
  return cmd;
}

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

// `pnpm cli -- bench ...` forwards the `--` separator; drop it so commander sees the subcommand.
const argv = process.argv[2] === '--' ? [...process.argv.slice(0, 2), ...process.argv.slice(3)] : process.argv;

program()
  .parseAsync(argv)
  .catch((error: unknown) => {
    if (error instanceof PaperkitError || (error as NodeJS.ErrnoException)?.code === 'ENOENT') {
      console.error(`mm-graph: ${(error as Error).message}`);
      process.exit(2);
    }
    throw error;
  });
