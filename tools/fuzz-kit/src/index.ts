/**
 * @paperkit/fuzz-kit (private, never published): the mutation arbitraries that every package's reader fuzz
 * tests share, so each suite states only its seeds and its property.
 */
export { FUZZ_RUNS, mutate, mutatedArb, mutationArb, outcome, type Mutation } from './bytes.js';
export { mutatedText } from './text.js';
