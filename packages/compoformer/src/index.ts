/**
 * @paperkit/compoformer: CompoFormer (arXiv 2411.11364), continual offline RL by
 * composing frozen earlier policies. Public API only; see ../README.md and
 * docs/methods/compoformer.md.
 */
export { CompoFormer, COMPOFORMER_DEFAULTS, COMPOFORMER_PAPER_VALUES, type CompoFormerOptions } from './compoformer.js';
