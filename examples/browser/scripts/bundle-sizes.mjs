#!/usr/bin/env node
/**
 * Browser bundle size of every packages/<name> main entry: bundled for the
 * browser by esbuild from source (the `@paperkit/source` condition), minified,
 * each output chunk gzipped (level 9); @tensorflow/* excluded (a page has one
 * tfjs, shared by everything). Two columns: the package's own code (other
 * @paperkit packages excluded too) and what a page loads at start for it
 * (tensor-core included). Code behind a dynamic import (tensor-core's charts
 * load vega only when drawing) is reported apart, as "lazy". A main entry that
 * reaches a Node built-in is flagged.
 *
 *   node examples/browser/scripts/bundle-sizes.mjs           # print the table
 *   node examples/browser/scripts/bundle-sizes.mjs --write   # also update docs/browser.md
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Bundle one entry; returns gzipped initial and lazy bytes and the Node built-ins it reached. */
async function measure(entry, external) {
  const nodeImports = [];
  const result = await build({
    entryPoints: [entry],
    bundle: true, minify: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022',
    conditions: ['@paperkit/source'], external, outdir: '/virtual-out', write: false, metafile: true, logLevel: 'silent', absWorkingDir: root,
    plugins: [{
      name: 'node-builtins',
      setup(b) {
        b.onResolve({ filter: /^[a-z:_/]+$/ }, (args) => {
          // Dependencies map built-ins away through their "browser" field (seedrandom's crypto): esbuild applies it.
          if (!builtins.has(args.path) || args.importer.includes('/node_modules/')) return undefined;
          nodeImports.push({ path: args.path, importer: relative(root, args.importer), kind: args.kind });
          return { path: args.path, external: true };
        });
      },
    }],
  });
  const gz = new Map(result.outputFiles.map((f) => [relative('/virtual-out', f.path), gzipSync(f.contents, { level: 9 }).length]));
  const outputs = result.metafile.outputs;
  const entryOut = Object.keys(outputs).find((k) => outputs[k].entryPoint !== undefined && !k.endsWith('.map'));
  // initial = the entry chunk and every chunk it imports statically, transitively
  const initial = new Set();
  const visit = (key) => {
    if (initial.has(key)) return;
    initial.add(key);
    for (const imp of outputs[key].imports) if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
  };
  visit(entryOut);
  const name = (k) => relative('/virtual-out', join('/', k));
  let initialBytes = 0;
  let lazyBytes = 0;
  for (const key of Object.keys(outputs)) {
    if (key.endsWith('.map')) continue;
    const bytes = gz.get(name(key)) ?? 0;
    if (initial.has(key)) initialBytes += bytes;
    else lazyBytes += bytes;
  }
  // A built-in counts when a module loaded at start imports it statically (a dynamic import under Node only is fine).
  const loaded = new Set([...initial].flatMap((key) => Object.keys(outputs[key].inputs)));
  const atLoad = nodeImports.filter((i) => i.kind !== 'dynamic-import' && loaded.has(i.importer));
  return { initialBytes, lazyBytes, nodeImports: [...new Set(atLoad.map((i) => i.path))].sort(), importers: [...new Set(atLoad.map((i) => i.importer))].sort() };
}

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;

export async function bundleSizes() {
  const rows = [];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const manifest = join(root, 'packages', dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    const source = pkg.exports?.['.']?.['@paperkit/source'];
    if (typeof source !== 'string') continue;
    const entry = join(root, 'packages', dir, source);
    const own = await measure(entry, ['@tensorflow/*', ...(pkg.name === '@paperkit/tensor-core' ? [] : ['@paperkit/*'])]);
    const page = pkg.name === '@paperkit/tensor-core' ? own : await measure(entry, ['@tensorflow/*']);
    rows.push({ name: pkg.name, own: own.initialBytes, page: page.initialBytes, lazy: page.lazyBytes, nodeImports: page.nodeImports, importers: page.importers });
  }
  return rows;
}

export function sizesMarkdown(rows) {
  const lines = [
    '| package | own code | page start (with tensor-core) | lazy (dynamic imports) | browser-safe main entry |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.name} | ${kb(r.own)} | ${kb(r.page)} | ${r.lazy === 0 ? '-' : kb(r.lazy)} | ${r.nodeImports.length === 0 ? 'yes' : `no: ${r.nodeImports.join(', ')} at load (from ${r.importers.join(', ')})`} |`),
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await bundleSizes();
  const table = sizesMarkdown(rows);
  console.log(table);
  if (process.argv.includes('--write')) {
    const doc = join(root, 'docs', 'browser.md');
    const text = readFileSync(doc, 'utf8');
    const start = '<!-- bundle-sizes:start -->';
    const end = '<!-- bundle-sizes:end -->';
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a < 0 || b < a) throw new Error(`${doc}: no ${start} ... ${end} block to fill`);
    writeFileSync(doc, `${text.slice(0, a + start.length)}\n${table}\n${text.slice(b)}`);
    console.log(`updated ${relative(root, doc)}`);
  }
}
