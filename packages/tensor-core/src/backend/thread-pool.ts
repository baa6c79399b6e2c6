/**
 * The switch between XNNPACK's full thread pool and a one-thread pool, per
 * kernel call. Browser-safe: the Node loader (./wasm-threads.ts) or a page's
 * threaded build installs the switch; until then `runOnThreadPool` is a plain call.
 */
import type { EmscriptenModule } from './wasm-threads.js';

/**
 * Switching between the full pool and a one-thread pool, per kernel call.
 *
 * Waking a pool thread costs tens of microseconds, more than a small kernel
 * takes (measured: a 64 x 64 x 64 matmul went from 36 to 61 us on two
 * threads, a 512 x 64 x 256 one from 470 to 305 us). tfjs passes XNNPACK one
 * global pool (`tfjs::backend::threadpool`, backend.cc), so both pools are
 * created through the exported `init_with_threads_count`, and the global is
 * pointed at one or the other: the one-thread pool by default, the full pool
 * inside `runOnThreadPool` (see ./parallel-kernels.ts for which kernels).
 * The global's address is read from the code of `get_threads_count`, which
 * loads it, and each switch is checked once against `get_threads_count`.
 */
interface PoolSwitch {
  memory: { buffer: ArrayBufferLike };
  view: Int32Array;
  /** Index of the pool pointer in an Int32Array over the heap. */
  index: number;
  serial: number;
  parallel: number;
}

let pools: PoolSwitch | null = null;

/** Install (or clear) the switch of the threaded module now running. */
export function setPoolSwitch(switcher: PoolSwitch | null): void {
  pools = switcher;
}
let poolDepth = 0;

export function makePoolSwitch(module: EmscriptenModule, slot: number, threads: number): PoolSwitch {
  const memory = module.wasmMemory;
  const tfjs = module.tfjs!;
  if (memory === undefined) throw new Error('the threaded module exposes no wasmMemory');
  const index = slot >> 2;
  const heap = () => new Int32Array(memory.buffer);
  const parallel = heap()[index];
  tfjs.initWithThreadsCount(1); // a second, one-thread pool; the full one stays alive
  const serial = heap()[index];
  const check = (pointer: number, expected: number) => {
    heap()[index] = pointer;
    const got = tfjs.getThreadsCount();
    if (got !== expected) throw new Error(`pool switch check: expected ${expected} threads, got ${got}`);
  };
  check(parallel, threads);
  check(serial, 1);
  return { memory, view: heap(), index, serial, parallel };
}

function setPool(switcher: PoolSwitch, pointer: number): void {
  // After the heap grows, `memory.buffer` is a new, longer SharedArrayBuffer.
  if (switcher.view.buffer !== switcher.memory.buffer) switcher.view = new Int32Array(switcher.memory.buffer);
  switcher.view[switcher.index] = pointer;
}

/**
 * Run `fn` (kernels on the wasm backend) with XNNPACK's full thread pool.
 * Outside this, XNNPACK runs on the calling thread alone. Nests; a plain call
 * when the threaded build is not in use.
 */
export function runOnThreadPool<T>(fn: () => T): T {
  const switcher = pools;
  if (switcher === null) return fn();
  if (poolDepth++ === 0) setPool(switcher, switcher.parallel);
  try {
    return fn();
  } finally {
    if (--poolDepth === 0) setPool(switcher, switcher.serial);
  }
}

