/**
 * GELU and its derivative over float32 lanes in wasm SIMD, assembled with
 * the helpers of ../backend/simd-kernels.ts and run on the wasm backend's own
 * memory. One pass computes, four lanes at a time, with u = x / sqrt 2, a = |u|:
 *   E = exp(-a^2)
 *   erf(a) = (2/sqrt pi) a sum_n (-1)^n a^(2n) / (n! (2n+1))  (13 terms)   for a < 1,
 *   erfc(a) = t exp(P(t) - a^2),  t = 1 / (1 + a/2)                         for a >= 1
 * (P: Numerical Recipes' Chebyshev fit of erfc, fractional error below 1.2e-7),
 * Phi = (1 + sign(x) erf(a)) / 2 for a < 1, erfc(a) / 2 for x <= -sqrt 2 (so
 * the far negative tail keeps its relative accuracy, where 1 + erf cancels)
 * and 1 - erfc(a) / 2 for x >= sqrt 2, then
 *   y = x Phi,   y' = Phi + x E / sqrt(2 pi).
 * Both exps are the Cephes scheme of the backend's SIMD exp (within 2 ulp).
 */
import { instantiateOnMemory, wasmAsm as A, type WasmMemory } from '../backend/simd-kernels.js';

export interface SimdGelu {
  /** y and y' over `bytes / 4` floats (bytes a multiple of 16); `deriv` is skipped when `withDeriv` is 0. */
  gelu(src: number, dst: number, deriv: number, bytes: number, withDeriv: number): void;
}

/** (-1)^n / (n! (2n + 1)), n = 0..12: the erf series. */
const SERIES = Array.from({ length: 13 }, (_, n) => {
  let fact = 1;
  for (let k = 2; k <= n; k++) fact *= k;
  return (n % 2 === 0 ? 1 : -1) / (fact * (2 * n + 1));
});
/** erfc(a) = t exp(-a^2 + P(t)): P's coefficients, constant term first. */
const ERFC = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];

const F32X4_ABS = A.simd(0xe0);
const F32X4_NEG = A.simd(0xe1);
const V128_AND = A.simd(0x4e);
const V128_OR = A.simd(0x50);
const IF = 0x04;

function geluBody(): number[] {
  // params: 0 src, 1 dst, 2 deriv, 3 bytes, 4 withDeriv (i32); locals: 5 i (i32);
  // v128: 6 x, 7 a, 8 a^2, 9 E, 10 series / erf, 11 t / erfc, 12 Phi, 13..17 exp scratch, 18 exp argument
  const [I, X, AA, A2, E, S, T, PHI, ARG] = [5, 6, 7, 8, 9, 10, 11, 12, 18];
  const SCRATCH = [13, 14, 15, 16, 17];
  const { get, set, f32x4Const: c, i32x4Const } = A;
  const code: number[] = [];
  code.push(A.BLOCK, A.VOID, A.LOOP, A.VOID);
  code.push(...get(I), ...get(3), A.I32_GE_U, A.BR_IF, 1);
  code.push(...get(0), ...get(I), A.I32_ADD, ...A.V128_LOAD, ...set(X));
  code.push(...get(X), ...c(Math.SQRT1_2), ...A.F32X4_MUL, ...F32X4_ABS, ...set(AA));
  code.push(...get(AA), ...get(AA), ...A.F32X4_MUL, ...set(A2));
  // E = exp(-a^2)
  code.push(...get(A2), ...F32X4_NEG, ...set(ARG), ...A.expValue(ARG, SCRATCH), ...set(E));
  // series branch: a * (2/sqrt pi) * sum
  code.push(...c(SERIES[12]));
  for (let n = 11; n >= 0; n--) code.push(...get(A2), ...A.F32X4_MUL, ...c(SERIES[n]), ...A.F32X4_ADD);
  code.push(...get(AA), ...A.F32X4_MUL, ...c(2 / Math.sqrt(Math.PI)), ...A.F32X4_MUL, ...set(S));
  // erfc branch: erfc(a) = t exp(P(t) - a^2)
  code.push(...c(1), ...c(1), ...get(AA), ...c(0.5), ...A.F32X4_MUL, ...A.F32X4_ADD, ...A.F32X4_DIV, ...set(T));
  code.push(...c(ERFC[9]));
  for (let n = 8; n >= 0; n--) code.push(...get(T), ...A.F32X4_MUL, ...c(ERFC[n]), ...A.F32X4_ADD);
  code.push(...get(A2), ...A.F32X4_SUB, ...set(ARG));
  code.push(...get(T), ...A.expValue(ARG, SCRATCH), ...A.F32X4_MUL, ...c(0.5), ...A.F32X4_MUL, ...set(T)); // erfc(a) / 2
  // Phi: (1 + erf(u)) / 2 from the series for a < 1; else erfc(a) / 2 for x < 0 (no
  // cancellation in the far tail) and 1 - erfc(a) / 2 for x >= 0
  code.push(...c(0.5), ...get(S), ...c(0.5), ...A.F32X4_MUL, ...get(X), ...i32x4Const(-0x80000000), ...V128_AND, ...V128_OR, ...A.F32X4_ADD); // small-a Phi
  code.push(...get(T), ...c(1), ...get(T), ...A.F32X4_SUB, ...get(X), ...c(0), ...A.F32X4_LT, ...A.V128_BITSELECT); // large-a Phi
  code.push(...get(AA), ...c(1), ...A.F32X4_LT, ...A.V128_BITSELECT, ...set(PHI));
  // y = x Phi
  code.push(...get(1), ...get(I), A.I32_ADD, ...get(X), ...get(PHI), ...A.F32X4_MUL, ...A.V128_STORE);
  // y' = Phi + x E / sqrt(2 pi)
  code.push(...get(4), IF, A.VOID);
  code.push(...get(2), ...get(I), A.I32_ADD, ...get(PHI), ...get(X), ...get(E), ...A.F32X4_MUL, ...c(1 / Math.sqrt(2 * Math.PI)), ...A.F32X4_MUL, ...A.F32X4_ADD, ...A.V128_STORE);
  code.push(A.END);
  code.push(...get(I), A.I32_CONST, ...A.sleb(16), A.I32_ADD, ...set(I));
  code.push(A.BR, 0, A.END, A.END, A.END);
  const locals = A.vec([[...A.uleb(1), A.I32], [...A.uleb(13), A.V128]]);
  const body = [...locals, ...code];
  return [...A.uleb(body.length), ...body];
}

function moduleBytes(shared: boolean): Uint8Array {
  const { vec, section, name, uleb } = A;
  const type = [0x60, ...vec(new Array(5).fill([A.I32])), ...vec([])];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...(shared ? [0x03, 0x00, ...uleb(A.MAX_PAGES)] : [0x00, 0x00])]])),
    ...section(3, vec([uleb(0)])),
    ...section(7, vec([[...name('gelu'), 0x00, 0x00]])),
    ...section(10, vec([geluBody()])),
  ]);
}

const cache = new WeakMap<WasmMemory, SimdGelu | null>();

/** The SIMD GELU bound to `memory`, or null where wasm SIMD is unavailable. */
export function simdGeluFor(memory: WasmMemory | undefined): SimdGelu | null {
  if (memory === undefined) return null;
  let k = cache.get(memory);
  if (k === undefined) {
    k = instantiateOnMemory<SimdGelu>(memory, moduleBytes);
    cache.set(memory, k);
  }
  return k;
}
