/**
 * Every package declares what its source imports, and imports what it declares: no unused dependency
 * (an install that brings weight for nothing) and no undeclared one (works in the monorepo through
 * hoisting, breaks for a user).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const packages = readdirSync(join(root, 'packages')).filter((n) => existsSync(join(root, 'packages', n, 'package.json')));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|mts|js|mjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Package names imported (statically or dynamically, types included) by a package's src/. */
export function importedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(join(dir, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const specs = [
      ...[...text.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]),
      ...[...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)].map((m) => m[1]),
      ...[...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]),
    ];
    for (const spec of specs) {
      if (spec.startsWith('.') || spec.includes('${')) continue; // relative, or built at run time (optional peers)
      if (spec.startsWith('node:')) continue;
      const parts = spec.split('/');
      names.add(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
    }
  }
  return names;
}

describe('dependencies', () => {
  for (const name of packages) {
    it(`${name}: every dependency is imported by src/, and every imported package is declared`, () => {
      const dir = join(root, 'packages', name);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const imported = importedPackages(dir);
      imported.delete(manifest.name);
      const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
      const unused = Object.keys(manifest.dependencies ?? {}).filter((d) => !imported.has(d));
      const undeclared = [...imported].filter((d) => !declared.has(d));
      expect({ unused, undeclared }).toEqual({ unused: [], undeclared: [] });
    });
  }
});
