/** Plain-text tables a person can read in a terminal or paste into a README. */
import type { ReproductionResult } from './reproduction-result.js';

export type Cell = string | number | boolean | null | undefined;

/** Format a number compactly: 4 significant digits, integers unchanged. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
  return value.toPrecision(4).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

function cellText(cell: Cell): string {
  if (cell === null || cell === undefined) return '-';
  if (typeof cell === 'number') return formatNumber(cell);
  return String(cell);
}

/**
 * A GitHub-flavoured markdown table, column-aligned so it also reads well as
 * plain text. Numbers are right-aligned.
 */
export function formatTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => headers.map((_, i) => cellText(row[i])));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number' || row[i] == null));
  const widths = headers.map((h, i) => Math.max(h.length, 3, ...text.map((r) => r[i].length)));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(headers), rule, ...text.map(line)].join('\n');
}

/** `mean ± std` (std omitted for a single seed, or when every seed gave the same value). */
export function formatMeanStd(mean: number, std: number, seeds: number): string {
  return seeds > 1 && std !== 0 ? `${formatNumber(mean)} ± ${formatNumber(std)}` : formatNumber(mean);
}

/** One row per method, one column per metric (mean ± std over seeds). */
export function formatResultTable(result: Pick<ReproductionResult, 'rows'>): string {
  const metricNames: string[] = [];
  for (const row of result.rows) for (const name of Object.keys(row.metrics)) if (!metricNames.includes(name)) metricNames.push(name);
  const rows = result.rows.map((row) => [
    row.method,
    ...metricNames.map((name) => {
      const m = row.metrics[name];
      return m ? formatMeanStd(m.mean, m.std, m.values.length) : '-';
    }),
  ]);
  return formatTable(['method', ...metricNames], rows);
}
