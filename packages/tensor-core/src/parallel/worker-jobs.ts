/**
 * Node only: run independent jobs of a reproduction (a seed, a method, a sweep point) on a pool
 * of worker threads, each with its own single-threaded backend.
 *
 * Why: the models of our reproductions are small, so one training step gains little from a
 * second wasm thread (the matrices are too small to split), while a second worker trains a
 * second model at full speed. A job is a pure function of its plain-data description, so the
 * numbers do not depend on how the jobs are spread over workers.
 *
 * The two halves of the protocol:
 *   - the package's worker module calls `serveWorkerJobs(run)`;
 *   - the reproduction calls `runWorkerJobs(jobs, { worker: { from: import.meta.url, name: 'x-worker' } })`
 *     and gets one promise per job, in job order. Jobs start longest first (by `cost`), so the
 *     workers stay busy to the end.
 */
import { parentPort, Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { initBackend, type InitBackendOptions } from '../backend/init-backend.js';

/** Where the worker module is: `name` (no extension) beside the module `from` (its import.meta.url). */
export interface WorkerModule {
  from: string;
  name: string;
}

export interface RunWorkerJobsOptions<J, R> {
  worker: WorkerModule;
  /** Worker threads. Default: `defaultWorkerCount()`. Never more than the jobs. */
  workers?: number;
  /** Relative cost of a job; larger ones start first. Default: all equal (job order). */
  cost?: (job: J) => number;
  /** Called as each job finishes (progress lines). */
  onResult?: (job: J, result: R) => void;
  /** Lines a job logs while it runs (`log` of serveWorkerJobs' run). Default: dropped. */
  onLog?: (job: J, line: string) => void;
  /** Label of a job in error messages. Default JSON of the job. */
  label?: (job: J) => string;
}

export interface WorkerJobs<R> {
  /** One promise per job, in the order of the jobs given. */
  results: Promise<R>[];
  /** Every result, in job order; rejects with the first failure (and stops the workers). */
  all(): Promise<R[]>;
  /** Stop the workers (idempotent). */
  close(): Promise<void>;
}

/**
 * Worker threads for a run on this machine: `PAPERKIT_WORKERS` when set (`pnpm demo` sets it when
 * it runs packages side by side, so they do not oversubscribe the cores), else the cores, at most 4.
 */
export function defaultWorkerCount(): number {
  const env = Number(process.env.PAPERKIT_WORKERS);
  if (Number.isInteger(env) && env >= 1) return env;
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * How to start a worker: the built module beside `from` (.js), or under tsx (monorepo source, a
 * `.ts` URL) a bootstrap that registers tsx in the worker first (Node 20 workers do not inherit
 * the main thread's module hooks).
 */
function workerSource(m: WorkerModule): { source: string | URL; eval: boolean } {
  const ts = m.from.endsWith('.ts') || m.from.endsWith('.mts');
  const file = new URL(`./${m.name}${ts ? '.ts' : m.from.endsWith('.cjs') ? '.cjs' : '.js'}`, m.from);
  if (!ts) return { source: file, eval: false };
  const tsx = resolveTsx(m.from);
  if (!tsx) throw new Error(`runWorkerJobs: ${file.href} is TypeScript but tsx cannot be resolved to load it in a worker`);
  return { source: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(file.href)}); });`, eval: true };
}

/**
 * tsx's ESM module-hook API (`tsx/esm/api`), resolved from the caller's package through tsx's own
 * exports map. No import.meta here: this module is also built as CommonJS.
 */
function resolveTsx(from: string): string | null {
  try {
    const req = createRequire(from);
    const manifest = req.resolve('tsx/package.json');
    const entry = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, { import?: string | { default?: string } }> }).exports?.['./esm/api']?.import;
    const file = typeof entry === 'string' ? entry : entry?.default;
    return file ? pathToFileURL(join(dirname(manifest), file)).href : null;
  } catch {
    return null;
  }
}

interface Pending<J, R> {
  index: number;
  job: J;
  resolve: (r: R) => void;
  reject: (e: Error) => void;
}

/** Run `jobs` on worker threads; see the module comment. */
export function runWorkerJobs<J, R>(jobs: readonly J[], options: RunWorkerJobsOptions<J, R>): WorkerJobs<R> {
  const start = workerSource(options.worker);
  const label = options.label ?? ((j: J) => JSON.stringify(j));
  const queue: Pending<J, R>[] = [];
  const results = jobs.map((job, index) => new Promise<R>((resolve, reject) => queue.push({ index, job, resolve, reject })));
  for (const p of results) p.catch(() => undefined); // a failure is reported through the job's promise and all()
  if (options.cost) queue.sort((a, b) => options.cost!(b.job) - options.cost!(a.job) || a.index - b.index);
  const pool: Worker[] = [];
  // terminate() on a worker that has already exited never settles, so close() waits on 'exit' instead.
  const exits: Promise<unknown>[] = [];
  const running = new Map<Worker, Pending<J, R>>();
  let failure: Error | null = null;
  const fail = (error: Error) => {
    failure ??= error;
    for (const p of queue.splice(0)) p.reject(error);
    for (const p of running.values()) p.reject(error);
    running.clear();
    for (const w of pool) void w.terminate();
  };
  const next = (worker: Worker) => {
    const p = queue.shift();
    if (!p) {
      void worker.terminate();
      return;
    }
    running.set(worker, p);
    worker.postMessage({ job: p.job });
  };
  const count = Math.max(1, Math.min(options.workers ?? defaultWorkerCount(), jobs.length));
  for (let i = 0; i < count && jobs.length > 0; i++) {
    const worker = new Worker(start.source, { eval: start.eval });
    exits.push(new Promise((resolve) => worker.once('exit', resolve)));
    worker.on('message', (msg: { result?: R; error?: string; log?: string }) => {
      const p = running.get(worker);
      if (!p) return;
      if (msg.log !== undefined) {
        options.onLog?.(p.job, msg.log);
        return;
      }
      running.delete(worker);
      if (msg.error !== undefined) {
        const error = new Error(`worker job ${label(p.job)}: ${msg.error}`);
        p.reject(error);
        fail(error);
        return;
      }
      options.onResult?.(p.job, msg.result as R);
      p.resolve(msg.result as R);
      next(worker);
    });
    worker.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', (code) => {
      const p = running.get(worker);
      if (p) fail(new Error(`worker job ${label(p.job)}: the worker exited with code ${code}`));
    });
    pool.push(worker);
    next(worker);
  }
  const close = async () => {
    for (const w of pool) void w.terminate();
    await Promise.all(exits);
  };
  return {
    results,
    async all() {
      try {
        const out = await Promise.all(results);
        if (failure) throw failure;
        return out;
      } finally {
        await close();
      }
    },
    close,
  };
}

/**
 * The worker side: run each job posted by `runWorkerJobs` with `run` on this thread's own
 * backend (single-threaded wasm unless `backend` says otherwise) and post back its plain-data
 * result, or the error's text. Lines given to `log` reach the caller's `onLog` as they come.
 */
export function serveWorkerJobs<J, R>(run: (job: J, log: (line: string) => void) => Promise<R> | R, backend: InitBackendOptions = {}): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerJobs: this module runs as a worker thread started by runWorkerJobs');
  const ready = initBackend({ quiet: true, threads: 1, ...backend });
  port.on('message', (msg: { job: J }) => {
    void (async () => {
      try {
        await ready;
        port.postMessage({ result: await run(msg.job, (line) => port.postMessage({ log: line })) });
      } catch (error) {
        port.postMessage({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      }
    })();
  });
}
