/** @paperkit/lorkd/reproduce: the spec section 5 reproduction (what `lorkd reproduce` and `pnpm demo` run). */
export { reproduction, CLAIM, SPEC_PROTOTYPE, IMAGE_TABLE } from './run.js';
