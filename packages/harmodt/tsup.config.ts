import { defineConfig } from 'tsup';

// shims: import.meta.url in the CJS build (the reproduction finds its worker module beside it).
// The public entries share chunks (splitting, CJS too), so loading `.` and a subpath gives one copy of each module.
export default defineConfig([
  { entry: { index: 'src/index.ts', reproduce: 'src/reproduce/index.ts', 'method-worker': 'src/reproduce/method-worker.ts' }, format: ['esm', 'cjs'], dts: true, splitting: true, target: 'es2022', shims: true },
  { entry: ['src/cli.ts'], format: ['esm'], target: 'node20', banner: { js: '#!/usr/bin/env node' } },
]);
