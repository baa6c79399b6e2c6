import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One vitest project per package; every package imports its siblings from source
// through the `@paperkit/source` export condition, so `pnpm test` needs no build.
const conditions = ['@paperkit/source', 'import', 'module', 'node', 'default'];
// Paths from this file, not the working directory: `pnpm --filter <pkg> test` runs in the package folder.
const root = fileURLToPath(new URL('.', import.meta.url));
const packages = readdirSync(`${root}packages`).filter((name) => existsSync(`${root}packages/${name}/test`));

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@paperkit/source'] } },
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Test files already run two at a time on our two cores, so each uses one
    // wasm thread (and skips starting a worker pool); the threaded build has
    // its own tests, which ask for threads explicitly.
    env: { PAPERKIT_THREADS: '1' },
    projects: [
      ...packages.map((name) => ({
        extends: true,
        test: { name, root: `${root}packages/${name}`, include: ['test/**/*.test.ts'] },
      })),
      // Tests across packages: the packed-tarball install (needs the builds; it runs turbo build itself).
      { extends: true, test: { name: 'repo', root, include: ['test/**/*.test.ts'] } },
      // The browser example in headless Chromium (examples/browser/test; skipped without /usr/bin/chromium unless CI is set).
      { extends: true, test: { name: 'browser', root: `${root}examples/browser`, include: ['test/**/*.test.ts'] } },
    ],
  },
});
