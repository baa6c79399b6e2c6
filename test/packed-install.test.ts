/**
 * What a user meets outside the monorepo (scripts/packed-install.mjs): every package packed, installed
 * from its tarball into a plain project with npm and with pnpm, each README quick start run as written
 * with plain node (on the wasm backend where it computes with tensors), every entry required from
 * CommonJS, and the types resolved under moduleResolution node16 and bundler.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
/** The packages whose README quick start is checked here (each must have a runnable ```js quick start). */
const CHECKED = ['tensor-core', 'lorkd', 'mm-graph', 'smooth-goodput', 'reprogramming-distill'];

describe('packed install', () => {
  it('every tarball installs with npm and pnpm, and the READMEs\' quick starts run as written', () => {
    const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, encoding: 'utf8', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const report = join(mkdtempSync(join(tmpdir(), 'paperkit-packed-report-')), 'report.json');
    const r = spawnSync('node', [join(root, 'scripts', 'packed-install.mjs'), '--only', CHECKED.join(','), '--json', report], { cwd: root, encoding: 'utf8', timeout: 900_000 });
    const { results } = JSON.parse(readFileSync(report, 'utf8')) as { results: { check: string; ok: boolean; detail: string }[] };
    const failed = results.filter((x) => !x.ok);
    expect(failed.map((x) => `${x.check}\n${x.detail.slice(-800)}`).join('\n\n'), r.stdout).toBe('');
    for (const name of CHECKED) expect(results.some((x) => x.check === `pnpm: ${name} README quick start runs${name === 'smooth-goodput' ? '' : ' on the wasm backend'}` && x.ok)).toBe(true);
  }, 1_200_000);
});
