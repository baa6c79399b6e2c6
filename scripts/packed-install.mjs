#!/usr/bin/env node
// What a user meets outside the monorepo: pack every published package (its dist must be built), install
// the tarballs into a fresh plain project with npm (and with pnpm), run each README's quick start exactly as
// written with plain `node`, require every package from CommonJS, and type-check an import of every entry
// under moduleResolution node16 and bundler. Registry access is `--prefer-offline` (the local cache first).
//
//   node scripts/packed-install.mjs [--json FILE] [--keep] [--only a,b] [--no-pnpm]
//
// The quick start of a README is its first ```js block after a heading that contains "Quick start".
// Exit 0 when everything ran; the JSON report lists each check with its output.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { packAll, publishedPackages } from './lib/published-packages.mjs';

const root = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const only = value('--only')?.split(',');

const packages = publishedPackages(root);
const selected = packages.filter((p) => !only || only.includes(p.name));

/** The quick start: the first ```js block after a heading naming it. */
export function quickStart(readme) {
  const at = readme.search(/^#+ .*quick start/im);
  if (at < 0) return undefined;
  const block = /```(?:js|javascript|mjs)\n([\s\S]*?)```/.exec(readme.slice(at));
  return block?.[1];
}

const work = mkdtempSync(join(tmpdir(), 'paperkit-packed-'));
const results = [];
const record = (check, ok, detail = '') => {
  results.push({ check, ok, detail: detail.slice(-4000) });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${check}${ok ? '' : `\n${detail.slice(-2000)}`}`);
};
const run = (cmd, args, cwd, timeout = 300_000) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, PAPERKIT_PROGRESS: '0', npm_config_update_notifier: 'false', FORCE_COLOR: '0' } });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
};

try {
  // 1. pack
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const packed = packAll(packages, tarballs);
  const tgz = [...packed.values()];
  const sizes = Object.fromEntries(tgz.map((t) => [basename(t), statSync(t).size]));

  // 2. a plain npm project with every tarball, as each README's install line names them
  const npmDir = join(work, 'npm-project');
  mkdirSync(npmDir);
  writeFileSync(join(npmDir, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }, null, 2));
  let r = run('npm', ['install', ...tgz, '@tensorflow/tfjs@^4.22.0', '@tensorflow/tfjs-backend-wasm@^4.22.0', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], npmDir, 600_000);
  record('npm install of every tarball', r.ok, r.out);
  const projects = [['npm', npmDir]];

  if (!flag('--no-pnpm')) {
    const pnpmDir = join(work, 'pnpm-project');
    mkdirSync(pnpmDir);
    // pnpm resolves a tarball's own dependencies from the registry, where @paperkit/* are not published
    // from this checkout: point those names at the local tarballs.
    const overrides = Object.fromEntries([...packed].map(([name, file]) => [name, `file:${file}`]));
    writeFileSync(join(pnpmDir, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module', pnpm: { overrides } }, null, 2));
    r = run('pnpm', ['add', ...tgz, '@tensorflow/tfjs@^4.22.0', '@tensorflow/tfjs-backend-wasm@^4.22.0', '--prefer-offline', '--reporter=append-only'], pnpmDir, 600_000);
    record('pnpm add of every tarball', r.ok, r.out);
    projects.push(['pnpm', pnpmDir]);
  }

  for (const [manager, dir] of projects) {
    // 3. each README's quick start, exactly as written, with plain node
    for (const p of selected) {
      const code = quickStart(readFileSync(join(p.dir, 'README.md'), 'utf8'));
      if (code === undefined) {
        record(`${manager}: ${p.name} README has a js quick start`, false, 'no ```js block after a "Quick start" heading');
        continue;
      }
      const file = join(dir, `quick-start-${p.name}.mjs`);
      writeFileSync(file, code);
      const out = run('node', [file], dir, 180_000);
      const tensors = Boolean(p.manifest.peerDependencies?.['@tensorflow/tfjs']) && !p.manifest.peerDependenciesMeta?.['@tensorflow/tfjs']?.optional;
      const usesBackend = /initBackend/.test(code);
      const onWasm = !usesBackend || /tfjs backend: wasm/.test(out.out);
      record(`${manager}: ${p.name} README quick start runs${usesBackend ? ' on the wasm backend' : ''}`, out.ok && onWasm && (!tensors || usesBackend), out.out);
    }
    // 4. every entry from CommonJS
    const entries = selected.flatMap((p) => Object.keys(p.manifest.exports ?? { '.': 0 }).filter((k) => k !== './package.json').map((k) => (k === '.' ? p.manifest.name : `${p.manifest.name}/${k.slice(2)}`)));
    const cjs = run('node', ['-e', `for (const e of ${JSON.stringify(entries)}) { const m = require(e); if (Object.keys(m).length === 0) throw new Error(e + ' exports nothing'); }`], dir);
    record(`${manager}: require() of ${entries.length} entries`, cjs.ok, cjs.out);
    // 5. types under node16 and bundler resolution
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    writeFileSync(join(dir, 'types.mts'), entries.map((e, i) => `import * as m${i} from '${e}';\nexport const n${i} = Object.keys(m${i}).length;`).join('\n'));
    for (const resolution of ['node16', 'bundler']) {
      const module = resolution === 'node16' ? 'node16' : 'esnext';
      const t = run('node', [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', module, '--moduleResolution', resolution, '--target', 'es2022', 'types.mts'], dir);
      record(`${manager}: types resolve (moduleResolution ${resolution})`, t.ok, t.out);
    }
  }
  const json = value('--json');
  if (json) {
    writeFileSync(`${json}.tmp`, `${JSON.stringify({ tarballBytes: sizes, results }, null, 2)}\n`);
    renameSync(`${json}.tmp`, json);
  }
} finally {
  if (!flag('--keep')) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
const failed = results.filter((r) => !r.ok).length;
console.log(`\npacked install: ${results.length - failed} ok, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
