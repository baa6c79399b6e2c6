/** @paperkit/tensor-core/reproduce: tensor-core's own reproduction (what `pnpm demo` runs first). */
export { selfCheckReproduction, SELF_CHECK_CLAIM } from './self-check.js';
