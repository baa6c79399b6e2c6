/**
 * `pnpm bench`: times tensor-core's workloads on one backend in three flavours
 * measured in the same run, plus every method package's bench workload.
 *
 *   pnpm bench [--backend wasm|cpu|tfjs-node] [--only name,...] [--json FILE]
 *              [--runs 10] [--warmup 3] [--warmup-ms 1500] [--clock wall|cpu] [--profile]
 *              [--no-torch] [--no-raw] [--no-fast] [--threads N]
 *
 * Flavours of the core workloads (bench/workloads/{matmul,mlp,transformer,gcn}.ts):
 * - paperkit: tensor-core's layers, losses and optimizer after initBackend(),
 *   i.e. with the wasm fallback and fast kernels registered, and large
 *   matmuls on XNNPACK's thread pool (--threads N, default: the usable cores;
 *   the header says how many ran);
 * - raw tfjs: the same computation in plain tfjs ops, run in a child process
 *   that never loads paperkit's kernels (the kernel registry is global);
 * - PyTorch: bench/torch/workloads.py with 1 thread and with its default
 *   thread count, when a python3 with torch is found (Debian's python3-torch).
 * Method workloads (files exporting `workloads: BenchWorkload[]`) are timed in
 * the paperkit flavour; those with a `torch` key also against their PyTorch twin
 * (bench/torch/<name>.py, loaded by bench/torch/workloads.py), and rows
 * without one say why under the table.
 *
 * Each measurement: setup, untimed steps (at least `warmup` of them and at
 * least `warmup-ms` of stepping: V8 first runs wasm in its baseline compiler
 * and tiers hot functions up later, and a transformer step took 35-40 ms
 * after 3 warm-up steps against 29-30 ms after 20), `runs` timed steps, the
 * median (wall-clock by default; `--clock cpu` times this process's CPU time,
 * and PyTorch's, which is steadier when other jobs share the cores);
 * tf.memory().numTensors must not change across the timed steps.
 * `--json FILE` writes {backend, workloads: [{name, paperkitMs, rawTfjsMs,
 * torch1Ms, torchDefaultMs, ratio, torchNote?}]}, ratio = paperkitMs / torch1Ms
 * (null when a column could not be measured; torchNote says why). `--profile`
 * also prints, per workload and tfjs flavour, where one step's time goes,
 * kernel by kernel and per kernel class, and the kernel count (tf.profile).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { BenchStep, BenchWorkload, CoreWorkload } from './workload.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

type Backend = 'wasm' | 'cpu' | 'tfjs-node';

interface Args {
  backend: Backend;
  only: string[] | null;
  json: string | null;
  runs: number;
  warmup: number;
  /** Minimum milliseconds of untimed stepping in the tfjs flavours (wasm tier-up). */
  warmupMs: number;
  profile: boolean;
  torch: boolean;
  raw: boolean;
  /** Run the paperkit flavour with tfjs's own wasm kernels (PAPERKIT_FAST_WASM=0): the "before" column. */
  fast: boolean;
  /** Wasm threads for the paperkit flavour (undefined: initBackend's default, the usable cores). */
  threads: number | undefined;
  /** 'wall' (performance.now) or 'cpu' (this process's user + system time: steadier on a shared machine). */
  clock: 'wall' | 'cpu';
  /** Internal: this process is the raw-tfjs child; write its results here. */
  rawChild: string | null;
}

interface Row {
  name: string;
  flops?: number;
  /** Why there is no PyTorch column (no twin, or the twin failed). */
  torchNote?: string;
  paperkitMs: number | null;
  rawTfjsMs: number | null;
  torch1Ms: number | null;
  torchDefaultMs: number | null;
  ratio: number | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { backend: 'wasm', only: null, json: null, runs: 10, warmup: 3, warmupMs: 1500, profile: false, torch: true, raw: true, fast: true, threads: undefined, clock: 'wall', rawChild: null };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const take = (): string => inline ?? value(i++, flag);
    switch (flag) {
      case '--backend': {
        const b = take();
        if (b !== 'wasm' && b !== 'cpu' && b !== 'tfjs-node') throw new Error(`--backend: expected wasm, cpu or tfjs-node, got '${b}'`);
        args.backend = b;
        break;
      }
      case '--only':
        args.only = take().split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case '--json':
        args.json = resolve(take());
        break;
      case '--runs':
        args.runs = positiveInt('--runs', take());
        break;
      case '--warmup':
        args.warmup = positiveInt('--warmup', take(), 0);
        break;
      case '--warmup-ms':
        args.warmupMs = positiveInt('--warmup-ms', take(), 0);
        break;
      case '--threads':
        args.threads = positiveInt('--threads', take(), 1);
        break;
      case '--clock': {
        const c = take();
        if (c !== 'wall' && c !== 'cpu') throw new Error(`--clock: expected wall or cpu, got '${c}'`);
        args.clock = c;
        break;
      }
      case '--profile':
        args.profile = true;
        break;
      case '--no-torch':
        args.torch = false;
        break;
      case '--no-raw':
        args.raw = false;
        break;
      case '--no-fast':
        args.fast = false;
        break;
      case '--raw-child':
        args.rawChild = take();
        break;
      case '--help':
      case '-h':
        process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0].replace(/^\/\*\*\n?/, '').replace(/^ \* ?/gm, ''));
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default:
        throw new Error(`unknown option '${argv[i]}' (see --help)`);
    }
  }
  return args;
}

function positiveInt(flag: string, text: string, min = 1): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: expected an integer >= ${min}, got '${text}'`);
  return n;
}

const selected = (args: Args, name: string): boolean =>
  args.only === null || args.only.some((pattern) => name === pattern || name.includes(pattern));

/** Every bench/workloads/*.ts: core workloads (three flavours) and method workloads (paperkit only). */
async function discover(includeMethods: boolean): Promise<{ core: CoreWorkload[]; methods: BenchWorkload[] }> {
  const dir = join(here, 'workloads');
  const core: CoreWorkload[] = [];
  const methods: BenchWorkload[] = [];
  const coreFiles = ['matmul', 'mlp', 'transformer', 'gcn'];
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  function rank(file: string): number {
    const i = coreFiles.indexOf(basename(file, '.ts'));
    return i < 0 ? coreFiles.length : i;
  }
  for (const file of files) {
    const isCore = coreFiles.includes(basename(file, '.ts'));
    if (!isCore && !includeMethods) continue;
    try {
      const mod = (await import(pathToFileURL(join(dir, file)).href)) as { coreWorkloads?: CoreWorkload[]; workloads?: BenchWorkload[] };
      if (mod.coreWorkloads) core.push(...mod.coreWorkloads);
      if (mod.workloads) methods.push(...mod.workloads);
      if (!mod.coreWorkloads && !mod.workloads) console.error(`[bench] ${file}: exports neither 'workloads' nor 'coreWorkloads'; skipped`);
    } catch (error) {
      console.error(`[bench] ${file}: could not be loaded (${firstLine(error)}); skipped`);
    }
  }
  return { core, methods };
}

/** Setup, warm-up, timed runs, median; checks that no tensor leaks across the timed steps. */
async function measure(label: string, setup: () => Promise<BenchStep>, args: Args): Promise<number | null> {
  let bench: BenchStep | null = null;
  try {
    bench = await setup();
    const warmStart = performance.now();
    for (let i = 0; i < args.warmup || performance.now() - warmStart < args.warmupMs; i++) await bench.step();
    const before = tf.memory().numTensors;
    const times: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      const start = now(args.clock);
      await bench.step();
      times.push(now(args.clock) - start);
    }
    const after = tf.memory().numTensors;
    if (after !== before) console.error(`[bench] ${label}: tf.memory().numTensors went from ${before} to ${after} over ${args.runs} steps (a leak)`);
    times.sort((a, b) => a - b);
    const mid = times.length >> 1;
    return times.length % 2 === 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  } catch (error) {
    console.error(`[bench] ${label}: failed (${firstLine(error)})`);
    return null;
  } finally {
    try {
      bench?.dispose();
    } catch (error) {
      console.error(`[bench] ${label}: dispose failed (${firstLine(error)})`);
    }
  }
}

/** Milliseconds on the chosen clock. */
function now(clock: Args['clock']): number {
  if (clock === 'wall') return performance.now();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Kernel classes for the profile's summary (docs/performance.md, round 3: where a step's time goes). */
function kernelClass(name: string): string {
  if (name.startsWith('PaperkitAdam')) return 'optimizer (fused Adam)';
  if (name.startsWith('Paperkit')) return 'fused layer ops (Paperkit*)';
  if (/MatMul|Conv/.test(name)) return 'matmul';
  if (/^(Sum|Max|Min|Mean|Prod|ArgMax|ArgMin|All|Any)$/.test(name)) return 'reductions';
  if (/^(Transpose|Reshape|Slice|StridedSlice|Concat|Pack|Unpack|Tile|GatherV2|GatherNd|OneHot|Identity|Cast|PadV2|Fill|ZerosLike|OnesLike|SplitV|UnsortedSegmentSum|ScatterNd|BroadcastTo)$/.test(name)) {
    return 'layout and copies';
  }
  return 'elementwise';
}

/**
 * Time per kernel over one step (after the same warm-up as the timed runs),
 * largest first, then per kernel class. Entries that are not kernels (tfjs's
 * own custom-gradient wrappers such as logSoftmax__op) include the kernels
 * they ran and are left out of the class totals.
 */
async function profileStep(label: string, setup: () => Promise<BenchStep>, args: Args): Promise<void> {
  let bench: BenchStep | null = null;
  try {
    bench = await setup();
    const warmStart = performance.now();
    for (let i = 0; i < Math.max(1, args.warmup) || performance.now() - warmStart < args.warmupMs; i++) await bench.step();
    const b = bench;
    const info = await tf.profile(async () => {
      await b.step();
    });
    const byKernel = new Map<string, { ms: number; calls: number }>();
    const byClass = new Map<string, { ms: number; calls: number }>();
    const backend = tf.getBackend();
    let total = 0;
    let kernels = 0;
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      const key = k.name === 'BatchMatMul' ? `BatchMatMul ${k.inputShapes.map((s) => `[${s}]`).join('x')}${matmulFlags(k.extraInfo)}` : k.name;
      const entry = byKernel.get(key) ?? { ms: 0, calls: 0 };
      entry.ms += ms;
      entry.calls += 1;
      byKernel.set(key, entry);
      if (tf.getKernel(k.name, backend) == null) continue; // a wrapper, not a kernel
      kernels += 1;
      total += ms;
      const cls = kernelClass(k.name);
      const c = byClass.get(cls) ?? { ms: 0, calls: 0 };
      c.ms += ms;
      c.calls += 1;
      byClass.set(cls, c);
    }
    const top = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16);
    console.log(`\nprofile ${label}: ${kernels} kernels (${info.kernels.length - kernels} wrapper entries), ${total.toFixed(1)} ms in kernels`);
    for (const [name, { ms, calls }] of top) {
      console.log(`  ${ms.toFixed(2).padStart(9)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)}%  x${String(calls).padEnd(4)} ${name}`);
    }
    console.log('  by class:');
    for (const [name, { ms, calls }] of [...byClass.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
      console.log(`  ${ms.toFixed(2).padStart(9)} ms  ${((100 * ms) / total).toFixed(1).padStart(5)}%  x${String(calls).padEnd(4)} ${name}`);
    }
  } catch (error) {
    console.error(`[bench] profile ${label}: failed (${firstLine(error)})`);
  } finally {
    bench?.dispose();
  }
}

function matmulFlags(extra: unknown): string {
  return typeof extra === 'string' && extra.length > 0 ? ` ${extra}` : '';
}

async function activateRaw(backend: Backend): Promise<void> {
  const pkg = backend === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : backend === 'tfjs-node' ? '@tensorflow/tfjs-node' : null;
  if (pkg) {
    const specifier: string = pkg;
    await import(specifier);
  }
  const name = backend === 'tfjs-node' ? 'tensorflow' : backend;
  if (!(await tf.setBackend(name))) throw new Error(`raw tfjs: tf.setBackend('${name}') failed`);
  await tf.ready();
}

/** The raw-tfjs child: no paperkit code that registers kernels is loaded here. */
async function rawChild(args: Args): Promise<void> {
  await activateRaw(args.backend);
  const { core } = await discover(false);
  const results: Record<string, number | null> = {};
  for (const w of core.filter((w) => selected(args, w.name))) {
    if (args.profile) await profileStep(`${w.name} [raw tfjs]`, w.raw, args);
    results[w.name] = await measure(`${w.name} [raw tfjs]`, w.raw, args);
    console.error(`[bench] raw tfjs ${w.name}: ${fmt(results[w.name])} ms`);
  }
  writeFileSync(args.rawChild!, JSON.stringify(results));
}

function runRawChild(args: Args): Record<string, number | null> {
  const dir = mkdtempSync(join(tmpdir(), 'paperkit-bench-'));
  const out = join(dir, 'raw.json');
  try {
    const childArgs = [...process.execArgv, fileURLToPath(import.meta.url), '--raw-child', out, '--backend', args.backend,
      '--runs', String(args.runs), '--warmup', String(args.warmup), '--warmup-ms', String(args.warmupMs), '--clock', args.clock, ...(args.only ? ['--only', args.only.join(',')] : []),
      ...(args.profile ? ['--profile'] : [])];
    const run = spawnSync(process.execPath, childArgs, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.status !== 0) {
      console.error(`[bench] raw tfjs child failed (exit ${run.status ?? run.signal}); its column stays empty`);
      return {};
    }
    return JSON.parse(readFileSync(out, 'utf8')) as Record<string, number | null>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A python3 that can import torch: $PAPERKIT_TORCH_PYTHON, python3 on PATH, then Debian's /usr/bin/python3. */
function findTorchPython(): string | null {
  const candidates = [process.env.PAPERKIT_TORCH_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((c): c is string => !!c);
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return null;
}

function runTorch(python: string, threads: number, names: string[], args: Args): Record<string, number> {
  const run = spawnSync(
    python,
    [join(here, 'torch', 'workloads.py'), '--threads', String(threads), '--only', names.join(','), '--runs', String(args.runs), '--warmup', String(args.warmup), '--clock', args.clock],
    {
      cwd: root,
      encoding: 'utf8',
      // One thread means one everywhere: torch's intra-op pool, OpenMP and OpenBLAS's own pthreads.
      env: threads === 1 ? { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } : process.env,
    },
  );
  if (run.status !== 0) {
    console.error(`[bench] PyTorch (${threads === 0 ? 'default' : threads} threads) failed: ${firstLine(run.stderr)}`);
    return {};
  }
  const parsed = JSON.parse(run.stdout.trim().split('\n').pop()!) as { threads: number; torch: string; workloads: Record<string, number> };
  console.error(`[bench] PyTorch ${parsed.torch} with ${parsed.threads} thread(s) (${python})`);
  return parsed.workloads;
}

const fmt = (x: number | null | undefined, digits = 2): string => (x == null ? '-' : x.toFixed(digits));

function printTable(backend: string, rows: Row[]): void {
  const header = ['workload', 'paperkit ms', 'raw tfjs ms', 'torch 1t ms', 'torch dflt ms', 'paperkit/torch1', 'raw/paperkit', 'GFLOP/s paperkit', 'GFLOP/s torch1'];
  const body = rows.map((r) => [
    r.name,
    fmt(r.paperkitMs),
    fmt(r.rawTfjsMs),
    fmt(r.torch1Ms),
    fmt(r.torchDefaultMs),
    fmt(r.ratio),
    r.paperkitMs != null && r.rawTfjsMs != null ? `${(r.rawTfjsMs / r.paperkitMs).toFixed(1)}x` : '-',
    r.flops ? fmt(r.paperkitMs ? r.flops / r.paperkitMs / 1e6 : null, 1) : '-',
    r.flops ? fmt(r.torch1Ms ? r.flops / r.torch1Ms / 1e6 : null, 1) : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(`\nbackend: ${backend}`);
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of body) console.log(line(row));
  const notes = rows.filter((r) => r.torchNote);
  if (notes.length > 0) {
    console.log('\nrows without a PyTorch ratio:');
    for (const r of notes) console.log(`- ${r.name}: ${r.torchNote}`);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.rawChild) return rawChild(args);

  // 1. Raw tfjs, in a child process without paperkit's kernels.
  const raw = args.raw ? runRawChild(args) : {};

  // 2. PyTorch, 1 thread and default threads.
  const { core, methods } = await discover(true);
  const coreSel = core.filter((w) => selected(args, w.name));
  const methodSel = methods.filter((w) => selected(args, w.name));
  let torch1: Record<string, number> = {};
  let torchDefault: Record<string, number> = {};
  // Twins of the core workloads and of every method workload with a `torch` key
  // (bench/torch/workloads.py loads bench/torch/<name>.py files too).
  const torchNames = [...coreSel.map((w) => w.torch), ...methodSel.flatMap((w) => (w.torch ? [w.torch] : []))];
  if (args.torch && torchNames.length > 0) {
    const python = findTorchPython();
    if (python === null) {
      console.error('[bench] no python3 with torch found (apt-get install python3-torch libopenblas0-pthread, or set PAPERKIT_TORCH_PYTHON); PyTorch columns stay empty');
    } else {
      torch1 = runTorch(python, 1, torchNames, args);
      torchDefault = runTorch(python, 0, torchNames, args);
    }
  }

  // 3. paperkit, in this process, after initBackend (fallback + fast kernels registered).
  if (!args.fast) process.env.PAPERKIT_FAST_WASM = '0';
  const { initBackend } = await import('../packages/tensor-core/src/backend/init-backend.js');
  const info = await initBackend({ backend: args.backend, threads: args.threads });
  const expected = args.backend === 'tfjs-node' ? 'tensorflow' : args.backend;
  if (info.name !== expected) {
    throw new Error(`--backend ${args.backend}: initBackend chose '${info.name}' (${info.tried.map((t) => `${t.source}: ${t.error ?? 'ok'}`).join('; ')})`);
  }
  const rows: Row[] = [];
  for (const w of coreSel) {
    if (args.profile) await profileStep(`${w.name} [paperkit]`, w.paperkit, args);
    const paperkitMs = await measure(`${w.name} [paperkit]`, w.paperkit, args);
    const torch1Ms = torch1[w.torch] ?? null;
    rows.push({
      name: w.name,
      flops: w.flops,
      paperkitMs,
      rawTfjsMs: raw[w.name] ?? null,
      torch1Ms,
      torchDefaultMs: torchDefault[w.torch] ?? null,
      ratio: paperkitMs != null && torch1Ms != null ? paperkitMs / torch1Ms : null,
    });
    console.error(`[bench] paperkit ${w.name}: ${fmt(paperkitMs)} ms`);
  }
  for (const w of methodSel) {
    if (args.profile) await profileStep(`${w.name} [paperkit]`, () => w.setup(), args);
    const paperkitMs = await measure(`${w.name} [paperkit]`, () => w.setup(), args);
    const torch1Ms = w.torch ? (torch1[w.torch] ?? null) : null;
    const torchNote = w.torch
      ? torch1Ms === null && args.torch ? `twin '${w.torch}' not measured (see the messages above)` : undefined
      : (w.noTorch ?? 'no PyTorch twin given');
    rows.push({
      name: w.name,
      paperkitMs,
      rawTfjsMs: null,
      torch1Ms,
      torchDefaultMs: w.torch ? (torchDefault[w.torch] ?? null) : null,
      ratio: paperkitMs != null && torch1Ms != null ? paperkitMs / torch1Ms : null,
      ...(torchNote ? { torchNote } : {}),
    });
    console.error(`[bench] paperkit ${w.name}: ${fmt(paperkitMs)} ms`);
  }

  const threads = info.name === 'wasm' ? `, paperkit on ${info.threads} thread${info.threads === 1 ? '' : 's'}${info.threadsFallback ? ` (threaded build failed: ${info.threadsFallback})` : ''}, raw tfjs on 1` : '';
  printTable(`${info.name}${args.backend === 'wasm' && !args.fast ? ' (paperkit column without the fast wasm kernels: --no-fast)' : ''}${threads}, clock: ${args.clock}`, rows);
  if (args.json) {
    const doc = {
      backend: info.name,
      threads: info.threads,
      workloads: rows.map(({ name, paperkitMs, rawTfjsMs, torch1Ms, torchDefaultMs, ratio, torchNote }) => ({
        name, paperkitMs, rawTfjsMs, torch1Ms, torchDefaultMs, ratio, ...(torchNote ? { torchNote } : {}),
      })),
    };
    const tmp = `${args.json}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    renameSync(tmp, args.json);
    console.error(`[bench] wrote ${args.json}`);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error ?? '');
  return text.trim().split('\n')[0] ?? '';
}

main().catch((error) => {
  console.error(`[bench] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
