import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every file reachable from `entry` through relative imports, with the bare specifiers it imports. */
function graph(entry: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const visit = (file: string) => {
    if (out.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]);
    out.set(file, specs.filter((s) => !s.startsWith('.')));
    for (const s of specs.filter((s) => s.startsWith('.'))) visit(join(dirname(file), s.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return out;
}

describe('browser safety', () => {
  it('nothing reachable from src/index.ts imports a Node built-in', () => {
    const bad = [...graph(join(src, 'index.ts'))].flatMap(([f, specs]) => specs.filter((s) => s.startsWith('node:') || ['fs', 'path', 'os', 'http', 'crypto', 'child_process'].includes(s)).map((s) => `${f}: ${s}`));
    expect(bad).toEqual([]);
  });

  it('the state directory lives behind "./node"', () => {
    const nodeFiles = [...graph(join(src, 'node.ts')).values()].flat();
    expect(nodeFiles).toContain('node:fs/promises');
  });
});
