/**
 * Node only: a worker thread of the reproduction (./index.ts starts them with tensor-core's
 * runWorkerJobs). Runs one (seed, method) job at a time on its own single-threaded wasm
 * backend and posts back the plain-data outcome.
 */
import { serveWorkerJobs } from '@paperkit/tensor-core/node';
import { runMethod } from './experiment.js';
import type { MethodJob } from './index.js';

serveWorkerJobs((job: MethodJob) => runMethod(job.seed, job.method, job.size));
