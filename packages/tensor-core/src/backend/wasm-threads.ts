/**
 * Multi-threaded wasm on Node: XNNPACK's thread pool over worker_threads.
 *
 * tfjs-backend-wasm 4.22 ships a threaded SIMD build, but its loader turns
 * threads off under Node, and forcing them on fails: the loader hands the
 * pthread worker script to `new Worker()` as a `blob:` URL, which Node's
 * worker_threads rejects. The build itself runs on Node (Emscripten's pthread
 * runtime speaks worker_threads), so this module loads it without the loader:
 *
 * - the worker script, which the package ships as a string, is written once
 *   to a file in the OS temp folder (atomically, named by its content hash)
 *   and handed to Emscripten by path;
 * - the .wasm and its JS glue are read from the installed package;
 * - the backend's C++ start-up caps the pool at half the logical cores (it
 *   assumes two hyper-threads per core, tfjs backend.cc), so the import that
 *   reports the core count is wrapped to report twice the threads asked for;
 * - the module is then given the same `tfjs` namespace the loader adds, and
 *   wrapped in tfjs's own BackendWasm, so every wasm kernel (and every kernel
 *   paperkit registers on 'wasm') runs unchanged.
 *
 * XNNPACK then splits matmuls, convolutions and elementwise ops over the pool.
 * The pool's workers are unref'd, so a process still exits when its work ends.
 * Any failure falls back to tfjs's single-threaded loader (see `install`).
 */
// Namespace imports: a bundler building a page (Vite, rollup) includes this lazily imported
// file and stubs the node: modules out; named imports would fail that build ("not exported").
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as nodeModule from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { OptionError } from '../errors.js';
import { makePoolSwitch, setPoolSwitch } from './thread-pool.js';
import { SUPPORTED_TFJS_BUILD } from './tfjs-build.js';

/** XNNPACK's pool in tfjs is capped at 8 threads (the build pre-spawns 8 workers). */
export const MAX_WASM_THREADS = 8;

/** How long the worker pool may take to start before the single-threaded build is used. */
const START_TIMEOUT_MS = 30_000;

/** The threaded build's file names inside the package's `wasm-out/` folder. */
const BUILD = 'tfjs-backend-wasm-threaded-simd';

/** The parts of @tensorflow/tfjs-backend-wasm used here. */
interface WasmPackage {
  BackendWasm: new (module: unknown) => tf.KernelBackend;
  setThreadsCount(threads: number): void;
  getThreadsCount(): number;
}

/** The Emscripten module of the threaded build, as far as it is used here. */
export interface EmscriptenModule {
  wasmMemory?: { buffer: ArrayBufferLike };
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  PThread?: { runningWorkers: Unrefable[]; unusedWorkers: Unrefable[] };
  tfjs?: Record<string, (...args: number[]) => number>;
}

interface Unrefable {
  unref?(): void;
}

type ModuleFactory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;
type WasmImports = Record<string, Record<string, unknown>>;

/** The one WebAssembly call used here (tsconfig has no DOM lib, whose typings declare WebAssembly). */
const wasmApi = (globalThis as unknown as {
  WebAssembly: { instantiate(bytes: Uint8Array, imports: WasmImports): Promise<{ instance: unknown; module: unknown }> };
}).WebAssembly;

/**
 * The thread count to use: the option, else env PAPERKIT_THREADS, else the
 * number of cores this process may use; capped at MAX_WASM_THREADS.
 */
export function resolveWasmThreads(option: number | undefined): number {
  let threads = option;
  let source = 'threads';
  if (threads === undefined) {
    const env = process.env.PAPERKIT_THREADS?.trim();
    if (env !== undefined && env !== '' && env !== 'auto') {
      threads = Number(env);
      source = 'PAPERKIT_THREADS (environment)';
      if (!Number.isInteger(threads)) throw new OptionError(source, 'a whole number of threads >= 1, or auto', env);
    }
  }
  if (threads === undefined) return Math.min(os.availableParallelism(), MAX_WASM_THREADS);
  if (!Number.isInteger(threads) || threads < 1) throw new OptionError(source, 'a whole number of threads >= 1', threads);
  return Math.min(threads, MAX_WASM_THREADS);
}

/** What the 'wasm' backend ended up with: its thread count, and why the threaded build was not used. */
export interface WasmThreadStatus {
  threads: number;
  fallback?: string;
}

let status: WasmThreadStatus | null = null;

/**
 * Replace the registered 'wasm' backend factory with one that starts the
 * threaded build with `threads` threads. The original factory is kept: when
 * the threaded start fails (no SharedArrayBuffer, an unwritable temp folder, a
 * changed package layout), it is used instead, and `wasmThreadStatus()` says
 * why. Call after importing '@tensorflow/tfjs-backend-wasm' and before the
 * wasm backend is first used. The first call decides; later calls, and
 * threads <= 1, change nothing.
 */
export function installThreadedWasm(threads: number): void {
  if (status !== null) return;
  status = { threads: 1 };
  const original = tf.findBackendFactory('wasm');
  if (threads <= 1 || original == null || tf.engine().registry.wasm !== undefined) return;
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        const backend = await startThreaded(threads);
        status = { threads };
        return backend;
      } catch (error) {
        status = { threads: 1, fallback: error instanceof Error ? error.message : String(error) };
        return original();
      }
    },
    2, // the wasm package's own priority
  );
}

/** The wasm backend's threads once it has started (1 before, or when the threaded build was not used). */
export function wasmThreadStatus(): WasmThreadStatus {
  return { ...(status ?? { threads: 1 }) };
}

async function startThreaded(threads: number): Promise<tf.KernelBackend> {
  if (typeof SharedArrayBuffer === 'undefined') throw new Error('SharedArrayBuffer is unavailable');
  // The pool switch reads tfjs's compiled code: only the build it was written against is trusted.
  if (tf.version_core !== SUPPORTED_TFJS_BUILD) throw new Error(`@tensorflow/tfjs-core ${tf.version_core} is not ${SUPPORTED_TFJS_BUILD}, the build the thread-pool switch was checked on`);
  const require = nodeModule.createRequire(import.meta.url);
  const wasmOut = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const pkg = require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
  const factory = require(path.join(wasmOut, `${BUILD}.js`)) as ModuleFactory;
  const { wasmWorkerContents } = require(path.join(wasmOut, `${BUILD}.worker.js`)) as { wasmWorkerContents: string };
  const workerScript = writeWorkerScript(wasmWorkerContents);
  const wasmBytes = fs.readFileSync(path.join(wasmOut, `${BUILD}.wasm`));
  const slot = poolSlot(wasmBytes);
  if (slot === null) throw new Error(`${BUILD}.wasm: get_threads_count does not read the pool from a fixed address (another tfjs version?)`);

  let failed!: (error: unknown) => void;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  // The workers load asynchronously; a start that stalls must not hang the caller.
  const timer = setTimeout(() => failed(new Error(`the thread pool did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
  timer.unref();
  const config: Record<string, unknown> & { PThread?: { unusedWorkers: { terminate(): unknown }[] } } = {
    locateFile: (file: string) => (file.endsWith('.worker.js') ? workerScript : path.join(wasmOut, file)),
    // Each worker evaluates the glue itself (Emscripten's importScripts reads it from disk under Node).
    mainScriptUrlOrBlob: path.join(wasmOut, `${BUILD}.js`),
    instantiateWasm: (imports: WasmImports, receive: (instance: unknown, module: unknown) => void) => {
      // backend.cc sizes the pool as min(asked, cores / 2): report 2x the threads asked for.
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      wasmApi.instantiate(wasmBytes, imports).then((result) => {
        // The build pre-spawns 8 workers; the pool needs threads - 1 of them
        // (the caller is thread 0). Stop the rest before they load the
        // module, which is most of the start-up time. (Emscripten's glue
        // uses this config object as its Module, so its PThread is here.)
        for (const worker of config.PThread?.unusedWorkers.splice(threads) ?? []) worker.terminate();
        receive(result.instance, result.module);
      }, failed);
      return {};
    },
  };
  const started = factory(config);
  const module = await Promise.race([started, failure]).finally(() => clearTimeout(timer));
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  pkg.setThreadsCount(threads);
  const backend = new pkg.BackendWasm(module);
  const running = pkg.getThreadsCount();
  if (running !== threads) throw new Error(`asked XNNPACK for ${threads} threads, it started ${running}`);
  // Emscripten keeps a worker that runs a pthread referenced, and XNNPACK's
  // pool threads run for the life of the process: without this, a script
  // that has finished its work would never exit.
  for (const worker of [...(module.PThread?.runningWorkers ?? []), ...(module.PThread?.unusedWorkers ?? [])]) worker.unref?.();
  setPoolSwitch(makePoolSwitch(module, slot, threads));
  return backend;
}

/**
 * The heap address of tfjs's pool pointer, read from the code of the
 * exported `get_threads_count`, which starts `local.get`-free: one i32 local,
 * `i32.const ADDRESS`, `i32.load`. Null when the code does not start so.
 */
export function poolSlot(bytes: Uint8Array): number | null {
  let at = 8; // magic and version
  let imported = 0;
  let exportIndex: number | null = null;
  let code: { start: number; end: number } | null = null;
  const uleb = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) return value;
    }
  };
  const skipName = () => {
    const length = uleb();
    at += length;
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = uleb();
    const end = at + size;
    if (id === 2) {
      // imports: only function imports shift the function index space
      for (let n = uleb(); n > 0; n--) {
        skipName();
        skipName();
        const kind = bytes[at++];
        if (kind === 0) {
          uleb();
          imported++;
        } else if (kind === 1) {
          at++;
          const flags = uleb();
          uleb();
          if (flags & 1) uleb();
        } else if (kind === 2) {
          const flags = uleb();
          uleb();
          if (flags & 1) uleb();
        } else if (kind === 3) at += 2;
        else return null;
      }
    } else if (id === 7) {
      for (let n = uleb(); n > 0; n--) {
        const length = uleb();
        const name = String.fromCharCode(...bytes.subarray(at, at + length));
        at += length;
        const kind = bytes[at++];
        const index = uleb();
        if (kind === 0 && name === 'get_threads_count') exportIndex = index;
      }
    } else if (id === 10) code = { start: at, end };
    at = end;
  }
  if (exportIndex === null || code === null || exportIndex < imported) return null;
  at = code.start;
  const count = uleb();
  for (let i = 0; i < count; i++) {
    const size = uleb();
    if (i === exportIndex - imported) {
      // 01 01 7f: one local of type i32; 41 <sleb address>; 28 02 00: i32.load align 4, offset 0
      if (bytes[at] !== 0x01 || bytes[at + 1] !== 0x01 || bytes[at + 2] !== 0x7f || bytes[at + 3] !== 0x41) return null;
      at += 4;
      let address = 0;
      let shift = 0;
      let byte: number;
      do {
        byte = bytes[at++];
        address |= (byte & 0x7f) << shift;
        shift += 7;
      } while (byte & 0x80);
      if (shift < 32 && byte & 0x40) address |= -1 << shift; // sign-extend
      if (bytes[at] !== 0x28 || bytes[at + 1] !== 0x02 || bytes[at + 2] !== 0x00) return null;
      return address >= 0 && address % 4 === 0 ? address : null;
    }
    at += size;
  }
  return null;
}

/**
 * The pthread worker script as a file (Node's Worker takes a path, not a blob: URL); reused across processes.
 * It lives in a folder only this user can write (created with mode 0700, its owner and mode checked), and
 * a file found there is used only when its content still hashes to the name: another local user can
 * neither plant nor swap the code our workers run.
 */
function writeWorkerScript(contents: string): string {
  // The loader escapes newlines the same way before making its blob: the
  // string holds "\n" escapes that a template literal turned into line breaks.
  const script = contents.replace(/\n/g, '\\n');
  const digest = crypto.createHash('sha256').update(script).digest('hex');
  const dir = privateDir(path.join(os.tmpdir(), `paperkit-${userTag()}`));
  const file = path.join(dir, `${BUILD}-worker-${digest.slice(0, 16)}.cjs`);
  if (fs.existsSync(file) && crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') === digest) return file;
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, script, { mode: 0o600 });
  fs.renameSync(partial, file);
  return file;
}

/** A per-user name part: the uid where there is one, else the user name. */
function userTag(): string {
  return typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username.replace(/[^\w.-]/g, '_');
}

/** Create `dir` with mode 0700 if needed; refuse one that another user owns or others can write. */
function privateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = fs.lstatSync(dir);
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (!info.isDirectory()) throw new Error(`${dir} is not a folder`);
  if (uid !== undefined && (info.uid !== uid || (info.mode & 0o022) !== 0)) {
    throw new Error(`${dir} is not private to this user (owner ${info.uid}, mode ${(info.mode & 0o777).toString(8)})`);
  }
  return dir;
}
