/**
 * The oracle teacher of spec section 5, with call counting.
 * annotate: the correct (r, a) w.p. 0.95, else a uniformly random rationale r' with its answer pi_d(r').
 * synthesize(d): x ~ N(mu_d, I), but w.p. 0.2 off-distribution x = mu_d + eps + 1.5 eps'; labelled by the
 * oracle, then with probability `synthNoise` the label is flipped to a uniformly random other answer (and
 * the rationale that maps to it). Synthetic data cannot be checked against gold: that is the noise BalDistill
 * pays for its tails.
 */
import type { Rng } from '@paperkit/tensor-core';
import type { Annotated, Example, Response, Teacher } from '../types.js';
import { DIM, REASONS, type World, type WorldInput } from './world.js';

export interface OracleTeacherOptions {
  world: World;
  rng: Rng;
  accuracy?: number;
  offDistribution?: number;
  synthNoise?: number;
}

export class OracleTeacher implements Teacher<WorldInput, number, number> {
  annotateCalls = 0;
  synthesizeCalls = 0;
  synthesized = 0;
  constructor(private readonly o: OracleTeacherOptions) {}

  async annotate(ex: Example<WorldInput, number>): Promise<Response<number, number>> {
    this.annotateCalls++;
    const { world, rng } = this.o;
    if (rng.next() < (this.o.accuracy ?? 0.95)) return world.label(ex.input);
    const r = rng.int(REASONS);
    return { rationale: r, answer: world.domains[ex.input.d].pi[r] };
  }

  async synthesize(domain: string, _demos: Annotated<WorldInput, number, number>[], n: number): Promise<Annotated<WorldInput, number, number>[]> {
    this.synthesizeCalls++;
    this.synthesized += n;
    const { world, rng } = this.o;
    const d = world.names.indexOf(domain);
    const dom = world.domains[d];
    return Array.from({ length: n }, (_, k) => {
      const off = rng.next() < (this.o.offDistribution ?? 0.2);
      const x = Array.from({ length: DIM }, (_, j) => dom.mu[j] + rng.normal() + (off ? 1.5 * rng.normal() : 0));
      const input = { x, d };
      let { rationale, answer } = world.label(input);
      if (rng.next() < (this.o.synthNoise ?? 0)) {
        answer = (answer + 1 + rng.int(REASONS - 1)) % REASONS;
        rationale = Array.from(dom.pi).indexOf(answer);
      }
      return { id: `${domain}-synth-${this.synthesized - n + k}`, domain, input, rationale, answer, synthetic: true };
    });
  }
}
