/**
 * The model-size option rules every Decision Transformer here shares (the class form, the
 * functional trunk, and the learners built on them), with the CPU defaults of harmodt.md
 * section 5 (the paper's: embedDim 256, layers 6, heads 8, context 20). Each spreads them into
 * its own `defineOptions` spec, so a size is checked the same way everywhere.
 */
import { opt } from '@paperkit/tensor-core';

export const DT_SIZE_RULES = {
  stateDim: opt.integer({ min: 1 }),
  actDim: opt.integer({ min: 1 }),
  embedDim: opt.integer({ min: 1, default: 32 }),
  layers: opt.integer({ min: 1, default: 2 }),
  heads: opt.integer({ min: 1, default: 2 }),
  context: opt.integer({ min: 1, default: 5 }),
};
