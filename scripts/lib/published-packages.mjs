// The published packages of the monorepo and their packed tarballs: what packed-install.mjs and
// install-size.mjs both start from.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every non-private package under packages/: { name (folder), dir, manifest }. */
export function publishedPackages(root) {
  return readdirSync(join(root, 'packages'))
    .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
    .map((name) => ({ name, dir: join(root, 'packages', name), manifest: JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) }))
    .filter((p) => !p.manifest.private);
}

/**
 * `pnpm pack` each package into `dest` (pnpm rewrites workspace:^ to the version; dist must be built).
 * Returns a map from package name (`@paperkit/x`) to its tarball's path.
 */
export function packAll(packages, dest) {
  const tarballs = new Map();
  for (const p of packages) {
    if (!existsSync(join(p.dir, 'dist'))) throw new Error(`${p.name}: no dist/ (run pnpm build first)`);
    execFileSync('pnpm', ['pack', '--pack-destination', dest], { cwd: p.dir, stdio: 'ignore' });
    tarballs.set(p.manifest.name, join(dest, `${p.manifest.name.replace('@', '').replace('/', '-')}-${p.manifest.version}.tgz`));
  }
  return tarballs;
}

/** The words after `npm install` on a README's install line, or undefined. */
export function readmeInstallLine(readme) {
  return /^npm install (.+)$/m.exec(readme)?.[1].trim().split(/\s+/);
}
