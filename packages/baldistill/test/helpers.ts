import { createRng } from '@paperkit/tensor-core';
import type { Annotated, Example, LogLikelihood, Response, Student, Teacher } from '../src/index.js';

/** A pool of numbered inputs; domain d gets sizes[d] examples, gold answer = input % 3. */
export function numberPool(sizes: number[]): Example<number, number>[] {
  let next = 0;
  return sizes.flatMap((n, d) => Array.from({ length: n }, () => {
    const x = next++;
    return { id: `x${x}`, domain: `d${d}`, input: x, gold: x % 3 };
  }));
}

/** A pure-JS student: records what it was trained on; IFD of input x rises with frac(0.618 x). */
export class FakeStudent implements Student<number, number, number> {
  fits: Array<{ ids: string[]; stage: number; seed: number }> = [];
  scoredInputs: number[] = [];
  resets = 0;
  async fit(data: Annotated<number, number, number>[], opts: { seed: number; stage: number }) {
    this.fits.push({ ids: data.map((d) => d.id), stage: opts.stage, seed: opts.seed });
  }
  async generate(x: number): Promise<Response<number, number>> {
    return { rationale: 0, answer: x % 3 };
  }
  async logLikelihood(x: number | null, _r: Response<number, number>): Promise<LogLikelihood> {
    if (x === null) return { sum: -1, tokens: 1 };
    this.scoredInputs.push(x);
    return { sum: -1 - difficulty(x), tokens: 1 };
  }
  reset() {
    this.resets++;
  }
}

export const difficulty = (x: number) => (x * 0.6180339887) % 1;

/** A teacher that counts calls; `wrongEvery`: every k-th annotation answers wrong; `failEvery`: throws; `shortBy`: under-delivers. */
export class CountingTeacher implements Teacher<number, number, number> {
  annotated: string[] = [];
  synthRequests: Array<{ domain: string; n: number; demos: number }> = [];
  constructor(private readonly o: { wrongEvery?: number; failEvery?: number; shortBy?: number; seed?: number; badDomain?: boolean } = {}) {}
  async annotate(ex: Example<number, number>): Promise<Response<number, number>> {
    this.annotated.push(ex.id);
    const k = this.annotated.length;
    if (this.o.failEvery && k % this.o.failEvery === 0) throw new Error(`teacher down at call ${k}`);
    const wrong = this.o.wrongEvery && k % this.o.wrongEvery === 0;
    return { rationale: 1, answer: wrong ? (ex.input + 1) % 3 : ex.input % 3 };
  }
  async synthesize(domain: string, demos: Annotated<number, number, number>[], n: number): Promise<Annotated<number, number, number>[]> {
    this.synthRequests.push({ domain, n, demos: demos.length });
    if (this.o.failEvery && this.synthRequests.length % this.o.failEvery === 0) throw new Error('synthesis failed');
    const m = Math.max(0, n - (this.o.shortBy ?? 0));
    return Array.from({ length: m }, (_, k) => ({ id: `s-${domain}-${k}`, domain: this.o.badDomain ? 'elsewhere' : domain, input: 1e6 + k, rationale: 2, answer: k % 3, synthetic: true }));
  }
}

export const rngFor = (seed: number) => createRng(`test/${seed}`);
