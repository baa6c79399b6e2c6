/**
 * Sharded safetensors checkpoints, the Hugging Face layout: shards named
 * `model-00001-of-00003.safetensors` plus `model.safetensors.index.json` =
 * `{"metadata": {"total_size": bytes}, "weight_map": {tensor: shard file}}`
 * (moe-merge spec, "safetensors"). A one-shard checkpoint is written as
 * `model.safetensors` (with an index too, so either loader path works).
 *
 * The reader is a lazy view over the shards (header-only opens, positioned
 * reads per tensor). The writer streams: it takes tensors one at a time from
 * a (possibly async) iterable, holds at most one shard's tensors in memory,
 * and builds the directory atomically (mergekit issue #266).
 */

import { existsSync, statSync, readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { FormatError, OptionError } from '../errors.js';
import { writeDirAtomic, writeFileAtomic } from './atomic-write.js';
import { LazySafetensors, openSafetensors, type SafetensorsTensorInfo } from './safetensors-lazy.js';
import {
  encodeTensor, findDuplicateKey, layoutSafetensors,
  type EncodedTensor, type SafetensorsTensor, type TensorInput,
} from './safetensors.js';

export const SHARDED_INDEX_FILE = 'model.safetensors.index.json';
export const SINGLE_FILE = 'model.safetensors';

/** A lazy view of a (possibly sharded) checkpoint: read any tensor by name. */
export interface ShardedIndex {
  /** The checkpoint directory. */
  dir: string;
  /** Tensor names, in the index's order. */
  names: string[];
  /** The index's `metadata` object (e.g. `{total_size}`); `{}` for a single file without index. */
  metadata: Record<string, unknown>;
  /** Tensor name -> shard file name (relative to `dir`). */
  weightMap: Record<string, string>;
  /** Shard file names, in first-use order. */
  files: string[];
  has(name: string): boolean;
  /** Dtype, shape, byte length, absolute offset and shard file of a tensor. */
  info(name: string): SafetensorsTensorInfo & { file: string };
  read(name: string): SafetensorsTensor;
  readRaw(name: string): Uint8Array;
  /** Closes every open shard. */
  close(): void;
}

export interface ReadShardedIndexOptions {
  /** Largest safetensors header accepted, in bytes. Default 100 MB. */
  maxHeaderBytes?: number;
}

function checkShardName(file: string, indexPath: string, tensor: string): void {
  const parts = file.split(/[\\/]/);
  if (file.length === 0 || isAbsolute(file) || parts.includes('..')) {
    throw new FormatError(indexPath, `shard file ${JSON.stringify(file)} is not a plain relative path inside the checkpoint`, `weight_map[${JSON.stringify(tensor)}]`);
  }
}

/**
 * Opens a checkpoint directory: `model.safetensors.index.json` and its shards,
 * or a lone `model.safetensors`. `dir` may also be the index file's path.
 * Every shard's header is read and checked now (each weight_map entry must be
 * in its shard); tensor data is read on demand. Throws FormatError.
 */
export function readShardedIndex(dir: string, options: ReadShardedIndexOptions = {}): ShardedIndex {
  let root = resolve(dir);
  let indexPath = join(root, SHARDED_INDEX_FILE);
  if (root.endsWith('.json') && existsSync(root) && statSync(root).isFile()) {
    indexPath = root;
    root = resolve(root, '..');
  }
  let metadata: Record<string, unknown> = {};
  let weightMap: Record<string, string> = {};
  let singleFile = false;
  if (existsSync(indexPath)) {
    const text = readFileSync(indexPath, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new FormatError(indexPath, `not valid JSON (${(err as Error).message})`);
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new FormatError(indexPath, 'not a JSON object');
    const dup = findDuplicateKey(text);
    if (dup !== undefined) throw new FormatError(indexPath, `duplicate key ${JSON.stringify(dup)}`);
    const { metadata: meta, weight_map: map } = json as Record<string, unknown>;
    if (meta !== undefined && meta !== null) {
      if (typeof meta !== 'object' || Array.isArray(meta)) throw new FormatError(indexPath, '"metadata" is not an object');
      metadata = meta as Record<string, unknown>;
    }
    if (map === null || typeof map !== 'object' || Array.isArray(map)) {
      throw new FormatError(indexPath, '"weight_map" is missing or not an object of tensor name -> shard file');
    }
    weightMap = {};
    for (const [name, file] of Object.entries(map as Record<string, unknown>)) {
      if (typeof file !== 'string') throw new FormatError(indexPath, 'shard file is not a string', `weight_map[${JSON.stringify(name)}]`);
      checkShardName(file, indexPath, name);
      Object.defineProperty(weightMap, name, { value: file, enumerable: true, writable: true, configurable: true });
    }
  } else if (existsSync(join(root, SINGLE_FILE))) {
    indexPath = join(root, SINGLE_FILE);
    singleFile = true;
  } else {
    throw new FormatError(root, `neither ${SHARDED_INDEX_FILE} nor ${SINGLE_FILE} found`);
  }

  const shards = new Map<string, LazySafetensors>();
  const closeAll = () => {
    for (const s of shards.values()) s.close();
    shards.clear();
  };
  try {
    if (singleFile) {
      const single = openSafetensors(indexPath, options);
      shards.set(SINGLE_FILE, single);
      weightMap = {};
      for (const name of single.names) {
        Object.defineProperty(weightMap, name, { value: SINGLE_FILE, enumerable: true, writable: true, configurable: true });
      }
    }
    for (const [name, file] of Object.entries(weightMap)) {
      let shard = shards.get(file);
      if (!shard) {
        const path = join(root, file);
        if (!existsSync(path)) {
          throw new FormatError(indexPath, `shard file ${JSON.stringify(file)} does not exist`, `weight_map[${JSON.stringify(name)}]`);
        }
        shard = openSafetensors(path, options);
        shards.set(file, shard);
      }
      if (!shard.has(name)) {
        throw new FormatError(indexPath, `tensor is listed in shard ${JSON.stringify(file)} but that file does not contain it`, `weight_map[${JSON.stringify(name)}]`);
      }
    }
  } catch (err) {
    closeAll();
    throw err;
  }

  const names = Object.keys(weightMap);
  const shardOf = (name: string): [LazySafetensors, string] => {
    if (!Object.prototype.hasOwnProperty.call(weightMap, name)) {
      throw new FormatError(indexPath, `no tensor named ${JSON.stringify(name)} in the checkpoint`);
    }
    const file = weightMap[name];
    const shard = shards.get(file);
    if (!shard) throw new FormatError(indexPath, 'checkpoint is closed');
    return [shard, file];
  };
  return {
    dir: root,
    names,
    metadata,
    weightMap,
    files: [...new Set(Object.values(weightMap))],
    has: (name) => Object.prototype.hasOwnProperty.call(weightMap, name),
    info(name) {
      const [shard, file] = shardOf(name);
      return { ...shard.info(name), file };
    },
    read: (name) => shardOf(name)[0].read(name),
    readRaw: (name) => shardOf(name)[0].readRaw(name),
    close: closeAll,
  };
}

export interface WriteShardedOptions {
  /**
   * Largest shard data size in bytes (a single larger tensor gets a shard of
   * its own, as in transformers). Default 5e9 (transformers' "5GB").
   */
  maxShardBytes?: number;
  /**
   * String metadata stored in every shard's `__metadata__`. Default
   * `{format: 'pt'}` (transformers checks this key when loading); your keys
   * are merged over it.
   */
  metadata?: Record<string, string>;
  /** Replace a non-empty `dir`. Default false. */
  overwrite?: boolean;
  /**
   * Default true: build the whole directory in a temp dir and rename it into
   * place. false: write straight into `dir` (use this inside your own
   * `writeDirAtomic` callback, e.g. to add config.json to the same checkpoint).
   */
  atomic?: boolean;
}

/** What `writeShardedCheckpoint` wrote. */
export interface ShardedWriteResult {
  /** Shard file names in order. */
  files: string[];
  /** Sum of all tensors' data bytes (the index's `total_size`). */
  totalSize: number;
  weightMap: Record<string, string>;
}

function shardName(k: number, count: number): string {
  return count === 1 ? SINGLE_FILE : `model-${String(k + 1).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.safetensors`;
}

async function writeShardFile(path: string, tensors: EncodedTensor[], metadata: Record<string, string>): Promise<void> {
  const { prefix, ordered } = layoutSafetensors(tensors, metadata);
  const handle = await open(path, 'wx');
  try {
    await handle.write(prefix);
    for (const t of ordered) if (t.bytes.byteLength > 0) await handle.write(t.bytes);
  } finally {
    await handle.close();
  }
}

/**
 * Writes a sharded safetensors checkpoint from a stream of `[name, tensor]`
 * pairs: shards of at most `maxShardBytes` (tensors in arrival order), each
 * laid out like `writeSafetensors`, then the index. Only the current shard's
 * tensors are held; do not mutate a tensor's data after yielding it.
 * Duplicate names throw OptionError; on any failure nothing is left behind.
 */
export async function writeShardedCheckpoint(
  dir: string,
  entries: Iterable<[string, TensorInput]> | AsyncIterable<[string, TensorInput]>,
  options: WriteShardedOptions = {},
): Promise<ShardedWriteResult> {
  const maxShardBytes = options.maxShardBytes ?? 5e9;
  if (!(typeof maxShardBytes === 'number' && maxShardBytes > 0)) {
    throw new OptionError('maxShardBytes', 'a positive number of bytes', maxShardBytes);
  }
  const metadata = { format: 'pt', ...(options.metadata ?? {}) };
  let result: ShardedWriteResult | undefined;

  const writeInto = async (target: string): Promise<void> => {
    const partials: Array<{ path: string; names: string[] }> = [];
    let finals: string[] = [];
    try {
      const seen = new Set<string>();
      let shard: EncodedTensor[] = [];
      let shardBytes = 0;
      let totalSize = 0;
      const flush = async () => {
        const path = join(target, `.shard-${partials.length}.partial`);
        partials.push({ path, names: shard.map((t) => t.name) });
        await writeShardFile(path, shard, metadata);
        shard = [];
        shardBytes = 0;
      };
      for await (const [name, tensor] of entries) {
        if (seen.has(name)) throw new OptionError('entries', 'unique tensor names', name);
        seen.add(name);
        const encoded = encodeTensor(name, tensor);
        const size = encoded.bytes.byteLength;
        if (shard.length > 0 && shardBytes + size > maxShardBytes) await flush();
        shard.push(encoded);
        shardBytes += size;
        totalSize += size;
      }
      if (shard.length > 0 || partials.length === 0) await flush();

      const weightMap: Record<string, string> = {};
      const files: string[] = [];
      for (let k = 0; k < partials.length; k++) {
        const file = shardName(k, partials.length);
        await rename(partials[k].path, join(target, file));
        finals.push(join(target, file));
        files.push(file);
        for (const name of partials[k].names) {
          Object.defineProperty(weightMap, name, { value: file, enumerable: true, writable: true, configurable: true });
        }
      }
      const sortedMap: Record<string, string> = {};
      for (const name of Object.keys(weightMap).sort()) {
        Object.defineProperty(sortedMap, name, { value: weightMap[name], enumerable: true, writable: true, configurable: true });
      }
      const indexPath = join(target, SHARDED_INDEX_FILE);
      await writeFileAtomic(indexPath, `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: sortedMap }, null, 2)}\n`);
      finals.push(indexPath);
      result = { files, totalSize, weightMap: sortedMap };
    } catch (err) {
      // Only matters when writing in place: the atomic path removes the whole temp dir.
      for (const p of [...partials.map((x) => x.path), ...finals]) await rm(p, { force: true }).catch(() => undefined);
      finals = [];
      throw err;
    }
  };

  if (options.atomic === false) {
    await mkdir(resolve(dir), { recursive: true });
    await writeInto(resolve(dir));
  } else {
    await writeDirAtomic(dir, writeInto, { overwrite: options.overwrite });
  }
  return result!;
}
