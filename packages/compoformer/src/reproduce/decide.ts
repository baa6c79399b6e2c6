/**
 * The rule for `holds`, on the means over seeds:
 *   F(CompoFormer) <= 0.05 and F(Finetune) >= 0.25;
 *   P(CompoFormer) - P(Finetune) >= 0.25 and P(CompoFormer) >= P(EWC) + 0.15;
 *   at least 3 of the 4 repeated tasks reused with 0 training steps;
 *   CompoFormer's gradient steps <= 0.7 x PackNet's.
 * P against PackNet and the learning-speed curves are reported, not asserted.
 */
export interface RuleCheck {
  name: string;
  value: number;
  bound: string;
  ok: boolean;
}

export function ocwMiniRule(metric: (method: string, name: string) => number): { holds: boolean; checks: RuleCheck[]; verdict: string } {
  const C = 'CompoFormer-Prune';
  const pC = metric(C, 'P');
  const fC = metric(C, 'F');
  const pFT = metric('Finetune', 'P');
  const fFT = metric('Finetune', 'F');
  const pEWC = metric('EWC', 'P');
  const pPN = metric('PackNet', 'P');
  const reused = metric(C, 'repeats reused');
  const stepRatio = metric(C, 'grad steps') / metric('PackNet', 'grad steps');
  const checks: RuleCheck[] = [
    { name: 'F(CompoFormer)', value: fC, bound: '<= 0.05', ok: fC <= 0.05 },
    { name: 'F(Finetune)', value: fFT, bound: '>= 0.25', ok: fFT >= 0.25 },
    { name: 'P(CompoFormer) - P(Finetune)', value: pC - pFT, bound: '>= 0.25', ok: pC - pFT >= 0.25 },
    { name: 'P(CompoFormer) - P(EWC)', value: pC - pEWC, bound: '>= 0.15', ok: pC - pEWC >= 0.15 },
    { name: 'repeats reused with 0 steps', value: reused, bound: '>= 3 of 4', ok: reused >= 3 },
    { name: 'steps(CompoFormer) / steps(PackNet)', value: stepRatio, bound: '<= 0.7', ok: stepRatio <= 0.7 },
  ];
  const holds = checks.every((c) => c.ok);
  const failed = checks.filter((c) => !c.ok).map((c) => `${c.name} = ${c.value.toFixed(3)} (needs ${c.bound})`);
  const verdict =
    `CompoFormer P ${pC.toFixed(3)} F ${fC.toFixed(3)} vs Finetune P ${pFT.toFixed(3)} F ${fFT.toFixed(3)}, EWC P ${pEWC.toFixed(3)}; ` +
    `${reused.toFixed(2)}/4 repeats reused, steps ratio ${stepRatio.toFixed(2)} of PackNet; ` +
    `report only: P - P(PackNet) = ${(pC - pPN >= 0 ? '+' : '') + (pC - pPN).toFixed(3)} (paper +0.05 at 10 tasks)` +
    (holds ? '.' : `. Failed: ${failed.join('; ')}.`);
  return { holds, checks, verdict };
}
