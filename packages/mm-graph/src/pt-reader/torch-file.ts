/**
 * Reading `torch.save` archives without Python (spec §2 "Files" and "JS readability").
 *
 * Layout: a zip with `<archive>/data.pkl` (the object graph, pickled) and one raw little-endian
 * entry `<archive>/data/<key>` per storage. The pickle is interpreted by our whitelist VM; tensors
 * come back as {@link TorchTensor} handles that know their dtype, shape and storage entry and read
 * bytes only when asked, optionally just a range of rows. Storage sizes and tensor extents are
 * checked when the file is opened, so a truncated or inconsistent file fails early with a
 * FormatError naming the file and the entry.
 */
import { FormatError, bfloat16ToFloat32, float16ToFloat32 } from '@paperkit/tensor-core';
import { bytesSource, ZipArchive, type ByteSource } from './zip.js';
import { unpickle, type PickleOptions, type PickleValue } from './pickle.js';

export type TorchDType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** What `read()` returns per dtype: float16/bfloat16 are widened to float32, bool is 0/1 bytes. */
export type TorchArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

const STORAGE_TYPES: Record<string, { dtype: TorchDType; itemSize: number }> = {
  'torch.FloatStorage': { dtype: 'float32', itemSize: 4 },
  'torch.DoubleStorage': { dtype: 'float64', itemSize: 8 },
  'torch.HalfStorage': { dtype: 'float16', itemSize: 2 },
  'torch.BFloat16Storage': { dtype: 'bfloat16', itemSize: 2 },
  'torch.LongStorage': { dtype: 'int64', itemSize: 8 },
  'torch.IntStorage': { dtype: 'int32', itemSize: 4 },
  'torch.ShortStorage': { dtype: 'int16', itemSize: 2 },
  'torch.CharStorage': { dtype: 'int8', itemSize: 1 },
  'torch.ByteStorage': { dtype: 'uint8', itemSize: 1 },
  'torch.BoolStorage': { dtype: 'bool', itemSize: 1 },
};

/** Reads `length` bytes at `start` of an archive entry. */
type RangeReader = (entry: string, start: number, length: number) => Promise<Uint8Array>;

interface StorageRef {
  readonly kind: 'storage';
  dtype: TorchDType;
  itemSize: number;
  key: string;
  entry: string;
  numel: number;
}

/** A lazily read tensor from a .pt file. Nothing is read until `read`/`readRows` is called. */
export class TorchTensor {
  readonly kind = 'tensor';

  constructor(
    /** The .pt file (for error messages). */
    readonly file: string,
    /** The zip entry holding the storage, e.g. `archive/data/0`. */
    readonly entry: string,
    readonly dtype: TorchDType,
    readonly shape: number[],
    readonly stride: number[],
    readonly storageOffset: number,
    private readonly itemSize: number,
    private readonly reader: RangeReader,
  ) {}

  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** All elements, row-major. */
  read(): Promise<TorchArray> {
    return this.readRows(0, this.shape.length === 0 ? 1 : this.shape[0]);
  }

  /**
   * Rows [start, end) along the first dimension, row-major. Only the bytes those rows span are
   * read, so a slice of a multi-GB feature matrix costs its own size.
   */
  async readRows(start: number, end: number): Promise<TorchArray> {
    const rows = this.shape.length === 0 ? 1 : this.shape[0];
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > rows || start > end) {
      throw new FormatError(this.file, `row range [${start}, ${end}) is outside [0, ${rows})`, this.entry);
    }
    const inner = this.shape.slice(1);
    const innerStride = this.stride.slice(1);
    const count = (end - start) * inner.reduce((a, b) => a * b, 1);
    if (count === 0) return this.decode(new Uint8Array(0), 0);
    // Element span touched by the rows: [lo, hi] in storage elements.
    const rowStride = this.shape.length === 0 ? 0 : this.stride[0];
    let lo = this.storageOffset + start * rowStride;
    let hi = lo + (end - start - 1) * rowStride;
    if (rowStride < 0) [lo, hi] = [hi, lo];
    for (let d = 0; d < inner.length; d++) {
      const extent = (inner[d] - 1) * innerStride[d];
      if (extent >= 0) hi += extent;
      else lo += extent;
    }
    const bytes = await this.reader(this.entry, lo * this.itemSize, (hi - lo + 1) * this.itemSize);
    const contiguous = isContiguous([end - start, ...inner], [rowStride, ...innerStride]) || this.shape.length === 0;
    if (contiguous) return this.decode(bytes, count);
    // Strided view (e.g. a transposed edge index): gather element by element.
    const all = this.decode(bytes, hi - lo + 1);
    const out = new (all.constructor as { new (n: number): TorchArray })(count);
    const index = new Array(inner.length).fill(0);
    let o = 0;
    for (let r = start; r < end; r++) {
      const base = this.storageOffset + r * rowStride - lo;
      index.fill(0);
      for (let k = 0; k < count / (end - start); k++) {
        let at = base;
        for (let d = 0; d < inner.length; d++) at += index[d] * innerStride[d];
        (out as unknown as number[])[o++] = (all as unknown as number[])[at];
        for (let d = inner.length - 1; d >= 0; d--) {
          if (++index[d] < inner[d]) break;
          index[d] = 0;
        }
      }
    }
    return out;
  }

  /** Integer tensors as Int32Array; int64 values outside the int32 range throw a FormatError. */
  async readInt32(rows?: [number, number]): Promise<Int32Array> {
    const data = rows ? await this.readRows(rows[0], rows[1]) : await this.read();
    if (data instanceof Int32Array) return data;
    if (data instanceof BigInt64Array) {
      const out = new Int32Array(data.length);
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (v > 2147483647n || v < -2147483648n) {
          throw new FormatError(this.file, `int64 value ${v} at element ${i} does not fit in int32`, this.entry);
        }
        out[i] = Number(v);
      }
      return out;
    }
    if (data instanceof Int16Array || data instanceof Int8Array || data instanceof Uint8Array) return Int32Array.from(data);
    throw new FormatError(this.file, `expected an integer tensor, got ${this.dtype}`, this.entry);
  }

  /** Floating tensors as Float32Array (float64 narrowed, halves widened). */
  async readFloat32(rows?: [number, number]): Promise<Float32Array> {
    const data = rows ? await this.readRows(rows[0], rows[1]) : await this.read();
    if (data instanceof Float32Array) return data;
    if (data instanceof Float64Array) return Float32Array.from(data);
    throw new FormatError(this.file, `expected a floating-point tensor, got ${this.dtype}`, this.entry);
  }

  private decode(bytes: Uint8Array, count: number): TorchArray {
    const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
    const buf = aligned.buffer;
    const off = aligned.byteOffset;
    switch (this.dtype) {
      case 'float32': return new Float32Array(buf, off, count).slice();
      case 'float64': return new Float64Array(buf, off, count).slice();
      case 'int64': return new BigInt64Array(buf, off, count).slice();
      case 'int32': return new Int32Array(buf, off, count).slice();
      case 'int16': return new Int16Array(buf, off, count).slice();
      case 'int8': return new Int8Array(buf, off, count).slice();
      case 'uint8':
      case 'bool': return new Uint8Array(buf, off, count).slice();
      case 'float16': return float16ToFloat32(new Uint16Array(buf, off, count).slice()) as Float32Array;
      case 'bfloat16': return bfloat16ToFloat32(new Uint16Array(buf, off, count).slice()) as Float32Array;
    }
  }
}

/** The unpickled object of a .pt file plus the archive it reads from. */
export interface TorchFile {
  /** Plain data with {@link TorchTensor} handles where the file has tensors. */
  value: PickleValue;
  /** Zip entry names (for `inspect`). */
  entries: string[];
  /** Releases the file handle; later tensor reads reopen the file. */
  close(): Promise<void>;
}

export interface ReadTorchOptions {
  /** Keep one file handle open for tensor reads until `close()` (default false: reopen per read). */
  keepOpen?: boolean;
}

/**
 * Open a .pt archive from any source: parse the pickle, resolve storages and validate extents;
 * tensor bytes stay in the source until read. `reopen` gives a fresh source for each later tensor
 * read when `keepOpen` is false (files: a new handle). Bad zip magic, legacy pickles,
 * non-whitelisted globals, truncated storages and shape/numel mismatches throw FormatError.
 */
export async function openTorchSource(reopen: () => Promise<ByteSource>, name: string, options: ReadTorchOptions = {}): Promise<TorchFile> {
  const source = await reopen();
  try {
    const archive = await ZipArchive.open(source);
    let reader: RangeReader;
    if (options.keepOpen) {
      reader = (entry, start, length) => archive.readRange(entry, start, length);
    } else {
      reader = async (entry, start, length) => {
        const fresh = await ZipArchive.open(await reopen());
        try {
          return await fresh.readRange(entry, start, length);
        } finally {
          await fresh.close();
        }
      };
    }
    const value = await parseArchive(archive, name, reader);
    const entries = archive.names;
    if (!options.keepOpen) await archive.close();
    return { value, entries, close: () => (options.keepOpen ? archive.close() : Promise.resolve()) };
  } catch (error) {
    await source.close().catch(() => {});
    throw error;
  }
}

/** `readTorchFile` (./node) for an archive already in memory. */
export async function readTorchBytes(bytes: Uint8Array, name = '<bytes>'): Promise<PickleValue> {
  const archive = await ZipArchive.open(bytesSource(bytes, name));
  return parseArchive(archive, name, (entry, start, length) => archive.readRange(entry, start, length));
}

async function parseArchive(archive: ZipArchive, file: string, reader: RangeReader): Promise<PickleValue> {
  const pklEntry = archive.names.find((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
  if (!pklEntry) throw new FormatError(file, 'no data.pkl entry; not a torch.save archive');
  const prefix = pklEntry.slice(0, pklEntry.length - 'data.pkl'.length);
  const byteorderEntry = `${prefix}byteorder`;
  if (archive.entries.has(byteorderEntry)) {
    const order = new TextDecoder().decode(await archive.read(byteorderEntry)).trim();
    if (order !== 'little') throw new FormatError(file, `byte order "${order}" is not supported (little-endian only)`, byteorderEntry);
  }
  const storages = new Map<string, StorageRef>();
  const pickleOptions: PickleOptions = {
    source: file,
    entry: pklEntry,
    globals: {
      'collections.OrderedDict': { call: () => new Map() },
      'torch._utils._rebuild_tensor_v2': {
        call: (args) => rebuildTensor(args, file, pklEntry, reader),
      },
      'torch._utils._rebuild_parameter': {
        call: (args) => {
          if (!(args[0] instanceof TorchTensor)) throw new FormatError(file, '_rebuild_parameter without a tensor', pklEntry);
          return args[0];
        },
      },
      ...Object.fromEntries(Object.keys(STORAGE_TYPES).map((name) => [name, {}])),
    },
    persistentLoad(pid) {
      if (!Array.isArray(pid) || pid.length < 5 || pid[0] !== 'storage') {
        throw new FormatError(file, `unexpected persistent id ${describe(pid)}`, pklEntry);
      }
      const [, type, key, , numel] = pid as unknown[];
      const typeRef = type as { module?: unknown; name?: unknown } | null;
      const typeName = typeof typeRef === 'object' && typeRef !== null && typeof typeRef.module === 'string' ? `${typeRef.module}.${String(typeRef.name)}` : String(type);
      const info = STORAGE_TYPES[typeName];
      if (!info) throw new FormatError(file, `unknown storage type ${typeName}`, pklEntry);
      if (typeof key !== 'string' || typeof numel !== 'number' || !Number.isInteger(numel) || numel < 0) {
        throw new FormatError(file, 'storage id needs a string key and an integer element count', pklEntry);
      }
      const cached = storages.get(key);
      if (cached) return cached;
      const entry = `${prefix}data/${key}`;
      if (!archive.entries.has(entry)) throw new FormatError(file, 'storage entry listed in data.pkl is missing from the archive', entry);
      const size = archive.entries.get(entry)!.size;
      if (size < numel * info.itemSize) {
        throw new FormatError(file, `storage truncated: ${size} bytes for ${numel} ${info.dtype} elements (${numel * info.itemSize} bytes)`, entry);
      }
      const ref: StorageRef = { kind: 'storage', dtype: info.dtype, itemSize: info.itemSize, key, entry, numel };
      storages.set(key, ref);
      return ref;
    },
  };
  return unpickle(await archive.read(pklEntry), pickleOptions);
}

/** The largest tensor a .pt file may declare, in bytes (a JS typed array holds at most about this much). */
export const MAX_TENSOR_BYTES = 2 ** 31;

function rebuildTensor(args: PickleValue[], file: string, pklEntry: string, reader: RangeReader): TorchTensor {
  const [storage, offset, size, stride] = args as unknown[];
  const s = storage as StorageRef;
  if (!s || s.kind !== 'storage') throw new FormatError(file, '_rebuild_tensor_v2 called without a storage', pklEntry);
  const ints = (v: unknown, what: string): number[] => {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x))) {
      throw new FormatError(file, `tensor ${what} must be a tuple of ints`, s.entry);
    }
    return [...(v as number[])];
  };
  const shape = ints(size, 'size');
  const strides = ints(stride, 'stride');
  if (typeof offset !== 'number' || offset < 0) throw new FormatError(file, 'tensor storage offset must be a non-negative int', s.entry);
  if (shape.length !== strides.length) throw new FormatError(file, `shape [${shape}] and stride [${strides}] differ in rank`, s.entry);
  if (shape.some((d) => d < 0)) throw new FormatError(file, `negative dimension in shape [${shape}]`, s.entry);
  const numel = shape.reduce((a, b) => a * b, 1);
  // A view's size is not bounded by its storage (stride 0 repeats elements): cap what a read could allocate.
  if (numel * s.itemSize > MAX_TENSOR_BYTES) {
    throw new FormatError(file, `tensor of shape [${shape}] would take ${numel * s.itemSize} bytes when read (limit ${MAX_TENSOR_BYTES})`, s.entry);
  }
  if (numel > 0) {
    let hi = offset;
    let lo = offset;
    for (let d = 0; d < shape.length; d++) {
      const extent = (shape[d] - 1) * strides[d];
      if (extent >= 0) hi += extent;
      else lo += extent;
    }
    if (lo < 0 || hi >= s.numel) {
      throw new FormatError(file, `shape/numel mismatch: tensor of shape [${shape}] (stride [${strides}], offset ${offset}) needs storage elements [${lo}, ${hi}] but the storage holds ${s.numel}`, s.entry);
    }
  }
  return new TorchTensor(file, s.entry, s.dtype, shape, strides, offset, s.itemSize, reader);
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)).slice(0, 80);
  } catch {
    return String(value);
  }
}

export type { ByteSource };
