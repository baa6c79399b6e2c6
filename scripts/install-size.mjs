#!/usr/bin/env node
// What installing one package costs a user: pack every published package (dist must be built), then for
// each one install its README's npm line into a fresh project (the @paperkit tarballs stand in for the
// registry) and measure node_modules. Prints a markdown table; `--json FILE` writes the numbers.
//
//   node scripts/install-size.mjs [--only a,b] [--json FILE]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const value = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const only = value('--only')?.split(',');

const packages = readdirSync(join(root, 'packages'))
  .map((name) => ({ name, dir: join(root, 'packages', name) }))
  .filter((p) => existsSync(join(p.dir, 'package.json')))
  .map((p) => ({ ...p, manifest: JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8')) }))
  .filter((p) => !p.manifest.private);

/** Bytes under a folder (files only; symlinks not followed). */
function du(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += du(path);
    else if (e.isFile()) total += statSync(path).size;
  }
  return total;
}

const work = mkdtempSync(join(tmpdir(), 'paperkit-size-'));
const rows = [];
try {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const p of packages) execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: p.dir, stdio: 'ignore' });
  const tarball = (name) => join(tarballs, readdirSync(tarballs).find((f) => f.startsWith(`${name.replace('@', '').replace('/', '-')}-`)));
  for (const p of packages.filter((q) => !only || only.includes(q.name))) {
    // The README's npm line: the package, tensor-core, and the peers it names.
    const readme = readFileSync(join(p.dir, 'README.md'), 'utf8');
    const line = /^npm install (.+)$/m.exec(readme)?.[1].split(/\s+/) ?? [p.manifest.name];
    const specs = line.map((spec) => (spec.startsWith('@paperkit/') ? tarball(spec) : spec));
    for (const dep of Object.keys(p.manifest.dependencies ?? {})) if (dep.startsWith('@paperkit/') && !line.includes(dep)) specs.push(tarball(dep));
    const dir = join(work, p.name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'size-probe', private: true }));
    const r = spawnSync('npm', ['install', ...specs, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${p.name}: npm install failed\n${r.stdout}${r.stderr}`);
    const modules = join(dir, 'node_modules');
    rows.push({
      package: p.manifest.name,
      installLine: `npm install ${line.join(' ')}`,
      tarballKB: Math.round(statSync(tarball(p.manifest.name)).size / 1024),
      nodeModulesMB: Math.round(du(modules) / 1e5) / 10,
      packages: readdirSync(modules).flatMap((n) => (n.startsWith('@') ? readdirSync(join(modules, n)).map((m) => `${n}/${m}`) : n.startsWith('.') ? [] : [n])).length,
      tfjs: existsSync(join(modules, '@tensorflow', 'tfjs')),
    });
    console.error(`${p.name}: ${rows.at(-1).nodeModulesMB} MB`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log('| package | tarball | node_modules after its README install line | top-level packages | tfjs installed |');
console.log('|---|---:|---:|---:|---|');
for (const r of rows) console.log(`| ${r.package} | ${r.tarballKB} KB | ${r.nodeModulesMB} MB | ${r.packages} | ${r.tfjs ? 'yes' : 'no'} |`);
const json = value('--json');
if (json) {
  writeFileSync(`${json}.tmp`, `${JSON.stringify(rows, null, 2)}\n`);
  renameSync(`${json}.tmp`, json);
}
