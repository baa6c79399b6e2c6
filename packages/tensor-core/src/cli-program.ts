/**
 * The `tensor-core` command line: `backend` reports which tfjs backend runs
 * here and why; `reproduce` runs the self-check that `pnpm demo` shows beside
 * the methods. The bin (./cli.ts) only calls runMain(cli).
 */
import { initBackend } from './backend/init-backend.js';
import { defineCli } from './cli/define-cli.js';
import { selfCheckReproduction } from './self-check.js';

export const cli = defineCli({
  name: 'tensor-core',
  summary: 'paperkit\'s shared substrate: backend report and self-check',
  reproduction: selfCheckReproduction,
  commands: {
    backend: {
      summary: 'initialise the fastest available tfjs backend and report what was tried',
      async run({ log }) {
        const info = await initBackend({ quiet: true });
        log(`backend: ${info.name} (from ${info.source}${info.name === 'wasm' ? `, ${info.threads} thread${info.threads === 1 ? '' : 's'}` : ''})`);
        for (const t of info.tried) log(`  ${t.error ? 'no ' : 'yes'} ${t.source}${t.error ? `: ${t.error}` : ''}`);
        if (info.threadsFallback) log(`  threads: ${info.threadsFallback}`);
        if (info.fastKernelsOff) log(`  fast kernels off: ${info.fastKernelsOff}`);
        return 0;
      },
    },
  },
  epilog: `environment:
  PAPERKIT_BACKEND        force a backend: tfjs-node-gpu | tfjs-node | wasm | cpu
  PAPERKIT_THREADS        wasm threads (default: the usable cores, at most 8)`,
});
