/**
 * The pluggable parts of BalDistill (spec section 6): a teacher that annotates and synthesises, a student that
 * trains and scores, and an optional embedder. All async, so a teacher can be an HTTP API and a student a tfjs
 * model; the budgeted loop (runBalDistill) owns every teacher call and its cost.
 */

/** One unlabelled (or gold-labelled) input of the pool. `domain` is the long-tail group it belongs to. */
export interface Example<I, A> {
  id: string;
  domain: string;
  input: I;
  /** Gold answer when known: the teacher sees it (paper sec. 3.6) and wrong teacher answers are dropped. */
  gold?: A;
}

/** An example with the teacher's rationale and answer (`synthetic`: the teacher also wrote the input). */
export interface Annotated<I, R, A> extends Example<I, A> {
  rationale: R;
  answer: A;
  synthetic: boolean;
}

/** What the teacher writes for one input: a rationale (chain of thought) and the answer. */
export interface Response<R, A> {
  rationale: R;
  answer: A;
}

/**
 * The large model being distilled. Every method call is a paid call: the loop reserves its cost on the
 * ledger before calling and never calls past the budget.
 */
export interface Teacher<I, R, A> {
  /** Rationale + answer for one real input (zero-shot CoT; `ex.gold` may be put in the prompt). Costs 1 call. */
  annotate(ex: Example<I, A>): Promise<Response<R, A>>;
  /**
   * `n` new examples of `domain` with rationale and answer (`demos`: the domain's real annotated examples,
   * possibly empty). Costs n calls. Returning fewer is allowed; the `domain` of each must equal `domain`.
   */
  synthesize(domain: string, demos: Annotated<I, R, A>[], n: number): Promise<Annotated<I, R, A>[]>;
}

/** Log-likelihood of a response: `sum` of token log-probabilities over `tokens` tokens. */
export interface LogLikelihood {
  sum: number;
  tokens: number;
}

/** The model being trained. `generate` and `logLikelihood` give the Instruction-Following Difficulty (ifd.ts). */
export interface Student<I, R, A> {
  /** Train on `data` (the union of every example kept so far). */
  fit(data: Annotated<I, R, A>[], opts: { seed: number; stage: number }): Promise<void>;
  /** The student's own response to `input` (greedy decoding). */
  generate(input: I): Promise<Response<R, A>>;
  /** log p(response | input), or log p(response) with no input when `input` is null. */
  logLikelihood(input: I | null, response: Response<R, A>): Promise<LogLikelihood>;
  /** Forget everything learnt (called before each stage's fit when retrainFromScratch). */
  reset?(): void;
  /** Optional batched `generate` (one forward pass for the whole pool). */
  generateBatch?(inputs: I[]): Promise<Response<R, A>[]>;
  /** Optional batched `logLikelihood`. */
  logLikelihoodBatch?(inputs: (I | null)[], responses: Response<R, A>[]): Promise<LogLikelihood[]>;
}

/** Maps inputs to vectors: enables k-center selection and synthetic near-duplicate removal. */
export interface Embedder<I> {
  embed(inputs: I[]): Promise<Float32Array[]>;
}
