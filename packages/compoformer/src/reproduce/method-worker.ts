/**
 * Node only: a worker thread of the reproduction (./index.ts starts them with tensor-core's
 * runWorkerJobs). Runs one (seed, method) job at a time on its own single-threaded wasm
 * backend and posts back the plain-data run.
 */
import { serveWorkerJobs } from '@paperkit/tensor-core/node';
import { runOcwMiniSeed } from './run-seed.js';
import type { MethodJob } from './index.js';

serveWorkerJobs((job: MethodJob, log) => runOcwMiniSeed({ seed: job.seed, quick: job.quick, methods: [job.method], compoformer: job.compoformer, log }));
