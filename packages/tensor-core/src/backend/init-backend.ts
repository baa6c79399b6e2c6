/**
 * Backend selection: use the fastest TensorFlow.js backend that actually works
 * on this machine, and say which one was chosen and why the others were not.
 *
 * Order (ecosystem notes, section B): an explicit request (option, then env
 * PAPERKIT_BACKEND), then tfjs-node-gpu, tfjs-node, wasm, cpu. The native
 * packages are optional peers: they are often absent, and when present under
 * pnpm their install script was skipped, so `import` throws "native addon
 * module ... can not be found". Both failures are caught and reported in
 * `tried`, and the next candidate is tried.
 */
import * as tf from '@tensorflow/tfjs';
import { BackendError, OptionError } from '../errors.js';
import { registerWasmFallbackKernels } from './wasm-fallback-kernels.js';
import { registerFastWasmKernels } from './fast-wasm-kernels.js';
import { registerParallelWasmKernels } from './parallel-kernels.js';
import { SUPPORTED_TFJS_BUILD } from './tfjs-build.js';
import { resolvePageRequest, selectInPage, type PageBackendName, type PageBackendOptions } from './page-backend.js';

/** True under Node (not in a page or a worker): only there are the threaded loader and `process` available. */
const IN_NODE = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** The Node-only threaded-wasm loader, imported on first use so a page never loads node: modules. */
let nodeThreads: Promise<typeof import('./wasm-threads.js')> | undefined;
const loadNodeThreads = () => (nodeThreads ??= import('./wasm-threads.js'));

/**
 * A backend a caller may ask for. `node-gpu` and `node` are short aliases.
 * Under Node: the tfjs-node names, wasm, cpu; in a page: webgpu, webgl, wasm, cpu.
 */
export type BackendName = 'tfjs-node-gpu' | 'node-gpu' | 'tfjs-node' | 'node' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/**
 * In a page the order is webgpu, webgl, wasm, cpu (./page-backend.ts), and
 * `loaders`, `wasmPaths` and `threads` (only where the page is cross-origin
 * isolated) apply; the environment variables are not read there.
 */
export interface InitBackendOptions extends PageBackendOptions {
  /** Backend to try first. Default: env PAPERKIT_BACKEND, else automatic. */
  backend?: BackendName;
  /** Do not print the one-line summary to stderr. Default false. */
  quiet?: boolean;
  /**
   * Threads for the wasm backend's XNNPACK pool (matmuls, convolutions,
   * elementwise ops). Default: env PAPERKIT_THREADS, else the cores this
   * process may use (at most 8). 1 selects tfjs's single-threaded build.
   * Read by the first call that initialises wasm; later calls keep its pool.
   */
  threads?: number;
}

export interface BackendInfo {
  /** The active tfjs backend, as `tf.getBackend()` reports it ('tensorflow', 'wasm', 'cpu'; in a page also 'webgpu', 'webgl'). */
  name: string;
  /** The package that provided it. */
  source: string;
  /** Every candidate tried, in order; `error` is set for the ones that failed. */
  tried: { source: string; error?: string }[];
  /** Threads the wasm backend computes with (1 on the other backends, whose pools tfjs manages). */
  threads: number;
  /** Why the threaded wasm build was not used when threads > 1 was asked for; absent otherwise. */
  threadsFallback?: string;
  /** Why paperkit's fast wasm kernels are off (a tfjs build other than the one they were checked on); absent when on. */
  fastKernelsOff?: string;
}

interface Candidate {
  /** Package that registers the backend. */
  source: string;
  /** Name the package registers with tfjs. */
  backendName: string;
}

const CANDIDATES: Record<'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu', Candidate> = {
  'tfjs-node-gpu': { source: '@tensorflow/tfjs-node-gpu', backendName: 'tensorflow' },
  'tfjs-node': { source: '@tensorflow/tfjs-node', backendName: 'tensorflow' },
  wasm: { source: '@tensorflow/tfjs-backend-wasm', backendName: 'wasm' },
  cpu: { source: '@tensorflow/tfjs', backendName: 'cpu' },
};
const AUTO_ORDER = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
const ALIASES: Record<Exclude<BackendName, 'webgpu' | 'webgl'>, keyof typeof CANDIDATES> = {
  'tfjs-node-gpu': 'tfjs-node-gpu',
  'node-gpu': 'tfjs-node-gpu',
  'tfjs-node': 'tfjs-node',
  node: 'tfjs-node',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** One selection per requested backend ('auto' when none); concurrent callers share the promise. */
const cache = new Map<string, Promise<BackendInfo>>();

/**
 * Pick, initialise and activate a backend. Safe to call many times: the first
 * call for a given request does the work, later calls re-activate the cached
 * choice (so asking for 'cpu' after an automatic 'wasm' switches, and asking
 * for the automatic choice again switches back). Create no tensors before the
 * first call: tensors made on another backend must be moved on every use.
 */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const requested: string | undefined = IN_NODE ? resolveRequest(opts.backend) : resolvePageRequest(opts.backend);
  const key = requested ?? 'auto';
  let pending = cache.get(key);
  if (pending === undefined) {
    pending = IN_NODE
      ? select(requested as keyof typeof CANDIDATES | undefined, (await loadNodeThreads()).resolveWasmThreads(opts.threads))
      : selectInPage(requested as PageBackendName | undefined, opts, registerExtraWasmKernels, fastKernelsOffReason);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key)); // a failed selection may be retried
    const info = await pending;
    if (!opts.quiet) {
      if (IN_NODE) process.stderr.write(`${describe(info)}\n`);
      else console.info(describe(info));
    }
    return copyInfo(info);
  }
  const info = await pending;
  if (tf.getBackend() !== info.name) {
    // Someone switched in between (another request, or tf.setBackend directly): switch back.
    if (!(await tf.setBackend(info.name))) throw new BackendError(`initBackend: could not re-activate backend '${info.name}'`);
    await tf.ready();
  }
  return copyInfo(info);
}

/** The option or env value, validated and mapped to a candidate key; undefined means automatic. */
function resolveRequest(option: BackendName | undefined): keyof typeof CANDIDATES | undefined {
  if (option !== undefined) {
    const key = ALIASES[option as keyof typeof ALIASES];
    if (key === undefined) throw new OptionError('backend', `one of ${Object.keys(ALIASES).join(', ')}`, option);
    return key;
  }
  const env = IN_NODE ? process.env.PAPERKIT_BACKEND?.trim() : undefined;
  if (env === undefined || env === '' || env === 'auto') return undefined;
  const key = ALIASES[env as keyof typeof ALIASES];
  if (key === undefined) {
    throw new OptionError('PAPERKIT_BACKEND (environment)', `one of auto, ${Object.keys(ALIASES).join(', ')}`, env);
  }
  return key;
}

async function select(requested: keyof typeof CANDIDATES | undefined, wasmThreads: number): Promise<BackendInfo> {
  const order = requested === undefined ? [...AUTO_ORDER] : [requested, ...AUTO_ORDER.filter((k) => k !== requested)];
  const tried: BackendInfo['tried'] = [];
  for (const key of order) {
    const candidate = CANDIDATES[key];
    try {
      await activate(key, candidate, wasmThreads);
      tried.push({ source: candidate.source });
      const { threads, fallback } = key === 'wasm' && IN_NODE ? (await loadNodeThreads()).wasmThreadStatus() : { threads: 1, fallback: undefined };
      const fastOff = key === 'wasm' ? fastKernelsOffReason() : undefined;
      return {
        name: tf.getBackend(), source: candidate.source, tried, threads,
        ...(fallback === undefined ? {} : { threadsFallback: fallback }),
        ...(fastOff === undefined ? {} : { fastKernelsOff: fastOff }),
      };
    } catch (error) {
      tried.push({ source: candidate.source, error: errorLine(error) });
    }
  }
  throw new BackendError(
    `initBackend: no backend could be initialised: ${tried.map((t) => `${t.source}: ${t.error}`).join('; ')}`,
  );
}

async function activate(
  key: keyof typeof CANDIDATES,
  candidate: Candidate,
  wasmThreads: number,
): Promise<void> {
  if (key !== 'cpu') {
    // A non-literal specifier, so neither TypeScript, tsup nor vite tries to
    // resolve these optional peers at build time.
    const specifier: string = candidate.source;
    await import(/* @vite-ignore */ specifier);
  }
  if (tf.findBackendFactory(candidate.backendName) == null) {
    throw new BackendError(`${candidate.source} loaded but registered no '${candidate.backendName}' backend (a second copy of @tensorflow/tfjs-core?)`);
  }
  if (key === 'wasm') {
    await registerExtraWasmKernels();
    if (IN_NODE) (await loadNodeThreads()).installThreadedWasm(wasmThreads);
  }
  if (key === 'cpu') {
    // Our summary line already says that the native backends were skipped, so
    // silence the cpu backend's own "install tfjs-node" banner (printed on its first write).
    const cpu = tf.engine().findBackend('cpu') as (tf.KernelBackend & { firstUse?: boolean }) | null;
    if (cpu?.firstUse === true) cpu.firstUse = false;
  }
  if (!(await tf.setBackend(candidate.backendName))) {
    throw new BackendError(`tf.setBackend('${candidate.backendName}') failed`);
  }
  await tf.ready();
}

/**
 * Kernels added to wasm before its first use: the cpu fallbacks (gather and
 * conv gradients), the optional fast kernels, then the thread-pool wrappers.
 */
async function registerExtraWasmKernels(): Promise<void> {
  registerWasmFallbackKernels();
  // The fast kernels call into tfjs-backend-wasm's module directly: only on the build they were checked on.
  if (fastKernelsOffReason() !== undefined) return;
  registerFastWasmKernels(); // fast BatchMatMul/Transpose/Identity/Sum and the fused Adam kernel (docs/performance.md)
  registerParallelWasmKernels(); // large matmuls and convolutions on the thread pool (wraps the above)
}

/** Why the fast wasm kernels stay off here, or undefined when this tfjs is the supported build. */
function fastKernelsOffReason(): string | undefined {
  return tf.version_core === SUPPORTED_TFJS_BUILD
    ? undefined
    : `@tensorflow/tfjs-core ${tf.version_core} is not ${SUPPORTED_TFJS_BUILD}, the build paperkit's fast wasm kernels were checked on`;
}

function describe(info: BackendInfo): string {
  const failed = info.tried.filter((t) => t.error !== undefined);
  const reason = (error: string) => (/^Cannot find (package|module)/.test(error) ? 'not installed' : error);
  const skipped = failed.length === 0 ? '' : `; skipped ${failed.map((t) => `${t.source} (${reason(t.error!)})`).join(', ')}`;
  const count = `, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  // Under Node a fallback means the threaded build failed; in a page it says why fewer threads run.
  const threads = info.name !== 'wasm' ? '' : info.threadsFallback === undefined ? count : IN_NODE ? `, 1 thread (threaded build failed: ${info.threadsFallback})` : `${count} (${info.threadsFallback})`;
  return `[paperkit] tfjs backend: ${info.name} from ${info.source}${threads}${skipped}`;
}

/** First line of the root cause's message (loaders wrap the real error in `cause`), short enough for one log line. */
function errorLine(error: unknown): string {
  let root = error;
  for (let depth = 0; depth < 5 && root instanceof Error && root.cause instanceof Error; depth++) root = root.cause;
  const text = root instanceof Error ? root.message : String(root);
  // "Cannot find package 'x' imported from /long/path": the path adds nothing
  const first = text.split('\n')[0].trim().replace(/ imported from \S+$/, '');
  return first.length > 200 ? `${first.slice(0, 197)}...` : first;
}

function copyInfo(info: BackendInfo): BackendInfo {
  return { ...info, tried: info.tried.map((t) => ({ ...t })) };
}
