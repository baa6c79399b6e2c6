/**
 * Backend selection in a web page (or a web worker): webgpu, then webgl,
 * then wasm (multi-threaded where the page is cross-origin isolated), then
 * cpu, reported in the same BackendInfo shape as under Node.
 *
 * A page cannot import a package by a bare name at run time, and tensor-core
 * must not name its optional peers literally (a bundler would then require
 * them), so the page says where the optional backends come from: either it
 * imports them itself (`import '@tensorflow/tfjs-backend-wasm'` registers the
 * backend, which is all that is needed), or it passes `loaders`, functions that
 * import them lazily, so the wasm code is fetched only when webgpu and webgl
 * failed. `wasmPaths` says where the .wasm binaries are served (a bundler
 * moves the package's JS but not its binaries).
 */
import * as tf from '@tensorflow/tfjs';
import { BackendError, OptionError } from '../errors.js';
import type { BackendInfo } from './init-backend.js';

/** A backend a page may ask for. */
export type PageBackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** The order tried in a page when nothing is asked for. */
export const PAGE_ORDER: readonly PageBackendName[] = Object.freeze(['webgpu', 'webgl', 'wasm', 'cpu']);

/** The package that provides each page backend. */
const SOURCES: Record<PageBackendName, string> = {
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  webgl: '@tensorflow/tfjs', // the union package registers webgl (and cpu)
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs',
};

/** The parts of @tensorflow/tfjs-backend-wasm's namespace used in a page. */
interface WasmNamespace {
  setWasmPaths?(prefixOrFileMap: string | Record<string, string>, usePlatformFetch?: boolean): void;
  setThreadsCount?(threads: number): void;
  getThreadsCount?(): number;
}

export interface PageBackendOptions {
  /** Import functions for the optional backend packages, e.g. `{ wasm: () => import('@tensorflow/tfjs-backend-wasm') }`. */
  loaders?: Partial<Record<'webgpu' | 'webgl' | 'wasm', () => Promise<unknown>>>;
  /** Where the wasm binaries are served: a folder URL ending in '/', or a map from each binary's file name to its URL. */
  wasmPaths?: string | Record<string, string>;
  /** Threads for the wasm backend (only where the page is cross-origin isolated). Default: the logical cores, at most 8. */
  threads?: number;
}

/** Set once wasm has been initialised in this page (the wasm package's settings apply to its first start only). */
let wasmState: { threads: number; fallback?: string } | null = null;

/** What the page's globals say: cross-origin isolation and the core count. */
function pageEnvironment(): { isolated: boolean; cores: number } {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  return { isolated: g.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined', cores: g.navigator?.hardwareConcurrency ?? 1 };
}

/** Map a request to a page backend; undefined means automatic. The Node-only names are refused. */
export function resolvePageRequest(option: string | undefined): PageBackendName | undefined {
  if (option === undefined) return undefined;
  if ((PAGE_ORDER as readonly string[]).includes(option)) return option as PageBackendName;
  throw new OptionError('backend', `one of ${PAGE_ORDER.join(', ')} in a page (tfjs-node runs under Node only)`, option);
}

/** Try the candidates in order (the requested one first) and activate the first that works. */
export async function selectInPage(
  requested: PageBackendName | undefined,
  options: PageBackendOptions,
  registerExtraWasmKernels: () => Promise<void>,
  fastKernelsOffReason: () => string | undefined,
): Promise<BackendInfo> {
  const order = requested === undefined ? [...PAGE_ORDER] : [requested, ...PAGE_ORDER.filter((k) => k !== requested)];
  const tried: BackendInfo['tried'] = [];
  for (const key of order) {
    const source = SOURCES[key];
    try {
      const namespace = await ensureRegistered(key, options);
      let threads = 1;
      let fallback: string | undefined;
      if (key === 'webgpu' && (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu === undefined) {
        throw new BackendError('this browser has no WebGPU (navigator.gpu is undefined)');
      }
      if (key === 'wasm') ({ threads, fallback } = await prepareWasm(namespace as WasmNamespace | undefined, options, registerExtraWasmKernels));
      if (key === 'cpu') {
        const cpu = tf.engine().findBackend('cpu') as (tf.KernelBackend & { firstUse?: boolean }) | null;
        if (cpu?.firstUse === true) cpu.firstUse = false; // our summary already says what was skipped
      }
      // tfjs's C++ start-up sizes the pool as min(asked, cores / 2) (backend.cc, assuming two
      // hyper-threads per core), reading the cores from navigator.hardwareConcurrency: report
      // twice the threads asked for while wasm starts, as the Node loader does (./wasm-threads.ts).
      const restore = key === 'wasm' && threads > 1 && wasmState === null ? reportCores(2 * threads) : undefined;
      let started: boolean;
      try {
        // tf.setBackend logs and returns false when the backend's start fails (no adapter, no GL context).
        started = await tf.setBackend(key);
      } finally {
        restore?.();
      }
      if (!started) throw new BackendError(`tf.setBackend('${key}') failed (see the console warning above)`);
      await tf.ready();
      if (key === 'wasm') {
        // The pool XNNPACK really started, read from the running backend (also when the page imported wasm itself).
        const running = (tf.backend() as { wasm?: { tfjs?: { getThreadsCount?(): number } } }).wasm?.tfjs?.getThreadsCount?.();
        if (wasmState === null && running !== undefined && running !== threads) {
          fallback ??= `XNNPACK started ${running} of ${threads} threads`;
          threads = running;
        }
        wasmState ??= { threads, ...(fallback === undefined ? {} : { fallback }) };
      }
      tried.push({ source });
      const fastOff = key === 'wasm' ? fastKernelsOffReason() : undefined;
      const state = key === 'wasm' ? wasmState ?? { threads: 1 } : { threads: 1 };
      return {
        name: tf.getBackend(), source, tried, threads: state.threads,
        ...(state.fallback === undefined ? {} : { threadsFallback: state.fallback }),
        ...(fastOff === undefined ? {} : { fastKernelsOff: fastOff }),
      };
    } catch (error) {
      tried.push({ source, error: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    }
  }
  throw new BackendError(`initBackend: no backend could be initialised: ${tried.map((t) => `${t.source}: ${t.error}`).join('; ')}`);
}

/** Make sure `key`'s factory is registered: already (the page imported it), or through its loader. Returns the loader's namespace. */
async function ensureRegistered(key: PageBackendName, options: PageBackendOptions): Promise<unknown> {
  const loader = key === 'cpu' ? undefined : options.loaders?.[key];
  const namespace = loader === undefined ? undefined : await loader();
  if (tf.findBackendFactory(key) == null) {
    throw new BackendError(
      loader === undefined
        ? `not imported: add \`import '${SOURCES[key]}'\` to the page, or pass initBackend({ loaders: { ${key}: () => import('${SOURCES[key]}') } })`
        : `the ${key} loader ran but registered no '${key}' backend (a second copy of @tensorflow/tfjs-core?)`,
    );
  }
  return namespace;
}

/** Make navigator.hardwareConcurrency read `cores` until the returned function is called; undefined if it cannot be set. */
function reportCores(cores: number): (() => void) | undefined {
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav === undefined) return undefined;
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => cores });
  } catch {
    return undefined;
  }
  return () => {
    if (own !== undefined) Object.defineProperty(nav, 'hardwareConcurrency', own);
    else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  };
}

/** Before wasm's first start: our kernels, the binaries' location, the thread count. */
async function prepareWasm(
  namespace: WasmNamespace | undefined,
  options: PageBackendOptions,
  registerExtraWasmKernels: () => Promise<void>,
): Promise<{ threads: number; fallback?: string }> {
  await registerExtraWasmKernels();
  if (wasmState !== null || tf.engine().registry.wasm !== undefined) return wasmState ?? { threads: 1 };
  const { isolated, cores } = pageEnvironment();
  const asked = options.threads ?? Math.min(cores, 8);
  if (!Number.isInteger(asked) || asked < 1) throw new OptionError('threads', 'a whole number of threads >= 1', asked);
  if (options.wasmPaths !== undefined) {
    if (namespace?.setWasmPaths === undefined) {
      throw new OptionError('wasmPaths', "given together with loaders.wasm (() => import('@tensorflow/tfjs-backend-wasm')), or call setWasmPaths yourself", options.wasmPaths);
    }
    namespace.setWasmPaths(options.wasmPaths);
  }
  if (asked > 1 && !isolated) {
    return { threads: 1, fallback: 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)' };
  }
  const threads = Math.min(asked, 8);
  namespace?.setThreadsCount?.(threads); // without the namespace, tfjs picks its own count (reported below)
  return { threads };
}
