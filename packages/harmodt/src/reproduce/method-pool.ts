/**
 * Node only (the reproduction imports it dynamically): runs the (seed, method) jobs of a whole
 * reproduction on a pool of worker threads, each with its own single-threaded wasm backend.
 *
 * Why: one DT step of the §5 model costs the same on one wasm thread as on two (28.7 vs 28.6 ms,
 * `pnpm bench --only offline-rl --threads 1`): the matrices are too small for the thread pool, so
 * a second core only helps when it trains another model. Every job is a pure function of its seed
 * and method (the same code as in-process, ./experiment.ts), so the numbers do not depend on how
 * the jobs are spread.
 *
 * Jobs are started longest first (Prompt-DT's prompt doubles its tokens) over all seeds at once,
 * so the workers stay busy to the end; `seed(s)` resolves with one seed's methods.
 */
import { Worker } from 'node:worker_threads';
import type { ExperimentSize, MethodName, MethodOutcome } from './experiment.js';
import { describeOutcome } from './experiment.js';

/** Relative cost of the methods (seconds per 900-step method measured on seed 0, 2 cores). */
const COST: Record<MethodName, number> = {
  'Prompt-DT': 56, 'HarmoDT-noID': 39, 'G-HarmoDT': 38, 'HarmoDT+task': 36, RandMask: 34, 'MT-DT': 28, 'per-task DT': 26,
};

export interface MethodSchedule {
  /** Every method of one seed, once they are done. */
  seed(seed: number): Promise<Record<string, MethodOutcome>>;
  /** Stop the workers (also after a failure). */
  close(): Promise<void>;
}

interface Job {
  seed: number;
  method: MethodName;
  resolve: (o: MethodOutcome) => void;
  reject: (e: Error) => void;
}

/**
 * How to start a worker: the built script beside this module (dist/method-worker.js), or under
 * tsx (monorepo source) a bootstrap that registers tsx in the worker first (Node 20 workers do not
 * inherit the main thread's module hooks); null where import.meta.url is unknown (CJS).
 */
function workerSource(): { source: string | URL; eval: boolean } | null {
  const meta = import.meta as { url?: unknown; resolve?: (s: string) => string };
  const here = meta.url;
  if (typeof here !== 'string') return null;
  if (!here.endsWith('.ts')) return { source: new URL('./method-worker.js', here), eval: false };
  const tsx = meta.resolve?.('tsx/esm/api');
  if (!tsx) return null;
  const file = new URL('./method-worker.ts', here).href;
  return { source: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); });`, eval: true };
}

/** Start every job of `seeds` x `size.methods` on `workers` threads; null when no worker script can be found (run in-process then). */
export function startMethodSchedule(seeds: readonly number[], size: ExperimentSize, workers: number, log: (line: string) => void): MethodSchedule | null {
  const start = workerSource();
  if (!start) return null;
  const bySeed = new Map<number, Map<MethodName, Promise<MethodOutcome>>>();
  const queue: Job[] = [];
  for (const seed of seeds) {
    const methods = new Map<MethodName, Promise<MethodOutcome>>();
    for (const method of size.methods) {
      methods.set(method, new Promise<MethodOutcome>((resolve, reject) => queue.push({ seed, method, resolve, reject })));
    }
    bySeed.set(seed, methods);
  }
  for (const m of bySeed.values()) for (const p of m.values()) p.catch(() => undefined); // rejections are reported through seed()
  queue.sort((a, b) => COST[b.method] - COST[a.method] || a.seed - b.seed);
  const pool: Worker[] = [];
  let failed: Error | null = null;
  const fail = (error: Error) => {
    failed ??= error;
    for (const job of queue.splice(0)) job.reject(error);
  };
  const next = (worker: Worker) => {
    const job = queue.shift();
    if (!job) {
      void worker.terminate();
      return;
    }
    const onMessage = (msg: { outcome?: MethodOutcome; error?: string }) => {
      worker.off('message', onMessage);
      if (msg.error !== undefined) {
        const error = new Error(`harmodt reproduction, seed ${job.seed} ${job.method}: ${msg.error}`);
        job.reject(error);
        fail(error);
        return;
      }
      log(describeOutcome(job.seed, job.method, msg.outcome!));
      job.resolve(msg.outcome!);
      next(worker);
    };
    worker.on('message', onMessage);
    worker.postMessage({ seed: job.seed, method: job.method, size });
  };
  for (let w = 0; w < Math.min(workers, queue.length); w++) {
    const worker = new Worker(start.source, { eval: start.eval });
    worker.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => {
      if (code !== 0 && queue.length > 0) fail(new Error(`harmodt reproduction worker exited with code ${code}`));
    });
    pool.push(worker);
    next(worker);
  }
  return {
    async seed(seed) {
      const methods = bySeed.get(seed);
      if (!methods) throw new Error(`seed ${seed} was not scheduled`);
      const out: Record<string, MethodOutcome> = {};
      for (const [method, p] of methods) out[method] = await p;
      if (failed) throw failed;
      return out;
    },
    async close() {
      await Promise.all(pool.map((w) => w.terminate()));
    },
  };
}
