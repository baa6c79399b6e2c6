import { defineConfig } from 'tsup';

export default defineConfig([
  { entry: { index: 'src/index.ts', 'reproduce/index': 'src/reproduce/index.ts' }, format: ['esm', 'cjs'], dts: true, sourcemap: true, target: 'node20' },
  { entry: ['src/cli.ts'], format: ['esm'], sourcemap: true, target: 'node20', banner: { js: '#!/usr/bin/env node' } },
]);
