import { defineConfig } from 'tsup';

// The public entries share chunks (splitting, CJS too), so loading `.` and a subpath gives one copy of each module.
export default defineConfig([
  { entry: { index: 'src/index.ts', node: 'src/node.ts', reproduce: 'src/reproduce/index.ts' }, format: ['esm', 'cjs'], dts: true, splitting: true, target: 'es2022' },
  { entry: ['src/cli.ts'], format: ['esm'], target: 'node20', banner: { js: '#!/usr/bin/env node' } },
]);
