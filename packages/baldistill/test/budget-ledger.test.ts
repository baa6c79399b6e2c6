import { describe, expect, it } from 'vitest';
import { BudgetExceededError, BudgetLedger } from '../src/index.js';

describe('BudgetLedger', () => {
  it('reserves before a call, settles after, and refuses to overshoot the stage cap or the budget', () => {
    const ledger = new BudgetLedger(10);
    ledger.beginStage(0, 4);
    const a = ledger.reserve('annotate', 'd0', 'x1', 3);
    expect(ledger.spent).toBe(3);
    expect(ledger.canAfford(2)).toBe(false);
    expect(() => ledger.reserve('annotate', 'd0', 'x2', 2)).toThrow(BudgetExceededError);
    ledger.settle(a, 1);
    expect(ledger.spent).toBe(1);
    ledger.beginStage(1, 100);
    expect(ledger.stageRemaining).toBe(9);
    expect(() => ledger.reserve('synthesize', 'd1', 's', 10)).toThrow(/total budget/);
  });

  it('a saved ledger with a call in flight comes back charged in full (lost), never cheaper', () => {
    const ledger = new BudgetLedger(5);
    ledger.beginStage(0, 5);
    ledger.settle(ledger.reserve('annotate', 'd0', 'a', 1), 1);
    ledger.reserve('synthesize', 'd0', 'b', 3);
    const back = BudgetLedger.fromJSON(JSON.parse(JSON.stringify(ledger.toJSON())));
    expect(back.spent).toBe(4);
    expect(back.list()[1].status).toBe('lost');
    expect(BudgetExceededError.isInstance(new BudgetExceededError(1, 0, 'budget'))).toBe(true);
  });
});
