/**
 * Test helper: writes `torch.save`-format files (zip of `<archive>/data.pkl` in pickle protocol 2
 * plus raw little-endian storages) from JS values, so the loader tests need no Python.
 * Values: null, booleans, numbers (integers become Python ints, others floats), bigints, strings,
 * arrays (lists), `tuple(...)`, plain objects (dicts), `tensor(...)`, `pyGlobal(...)` (a REDUCE
 * of any global, for the whitelist tests).
 */
import { writeFileSync } from 'node:fs';
import { zipSync } from 'fflate';

export type PyDType = 'float32' | 'float64' | 'int64' | 'int32' | 'float16';

export interface PyTensor {
  kind: 'tensor';
  dtype: PyDType;
  shape: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint16Array;
  stride?: number[];
  offset?: number;
  /** Element count announced in the persistent id (default data.length). */
  numel?: number;
  /** Bytes actually written for the storage (default all): fewer simulates truncation. */
  writtenBytes?: number;
}

export interface PyTuple { kind: 'tuple'; items: PyValue[] }
export interface PyFloat { kind: 'float'; value: number }
export interface PyCall { kind: 'call'; module: string; name: string; args: PyValue[] }
export type PyValue = null | boolean | number | bigint | string | PyValue[] | PyTuple | PyFloat | PyTensor | PyCall | { [key: string]: PyValue };

export const tuple = (...items: PyValue[]): PyTuple => ({ kind: 'tuple', items });
export const pyFloat = (value: number): PyFloat => ({ kind: 'float', value });
export const pyGlobal = (module: string, name: string, ...args: PyValue[]): PyCall => ({ kind: 'call', module, name, args });
export function tensor(dtype: PyDType, shape: number[], data: PyTensor['data'], extra: Partial<PyTensor> = {}): PyTensor {
  return { kind: 'tensor', dtype, shape, data, ...extra };
}

const STORAGE: Record<PyDType, string> = {
  float32: 'FloatStorage', float64: 'DoubleStorage', int64: 'LongStorage', int32: 'IntStorage', float16: 'HalfStorage',
};

class PickleWriter {
  private bytes: number[] = [];
  private memo = 0;
  readonly storages: Array<{ key: string; bytes: Uint8Array }> = [];

  op(...b: number[]) { this.bytes.push(...b); }
  text(s: string) { this.bytes.push(...new TextEncoder().encode(s)); }
  put() { this.op(0x71, this.memo++ & 0xff); }
  u32(v: number) { this.op(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff); }
  str(s: string) { const b = new TextEncoder().encode(s); this.op(0x58); this.u32(b.length); this.bytes.push(...b); this.put(); }
  global(module: string, name: string) { this.op(0x63); this.text(`${module}\n${name}\n`); this.put(); }
  int(v: number | bigint) {
    if (typeof v === 'number' && v >= 0 && v < 256) this.op(0x4b, v);
    else if (typeof v === 'number' && v >= 0 && v < 65536) this.op(0x4d, v & 0xff, v >> 8);
    else if (typeof v === 'number' && v >= -(2 ** 31) && v < 2 ** 31) { this.op(0x4a); this.u32(v >>> 0); }
    else {
      let big = BigInt(v);
      const out: number[] = [];
      for (let i = 0; i < 9; i++) { out.push(Number(big & 0xffn)); big >>= 8n; }
      this.op(0x8a, out.length, ...out);
    }
  }
  value(v: PyValue): void {
    if (v === null) this.op(0x4e);
    else if (v === true) this.op(0x88);
    else if (v === false) this.op(0x89);
    else if (typeof v === 'bigint') this.int(v);
    else if (typeof v === 'number') {
      if (Number.isInteger(v)) this.int(v);
      else this.value(pyFloat(v));
    } else if (typeof v === 'string') this.str(v);
    else if (Array.isArray(v)) {
      this.op(0x5d); this.put();
      if (v.length) { this.op(0x28); v.forEach((x) => this.value(x)); this.op(0x65); }
    } else if ((v as PyTuple).kind === 'tuple') {
      const items = (v as PyTuple).items;
      if (items.length === 0) this.op(0x29);
      else { this.op(0x28); items.forEach((x) => this.value(x)); this.op(0x74); }
      this.put();
    } else if ((v as PyFloat).kind === 'float') {
      const b = new DataView(new ArrayBuffer(8));
      b.setFloat64(0, (v as PyFloat).value, false);
      this.op(0x47, ...new Uint8Array(b.buffer));
    } else if ((v as PyCall).kind === 'call') {
      const c = v as PyCall;
      this.global(c.module, c.name);
      this.value(tuple(...c.args));
      this.op(0x52); this.put();
    } else if ((v as PyTensor).kind === 'tensor') this.tensor(v as PyTensor);
    else {
      this.op(0x7d); this.put();
      const entries = Object.entries(v as Record<string, PyValue>);
      if (entries.length) { this.op(0x28); for (const [k, x] of entries) { this.str(k); this.value(x); } this.op(0x75); }
    }
  }
  tensor(t: PyTensor) {
    const key = String(this.storages.length);
    const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    this.storages.push({ key, bytes: raw.slice(0, t.writtenBytes ?? raw.length) });
    const contiguous = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    this.global('torch._utils', '_rebuild_tensor_v2');
    this.op(0x28); // args tuple
    this.op(0x28); this.str('storage'); this.global('torch', STORAGE[t.dtype]); this.str(key); this.str('cpu'); this.int(t.numel ?? t.data.length); this.op(0x74); this.put();
    this.op(0x51); this.put(); // BINPERSID
    this.int(t.offset ?? 0);
    this.value(tuple(...(t.shape as PyValue[])));
    this.value(tuple(...((t.stride ?? contiguous) as PyValue[])));
    this.op(0x89);
    this.global('collections', 'OrderedDict'); this.op(0x29); this.op(0x52); this.put();
    this.op(0x74); this.put();
    this.op(0x52); this.put();
  }
  finish(): Uint8Array {
    return Uint8Array.from([0x80, 0x02, ...this.bytes, 0x2e]);
  }
}

/** Bytes of a .pt archive holding `value` (as torch.save would write it). */
export function torchSaveBytes(value: PyValue, archive = 'archive'): Uint8Array {
  const w = new PickleWriter();
  w.value(value);
  const files: Record<string, [Uint8Array, { level: 0 }]> = {
    [`${archive}/data.pkl`]: [w.finish(), { level: 0 }],
    [`${archive}/byteorder`]: [new TextEncoder().encode('little'), { level: 0 }],
  };
  for (const s of w.storages) files[`${archive}/data/${s.key}`] = [s.bytes, { level: 0 }];
  files[`${archive}/version`] = [new TextEncoder().encode('3\n'), { level: 0 }];
  return zipSync(files);
}

/** The raw pickle stream (protocol 2) of `value`, e.g. to build a legacy non-zip file. */
export function pickleBytes(value: PyValue): Uint8Array {
  const w = new PickleWriter();
  w.value(value);
  return w.finish();
}

export function writeTorchFile(path: string, value: PyValue): void {
  writeFileSync(path, torchSaveBytes(value));
}
