/**
 * The teacher-call ledger (spec section 6): every call is reserved before it is made, never past the total
 * budget B or the current stage's cap B_s, and settled afterwards to what the teacher actually delivered
 * (or kept at the reservation). `spent` counts settled and outstanding reservations alike, so concurrent
 * calls can never overshoot. The entries are plain JSON: the resumable state saves them verbatim.
 */
import { OptionError } from '@paperkit/tensor-core';
import { BudgetExceededError } from './errors.js';

export type CallKind = 'annotate' | 'synthesize';

/** One teacher call: `reserved` before it, `charged` after (a call in flight when a run died is `lost`, charged in full). */
export interface LedgerEntry {
  stage: number;
  kind: CallKind;
  domain: string;
  /** What the call was for: the example id (annotate) or `<domain>#synth<stage>.<k>` (synthesize). */
  ref: string;
  reserved: number;
  charged: number;
  status: 'reserved' | 'settled' | 'failed' | 'lost';
}

export interface LedgerJSON {
  budget: number;
  entries: LedgerEntry[];
  stageCaps: number[];
}

export class BudgetLedger {
  readonly budget: number;
  private readonly entries: LedgerEntry[] = [];
  private readonly stageCaps: number[] = [];
  private stage = -1;

  constructor(budget: number) {
    if (!(Number.isFinite(budget) && budget > 0)) throw new OptionError('BudgetLedger.budget', 'a positive number of teacher-call cost units', budget);
    this.budget = budget;
  }

  /** Start stage `stage` with at most `cap` cost units (clamped to what is left of the budget). */
  beginStage(stage: number, cap: number): void {
    if (!(Number.isInteger(stage) && stage >= 0)) throw new OptionError('BudgetLedger.beginStage.stage', 'an integer >= 0', stage);
    if (!(cap >= 0)) throw new OptionError('BudgetLedger.beginStage.cap', 'a number >= 0', cap);
    this.stage = stage;
    this.stageCaps[stage] = cap;
  }

  get currentStage(): number {
    return this.stage;
  }

  /** Cost units reserved or charged in total. */
  get spent(): number {
    return this.entries.reduce((s, e) => s + (e.status === 'reserved' ? e.reserved : e.charged), 0);
  }

  /** Cost units of stage `stage` (default: the current one). */
  stageSpent(stage = this.stage): number {
    return this.entries.filter((e) => e.stage === stage).reduce((s, e) => s + (e.status === 'reserved' ? e.reserved : e.charged), 0);
  }

  get remaining(): number {
    return this.budget - this.spent;
  }

  /** What the current stage may still spend: min(stage cap - stage spent, budget - spent). */
  get stageRemaining(): number {
    const cap = this.stageCaps[this.stage] ?? this.budget;
    return Math.min(cap - this.stageSpent(), this.remaining);
  }

  /** Number of teacher calls made (entries), failed and lost ones included. */
  get calls(): number {
    return this.entries.length;
  }

  canAfford(cost: number): boolean {
    return cost <= this.stageRemaining + 1e-9;
  }

  /** Reserve `cost` for one call; throws BudgetExceededError rather than overshoot. Returns the entry index. */
  reserve(kind: CallKind, domain: string, ref: string, cost: number): number {
    if (!(Number.isFinite(cost) && cost > 0)) throw new OptionError('BudgetLedger.reserve.cost', 'a positive finite number', cost);
    if (!this.canAfford(cost)) {
      const stageLeft = (this.stageCaps[this.stage] ?? this.budget) - this.stageSpent();
      throw new BudgetExceededError(cost, this.stageRemaining, stageLeft < this.remaining ? 'stage' : 'budget');
    }
    this.entries.push({ stage: Math.max(this.stage, 0), kind, domain, ref, reserved: cost, charged: 0, status: 'reserved' });
    return this.entries.length - 1;
  }

  /** Settle a reservation to `charged` (at most the reservation: a call never costs more than it reserved). */
  settle(index: number, charged: number, status: 'settled' | 'failed' = 'settled'): void {
    const e = this.entries[index];
    if (!e || e.status !== 'reserved') throw new OptionError('BudgetLedger.settle.index', 'an outstanding reservation', index);
    e.charged = Math.min(Math.max(charged, 0), e.reserved);
    e.status = status;
  }

  /** Copies of every entry, in reservation order. */
  list(): LedgerEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /** Charged cost per stage and per kind. */
  summary(): { spent: number; calls: number; perStage: number[]; annotate: number; synthesize: number } {
    const perStage: number[] = [];
    let annotate = 0;
    let synthesize = 0;
    for (const e of this.entries) {
      const c = e.status === 'reserved' ? e.reserved : e.charged;
      perStage[e.stage] = (perStage[e.stage] ?? 0) + c;
      if (e.kind === 'annotate') annotate += c;
      else synthesize += c;
    }
    return { spent: this.spent, calls: this.calls, perStage: Array.from(perStage, (v) => v ?? 0), annotate, synthesize };
  }

  toJSON(): LedgerJSON {
    return { budget: this.budget, entries: this.list(), stageCaps: [...this.stageCaps] };
  }

  /**
   * Rebuild a saved ledger. Reservations that were still outstanding (calls in flight when the run stopped)
   * become `lost` and stay charged in full: the teacher may have billed them.
   */
  static fromJSON(json: LedgerJSON): BudgetLedger {
    const ledger = new BudgetLedger(json.budget);
    for (const e of json.entries) {
      ledger.entries.push(e.status === 'reserved' ? { ...e, status: 'lost', charged: e.reserved } : { ...e });
    }
    json.stageCaps.forEach((cap, i) => {
      if (cap !== undefined && cap !== null) ledger.stageCaps[i] = cap;
    });
    return ledger;
  }
}
