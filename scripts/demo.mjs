#!/usr/bin/env node
// `pnpm demo [--quick]`: run every package's `reproduce` from source and print one
// table of paper claims against what we measured. Results (JSON + SVG) go to results/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const outDir = join(root, 'results', quick ? 'quick' : 'full');
mkdirSync(outDir, { recursive: true });

// tensor-core's self-check first, then the methods in alphabetical order.
const names = readdirSync(join(root, 'packages'))
  .filter((name) => existsSync(join(root, 'packages', name, 'src', 'cli.ts')))
  .filter((name) => !only || only.includes(name))
  .sort((a, b) => (a === 'tensor-core' ? -1 : b === 'tensor-core' ? 1 : a.localeCompare(b)));

const tsx = join(root, 'node_modules', '.bin', 'tsx');
const summary = [];
for (const name of names) {
  const json = join(outDir, `${name}.json`);
  const args = ['--conditions=@paperkit/source', join('packages', name, 'src', 'cli.ts'), 'reproduce', ...(quick ? ['--quick'] : []), '--json', json, '--plot', join(outDir, `${name}.svg`)];
  console.log(`\n=== ${name}: reproduce${quick ? ' --quick' : ''} ===`);
  const started = Date.now();
  const run = spawnSync(tsx, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  const seconds = (Date.now() - started) / 1000;
  if (run.status !== 0 || !existsSync(json)) {
    summary.push({ name, claim: '-', measured: `reproduce failed (exit ${run.status ?? run.signal})`, holds: 'ERROR', seconds });
    continue;
  }
  const result = JSON.parse(readFileSync(json, 'utf8'));
  summary.push({ name, claim: result.claim, measured: result.verdict, holds: result.holds ? 'yes' : 'no', seconds });
}

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
console.log(`\nper-package JSON and SVG in ${outDir}`);
process.exit(summary.some((s) => s.holds === 'ERROR') ? 1 : 0);
