#!/usr/bin/env node
// What installing one package costs a user: pack every published package (dist must be built), then for
// each one install its README's npm line into a fresh project (the @paperkit tarballs stand in for the
// registry) and measure node_modules. Prints a markdown table; `--json FILE` writes the numbers;
// `--write` puts each package's numbers into its README (the line starting "Install size:").
//
//   node scripts/install-size.mjs [--only a,b] [--json FILE] [--write]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { packAll, publishedPackages, readmeInstallLine } from './lib/published-packages.mjs';

const root = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const value = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const only = value('--only')?.split(',');
const packages = publishedPackages(root);

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

/** The README with its "Install size:" line set (after the "Browser bundle:" line, or the install block). */
function withSizeLine(readme, row) {
  const line = `Install size: \`npm install\` as above puts ${row.nodeModulesMB} MB in node_modules (${row.packages} top-level packages${row.tfjs ? ', tfjs and its wasm backend included' : ', no tfjs'}); the package's own tarball is ${row.tarballKB} kB.`;
  if (/^Install size: .*$/m.test(readme)) return readme.replace(/^Install size: .*$/m, line);
  const bundle = /^Browser bundle: .*$/m.exec(readme);
  const at = bundle ? bundle.index + bundle[0].length : readme.indexOf('\n```\n', readme.search(/^npm install /m)) + 4;
  return `${readme.slice(0, at)}\n\n${line}${readme.slice(at)}`;
}

const work = mkdtempSync(join(tmpdir(), 'paperkit-size-'));
const rows = [];
try {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const packed = packAll(packages, tarballs);
  for (const p of packages.filter((q) => !only || only.includes(q.name))) {
    // The README's npm line: the package, tensor-core, and the peers it names.
    const line = readmeInstallLine(readFileSync(join(p.dir, 'README.md'), 'utf8')) ?? [p.manifest.name];
    const specs = line.map((spec) => packed.get(spec) ?? spec);
    for (const dep of Object.keys(p.manifest.dependencies ?? {})) if (packed.has(dep) && !line.includes(dep)) specs.push(packed.get(dep));
    const dir = join(work, p.name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'size-probe', private: true }));
    const r = spawnSync('npm', ['install', ...specs, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${p.name}: npm install failed\n${r.stdout}${r.stderr}`);
    const modules = join(dir, 'node_modules');
    rows.push({
      name: p.name,
      package: p.manifest.name,
      installLine: `npm install ${line.join(' ')}`,
      tarballKB: Math.round(statSync(packed.get(p.manifest.name)).size / 102.4) / 10,
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
for (const r of rows) console.log(`| ${r.package} | ${r.tarballKB} kB | ${r.nodeModulesMB} MB | ${r.packages} | ${r.tfjs ? 'yes' : 'no'} |`);
const json = value('--json');
if (json) {
  writeFileSync(`${json}.tmp`, `${JSON.stringify(rows, null, 2)}\n`);
  renameSync(`${json}.tmp`, json);
}
if (argv.includes('--write'))
  for (const r of rows) {
    const path = join(root, 'packages', r.name, 'README.md');
    writeFileSync(path, withSizeLine(readFileSync(path, 'utf8'), r));
  }
