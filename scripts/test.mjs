#!/usr/bin/env node
// `pnpm test`: every package's vitest suite (from source, no build needed), then the
// packaging checks (build, publint, attw) and type checks through turbo.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const report = join(root, '.vitest-report.json');
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } }).status ?? 1;

const vitest = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${report}`, ...process.argv.slice(2)]);
const packaging = process.argv.length > 2 ? 0 : run(bin('turbo'), ['run', 'typecheck', 'lint:package', '--continue', '--output-logs=errors-only']);

if (existsSync(report)) {
  const { numPassedTests, numFailedTests } = JSON.parse(readFileSync(report, 'utf8'));
  console.log(`\nvitest: ${numPassedTests} passed, ${numFailedTests} failed`);
}
if (packaging !== 0) console.log('packaging checks (typecheck, publint, attw) failed: see above');
process.exit(vitest !== 0 ? vitest : packaging);
