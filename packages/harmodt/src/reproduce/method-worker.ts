/**
 * Node only: a worker thread of the reproduction's method pool (./method-pool.ts). Runs one
 * (seed, method) job at a time on its own single-threaded wasm backend and posts back the
 * plain-data outcome, or the error's text.
 */
import { parentPort } from 'node:worker_threads';
import { initBackend } from '@paperkit/tensor-core';
import { runMethod, type ExperimentSize, type MethodName } from './experiment.js';

const port = parentPort;
if (!port) throw new Error('method-worker.ts runs as a worker thread of the harmodt reproduction');
const ready = initBackend({ quiet: true, threads: 1 });
port.on('message', (msg: { seed: number; method: MethodName; size: ExperimentSize }) => {
  void (async () => {
    try {
      await ready;
      port.postMessage({ outcome: await runMethod(msg.seed, msg.method, msg.size) });
    } catch (error) {
      port.postMessage({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  })();
});
