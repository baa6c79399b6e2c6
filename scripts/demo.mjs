#!/usr/bin/env node
// `pnpm demo [--quick]`: run every package's `reproduce` from source and print one
// table of paper claims against what we measured. Results (JSON + SVG) go to results/.
// `--jobs N` runs N reproductions at a time (default: the usable cores, at most 2), each on one wasm
// thread and one worker thread (PAPERKIT_THREADS, PAPERKIT_WORKERS), with its output buffered and
// printed whole when it ends: most of their kernels are small and single-threaded, so two at a time
// nearly halve the wall clock, and products are bit-identical on one thread and on two
// (docs/backends.md), so no number changes. Step timings a package reports are then
// taken beside another job; `--jobs 1` gives the quiet timings.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const jobsArg = process.argv.find((a) => a.startsWith('--jobs='))?.slice('--jobs='.length);
const jobs = Math.max(1, Number(jobsArg ?? Math.min(2, availableParallelism())) || 1);
const outDir = join(root, 'results', quick ? 'quick' : 'full');
mkdirSync(outDir, { recursive: true });

// tensor-core's self-check first, then the methods in alphabetical order (the summary's order).
const names = readdirSync(join(root, 'packages'))
  .filter((name) => existsSync(join(root, 'packages', name, 'src', 'cli.ts')))
  .filter((name) => !only || only.includes(name))
  .sort((a, b) => (a === 'tensor-core' ? -1 : b === 'tensor-core' ? 1 : a.localeCompare(b)));

const tsx = join(root, 'node_modules', '.bin', 'tsx');

/** Run one package's reproduce; resolves to its summary row and its whole output. */
function reproduce(name) {
  const json = join(outDir, `${name}.json`);
  const args = ['--conditions=@paperkit/source', join('packages', name, 'src', 'cli.ts'), 'reproduce', ...(quick ? ['--quick'] : []), '--json', json, '--plot', join(outDir, `${name}.svg`)];
  const env = { ...process.env, FORCE_COLOR: '0', ...(jobs > 1 ? { PAPERKIT_THREADS: '1', PAPERKIT_WORKERS: '1' } : {}) };
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(tsx, args, { cwd: root, env, stdio: jobs > 1 ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    const output = [];
    child.stdout?.on('data', (d) => output.push(d));
    child.stderr?.on('data', (d) => output.push(d));
    child.on('close', (status, signal) => {
      const seconds = (Date.now() - started) / 1000;
      if (status !== 0 || !existsSync(json)) {
        done({ row: { name, claim: '-', measured: `reproduce failed (exit ${status ?? signal})`, holds: 'ERROR', seconds }, output });
        return;
      }
      const result = JSON.parse(readFileSync(json, 'utf8'));
      done({ row: { name, claim: result.claim, measured: result.verdict, holds: result.holds ? 'yes' : 'no', seconds }, output });
    });
  });
}

// Start the longest full runs first so the two slots finish together (CPU seconds of each full run, measured
// on a quiet 2-core machine; the rest take about a minute). The summary keeps the order above.
const FULL_RUN_SECONDS = { harmodt: 1250, compoformer: 560, divil: 390, 'offline-rl': 360, mola: 270, 'reprogramming-distill': 220 };
const order = names.map((_, i) => i);
if (!quick) order.sort((a, b) => (FULL_RUN_SECONDS[names[b]] ?? 60) - (FULL_RUN_SECONDS[names[a]] ?? 60) || a - b);

const summary = new Array(names.length);
let next = 0;
async function worker() {
  while (next < order.length) {
    const i = order[next++];
    if (jobs === 1) console.log(`\n=== ${names[i]}: reproduce${quick ? ' --quick' : ''} ===`);
    const { row, output } = await reproduce(names[i]);
    if (jobs > 1) process.stdout.write(`\n=== ${names[i]}: reproduce${quick ? ' --quick' : ''} (${row.seconds.toFixed(0)} s) ===\n${Buffer.concat(output).toString()}`);
    summary[i] = row;
  }
}
const wall = Date.now();
await Promise.all(Array.from({ length: Math.min(jobs, names.length) }, worker));

const header = ['package', 'claim', 'measured', 'holds', 'seconds'];
const lines = [
  `| ${header.join(' | ')} |`,
  `|${header.map(() => '---').join('|')}|`,
  ...summary.map((s) => `| ${s.name} | ${s.claim} | ${s.measured} | ${s.holds} | ${s.seconds.toFixed(0)} |`),
];
const table = lines.join('\n');
console.log(`\n=== paperkit: paper claims against measurements (${quick ? 'quick smoke size' : 'full size'}) ===\n`);
console.log(table);
const tmp = join(outDir, 'summary.md.tmp');
writeFileSync(tmp, `${table}\n`);
renameSync(tmp, join(outDir, 'summary.md'));
console.log(`\nper-package JSON and SVG in ${outDir}; ${((Date.now() - wall) / 1000).toFixed(0)} s with ${jobs} job(s) at a time`);
process.exit(summary.some((s) => s.holds === 'ERROR') ? 1 : 0);
