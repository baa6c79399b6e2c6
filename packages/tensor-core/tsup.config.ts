import { defineConfig } from 'tsup';

// Three public entries share one set of chunks (splitting, also for CJS), so a
// program that loads both `.` and `./node` has one copy of each module's state.
// shims: import.meta.url in the CJS build (backend/wasm-threads.ts).
export default defineConfig([
  {
    entry: { index: 'src/index.ts', base: 'src/base.ts', node: 'src/node.ts', reproduce: 'src/reproduce.ts' },
    format: ['esm', 'cjs'], dts: true, splitting: true, target: 'es2022', shims: true,
  },
  { entry: ['src/cli.ts'], format: ['esm'], target: 'node20', banner: { js: '#!/usr/bin/env node' } },
]);
