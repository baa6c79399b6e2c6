/**
 * What a user meets outside the monorepo (scripts/packed-install.mjs): every package packed, installed
 * from its tarball into a plain project with npm and with pnpm, each README quick start run as written
 * with plain node (on the wasm backend where it computes with tensors), every entry required from
 * CommonJS, and the types resolved under moduleResolution node16 and bundler.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
/** Every published package: each README must have a runnable ```js quick start. */
const CHECKED = readdirSync(join(root, 'packages')).filter((name) => {
  const manifest = join(root, 'packages', name, 'package.json');
  return existsSync(manifest) && !JSON.parse(readFileSync(manifest, 'utf8')).private;
});

/** Run a command without blocking the test worker's event loop (vitest talks to its workers over it). */
function run(cmd: string, args: string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    child.on('close', (status) => done({ status, stdout }));
  });
}

describe('packed install', () => {
  it('every tarball installs with npm and pnpm, and the READMEs\' quick starts run as written', async () => {
    const build = await run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);
    expect(build.status, build.stdout).toBe(0);
    const report = join(mkdtempSync(join(tmpdir(), 'paperkit-packed-report-')), 'report.json');
    const r = await run('node', [join(root, 'scripts', 'packed-install.mjs'), '--only', CHECKED.join(','), '--json', report]);
    const { results } = JSON.parse(readFileSync(report, 'utf8')) as { results: { check: string; ok: boolean; detail: string }[] };
    const failed = results.filter((x) => !x.ok);
    expect(failed.map((x) => `${x.check}\n${x.detail.slice(-800)}`).join('\n\n'), r.stdout).toBe('');
    for (const name of CHECKED) expect(results.some((x) => x.check === `pnpm: ${name} README quick start runs${name === 'smooth-goodput' ? '' : ' on the wasm backend'}` && x.ok)).toBe(true);
  }, 1_200_000);
});
