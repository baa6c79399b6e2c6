import { expect, test } from 'vitest';
import { formatNumber, formatResultTable, formatTable } from '../../src/report/table.js';
import { rowsFromSeeds } from '../../src/report/reproduction-result.js';

test('numbers print with four significant digits and integers unchanged', () => {
  expect(formatNumber(0.123456)).toBe('0.1235');
  expect(formatNumber(42)).toBe('42');
  expect(formatNumber(1.5)).toBe('1.5');
  expect(formatNumber(1e-5)).toBe('1.000e-5');
  expect(formatNumber(Number.NaN)).toBe('NaN');
});

test('a table is aligned markdown with numeric columns right-aligned', () => {
  const table = formatTable(['name', 'value'], [['alpha', 1], ['b', 22.5]]);
  expect(table.split('\n')).toEqual([
    '| name  | value |',
    '|-------|------:|',
    '| alpha |     1 |',
    '| b     |  22.5 |',
  ]);
});

test('the result table shows mean ± std over seeds, one column per metric', () => {
  const rows = rowsFromSeeds([{ m: { acc: 0.5, nll: 2 } }, { m: { acc: 0.7 } }]);
  const table = formatResultTable({ rows });
  expect(table).toContain('0.6 ± 0.1414');
  expect(table).toMatch(/\| nll\s*\|/);
  expect(formatResultTable({ rows: rowsFromSeeds([{ m: { params: 10 } }, { m: { params: 10 } }]) })).toContain('| 10 ');
});
