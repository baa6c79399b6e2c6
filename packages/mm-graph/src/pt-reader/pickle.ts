/**
 * A whitelist-only pickle virtual machine (spec §2 "JS readability").
 *
 * It interprets the opcodes `torch.save` emits (protocols 2–4) to rebuild plain data: None, bools,
 * ints, floats, strings, bytes, lists, tuples and dicts. Everything that would run code in Python,
 * GLOBAL/STACK_GLOBAL followed by REDUCE/NEWOBJ/BUILD, only works for names the caller whitelists,
 * and those names map to JS functions written by us; any other global aborts the read with
 * {@link UnsupportedPickleGlobal}. Nothing from the file is ever executed or evaluated.
 */
import { FormatError } from '@paperkit/tensor-core';

/** Values the VM can produce. Tuples are arrays; dicts with only string keys become plain objects. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | { [key: string]: PickleValue }
  | object;

/** A whitelisted global: `call` is our JS stand-in for the Python callable. */
export interface PickleGlobal {
  readonly module: string;
  readonly name: string;
  call?(args: PickleValue[]): PickleValue;
}

export interface PickleOptions {
  /** File name for error messages. */
  source: string;
  /** Archive entry for error messages (e.g. `archive/data.pkl`). */
  entry?: string;
  /** `module.name` -> our implementation; anything not here throws UnsupportedPickleGlobal. */
  globals: Record<string, Omit<PickleGlobal, 'module' | 'name'>>;
  /** Resolves BINPERSID ids (torch uses them for storages). Without it, BINPERSID is an error. */
  persistentLoad?(pid: PickleValue): PickleValue;
  /** Deepest nesting of lists, tuples and dicts accepted (default 1000; torch state dicts nest a few levels). */
  maxDepth?: number;
  /** Longest LONG1/LONG4 integer in bytes (default 64; torch writes sizes and ids, never huge ints). */
  maxIntBytes?: number;
}

/** Defaults of the pickle VM's limits. */
export const PICKLE_LIMITS = { maxDepth: 1000, maxIntBytes: 64 } as const;

/** A pickle referenced a global that is not on the whitelist; it was not (and will never be) called. */
export class UnsupportedPickleGlobal extends FormatError {
  constructor(
    source: string,
    readonly global: string,
    where?: string,
  ) {
    super(source, `UnsupportedPickleGlobal(${global}): only tensors, storages, OrderedDict and plain Python data are read`, where);
  }
}

const MARK = Symbol('mark');

/** Run the VM over `bytes` and return the unpickled object (dicts finalised, see PickleValue). */
export function unpickle(bytes: Uint8Array, options: PickleOptions): PickleValue {
  const { source, entry } = options;
  const maxDepth = options.maxDepth ?? PICKLE_LIMITS.maxDepth;
  const maxIntBytes = options.maxIntBytes ?? PICKLE_LIMITS.maxIntBytes;
  const fail = (reason: string): never => {
    throw new FormatError(source, reason, entry);
  };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let p = 0;

  const need = (n: number): number => {
    if (p + n > bytes.length) fail(`pickle stream truncated at byte ${p} (needs ${n} more)`);
    const at = p;
    p += n;
    return at;
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0) fail('pickle stream truncated inside a text line');
    const text = latin1.decode(bytes.subarray(p, end));
    p = end + 1;
    return text;
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail(`pickle stack underflow at byte ${p}`);
    const v = stack.pop();
    if (v === MARK) fail(`unexpected MARK on the stack at byte ${p}`);
    return v;
  };
  const top = (): unknown => {
    if (stack.length === 0) fail(`pickle stack underflow at byte ${p}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const at = marks.pop();
    if (at === undefined) fail(`missing MARK at byte ${p}`);
    const items = stack.splice(at!);
    if (items[0] !== MARK) fail(`corrupt MARK at byte ${p}`);
    return items.slice(1);
  };
  const text = (at: number, n: number): string => {
    try {
      return utf8.decode(bytes.subarray(at, at + n));
    } catch {
      return fail(`invalid UTF-8 string at byte ${at}`);
    }
  };
  const resolve = (module: string, name: string): PickleGlobal => {
    const key = `${module}.${name}`;
    const impl = options.globals[key];
    if (!impl) throw new UnsupportedPickleGlobal(source, key, entry);
    return { module, name, ...impl };
  };
  const call = (callable: unknown, args: unknown): unknown => {
    const g = callable as PickleGlobal;
    if (typeof g !== 'object' || g === null || typeof g.module !== 'string' || !g.call) fail(`REDUCE on a value that is not a whitelisted callable at byte ${p}`);
    if (!Array.isArray(args)) fail(`REDUCE arguments are not a tuple at byte ${p}`);
    return g.call!(args as PickleValue[]);
  };
  const setItems = (dict: unknown, items: unknown[]): void => {
    if (!(dict instanceof Map)) fail(`SETITEM(S) on a non-dict at byte ${p}`);
    if (items.length % 2 !== 0) fail(`odd number of dict items at byte ${p}`);
    for (let i = 0; i < items.length; i += 2) (dict as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const appendItems = (list: unknown, items: unknown[]): void => {
    if (!Array.isArray(list) || Object.isFrozen(list)) fail(`APPEND(S) on a non-list at byte ${p}`);
    for (const item of items) (list as unknown[]).push(item);
  };
  const long = (n: number): number | bigint => {
    if (n > maxIntBytes) fail(`LONG of ${n} bytes at byte ${p} exceeds the limit of ${maxIntBytes} bytes`);
    const at = need(n);
    if (n === 0) return 0;
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i]);
    if (bytes[at + n - 1] & 0x80) value -= 1n << BigInt(8 * n);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  };
  const memoGet = (key: number): unknown => {
    if (!memo.has(key)) fail(`memo key ${key} read before it was written`);
    return memo.get(key);
  };

  for (;;) {
    const op = bytes[need(1)];
    switch (op) {
      case 0x80: need(1); break; // PROTO
      case 0x95: need(8); break; // FRAME
      case 0x28: marks.push(stack.length); stack.push(MARK); break; // MARK
      case 0x2e: { // STOP
        const result = pop();
        return finalize(result, new Map(), 0, maxDepth, fail) as PickleValue;
      }
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(dv.getInt32(need(4), true)); break; // BININT
      case 0x4b: stack.push(bytes[need(1)]); break; // BININT1
      case 0x4d: stack.push(dv.getUint16(need(2), true)); break; // BININT2
      case 0x8a: stack.push(long(bytes[need(1)])); break; // LONG1
      case 0x8b: { const n = dv.getInt32(need(4), true); if (n < 0) fail('negative LONG4 length'); stack.push(long(n)); break; }
      case 0x49: { // INT (protocol 0; "01"/"00" are bools)
        const t = line();
        if (t === '01') stack.push(true);
        else if (t === '00') stack.push(false);
        else { const v = Number.parseInt(t, 10); if (!Number.isFinite(v)) fail(`bad INT literal ${JSON.stringify(t)}`); stack.push(v); }
        break;
      }
      case 0x4c: { // LONG (protocol 0)
        const t = line().replace(/L$/, '');
        if (!/^-?\d+$/.test(t)) fail(`bad LONG literal ${JSON.stringify(t)}`);
        const v = BigInt(t);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: stack.push(dv.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)
      case 0x58: { const n = dv.getUint32(need(4), true); stack.push(text(need(n), n)); break; } // BINUNICODE
      case 0x8c: { const n = bytes[need(1)]; stack.push(text(need(n), n)); break; } // SHORT_BINUNICODE
      case 0x8d: { const n = Number(dv.getBigUint64(need(8), true)); stack.push(text(need(n), n)); break; } // BINUNICODE8
      case 0x54: { const n = dv.getInt32(need(4), true); if (n < 0) fail('negative BINSTRING length'); const at = need(n); stack.push(latin1.decode(bytes.subarray(at, at + n))); break; }
      case 0x55: { const n = bytes[need(1)]; const at = need(n); stack.push(latin1.decode(bytes.subarray(at, at + n))); break; }
      case 0x42: { const n = dv.getUint32(need(4), true); const at = need(n); stack.push(bytes.slice(at, at + n)); break; } // BINBYTES
      case 0x43: { const n = bytes[need(1)]; const at = need(n); stack.push(bytes.slice(at, at + n)); break; } // SHORT_BINBYTES
      case 0x8e: { const n = Number(dv.getBigUint64(need(8), true)); const at = need(n); stack.push(bytes.slice(at, at + n)); break; }
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const item = pop(); appendItems(top(), [item]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x29: stack.push(Object.freeze([])); break; // EMPTY_TUPLE
      case 0x74: stack.push(Object.freeze(popMark())); break; // TUPLE
      case 0x85: { const a = pop(); stack.push(Object.freeze([a])); break; }
      case 0x86: { const b = pop(); const a = pop(); stack.push(Object.freeze([a, b])); break; }
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(Object.freeze([a, b, c])); break; }
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const d = new Map(); setItems(d, items); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x71: memo.set(bytes[need(1)], top()); break; // BINPUT
      case 0x72: memo.set(dv.getUint32(need(4), true), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x70: memo.set(Number.parseInt(line(), 10), top()); break; // PUT
      case 0x68: stack.push(memoGet(bytes[need(1)])); break; // BINGET
      case 0x6a: stack.push(memoGet(dv.getUint32(need(4), true))); break; // LONG_BINGET
      case 0x67: stack.push(memoGet(Number.parseInt(line(), 10))); break; // GET
      case 0x63: { const module = line(); const name = line(); stack.push(resolve(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(resolve(module as string, name as string));
        break;
      }
      case 0x52: { const args = pop(); const fn = pop(); stack.push(call(fn, args)); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(call(cls, args)); break; } // NEWOBJ
      case 0x62: { // BUILD: only dict state merged into a dict (OrderedDict subclasses)
        const state = pop();
        const obj = top();
        if (obj instanceof Map && state instanceof Map) for (const [k, v] of state) obj.set(k, v);
        else if (!(state === null || (state instanceof Map && state.size === 0))) fail(`BUILD with non-dict state at byte ${p}; only plain data is read`);
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail('persistent id found but no storage resolver was given');
        stack.push(options.persistentLoad!(finalize(pid, new Map(), 0, maxDepth, fail) as PickleValue));
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${p - 1}`);
    }
  }
}

/** Turn Maps with only string keys into plain objects, recursively (shared references stay shared). */
function finalize(value: unknown, seen: Map<unknown, unknown>, depth: number, maxDepth: number, fail: (reason: string) => never): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value);
  if (depth > maxDepth) fail(`containers nest deeper than the limit of ${maxDepth} levels`);
  if (value instanceof Map) {
    const allStrings = [...value.keys()].every((k) => typeof k === 'string');
    if (allStrings) {
      const out: Record<string, unknown> = {};
      seen.set(value, out);
      for (const [k, v] of value) Object.defineProperty(out, k as string, { value: finalize(v, seen, depth + 1, maxDepth, fail), enumerable: true, writable: true, configurable: true });
      return out;
    }
    const out = new Map<unknown, unknown>();
    seen.set(value, out);
    for (const [k, v] of value) out.set(finalize(k, seen, depth + 1, maxDepth, fail), finalize(v, seen, depth + 1, maxDepth, fail));
    return out;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    seen.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = finalize(value[i], seen, depth + 1, maxDepth, fail);
    return Object.isFrozen(value) ? Object.freeze(out) : out;
  }
  return value;
}
