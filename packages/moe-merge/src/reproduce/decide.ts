/**
 * The two rules for `holds`, both computed from the measured rows.
 *
 * Fine-tuning rule (issue 19, the one `holds` reports): after full MoE
 * fine-tuning at 50 % and at 100 % of the budget, the better of TIES/DARE
 * shared layers (chosen on the mean over seeds at that point) has lower mean
 * held-out NLL than averaged shared layers, on the mean over seeds and in at
 * least 2 of 3 seeds (ceil(2n/3) of n).
 *
 * No-fine-tune rule (issue 3, still reported): on the mean over seeds, the MoE
 * with TIES or DARE shared layers has lower mean NLL than with averaged shared
 * layers, AND the perplexity-routed MoE (h) has routing accuracy >= 0.9 and
 * the lowest NLL among the merges without fine-tuning (c)-(i).
 */
import { metricMean, type ResultRow } from '@paperkit/tensor-core';
import { FT, METHODS, NO_FINE_TUNE, TASK_VECTORS } from './methods.js';

export interface Decision {
  holds: boolean;
  verdict: string;
}

function values(rows: ResultRow[], method: string, metric: string): number[] {
  const row = rows.find((r) => r.method === method);
  const m = row?.metrics[metric];
  if (!m) throw new Error(`no metric "${metric}" for "${method}"`);
  return m.values;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** The issue-19 rule on the full-fine-tuning rows. */
export function decideFineTune(rows: ResultRow[]): Decision & { points: { at: string; better: string; nll: number; avg: number; wins: number; seeds: number; holds: boolean }[] } {
  const points = ['50%', '100%'].map((at) => {
    const metric = `nll@${at}`;
    const avg = values(rows, FT.avgFull, metric);
    const ties = values(rows, FT.tiesFull, metric);
    const dare = values(rows, FT.dareFull, metric);
    const [better, v] = mean(ties) <= mean(dare) ? ['TIES', ties] : ['DARE', dare];
    const wins = v.filter((x, s) => x < avg[s]).length;
    const need = Math.ceil((2 * avg.length) / 3);
    return { at, better, nll: mean(v), avg: mean(avg), wins, seeds: avg.length, holds: mean(v) < mean(avg) && wins >= need };
  });
  const holds = points.every((p) => p.holds);
  const text = points
    .map((p) => `at ${p.at}: ${p.better} shared ${p.nll.toFixed(4)} vs averaged ${p.avg.toFixed(4)} (${(((p.avg - p.nll) / p.avg) * 100).toFixed(1)}% lower, ${p.wins}/${p.seeds} seeds${p.holds ? '' : ': NOT enough'})`)
    .join('; ');
  return { holds, verdict: `after full fine-tuning, ${text}`, points };
}

/** The issue-3 rule on the no-fine-tune rows. */
export function decideNoFineTune(rows: ResultRow[]): Decision {
  const result = { rows };
  const nll = (m: string) => metricMean(result, m, 'nll');
  const avg = nll(METHODS.d);
  const best = Math.min(nll(METHODS.f), nll(METHODS.g));
  const sharedOk = best < avg;
  const route = metricMean(result, METHODS.h, 'route_acc');
  const others = NO_FINE_TUNE.filter((m) => m !== METHODS.h).map((m) => [m, nll(m)] as const);
  const bestOther = others.reduce((a, b) => (b[1] < a[1] ? b : a));
  const pplBest = nll(METHODS.h) < bestOther[1];
  const holds = sharedOk && route >= 0.9 && pplBest;
  const cos = metricMean(result, TASK_VECTORS, 'cosine');
  const conflict = metricMean(result, TASK_VECTORS, 'sign_conflict');
  const parts = [
    `min NLL of TIES/DARE shared ${best.toFixed(4)} vs averaged shared ${avg.toFixed(4)} (${(((avg - best) / avg) * 100).toFixed(1)}% lower${sharedOk ? '' : ': NOT lower'})`,
    `PPL routing accuracy ${route.toFixed(3)}${route >= 0.9 ? '' : ' (< 0.9)'}`,
    `PPL-routed NLL ${nll(METHODS.h).toFixed(4)} vs best other merge ${bestOther[0]} ${bestOther[1].toFixed(4)}${pplBest ? '' : ' (not the lowest)'}`,
    `shared task-vector cosine ${cos.toFixed(3)}, sign conflicts ${(conflict * 100).toFixed(1)}%`,
  ];
  return { holds, verdict: `${parts.join('; ')}.` };
}

/**
 * `holds` by the fine-tuning rule (issue 19) when the fine-tuning stage ran;
 * the no-fine-tune rule (issue 3) is reported beside it in the verdict.
 */
export function decideBoth(rows: ResultRow[], fineTuneRows: ResultRow[] | undefined): Decision & { details: Record<string, unknown> } {
  const noFineTune = decideNoFineTune(rows);
  const old = `No-fine-tune rule (issue 3): ${noFineTune.holds ? 'holds' : 'does not hold'}: ${noFineTune.verdict}`;
  if (!fineTuneRows) return { holds: noFineTune.holds, verdict: old, details: { rules: { noFineTune } } };
  const fineTune = decideFineTune(fineTuneRows);
  return {
    holds: fineTune.holds,
    verdict: `Fine-tuning rule (issue 19): ${fineTune.holds ? 'holds' : 'does not hold'}: ${fineTune.verdict}. ${old}`,
    details: { rules: { fineTune, noFineTune } },
  };
}
