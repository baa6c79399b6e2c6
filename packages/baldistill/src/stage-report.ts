/** The per-stage log of a run: what was selected or synthesised per domain, and the calls it used. */

export interface DomainStageReport {
  /** c_d of this stage (teacher calls allotted to the domain). */
  count: number;
  /** True when the remaining pool covered c_d (active/random selection), false for a tail (synthesis). */
  head: boolean;
  /** Remaining real inputs of the domain before this stage. */
  poolBefore: number;
  /** Pool ids sent to the teacher, in selection order. */
  selected: string[];
  /** How they were chosen: 'random', 'ifd', 'kcenter' or 'all' (tail: every remaining input). */
  by: 'random' | 'ifd' | 'kcenter' | 'all' | 'none';
  /** Real examples kept (teacher answer == gold, or no gold). */
  kept: number;
  /** Real examples dropped because the teacher's answer differed from gold (still charged). */
  filtered: number;
  /** Calls that failed (onTeacherError 'skip') or could not be afforded. */
  failed: number;
  /** Synthetic examples requested and kept. */
  synthRequested: number;
  synthKept: number;
  /** Repeats of annotated examples added without a teacher call (duplicate baseline). */
  duplicated: number;
}

export interface StageReport {
  stage: number;
  policy: string;
  /** Cost units this stage was allowed (B_s, or B for one-stage policies). */
  cap: number;
  counts: Record<string, number>;
  domains: Record<string, DomainStageReport>;
  /** Candidates scored by IFD (0 at stage 0). */
  ifdScored: number;
  /** Teacher requests made this stage (a synthesis request for n examples is one) and the cost charged (n for it). */
  calls: number;
  cost: number;
  /** Cost charged since the start of the run. */
  totalCost: number;
  /** Examples the student was trained on after this stage (union of stages 0..i). */
  trainingSize: number;
  seconds: number;
}

/** One readable line per stage, e.g. for a `log` callback. */
export function formatStageReport(r: StageReport, stages: number): string {
  const parts = Object.entries(r.domains)
    .filter(([, d]) => d.selected.length + d.synthRequested + d.duplicated > 0)
    .map(([name, d]) => {
      const bits = [`${d.selected.length} ${d.by}`];
      if (d.synthRequested) bits.push(`${d.synthKept}/${d.synthRequested} synth`);
      if (d.duplicated) bits.push(`${d.duplicated} dup`);
      if (d.filtered) bits.push(`-${d.filtered} filtered`);
      return `${name}: ${bits.join(', ')}`;
    });
  return `stage ${r.stage + 1}/${stages} (${r.policy}): ${r.calls} calls, cost ${r.cost} (total ${r.totalCost}); train on ${r.trainingSize}; ${parts.join('; ')}`;
}
