/**
 * A Hugging Face checkpoint directory (config.json + model.safetensors or a
 * sharded index) opened lazily: only headers are read up front, tensors are
 * read whole (`read`) or in element ranges (`source`) on demand through
 * positioned reads, so merging never holds a whole model (spec section 8,
 * mergekit #266). Saving streams tensors into tensor-core's sharded writer
 * inside one atomic directory build.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bfloat16ToFloat32, float16ToFloat32, FormatError, OptionError, type SafetensorsDType } from '@paperkit/tensor-core';
import { readShardedIndex, writeDirAtomic, writeShardedCheckpoint, type ShardedIndex } from '@paperkit/tensor-core/node';
import { readLlamaConfig, type LlamaConfig } from './llama/llama-config.js';
import type { TensorSource } from './merge-methods/tensor-source.js';
import { DTYPE_TO_SAFETENSORS, type CheckpointContent, type CheckpointTensor, type SaveCheckpointOptions, type TensorInfo } from './checkpoint-types.js';

export { parseDType, DTYPE_TO_SAFETENSORS, type CheckpointDType, type CheckpointTensor, type SaveCheckpointOptions, type TensorInfo } from './checkpoint-types.js';

const FLOAT_DTYPES: Partial<Record<SafetensorsDType, number>> = { F32: 4, BF16: 2, F16: 2 };

export class Checkpoint {
  readonly dir: string;
  /** The parsed config.json, as written. */
  readonly config: Record<string, unknown>;
  readonly names: string[];
  private readonly index: ShardedIndex;
  private readonly fds = new Map<string, number>();

  private constructor(dir: string, config: Record<string, unknown>, index: ShardedIndex) {
    this.dir = dir;
    this.config = config;
    this.index = index;
    this.names = index.names;
  }

  /** Open a checkpoint directory; throws FormatError naming the missing or malformed file. */
  static open(dir: string): Checkpoint {
    const root = resolve(dir);
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new FormatError(root, 'checkpoint directory does not exist');
    const configPath = join(root, 'config.json');
    if (!existsSync(configPath)) throw new FormatError(configPath, 'missing config.json (a Hugging Face checkpoint directory needs one)');
    let config: unknown;
    try {
      config = JSON.parse(readFileSync(configPath, 'utf8'));
    } catch (err) {
      throw new FormatError(configPath, `not valid JSON (${(err as Error).message})`);
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new FormatError(configPath, 'not a JSON object');
    return new Checkpoint(root, config as Record<string, unknown>, readShardedIndex(root));
  }

  /** config.json validated as a Llama/Mistral config (throws on unsupported architectures). */
  llamaConfig(): LlamaConfig {
    return readLlamaConfig(this.config, join(this.dir, 'config.json'));
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  info(name: string): TensorInfo {
    const i = this.index.info(name);
    return { name, dtype: i.dtype, shape: i.shape, numel: i.shape.reduce((a, b) => a * b, 1), byteLength: i.byteLength };
  }

  /** The whole tensor as float32 (F32, BF16 and F16 files). */
  read(name: string): Float32Array {
    const info = this.index.info(name);
    if (!(info.dtype in FLOAT_DTYPES)) throw new FormatError(join(this.dir, info.file), `tensor ${name} has dtype ${info.dtype}; only F32/BF16/F16 weights can be merged`);
    const data = this.index.read(name).data;
    return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
  }

  /**
   * Element-range reads of one tensor through positioned reads. The returned
   * array is a view of a buffer this source reuses, valid until its next `read`
   * (the merge engine consumes each chunk before reading the same source again),
   * so streaming a tensor leaves no garbage buffers behind for the GC to lag on.
   */
  source(name: string): TensorSource {
    const info = this.index.info(name);
    const size = FLOAT_DTYPES[info.dtype];
    const path = join(this.dir, info.file);
    if (size === undefined) throw new FormatError(path, `tensor ${name} has dtype ${info.dtype}; only F32/BF16/F16 weights can be merged`);
    const numel = info.shape.reduce((a, b) => a * b, 1);
    let bytes = new Uint8Array(0);
    let decoded = new Float32Array(0);
    return {
      numel,
      read: (start, end) => {
        const count = end - start;
        const length = count * size;
        if (bytes.byteLength < length) bytes = new Uint8Array(length);
        const fd = this.fd(path);
        let done = 0;
        while (done < length) {
          const n = readSync(fd, bytes, done, Math.min(length - done, 1 << 30), info.offset + start * size + done);
          if (n === 0) throw new FormatError(path, `file ended while reading tensor ${name}`);
          done += n;
        }
        if (info.dtype === 'F32') return new Float32Array(bytes.buffer, 0, count);
        const bits = new Uint16Array(bytes.buffer, 0, count);
        const wide = info.dtype === 'BF16' ? bfloat16ToFloat32(bits) : float16ToFloat32(bits);
        if (decoded.length < count) decoded = new Float32Array(count);
        decoded.set(wide);
        return decoded.subarray(0, count);
      },
    };
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    this.index.close();
  }

  private fd(path: string): number {
    let fd = this.fds.get(path);
    if (fd === undefined) {
      fd = openSync(path, 'r');
      this.fds.set(path, fd);
    }
    return fd;
  }
}

/** Open a checkpoint directory lazily (spec section 6 `loadCheckpoint`). */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  return Checkpoint.open(dir);
}

/**
 * Write config.json and the tensors (consumed one at a time from the iterable)
 * into `dir`, built in a temp directory and renamed only when complete.
 */
export async function saveCheckpoint(
  dir: string,
  checkpoint: CheckpointContent,
  options: SaveCheckpointOptions = {},
): Promise<void> {
  const dtype = options.dtype ?? 'float32';
  const st = DTYPE_TO_SAFETENSORS[dtype];
  if (!st) throw new OptionError('dtype', 'float32, bfloat16 or float16', dtype);
  const config = { ...checkpoint.config, torch_dtype: dtype };
  await writeDirAtomic(
    dir,
    async (tmp) => {
      await writeShardedCheckpoint(
        tmp,
        (async function* () {
          for await (const t of checkpoint.tensors) yield [t.name, { dtype: st, shape: t.shape, data: t.data }] as [string, { dtype: SafetensorsDType; shape: readonly number[]; data: Float32Array }];
        })(),
        { maxShardBytes: options.maxShardBytes, atomic: false },
      );
      await writeFile(join(tmp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
    },
    { overwrite: options.overwrite },
  );
}
