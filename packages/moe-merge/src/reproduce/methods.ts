/** Row names of the reproduction's two tables and the claim it checks. */

/** Rows of the no-fine-tune table (unchanged from round 1). */
export const METHODS = {
  a: 'a experts alone',
  b: 'b base',
  cAvg: 'c dense average',
  cTies: 'c dense TIES',
  cDare: 'c dense DARE',
  d: 'd MoE shared=average',
  e: 'e MoE shared=base',
  f: 'f MoE shared=TIES',
  g: 'g MoE shared=DARE',
  h: 'h PPL-routed own attn',
  i: 'i PPL-routed avg shared',
} as const;
export const NO_FINE_TUNE = [METHODS.cAvg, METHODS.cTies, METHODS.cDare, METHODS.d, METHODS.e, METHODS.f, METHODS.g, METHODS.h, METHODS.i];
export const TASK_VECTORS = 'shared task vectors';

/** Rows of the fine-tuning table. */
export const FT = {
  avgFull: 'full FT: avg shared',
  tiesFull: 'full FT: TIES shared',
  dareFull: 'full FT: DARE shared',
  randomFull: 'full FT: random routing',
  upcycledFull: 'full FT: upcycled',
  pplFull: 'full FT: PPL-routed',
  avgRouter: 'router FT: avg shared',
  tiesRouter: 'router FT: TIES shared',
  dareRouter: 'router FT: DARE shared',
} as const;
export const FT_ROWS: string[] = Object.values(FT);
/** Title of the fine-tuning table (the per-domain tables append `: <domain> NLL`). */
export const FT_TABLE = 'MoE fine-tuning, held-out NLL at 0/25/50/100% of the budget';

export const CLAIM =
  'after full MoE fine-tuning (50% and 100% of the budget), the better of TIES/DARE shared layers has lower mean held-out NLL than averaged shared layers, on the mean over seeds and in >= 2 of 3 seeds (issue 19); the no-fine-tune rule of issue 3 is reported beside it';
