/**
 * A few loops in WebAssembly SIMD, assembled here byte by byte and run on the
 * tfjs wasm backend's own memory (imported as `env.memory`), so that they read
 * and write tensors in place of the JS loops of fast-wasm-kernels.ts.
 *
 * Why hand-assembled: the loops are short, and shipping a prebuilt .wasm (or
 * a toolchain) for three functions would cost more than these bytes. Why at
 * all: a JS loop has no SIMD, and the Adam update (one division and one
 * square root per element) ran at about 8 ns per element in V8; f32x4 does
 * four lanes per instruction.
 *
 * Everything degrades gracefully: when the engine lacks wasm SIMD or the
 * backend does not expose its memory, `simdKernelsFor` returns null and the
 * callers use their JS loops.
 *
 * Encoding reference: the WebAssembly core spec (binary format, section 5)
 * and the fixed-width SIMD proposal's opcode table (0xFD prefix).
 */

/**
 * The slice of the WebAssembly JS API used here. tsconfig's lib is ES2022
 * without DOM, whose typings carry the WebAssembly namespace, so it is
 * declared locally and taken from globalThis.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** A fresh wasm memory of `pages` 64 KiB pages (for tests); `shared` makes it like the threaded backend's. */
export function newWasmMemory(pages: number, shared = false): WasmMemory {
  if (wasmApi === undefined) throw new Error('WebAssembly is not available');
  return new wasmApi.Memory(shared ? { initial: pages, maximum: MAX_PAGES, shared: true } : { initial: pages });
}

/**
 * A shared memory import must declare a maximum no smaller than the memory's
 * own: the threaded tfjs build allows the whole 4 GiB (65536 pages).
 */
const MAX_PAGES = 65536;

function isShared(memory: WasmMemory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** The exported functions; pointers and lengths are in bytes. */
export interface SimdKernels {
  /**
   * Adam over `bytes / 4` floats (bytes a multiple of 16):
   * m' = b1 m + d1 g; v' = b2 v + d2 g^2; p' = p decay - step m' / (sqrt(v') invSqrtC2 + eps).
   */
  adam(
    p: number, g: number, m: number, v: number, outP: number, outM: number, outV: number, bytes: number,
    b1: number, d1: number, b2: number, d2: number, step: number, invSqrtC2: number, eps: number, decay: number,
  ): void;
  /** dst [cols, rows] = transpose of src [rows, cols] (float32; rows and cols multiples of 4), in 4 x 4 blocks. */
  transpose(src: number, dst: number, rows: number, cols: number): void;
  /** dst [cols] = column sums of src [rows, cols] (float32, cols a multiple of 4), accumulated row by row. */
  sumRows(src: number, dst: number, rows: number, cols: number): void;
  /**
   * c[e] = a[e] b[e] for e < batch, a [batch, m, k], b [batch, k, n], c [batch, m, n] (float32,
   * plain row-major, n a multiple of 4): rows of c accumulate a[e, i, kk] * b[e, kk, :].
   */
  bmm(a: number, b: number, c: number, batch: number, m: number, k: number, n: number): void;
  /**
   * dst = exp(src) over `bytes / 4` floats (bytes a multiple of 16); see expBody for
   * the method, accuracy and the edges (NaN stays NaN, overflow gives +Infinity).
   */
  exp(src: number, dst: number, bytes: number): void;
}

// Opcodes used below.
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_GE_U = 0x4f;
const I32_MUL = 0x6c;
const I32_SHL = 0x74;
const F32_LOAD = [0x2a, 2, 0]; // memarg: align 2^2, offset 0
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const BR = 0x0c;
const BR_IF = 0x0d;
const END = 0x0b;
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const V128_LOAD = [...simd(0x00), 0, 0]; // memarg: align 2^0 (no claim), offset 0
const V128_STORE = [...simd(0x0b), 0, 0];
const F32X4_SPLAT = simd(0x13);
/** i8x16.shuffle picking float lanes (0-3 first operand, 4-7 second). */
const shuffle = (lanes: number[]): number[] => [...simd(0x0d), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])];
const F32X4_SQRT = simd(0xe3);
const F32X4_ADD = simd(0xe4);
const F32X4_SUB = simd(0xe5);
const F32X4_MUL = simd(0xe6);
const F32X4_DIV = simd(0xe7);
const F32X4_MIN = simd(0xe8);
const F32X4_MAX = simd(0xe9);
const F32X4_NEAREST = simd(0x6a);
const F32X4_LT = simd(0x43);
const F32X4_GT = simd(0x44);
const I32X4_TRUNC_SAT_F32X4_S = simd(0xf8);
const I32X4_ADD = simd(0xae);
const I32X4_SHL = simd(0xab);
const I32X4_SHR_S = simd(0xac);
const I32X4_SUB = simd(0xb1);
const V128_ANDNOT = simd(0x4f);
const V128_BITSELECT = simd(0x52);
/** v128.const with the same float in all four lanes. */
const f32x4Const = (value: number): number[] => {
  const lane = new Uint8Array(new Float32Array([value]).buffer);
  return [...simd(0x0c), ...lane, ...lane, ...lane, ...lane];
};
/** v128.const with the same 32-bit integer in all four lanes. */
const i32x4Const = (value: number): number[] => {
  const lane = new Uint8Array(new Int32Array([value]).buffer);
  return [...simd(0x0c), ...lane, ...lane, ...lane, ...lane];
};

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const get = (i: number): number[] => [LOCAL_GET, ...uleb(i)];
const set = (i: number): number[] => [LOCAL_SET, ...uleb(i)];

/** The Adam function's body (locals after the 16 parameters; see SimdKernels.adam). */
function adamBody(): number[] {
  // params: 0 p, 1 g, 2 m, 3 v, 4 outP, 5 outM, 6 outV, 7 bytes (i32);
  //         8 b1, 9 d1, 10 b2, 11 d2, 12 step, 13 invSqrtC2, 14 eps, 15 decay (f32)
  // locals: 16 i (i32); 17..24 the eight f32 params splatted (v128); 25 g, 26 m', 27 v' (v128)
  const I = 16;
  const splat = (k: number) => 17 + (k - 8); // splatted copy of f32 param k
  const G = 25;
  const M = 26;
  const V = 27;
  const at = (ptr: number) => [...get(ptr), ...get(I), I32_ADD]; // address ptr + i
  const code: number[] = [];
  for (let k = 8; k <= 15; k++) code.push(...get(k), ...F32X4_SPLAT, ...set(splat(k)));
  code.push(BLOCK, VOID, LOOP, VOID);
  code.push(...get(I), ...get(7), I32_GE_U, BR_IF, 1); // i >= bytes: leave
  code.push(...at(1), ...V128_LOAD, ...set(G));
  // m' = b1 m + d1 g
  code.push(...get(splat(8)), ...at(2), ...V128_LOAD, ...F32X4_MUL, ...get(splat(9)), ...get(G), ...F32X4_MUL, ...F32X4_ADD, ...set(M));
  code.push(...at(5), ...get(M), ...V128_STORE);
  // v' = b2 v + d2 g g
  code.push(...get(splat(10)), ...at(3), ...V128_LOAD, ...F32X4_MUL);
  code.push(...get(splat(11)), ...get(G), ...get(G), ...F32X4_MUL, ...F32X4_MUL, ...F32X4_ADD, ...set(V));
  code.push(...at(6), ...get(V), ...V128_STORE);
  // p' = p decay - (step m') / (sqrt(v') invSqrtC2 + eps)
  code.push(...at(4));
  code.push(...at(0), ...V128_LOAD, ...get(splat(15)), ...F32X4_MUL);
  code.push(...get(splat(12)), ...get(M), ...F32X4_MUL);
  code.push(...get(V), ...F32X4_SQRT, ...get(splat(13)), ...F32X4_MUL, ...get(splat(14)), ...F32X4_ADD);
  code.push(...F32X4_DIV, ...F32X4_SUB, ...V128_STORE);
  code.push(...get(I), I32_CONST, ...sleb(16), I32_ADD, ...set(I));
  code.push(BR, 0, END, END, END);
  const locals = vec([[...uleb(1), I32], [...uleb(11), V128]]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/**
 * The transpose function's body: for every 4 x 4 block, four row loads, the
 * classic two-stage shuffle (interleave row pairs, then combine halves), four
 * column stores.
 */
function transposeBody(): number[] {
  // params: 0 src, 1 dst, 2 rows, 3 cols; locals: 4 i, 5 j, 6 rowBytes, 7 colBytes, 8 s, 9 d (i32);
  // 10..13 the block's rows, 14..17 the interleaved pairs (v128)
  const [I, J, RB, CB, S, D] = [4, 5, 6, 7, 8, 9];
  const R = [10, 11, 12, 13];
  const T = [14, 15, 16, 17];
  const code: number[] = [];
  code.push(...get(3), I32_CONST, ...sleb(2), I32_SHL, ...set(RB));
  code.push(...get(2), I32_CONST, ...sleb(2), I32_SHL, ...set(CB));
  code.push(BLOCK, VOID, LOOP, VOID);
  code.push(...get(I), ...get(2), I32_GE_U, BR_IF, 1);
  code.push(I32_CONST, 0, ...set(J));
  code.push(BLOCK, VOID, LOOP, VOID);
  code.push(...get(J), ...get(3), I32_GE_U, BR_IF, 1);
  // s = src + i * rowBytes + 4 j
  code.push(...get(0), ...get(I), ...get(RB), I32_MUL, I32_ADD, ...get(J), I32_CONST, ...sleb(2), I32_SHL, I32_ADD, ...set(S));
  for (let r = 0; r < 4; r++) {
    code.push(...get(S), ...V128_LOAD, ...set(R[r]));
    if (r < 3) code.push(...get(S), ...get(RB), I32_ADD, ...set(S));
  }
  code.push(...get(R[0]), ...get(R[1]), ...shuffle([0, 4, 1, 5]), ...set(T[0]));
  code.push(...get(R[0]), ...get(R[1]), ...shuffle([2, 6, 3, 7]), ...set(T[1]));
  code.push(...get(R[2]), ...get(R[3]), ...shuffle([0, 4, 1, 5]), ...set(T[2]));
  code.push(...get(R[2]), ...get(R[3]), ...shuffle([2, 6, 3, 7]), ...set(T[3]));
  // d = dst + j * colBytes + 4 i
  code.push(...get(1), ...get(J), ...get(CB), I32_MUL, I32_ADD, ...get(I), I32_CONST, ...sleb(2), I32_SHL, I32_ADD, ...set(D));
  const outputs: [number, number, number[]][] = [
    [T[0], T[2], [0, 1, 4, 5]],
    [T[0], T[2], [2, 3, 6, 7]],
    [T[1], T[3], [0, 1, 4, 5]],
    [T[1], T[3], [2, 3, 6, 7]],
  ];
  outputs.forEach(([x, y, lanes], r) => {
    code.push(...get(D), ...get(x), ...get(y), ...shuffle(lanes), ...V128_STORE);
    if (r < 3) code.push(...get(D), ...get(CB), I32_ADD, ...set(D));
  });
  code.push(...get(J), I32_CONST, ...sleb(4), I32_ADD, ...set(J), BR, 0, END, END);
  code.push(...get(I), I32_CONST, ...sleb(4), I32_ADD, ...set(I), BR, 0, END, END, END);
  const locals = vec([[...uleb(6), I32], [...uleb(8), V128]]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/**
 * The column-sum body: zero dst, then add every row of src into it four
 * lanes at a time, so dst stays in cache and src is read once, in order.
 */
function sumRowsBody(): number[] {
  // params: 0 src, 1 dst, 2 rows, 3 cols; locals: 4 i, 5 j, 6 rowBytes, 7 s, 8 addr (i32)
  const [I, J, RB, S, A] = [4, 5, 6, 7, 8];
  const V128_ZERO = [...simd(0x0c), ...new Array(16).fill(0)];
  const code: number[] = [];
  code.push(...get(3), I32_CONST, ...sleb(2), I32_SHL, ...set(RB));
  code.push(BLOCK, VOID, LOOP, VOID, ...get(J), ...get(RB), I32_GE_U, BR_IF, 1);
  code.push(...get(1), ...get(J), I32_ADD, ...V128_ZERO, ...V128_STORE);
  code.push(...get(J), I32_CONST, ...sleb(16), I32_ADD, ...set(J), BR, 0, END, END);
  code.push(...get(0), ...set(S));
  code.push(BLOCK, VOID, LOOP, VOID, ...get(I), ...get(2), I32_GE_U, BR_IF, 1);
  code.push(I32_CONST, 0, ...set(J));
  code.push(BLOCK, VOID, LOOP, VOID, ...get(J), ...get(RB), I32_GE_U, BR_IF, 1);
  code.push(...get(1), ...get(J), I32_ADD, ...set(A));
  code.push(...get(A), ...get(A), ...V128_LOAD, ...get(S), ...get(J), I32_ADD, ...V128_LOAD, ...F32X4_ADD, ...V128_STORE);
  code.push(...get(J), I32_CONST, ...sleb(16), I32_ADD, ...set(J), BR, 0, END, END);
  code.push(...get(S), ...get(RB), I32_ADD, ...set(S));
  code.push(...get(I), I32_CONST, ...sleb(1), I32_ADD, ...set(I), BR, 0, END, END, END);
  const locals = vec([[...uleb(5), I32]]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/** The batched small-GEMM body (see SimdKernels.bmm), with running pointers instead of index arithmetic. */
function bmmBody(): number[] {
  // params: 0 a, 1 b, 2 c, 3 batch, 4 m, 5 k, 6 n
  // locals: 7 e, 8 i, 9 kk, 10 j, 11 rowBytes (n * 4), 12 aPtr, 13 bBase, 14 bRow, 15 cRow, 16 kRowBytes (k * n * 4) (i32); 17 s (v128)
  const [E, I, KK, J, NB, AP, BB, BR_, CR, KB, S] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  const V128_ZERO = [...simd(0x0c), ...new Array(16).fill(0)];
  const inc = (local: number, by: number[]) => [...get(local), ...by, I32_ADD, ...set(local)];
  const code: number[] = [];
  code.push(...get(6), I32_CONST, ...sleb(2), I32_SHL, ...set(NB));
  code.push(...get(5), ...get(NB), I32_MUL, ...set(KB));
  code.push(...get(0), ...set(AP), ...get(1), ...set(BB), ...get(2), ...set(CR));
  code.push(BLOCK, VOID, LOOP, VOID, ...get(E), ...get(3), I32_GE_U, BR_IF, 1); // batch entries
  code.push(I32_CONST, 0, ...set(I));
  code.push(BLOCK, VOID, LOOP, VOID, ...get(I), ...get(4), I32_GE_U, BR_IF, 1); // rows of c
  code.push(I32_CONST, 0, ...set(J));
  code.push(BLOCK, VOID, LOOP, VOID, ...get(J), ...get(NB), I32_GE_U, BR_IF, 1); // zero the row
  code.push(...get(CR), ...get(J), I32_ADD, ...V128_ZERO, ...V128_STORE, ...inc(J, [I32_CONST, ...sleb(16)]), BR, 0, END, END);
  code.push(...get(BB), ...set(BR_), I32_CONST, 0, ...set(KK));
  code.push(BLOCK, VOID, LOOP, VOID, ...get(KK), ...get(5), I32_GE_U, BR_IF, 1); // shared dim
  code.push(...get(AP), ...F32_LOAD, ...F32X4_SPLAT, ...set(S), I32_CONST, 0, ...set(J));
  code.push(BLOCK, VOID, LOOP, VOID, ...get(J), ...get(NB), I32_GE_U, BR_IF, 1); // row += s * b row
  code.push(...get(CR), ...get(J), I32_ADD);
  code.push(...get(CR), ...get(J), I32_ADD, ...V128_LOAD, ...get(S), ...get(BR_), ...get(J), I32_ADD, ...V128_LOAD, ...F32X4_MUL, ...F32X4_ADD);
  code.push(...V128_STORE, ...inc(J, [I32_CONST, ...sleb(16)]), BR, 0, END, END);
  code.push(...inc(AP, [I32_CONST, ...sleb(4)]), ...inc(BR_, get(NB)), ...inc(KK, [I32_CONST, ...sleb(1)]), BR, 0, END, END);
  code.push(...inc(CR, get(NB)), ...inc(I, [I32_CONST, ...sleb(1)]), BR, 0, END, END);
  code.push(...inc(BB, get(KB)), ...inc(E, [I32_CONST, ...sleb(1)]), BR, 0, END, END, END);
  const locals = vec([[...uleb(10), I32], [...uleb(1), V128]]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/**
 * exp over float32 lanes, the classic Cephes `expf` scheme: n = round(x log2 e),
 * r = x - n ln 2 (ln 2 split in two parts so that n ln2_hi is exact), exp(r)
 * by a degree-7 polynomial on |r| <= ln2 / 2, times 2^n. 2^n is applied as
 * 2^h 2^(n-h) with h = n >> 1, both built in the exponent bits, so that n
 * may run from -150 to 128 and results cover the subnormals and reach
 * FLT_MAX. Measured against Math.exp in the tests: within 2 ulp. Edges: x
 * above ln(FLT_MAX) gives +Infinity, below ln(2^-150) gives 0, NaN stays NaN
 * (wasm min/max propagate it).
 */
function expBody(): number[] {
  // params: 0 src, 1 dst, 2 bytes; locals: 3 i (i32); 4 x, 5 n, 6 r, 7 y, 8 n as i32, 9 h = n >> 1 (v128)
  const [I, X] = [3, 4];
  const code: number[] = [];
  code.push(BLOCK, VOID, LOOP, VOID);
  code.push(...get(I), ...get(2), I32_GE_U, BR_IF, 1);
  code.push(...get(0), ...get(I), I32_ADD, ...V128_LOAD, ...set(X));
  code.push(...get(1), ...get(I), I32_ADD, ...expValue(X, [5, 6, 7, 8, 9]), ...V128_STORE);
  code.push(...get(I), I32_CONST, ...sleb(16), I32_ADD, ...set(I));
  code.push(BR, 0, END, END, END);
  const locals = vec([[...uleb(1), I32], [...uleb(6), V128]]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/**
 * Code leaving exp(local X) on the stack (see expBody for the method), using
 * five scratch v128 locals N, R, Y, NI, H.
 */
function expValue(X: number, [N, R, Y, NI, H]: number[]): number[] {
  const HI = 88.72283935546875; // ln(FLT_MAX), rounded down to a float
  const LO = -103.97208404541016; // ln(2^-150): below it the result rounds to 0
  const P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  const code: number[] = [];
  // n = nearest(clamp(x) log2 e); keep the clamped x in r for now
  code.push(...get(X), ...f32x4Const(HI), ...F32X4_MIN, ...f32x4Const(LO), ...F32X4_MAX, ...set(R));
  code.push(...get(R), ...f32x4Const(Math.LOG2E), ...F32X4_MUL, ...F32X4_NEAREST, ...set(N));
  // r = x - n ln2_hi - n ln2_lo
  code.push(...get(R), ...get(N), ...f32x4Const(0.693359375), ...F32X4_MUL, ...F32X4_SUB);
  code.push(...get(N), ...f32x4Const(-2.12194440e-4), ...F32X4_MUL, ...F32X4_SUB, ...set(R));
  // y = (((((p0 r + p1) r + p2) r + p3) r + p4) r + p5) r^2 + r + 1
  code.push(...f32x4Const(P[0]));
  for (let k = 1; k < P.length; k++) code.push(...get(R), ...F32X4_MUL, ...f32x4Const(P[k]), ...F32X4_ADD);
  code.push(...get(R), ...F32X4_MUL, ...get(R), ...F32X4_MUL, ...get(R), ...F32X4_ADD, ...f32x4Const(1), ...F32X4_ADD, ...set(Y));
  // out = y 2^h 2^(n-h), with 2^k = (k + 127) << 23 as float bits; then the overflow and underflow edges
  code.push(...get(N), ...I32X4_TRUNC_SAT_F32X4_S, ...set(NI), ...get(NI), I32_CONST, 1, ...I32X4_SHR_S, ...set(H));
  const pow2 = (k: number[]) => [...k, ...i32x4Const(127), ...I32X4_ADD, I32_CONST, ...sleb(23), ...I32X4_SHL];
  code.push(...f32x4Const(Infinity));
  code.push(...get(Y), ...pow2(get(H)), ...F32X4_MUL, ...pow2([...get(NI), ...get(H), ...I32X4_SUB]), ...F32X4_MUL);
  code.push(...get(X), ...f32x4Const(HI), ...F32X4_GT, ...V128_BITSELECT);
  code.push(...get(X), ...f32x4Const(LO), ...F32X4_LT, ...V128_ANDNOT);
  return code;
}

/**
 * The assembler pieces above, for other hand-assembled modules (src/ops/simd-gelu.ts):
 * opcodes, LEB128 encoders, section builders and the exp code generator.
 */
export const wasmAsm = {
  I32, F32, V128, I32_CONST, I32_ADD, I32_GE_U, BLOCK, LOOP, VOID, BR, BR_IF, END, MAX_PAGES,
  V128_LOAD, V128_STORE, F32X4_SPLAT, F32X4_ADD, F32X4_SUB, F32X4_MUL, F32X4_DIV, F32X4_MIN, F32X4_MAX, F32X4_LT, F32X4_GT,
  V128_ANDNOT, V128_BITSELECT, simd, uleb, sleb, name, vec, section, get, set, f32x4Const, i32x4Const, expValue,
};

/** Instantiate `bytes(shared)` on `memory` (imported as env.memory); null where wasm SIMD or the memory is unavailable. */
export function instantiateOnMemory<T>(memory: WasmMemory | undefined, bytes: (shared: boolean) => Uint8Array): T | null {
  if (wasmApi === undefined || memory === undefined || !(memory instanceof wasmApi.Memory)) return null;
  try {
    const b = bytes(isShared(memory));
    if (!wasmApi.validate(b)) return null;
    return new wasmApi.Instance(new wasmApi.Module(b), { env: { memory } }).exports as unknown as T;
  } catch {
    return null;
  }
}

/** The module's bytes; `shared` imports a shared memory (the threaded backend's). */
export function simdModuleBytes(shared = false): Uint8Array {
  const adamType = [0x60, ...vec([...new Array(8).fill([I32]), ...new Array(8).fill([F32])]), ...vec([])];
  const transposeType = [0x60, ...vec([[I32], [I32], [I32], [I32]]), ...vec([])];
  const bmmType = [0x60, ...vec(new Array(7).fill([I32])), ...vec([])];
  const unaryType = [0x60, ...vec([[I32], [I32], [I32]]), ...vec([])];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    ...section(1, vec([adamType, transposeType, bmmType, unaryType])), // types
    // import memory: min 0, no max; or shared, min 0, max MAX_PAGES
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...(shared ? [0x03, 0x00, ...uleb(MAX_PAGES)] : [0x00, 0x00])]])),
    ...section(3, vec([uleb(0), uleb(1), uleb(1), uleb(2), uleb(3)])), // the functions' types
    ...section(7, vec([
      [...name('adam'), 0x00, 0x00],
      [...name('transpose'), 0x00, 0x01],
      [...name('sumRows'), 0x00, 0x02],
      [...name('bmm'), 0x00, 0x03],
      [...name('exp'), 0x00, 0x04],
    ])),
    ...section(10, vec([adamBody(), transposeBody(), sumRowsBody(), bmmBody(), expBody()])), // code
  ];
  return Uint8Array.from(bytes);
}

const cache = new WeakMap<WasmMemory, SimdKernels | null>();

/** The SIMD kernels bound to `memory`, or null where wasm SIMD is unavailable. */
export function simdKernelsFor(memory: WasmMemory | undefined): SimdKernels | null {
  if (wasmApi === undefined || memory === undefined || !(memory instanceof wasmApi.Memory)) return null;
  let kernels = cache.get(memory);
  if (kernels === undefined) {
    kernels = null;
    try {
      const bytes = simdModuleBytes(isShared(memory));
      if (wasmApi.validate(bytes)) {
        const instance = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } });
        kernels = instance.exports as unknown as SimdKernels;
      }
    } catch {
      kernels = null;
    }
    cache.set(memory, kernels);
  }
  return kernels;
}
