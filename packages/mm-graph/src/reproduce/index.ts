/** @paperkit/mm-graph/reproduce: the spec §5 reproduction (what `mm-graph reproduce` and `pnpm demo` run). */
export { reproduction, checkClaim, CLAIM, type ClaimCheck } from './run.js';
export { CALIBRATION, reproductionGraph } from './data.js';
