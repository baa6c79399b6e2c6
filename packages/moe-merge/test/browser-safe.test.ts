/**
 * The main entry is browser-safe: nothing reachable from src/index.ts through
 * its value imports names a Node built-in or another package's Node-only
 * entry (`@paperkit/tensor-core/node`). Read from the source, no build needed;
 * examples/browser's Chromium test also imports the built entry in a page.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const BUILTINS = new Set(builtinModules);

/** Every file reachable from `entry` through relative value imports, with the bare specifiers each imports. */
function graph(entry: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const visit = (file: string) => {
    if (out.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specs: string[] = [];
    // `import ... from 'x'`, `export ... from 'x'`, `import 'x'` and `import('x')`; `import type` / `export type` are erased.
    for (const m of text.matchAll(/(?:^|\n)\s*(import|export)(\s+type\b)?[^'";]*?\bfrom\s+['"]([^'"]+)['"]/g)) if (!m[2]) specs.push(m[3]);
    for (const m of text.matchAll(/(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)) specs.push(m[1]);
    for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]);
    out.set(file, specs.filter((s) => !s.startsWith('.')));
    for (const s of specs.filter((s) => s.startsWith('.'))) visit(join(dirname(file), s.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return out;
}

const nodeOnly = (s: string) => s.startsWith('node:') || BUILTINS.has(s) || BUILTINS.has(s.split('/')[0]) || /^@paperkit\/[^/]+\/(node|reproduce)$/.test(s);

describe('browser safety of @paperkit/moe-merge', () => {
  it('nothing reachable from src/index.ts imports a Node built-in or a ./node entry', () => {
    const bad = [...graph(join(src, 'index.ts'))].flatMap(([f, specs]) => specs.filter(nodeOnly).map((s) => `${relative(src, f)}: ${s}`));
    expect(bad).toEqual([]);
  });

  it('the file side lives behind ./node (it does reach node:fs)', () => {
    const specs = [...graph(join(src, 'node.ts')).values()].flat();
    expect(specs).toContain('node:fs');
    expect(specs).toContain('@paperkit/tensor-core/node');
  });

  it('the scan sees through re-exports (a file known to import node:fs is flagged when reached)', () => {
    const files = [...graph(join(src, 'node.ts')).keys()].map((f) => relative(src, f));
    expect(files).toEqual(expect.arrayContaining(['checkpoint.ts', 'load-moe-config.ts', 'node-models.ts', 'inspect.ts']));
  });
});
