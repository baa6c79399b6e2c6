/** @paperkit/smooth-goodput/reproduce: spec §5 experiments E1–E4 (what `smooth-goodput reproduce` and `pnpm demo` run). */
export { reproduction, smoothGoodputReproduction, CLAIM } from './run.js';
